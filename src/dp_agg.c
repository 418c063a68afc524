/*
 * dp_agg.c
 *	  The helpers of civic's differential-privacy aggregates (dp_agg.h):
 *	  their privacy parameters read from the plan (by dp_params.c's rules),
 *	  the one call to the meter, and the chores of an internal state.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "funcapi.h"
#include "nodes/execnodes.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "dp_agg.h"
#include "meter.h"

/* ------------------------------------------------------------------------
 * Privacy parameters, read from the plan
 * ------------------------------------------------------------------------
 */

/* Per final-function cache (fn_extra): each parameter, compiled. */
typedef struct DpParamCache
{
	const CivicDpAggInfo *info;
	ExprState  *expr[DP_NPARAMS];	/* NULL if the aggregate has no such arg */
	bool		warned;			/* a deprecation warning was given */
} DpParamCache;

/* Refuse a parameter that is not fixed for the whole query. */
static void
dp_check_param_expr(Expr *expr, const char *pname, const char *aggname)
{
	CivicDpArgKind kind = civic_dp_arg_kind(expr);

	if (kind != CIVIC_DP_ARG_FIXED)
		civic_dp_report_arg(kind, pname, aggname);
}

/*
 * Check the parameters of the Aggref a transition function serves, once per
 * call site, before the first row is used (so that a misplaced argument is
 * reported as such rather than as a bad bound).
 */
void
dp_check_trans_params(FunctionCallInfo fcinfo, const char *aggname)
{
	Aggref	   *aggref;
	const CivicDpAggInfo *info;
	int			j;

	if (fcinfo->flinfo->fn_extra != NULL)
		return;
	aggref = AggGetAggref(fcinfo);
	if (aggref == NULL || DO_AGGSPLIT_COMBINE(aggref->aggsplit))
		return;
	info = civic_dp_agg_info(aggref->aggfnoid);
	for (j = 0; j < DP_NPARAMS; j++)
	{
		Expr	   *expr = civic_dp_arg(info, aggref, j);

		if (expr != NULL)
			dp_check_param_expr(expr, civic_dp_param_names[j], info->name);
	}
	/* any non-NULL marker: checked */
	fcinfo->flinfo->fn_extra = fcinfo->flinfo;
}

/* Build the per-call-site cache: compile each parameter's expression. */
static DpParamCache *
dp_param_cache(FunctionCallInfo fcinfo, const char *aggname)
{
	DpParamCache *cache = (DpParamCache *) fcinfo->flinfo->fn_extra;
	AggState   *aggstate;
	Aggref	   *aggref;
	Aggref	   *orig;
	const CivicDpAggInfo *info;
	int			j;
	MemoryContext oldcxt;

	if (cache != NULL)
		return cache;

	if (AggCheckCallContext(fcinfo, NULL) != AGG_CONTEXT_WINDOW &&
		(fcinfo->context == NULL || !IsA(fcinfo->context, AggState)))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s can only be evaluated as an aggregate", aggname)));
	if (AggCheckCallContext(fcinfo, NULL) != AGG_CONTEXT_AGGREGATE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s cannot be used as a window function", aggname),
				 errdetail("A window function would draw fresh noise for the same rows many times."),
				 errhint("Compute %s in a GROUP BY subquery and join its result.", aggname)));
	aggstate = (AggState *) fcinfo->context;
	aggref = AggGetAggref(fcinfo);
	if (aggref == NULL)
		elog(ERROR, "civic: %s final function called without an Aggref", aggname);
	info = civic_dp_aggref_info(aggref);
	/* an aggregate made of civic's functions outside civic is never metered */
	if (!info->is_dp)
		civic_privacy_unmetered(aggname);
	orig = civic_dp_source_aggref(aggstate->ss.ps.plan, aggref);
	if (orig == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("could not find the privacy parameters of %s in this parallel plan", aggname),
				 errhint("SET max_parallel_workers_per_gather = 0 and run the query again.")));
	civic_dp_check_call_shape(orig, aggname);

	oldcxt = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	cache = (DpParamCache *) palloc0(sizeof(DpParamCache));
	cache->info = info;
	for (j = 0; j < DP_NPARAMS; j++)
	{
		Expr	   *expr;

		if (info->arg[j] < 0)
			continue;
		expr = civic_dp_arg(info, orig, j);
		if (expr == NULL)
			elog(ERROR, "civic: %s has fewer arguments than its signature", aggname);
		dp_check_param_expr(expr, civic_dp_param_names[j], aggname);
		cache->expr[j] = ExecInitExpr(expr, &aggstate->ss.ps);
	}
	MemoryContextSwitchTo(oldcxt);
	fcinfo->flinfo->fn_extra = cache;
	return cache;
}

