/*
 * meter.h
 *	  The meter (meter_hook.c): the single place through which the privacy
 *	  cost of every evaluation of a civic differential-privacy aggregate
 *	  passes, and the executor hook that charges queries before they run.
 *
 * Every DP final function calls civic_privacy_account() once per
 * evaluation, after validating its parameters and before drawing noise.
 * The budget ledger plugs in here: it may raise an ERROR, in which case no
 * noise is drawn and no result is returned.
 */
#ifndef CIVIC_METER_H
#define CIVIC_METER_H

#include "fmgr.h"
#include "nodes/pg_list.h"

#include "errcodes.h"

typedef struct CivicPrivacyCost
{
	const char *aggregate;		/* SQL name, e.g. "dp_count" */
	const char *mechanism;		/* "discrete_laplace", "discrete_gaussian",
								 * "exponential", ... */
	double		epsilon;		/* > 0, finite */
	double		delta;			/* 0 for pure epsilon-DP */
} CivicPrivacyCost;

extern void civic_privacy_account(FunctionCallInfo fcinfo,
								  const CivicPrivacyCost *cost);
/* The same for a release function (dp_release.c), by its call's node. */
extern void civic_privacy_account_release(FunctionCallInfo fcinfo,
										  const CivicPrivacyCost *cost);
/* Install the metering hooks (from _PG_init; only when preloaded). */
extern void civic_meter_init(void);
extern bool civic_in_citus_query(void);
extern Oid	civic_accountable_role(void);
/* while pv_citus.c serves a view as its owner: the role that asked for it */
extern PGDLLIMPORT Oid civic_pv_caller;
struct QueryDesc;
extern bool civic_parallel_share(struct QueryDesc *qd);

/* Whether a view computes civic DP aggregates (cached per backend). */
extern bool civic_view_is_dp(Oid viewid);

/*
 * Set by src/pv_citus.c: the views whose references a plan serves through
 * civic._private_view_rows(), one list cell per call the planner made (the
 * meter leaves their charge to the query that function runs), and with
 * BY_HAND the views of the calls written by hand too.
 */
struct PlannedStmt;
extern List *(*civic_meter_served_views) (struct PlannedStmt *pstmt, bool by_hand);

/* Refuse an evaluation that was not metered (VB002). */
extern void civic_privacy_unmetered(const char *aggregate) pg_attribute_noreturn();

#endif							/* CIVIC_METER_H */
