/*
 * privacy_cost.c
 *	  Accounting hook for the privacy cost of DP aggregate evaluations.
 *	  The per-role budget ledger (budget.c) is enforced from here.
 */
#include "postgres.h"

#include "privacy_cost.h"

/*
 * Account for one evaluation of a DP aggregate.  Until the budget ledger is
 * in place this only checks that the cost is well formed.
 */
void
civic_privacy_account(FunctionCallInfo fcinfo, const CivicPrivacyCost *cost)
{
	if (!(cost->epsilon > 0.0) || cost->epsilon > 1e6)
		elog(ERROR, "civic: invalid privacy cost epsilon %g for %s",
			 cost->epsilon, cost->aggregate);
	if (!(cost->delta >= 0.0 && cost->delta < 1.0))
		elog(ERROR, "civic: invalid privacy cost delta %g for %s",
			 cost->delta, cost->aggregate);
}
