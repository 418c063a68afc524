/*
 * civic.h
 *	  Declarations shared by civic's C modules: one init function per part,
 *	  each called once from _PG_init().
 */
#ifndef CIVIC_H
#define CIVIC_H

#include "postgres.h"

/* boundary_index.c: drop cached boundary indexes when civic.boundary changes */
extern void civic_boundary_init(void);

/* postcode_directory.c: the postcode directory cache's invalidation. */
extern void civic_postcode_directory_init(void);

#endif							/* CIVIC_H */
