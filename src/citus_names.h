/*
 * citus_names.h
 *	  Names in the queries Citus sends between nodes (citus_names.c).
 */
#ifndef CIVIC_CITUS_NAMES_H
#define CIVIC_CITUS_NAMES_H

extern void civic_citus_names_init(void);

#endif							/* CIVIC_CITUS_NAMES_H */
