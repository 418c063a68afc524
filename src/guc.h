/*
 * guc.h
 *	  civic's settings (guc.c), read by the modules they tune.  A leaf
 *	  header: it includes nothing of civic.
 */
#ifndef CIVIC_GUC_H
#define CIVIC_GUC_H

#include "postgres.h"

/* Define every civic.* setting and reserve the prefix (from _PG_init). */
extern void civic_guc_init(void);

/* Shared-memory slots for budget accounts, dataset tables and datasets. */
extern int	civic_budget_max_entries;

/* kB; 0 disables automatic compaction of the privacy ledger */
extern int	civic_ledger_compact_size;

#endif							/* CIVIC_GUC_H */
