/*
 * guc.c
 *	  civic's settings, all in one place.  Privacy-relevant settings are
 *	  superuser-only (PGC_SUSET or stricter) with check hooks that refuse
 *	  unsafe values.  The "civic." prefix is reserved.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/guc.h"

#include "guc.h"

/* Shared-memory slots for budget accounts, dataset tables and datasets. */
int			civic_budget_max_entries = 10000;

/* Size (kB) past which the privacy ledger file is compacted; 0: never. */
int			civic_ledger_compact_size = 16384;

/* Define civic's settings and reserve the civic.* namespace. */
void
civic_guc_init(void)
{
	/* a PGC_POSTMASTER setting can only be defined while preloading */
	if (process_shared_preload_libraries_in_progress)
		DefineCustomIntVariable("civic.budget_max_entries",
								"Maximum number of privacy budget accounts (role and dataset pairs) kept in shared memory.",
								"Also bounds the number of tables in declared datasets. Needs civic in shared_preload_libraries.",
								&civic_budget_max_entries,
								10000, 100, 10000000,
								PGC_POSTMASTER,
								0,
								NULL, NULL, NULL);

	DefineCustomIntVariable("civic.ledger_compact_size",
							"Size of the privacy ledger file past which it is compacted into per-account totals.",
							"0 disables automatic compaction (civic.ledger_compact() still compacts).",
							&civic_ledger_compact_size,
							16384, 0, PG_INT32_MAX,
							PGC_SIGHUP,
							GUC_UNIT_KB,
							NULL, NULL, NULL);

	MarkGUCPrefixReserved("civic");
}
