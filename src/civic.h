/*
 * civic.h
 *	  Declarations shared by civic's C modules: one init function per part,
 *	  each called once from _PG_init().
 */
#ifndef CIVIC_H
#define CIVIC_H

#include "postgres.h"

/* guc.c: every civic.* setting, in one place */
extern void civic_guc_init(void);

/* boundary_index.c: drop cached boundary indexes when civic.boundary changes */
extern void civic_boundary_init(void);

/* postcode_directory.c: the postcode directory cache's invalidation. */
extern void civic_postcode_directory_init(void);

/* budget.c: the privacy budget ledger and the metering executor hook */
extern void civic_budget_init(void);

/* settings (guc.c) */
extern int	civic_budget_max_entries;

#endif							/* CIVIC_H */