/* Evaluate the parameters of this evaluation from the plan. */
void
dp_get_params(FunctionCallInfo fcinfo, const char *aggname, DpParams *params)
{
	DpParamCache *cache = dp_param_cache(fcinfo, aggname);
	AggState   *aggstate = (AggState *) fcinfo->context;
	ExprContext *econtext = aggstate->ss.ps.ps_ExprContext;
	int			j;

	memset(params, 0, sizeof(*params));
	params->aggname = aggname;
	params->info = cache->info;
	for (j = 0; j < DP_NPARAMS; j++)
	{
		bool		isnull;

		if (cache->expr[j] == NULL)
			continue;
		params->value[j] = ExecEvalExprSwitchContext(cache->expr[j], econtext, &isnull);
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s of %s must not be null", civic_dp_param_names[j], aggname)));
		params->present[j] = true;
	}
	if (!params->present[DP_PARAM_EPSILON])
		elog(ERROR, "civic: %s has no epsilon argument", aggname);
	params->epsilon = DatumGetFloat8(params->value[DP_PARAM_EPSILON]);
	params->delta = params->present[DP_PARAM_DELTA] ?
		DatumGetFloat8(params->value[DP_PARAM_DELTA]) : 0.0;
	civic_dp_check_privacy(aggname, params->epsilon, params->delta);
}

/*
 * Pass this evaluation's cost through the single accounting point, under
 * the mechanism dp_params.c records for the aggregate (the one the meter
 * charged).
 */
void
dp_account(FunctionCallInfo fcinfo, const DpParams *params)
{
	CivicPrivacyCost cost;

	cost.aggregate = params->aggname;
	cost.mechanism = civic_dp_mechanism(params->info, params->delta);
	cost.epsilon = params->epsilon;
	cost.delta = params->delta;
	civic_privacy_account(fcinfo, &cost);
}

/* Bounds check shared by the float8 paths. */
void
dp_check_float_bounds(const char *aggname, double lower, double upper)
{
	if (isnan(lower) || isnan(upper) || isinf(lower) || isinf(upper))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lower and upper must be finite"),
				 errdetail("%s was called with lower = %g and upper = %g.", aggname, lower, upper)));
	if (lower > upper)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lower must not be greater than upper"),
				 errdetail("%s was called with lower = %g and upper = %g.", aggname, lower, upper),
				 errhint("Swap the bounds.")));
}

/* int128 -> int64 or an out-of-range error. */
int64
dp_int128_to_int64(dp_int128 v, const char *aggname)
{
	if (v > PG_INT64_MAX || v < PG_INT64_MIN)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("result of %s is out of range for type bigint", aggname)));
	return (int64) v;
}

/* Allocate a zeroed state in the aggregate memory context. */
void *
dp_state_alloc(FunctionCallInfo fcinfo, Size size, const char *fname)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "civic: %s called in non-aggregate context", fname);
	return MemoryContextAllocZero(aggcxt, size);
}

/* A bytea holding a copy of len bytes. */
bytea *
dp_bytes_to_bytea(const void *data, Size len)
{
	bytea	   *b = (bytea *) palloc(VARHDRSZ + len);

	SET_VARSIZE(b, VARHDRSZ + len);
	memcpy(VARDATA(b), data, len);
	return b;
}

/* Check a serialized state's length (states come from our own serialfunc). */
void
dp_check_serial(bytea *b, Size len, const char *what)
{
	if (VARSIZE_ANY_EXHDR(b) != len)
		elog(ERROR, "civic: corrupt serialized %s state", what);
}

/*
 * Warn, once per call site, that the aggregate was called under a
 * deprecated name: the unit-first dp_sum(unit, ...) and dp_avg(unit, ...)
 * of 0.1.0, whose five-argument form resolves to the row-level aggregate
 * when the unit is a number.  They keep working in 0.2.0.
 */
void
dp_warn_deprecated_name(FunctionCallInfo fcinfo, const DpParams *params,
						const char *canonical)
{
	DpParamCache *cache = (DpParamCache *) fcinfo->flinfo->fn_extra;

	if (cache == NULL || cache->warned ||
		strcmp(params->info->name, canonical) == 0)
		return;
	cache->warned = true;
	ereport(WARNING,
			(errcode(ERRCODE_WARNING_DEPRECATED_FEATURE),
			 errmsg("%s(unit, value, lower, upper, epsilon [, delta]) is deprecated",
					params->info->name),
			 errdetail("The name is ambiguous: a call with a numeric unit and no delta resolves to the row-level %s(value, lower, upper, epsilon, delta).",
					   params->info->name),
			 errhint("Use %s(unit, value, lower, upper, epsilon [, delta]), the same aggregate; the unit-first name will be removed in a later version.",
					 canonical)));
}
