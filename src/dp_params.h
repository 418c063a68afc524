/*
 * dp_params.h
 *	  The one place that knows the privacy parameters of each of civic's
 *	  differential-privacy aggregates (dp_params.c): which aggregates are DP
 *	  aggregates, the names and positions of their parameters (epsilon,
 *	  delta, bounds, p, max_rows, unit), the rule that a parameter is fixed
 *	  for the whole query, the valid range of epsilon and delta, the noise
 *	  mechanism of each aggregate (read from one table), and how a
 *	  combining aggregate of a parallel plan finds the partial aggregate that
 *	  carries its arguments.
 *
 * Both the metering executor hook (meter_hook.c) and the
 * aggregates' final functions (dp_agg.c) use it, so they agree exactly on
 * what a call costs and whether it is valid.  It depends on nothing of
 * civic but the SQLSTATEs.
 */
#ifndef CIVIC_DP_PARAMS_H
#define CIVIC_DP_PARAMS_H

#include "postgres.h"

#include "nodes/plannodes.h"
#include "nodes/primnodes.h"

#include "errcodes.h"

/* The parameters an aggregate may have, by argument name. */
typedef enum CivicDpParam
{
	CIVIC_DP_EPSILON = 0,
	CIVIC_DP_DELTA,
	CIVIC_DP_LOWER,
	CIVIC_DP_UPPER,
	CIVIC_DP_P,
	CIVIC_DP_MAX_ROWS,
	CIVIC_DP_NPARAMS
} CivicDpParam;

extern const char *const civic_dp_param_names[CIVIC_DP_NPARAMS];

/* How an aggregate adds noise (dp_params.c: the table of aggregates). */
typedef enum CivicDpFamily
{
	CIVIC_DP_ADDITIVE,			/* integer noise: discrete Laplace when
								 * delta = 0, discrete Gaussian when > 0 */
	CIVIC_DP_EXPONENTIAL		/* the exponential mechanism (quantiles) */
} CivicDpFamily;

/* What civic knows of an aggregate (cached per backend). */
typedef struct CivicDpAggInfo
{
	Oid			aggfnoid;		/* hash key */
	bool		is_dp;			/* an aggregate of civic with an epsilon */
	bool		twin;			/* civic._dist_<name>, the twin of <name>
								 * with a civic.dp_state state (dp_state.c) */
	Oid			counterpart;	/* a DP aggregate's twin, a twin's original
								 * (InvalidOid if none) */
	bool		per_unit;		/* has an argument named "unit" */
	bool		release;		/* not an aggregate: civic's release
								 * function of the DP aggregate <name> over
								 * Citus's count or sum (dp_release.c) */
	int			arg[CIVIC_DP_NPARAMS];	/* 0-based argument positions, or
										 * -1 */
	CivicDpFamily family;
	int			parts;			/* noise draws, each at (epsilon/parts,
								 * delta/parts) */
	char		name[NAMEDATALEN];	/* the DP aggregate's name (a twin's is
									 * its original's) */
} CivicDpAggInfo;

/* The aggregate's entry; never NULL (is_dp false for any other function). */
extern const CivicDpAggInfo *civic_dp_agg_info(Oid aggfnoid);

/*
 * The entry of the aggregate an Aggref evaluates, seeing through Citus's
 * coord_combine_agg in plans civic checked (plan_notes.h).
 */
extern const CivicDpAggInfo *civic_dp_aggref_info(Aggref *aggref);

/*
 * The twin civic._dist_<name> of a DP aggregate civic.<name> (same argument
 * types), for a planner that needs a state type other than internal;
 * InvalidOid for any other function (a twin included).
 */
extern Oid	civic_dp_twin(Oid aggfnoid);

/* "discrete_laplace", "discrete_gaussian" or "exponential". */
extern const char *civic_dp_mechanism(const CivicDpAggInfo *info, double delta);

/* zCDP cost rho of one evaluation at (epsilon, delta). */
extern double civic_dp_rho(const CivicDpAggInfo *info, double epsilon, double delta);

/* epsilon in (0, 1e6], delta in [0, 1). */
extern bool civic_dp_privacy_valid(double epsilon, double delta);
/* The same test, raising 22023 with the aggregate's name. */
extern void civic_dp_check_privacy(const char *aggname, double epsilon, double delta);

/* What a parameter's expression in a plan is. */
typedef enum CivicDpArgKind
{
	CIVIC_DP_ARG_FIXED,			/* constant or query parameter: known before
								 * the query runs */
	CIVIC_DP_ARG_ROWWISE,		/* may vary by row (column, volatile function,
								 * subquery, aggregate): refused */
	CIVIC_DP_ARG_RUNTIME		/* computed while the query runs (an init
								 * plan's output): cannot be charged first */
} CivicDpArgKind;

extern CivicDpArgKind civic_dp_arg_kind(Expr *expr);
/* Raise the error for a parameter that is not CIVIC_DP_ARG_FIXED. */
extern void civic_dp_report_arg(CivicDpArgKind kind, const char *pname,
								const char *aggname) pg_attribute_noreturn();

/* Argument expression of a DP parameter of an Aggref; NULL if none. */
extern Expr *civic_dp_arg(const CivicDpAggInfo *info, Aggref *aggref, CivicDpParam param);

/* Whether the call is of a shape the aggregates accept (no DISTINCT, ORDER BY). */
extern bool civic_dp_call_shape_ok(Aggref *aggref);
extern void civic_dp_check_call_shape(Aggref *aggref, const char *aggname);

/*
 * The Aggref carrying the arguments of an aggregate evaluated by the Agg
 * node `agg`: itself, or for a combining (Finalize) aggregate of a parallel
 * plan the partial Aggref below, or for Citus's coord_combine_agg the
 * Aggref the query was written with (plan_notes.h); NULL if the plan is not
 * of a shape civic knows.
 */
extern Aggref *civic_dp_source_aggref(Plan *agg, Aggref *aggref);

/* Register the cache's invalidation (from _PG_init). */
extern void civic_dp_params_init(void);

#endif							/* CIVIC_DP_PARAMS_H */
