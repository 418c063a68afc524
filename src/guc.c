/*
 * guc.c
 *	  civic's settings, all in one place.  Privacy-relevant settings are
 *	  superuser-only (PGC_SUSET or stricter) with check hooks that refuse
 *	  unsafe values.  The "civic." prefix is reserved.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/guc.h"

#include "civic.h"

/* Shared-memory slots for budget accounts, dataset tables and datasets. */
int			civic_budget_max_entries = 10000;

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

	MarkGUCPrefixReserved("civic");
}
