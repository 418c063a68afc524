/*
 * civic.c
 *	  Module entry point: _PG_init calls each part's init function.
 */
#include "postgres.h"

#include "fmgr.h"

#include "civic.h"
#include "citus_names.h"
#include "citus_plan.h"
#include "dp_params.h"
#include "guc.h"
#include "ledger.h"
#include "meter.h"
#include "private_view.h"
#include "pv_citus.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Initialise each part of civic once per process. */
void
_PG_init(void)
{
	civic_guc_init();
	civic_dp_params_init();
	civic_boundary_init();
	civic_postcode_directory_init();
	civic_ledger_init();			/* shared memory, the WAL resource manager */
	civic_meter_init();
	civic_citus_plan_init();	/* planner hook for Citus */
	civic_citus_names_init();	/* names in queries between Citus nodes */
	civic_private_view_init();	/* after the meter: its check runs first */
	civic_pv_citus_init();		/* planner hook: runs before civic's others */
}
