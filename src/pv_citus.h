/*
 * pv_citus.h
 *	  Privacy-safe views over Citus tables (pv_citus.c): a planner hook that
 *	  serves each reference to such a view through civic._private_view_rows(),
 *	  which runs the view with its owner's identity.
 */
#ifndef CIVIC_PV_CITUS_H
#define CIVIC_PV_CITUS_H

#include "postgres.h"

/* Install the planner hook (from _PG_init; only when preloaded). */
extern void civic_pv_citus_init(void);


#endif							/* CIVIC_PV_CITUS_H */
