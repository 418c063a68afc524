/*
 * citus_plan.h
 *	  civic's planner hook for DP aggregates over Citus tables
 *	  (citus_plan.c, docs/citus.md).
 */
#ifndef CIVIC_CITUS_PLAN_H
#define CIVIC_CITUS_PLAN_H

/* Install the planner hook (from _PG_init). */
extern void civic_citus_plan_init(void);

#endif							/* CIVIC_CITUS_PLAN_H */
