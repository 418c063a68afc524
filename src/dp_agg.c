/*
 * dp_agg.c
 *	  civic's differential-privacy aggregates: dp_count, dp_count_units,
 *	  dp_sum, dp_avg, dp_percentile / dp_median, their per-person (unit)
 *	  bounded variants and the error-bar functions.
 *
 * Shape of every aggregate
 * ------------------------
 * The transition functions only accumulate exact integers (counts, sums on
 * a fixed grid, histograms, per-unit tables) in the aggregate memory
 * context; combine functions add partial states (either side may be empty);
 * serial/deserial functions copy them across parallel workers.  Noise is
 * drawn only in the final function, exactly once per evaluation, after all
 * partial states are combined: the final function reads the privacy
 * parameters (epsilon, delta, bounds, ...) from the query plan, validates
 * them, passes the cost through civic_privacy_account() (meter.h),
 * and only then draws noise (dp_noise.c).
 *
 * Privacy parameters come from the plan, not from rows
 * -----------------------------------------------------
 * The parameters must be constant for the whole query (no column
 * reference, no volatile function, no subquery): they are evaluated from
 * the Aggref's argument expressions, found by argument name.  This makes
 * an empty input (no transition call at all) still produce a noised
 * answer, and lets the budget ledger charge a query before it runs.  Under
 * a parallel plan the finalizing Aggref only references the partial
 * aggregate's output, so the partial Aggref is found by following the
 * Var chain down the plan tree.
 *
 * Grids
 * -----
 * A real-valued sum is computed on a published grid: each value is clamped
 * to [lower, upper], divided by the grid step g = 2^k and rounded to an
 * integer (|unit| <= 2^20), summed exactly in 128 bits (Casacuberta et al.,
 * "Widespread Underestimation of Sensitivity in Differentially Private
 * Libraries and How to Fix It", CCS 2022), noised with integer noise, and
 * multiplied back by g.  The output is therefore always a multiple of g and
 * carries no floating-point signature (Mironov 2012).  k is the smallest
 * integer with max(|lower|, |upper|) < 2^(k+20), raised for the Gaussian
 * mechanism until sigma < 2^27 g; numeric sums use the decimal grid 10^j
 * the same way (max < 10^(j+6), sigma < 10^8 * 10^j); bigint sums and
 * per-unit row counts use g = 2^k with k >= 0 (so g = 1 unless the bound
 * exceeds 2^20).  civic.dp_sum_grid() returns g.
 *
 * Neighbouring datasets
 * ---------------------
 * Plain aggregates protect one row (add/remove-one-row neighbours); the
 * unit-first variants protect one privacy unit (all rows carrying the same
 * unit value in the group), whose contribution is combined and bounded
 * before noise.
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

#include "dp_noise.h"
#include "dp_params.h"
#include "meter.h"

/* ------------------------------------------------------------------------
 * Privacy parameters, read from the plan
 * ------------------------------------------------------------------------
 */

/* (parameter names, positions, rules and mechanisms: dp_params.c) */
#define DP_PARAM_EPSILON	CIVIC_DP_EPSILON
#define DP_PARAM_DELTA		CIVIC_DP_DELTA
#define DP_PARAM_LOWER		CIVIC_DP_LOWER
#define DP_PARAM_UPPER		CIVIC_DP_UPPER
#define DP_PARAM_P			CIVIC_DP_P
#define DP_PARAM_MAX_ROWS	CIVIC_DP_MAX_ROWS
#define DP_NPARAMS			CIVIC_DP_NPARAMS

/* Per final-function cache (fn_extra): each parameter, compiled. */
typedef struct DpParamCache
{
	const CivicDpAggInfo *info;
	ExprState  *expr[DP_NPARAMS];	/* NULL if the aggregate has no such arg */
} DpParamCache;

/* The evaluated parameters of one final-function call. */
typedef struct DpParams
{
	const char *aggname;
	const CivicDpAggInfo *info;
	bool		present[DP_NPARAMS];
	Datum		value[DP_NPARAMS];
	double		epsilon;
	double		delta;
} DpParams;

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
static void
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
	info = civic_dp_agg_info(aggref->aggfnoid);
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
static void
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
static void
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
static void
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

/* ------------------------------------------------------------------------
 * Grids
 * ------------------------------------------------------------------------
 */

typedef struct DpGrid
{
	int32		k;				/* step 2^k (binary) or 10^k (decimal) */
	int64		lo_u;			/* lower bound in grid units */
	int64		hi_u;			/* upper bound in grid units */
	int64		delta_units;	/* sensitivity in grid units */
} DpGrid;

/* Binary exponent e with x < 2^e (x > 0). */
static int
dp_exp2_above(double x)
{
	int			e;

	(void) frexp(x, &e);
	return e;
}

/* The binary grid for a float8 sum with these bounds and parameters. */
static void
dp_float_grid(double lower, double upper, double epsilon, double delta, DpGrid *grid)
{
	double		d = Max(fabs(lower), fabs(upper));
	int			k = 0;
	double		inv;

	if (d > 0.0)
		k = dp_exp2_above(d) - 20;
	if (delta > 0.0 && d > 0.0)
	{
		double		sigma = d * dp_gaussian_multiplier(epsilon, delta);

		k = Max(k, dp_exp2_above(sigma) - (DP_MAX_SCALE_LOG2 - 1));
	}
	if (k < -1000)
		k = -1000;
	inv = ldexp(1.0, -k);
	grid->k = k;
	grid->lo_u = (int64) rint(lower * inv);
	grid->hi_u = (int64) rint(upper * inv);
	grid->delta_units = Max(Abs(grid->lo_u), Abs(grid->hi_u));
}

/* Round an integer to the binary grid 2^k (k >= 0), half up. */
static inline dp_int128
dp_int_to_grid(dp_int128 v, int k)
{
	if (k <= 0)
		return v;
	return (v + (((dp_int128) 1) << (k - 1))) >> k;
}

/* The binary integer grid (k >= 0) for bounds lower..upper. */
static void
dp_int_grid(int64 lower, int64 upper, double epsilon, double delta, DpGrid *grid)
{
	uint64		d;
	int			k = 0;
	int			bits = 0;

	d = Max((uint64) (lower < 0 ? -(dp_int128) lower : lower),
			(uint64) (upper < 0 ? -(dp_int128) upper : upper));
	while (bits < 64 && (d >> bits) != 0)
		bits++;
	if (bits > 20)
		k = bits - 20;
	if (delta > 0.0 && d > 0)
	{
		double		sigma = (double) d * dp_gaussian_multiplier(epsilon, delta);

		k = Max(k, dp_exp2_above(sigma) - (DP_MAX_SCALE_LOG2 - 1));
	}
	if (k < 0)
		k = 0;
	if (k > 100)
		k = 100;
	grid->k = k;
	grid->lo_u = (int64) dp_int_to_grid(lower, k);
	grid->hi_u = (int64) dp_int_to_grid(upper, k);
	grid->delta_units = Max(Abs(grid->lo_u), Abs(grid->hi_u));
}

/* 10^j as a numeric. */
static Numeric
dp_numeric_pow10(int j)
{
	char		buf[32];

	snprintf(buf, sizeof(buf), "1e%d", j);
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

/* round(v * scale) as int64, scale = 10^-j (numeric_int8 rounds half away from zero). */
static int64
dp_numeric_to_units(Numeric v, Numeric scale)
{
	Datum		x;

	x = DirectFunctionCall2(numeric_mul, NumericGetDatum(v), NumericGetDatum(scale));
	return DatumGetInt64(DirectFunctionCall1(numeric_int8, x));
}

/*
 * Per-row conversion of a dp_sum(numeric) value, without numeric arithmetic.
 *
 * A value v is released as clamp(round(v * 10^-j), lo_u, hi_u), where round
 * rounds half away from zero (as numeric_int8 does) and lo_u, hi_u are the
 * bounds converted the same way (dp_numeric_to_units).  Rounding is
 * monotone, so this equals rounding the value clamped to [lower, upper]:
 * a value below lower rounds to at most lo_u, one above upper to at least
 * hi_u.  The integer is computed exactly from the value's base-10000 digits,
 * saturating far beyond any int64 bound, so no row allocates.
 *
 * The digits are read in PostgreSQL's on-disk numeric format (numeric.c),
 * which is fixed across releases for binary upgrades: after the varlena
 * header, a uint16 word; if its top two bits are 10 (short format) it holds
 * the sign (0x2000) and a 7-bit two's complement weight (0x007F); if they
 * are 00 or 01 (long format: positive or negative) an int16 weight follows;
 * if 11 the value is NaN or an infinity.  Then come int16 digits, base 10000,
 * most significant first, digit i weighing 10000^(weight - i).  The datum
 * may have a 1-byte varlena header (unaligned), hence the memcpy reads.
 */
#define DP_NUMERIC_SIGN_MASK	0xC000
#define DP_NUMERIC_NEG			0x4000
#define DP_NUMERIC_SHORT		0x8000
#define DP_NUMERIC_SPECIAL		0xC000
#define DP_NUMERIC_SHORT_NEG	0x2000
#define DP_NUMERIC_SHORT_WSIGN	0x0040
#define DP_NUMERIC_SHORT_WMASK	0x003F
/* magnitudes above this (in grid units) are beyond every int64 bound */
#define DP_NUMERIC_SATURATE		(((dp_uint128) 1) << 100)

/*
 * *units gets clamp(round(v * 10^-j), lo_u, hi_u) for a finite v; false for
 * NaN and the infinities, which the caller handles.
 */
static bool
dp_numeric_units_clamped(struct varlena *num, int j, int64 lo_u, int64 hi_u,
						 int64 *units)
{
	static const int pow10[5] = {1, 10, 100, 1000, 10000};
	const char *data = VARDATA_ANY(num);
	Size		len = VARSIZE_ANY_EXHDR(num);
	uint16		header;
	int			weight;
	bool		neg;
	const char *digits;
	int			ndigits;
	dp_uint128	mag = 0;
	int			round_digit = 0;
	int			pos;
	int			i;
	dp_int128	val;

	if (len < sizeof(uint16))
		elog(ERROR, "civic: invalid numeric datum");
	memcpy(&header, data, sizeof(uint16));
	if ((header & DP_NUMERIC_SIGN_MASK) == DP_NUMERIC_SPECIAL)
		return false;
	if ((header & DP_NUMERIC_SIGN_MASK) == DP_NUMERIC_SHORT)
	{
		neg = (header & DP_NUMERIC_SHORT_NEG) != 0;
		weight = (header & DP_NUMERIC_SHORT_WMASK) |
			((header & DP_NUMERIC_SHORT_WSIGN) ? ~DP_NUMERIC_SHORT_WMASK : 0);
		digits = data + sizeof(uint16);
		ndigits = (int) ((len - sizeof(uint16)) / sizeof(int16));
	}
	else
	{
		int16		w;

		if (len < 2 * sizeof(uint16))
			elog(ERROR, "civic: invalid numeric datum");
		neg = (header & DP_NUMERIC_SIGN_MASK) == DP_NUMERIC_NEG;
		memcpy(&w, data + sizeof(uint16), sizeof(int16));
		weight = w;
		digits = data + 2 * sizeof(uint16);
		ndigits = (int) ((len - 2 * sizeof(uint16)) / sizeof(int16));
	}

	/*
	 * pos: the power of ten, in grid units, of the lowest decimal digit of
	 * base-10000 digit i.  Digits wholly above the units position are
	 * accumulated; the one straddling it is split; the first decimal digit
	 * below it decides the rounding.
	 */
	pos = 4 * weight - j;
	for (i = 0; i < ndigits; i++, pos -= 4)
	{
		int16		d;

		memcpy(&d, digits + i * sizeof(int16), sizeof(int16));
		if (pos >= 0)
		{
			if (mag > DP_NUMERIC_SATURATE)
				break;
			mag = mag * 10000 + (dp_uint128) d;
			continue;
		}
		if (pos >= -3)
		{
			int			p = pow10[-pos];

			if (mag <= DP_NUMERIC_SATURATE)
				mag = mag * (dp_uint128) pow10[4 + pos] + (dp_uint128) (d / p);
			round_digit = (d % p) / pow10[-pos - 1];
		}
		else if (pos == -4)
			round_digit = d / 1000;
		break;
	}
	/* trailing zeros of an integer-valued digit string */
	if (i == ndigits && ndigits > 0 && mag != 0)
	{
		int			pad = pos + 4;

		while (pad-- > 0 && mag <= DP_NUMERIC_SATURATE)
			mag *= 10;
	}
	if (mag > DP_NUMERIC_SATURATE)
		mag = DP_NUMERIC_SATURATE + 1;
	else if (round_digit >= 5)
		mag++;
	val = neg ? -(dp_int128) mag : (dp_int128) mag;
	if (val < lo_u)
		val = lo_u;
	else if (val > hi_u)
		val = hi_u;
	*units = (int64) val;
	return true;
}

/* The decimal grid 10^j for a numeric sum; *scale gets 10^-j. */
static void
dp_numeric_grid(Numeric lower, Numeric upper, double epsilon, double delta,
				DpGrid *grid, Numeric *scale)
{
	double		l = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
													   NumericGetDatum(lower)));
	double		u = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
													   NumericGetDatum(upper)));
	double		d = Max(fabs(l), fabs(u));
	int			j = 0;
	Numeric		sc;

	if (d > 0.0)
		j = (int) floor(log10(d)) + 1 - 6;
	if (delta > 0.0 && d > 0.0)
	{
		double		sigma = d * dp_gaussian_multiplier(epsilon, delta);

		j = Max(j, (int) ceil(log10(sigma)) - 8);
	}
	if (j < -300)
		j = -300;
	if (j > 300)
		j = 300;
	sc = dp_numeric_pow10(-j);
	grid->k = j;
	grid->lo_u = dp_numeric_to_units(lower, sc);
	grid->hi_u = dp_numeric_to_units(upper, sc);
	grid->delta_units = Max(Abs(grid->lo_u), Abs(grid->hi_u));
	if (scale)
		*scale = sc;
}

/* int128 -> decimal text. */
static char *
dp_int128_to_cstring(dp_int128 v)
{
	char		buf[48];
	char	   *p = buf + sizeof(buf) - 1;
	bool		neg = v < 0;
	dp_uint128	u = neg ? -(dp_uint128) v : (dp_uint128) v;

	*p = '\0';
	do
	{
		*--p = '0' + (int) (u % 10);
		u /= 10;
	} while (u != 0);
	if (neg)
		*--p = '-';
	return pstrdup(p);
}

/* units * 10^j as a numeric on the decimal grid. */
static Numeric
dp_units_to_numeric(dp_int128 units, int j)
{
	char	   *digits = dp_int128_to_cstring(units);
	char	   *s = psprintf("%se%d", digits, j);

	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(s),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

/* int128 -> int64 or an out-of-range error. */
static int64
dp_int128_to_int64(dp_int128 v, const char *aggname)
{
	if (v > PG_INT64_MAX || v < PG_INT64_MIN)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("result of %s is out of range for type bigint", aggname)));
	return (int64) v;
}

/* Allocate a zeroed state in the aggregate memory context. */
static void *
dp_state_alloc(FunctionCallInfo fcinfo, Size size, const char *fname)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "civic: %s called in non-aggregate context", fname);
	return MemoryContextAllocZero(aggcxt, size);
}

/* A bytea holding a copy of len bytes. */
static bytea *
dp_bytes_to_bytea(const void *data, Size len)
{
	bytea	   *b = (bytea *) palloc(VARHDRSZ + len);

	SET_VARSIZE(b, VARHDRSZ + len);
	memcpy(VARDATA(b), data, len);
	return b;
}

/* Check a serialized state's length (states come from our own serialfunc). */
static void
dp_check_serial(bytea *b, Size len, const char *what)
{
	if (VARSIZE_ANY_EXHDR(b) != len)
		elog(ERROR, "civic: corrupt serialized %s state", what);
}

/* ------------------------------------------------------------------------
 * dp_count(epsilon [, delta]): rows, each row one person
 * Sensitivity 1 (one row added or removed).
 * ------------------------------------------------------------------------
 */

typedef struct DpCountState
{
	int64		count;
} DpCountState;

PG_FUNCTION_INFO_V1(dp_count_trans);
/* Transition: count the row. */
Datum
dp_count_trans(PG_FUNCTION_ARGS)
{
	DpCountState *st;

	if (PG_ARGISNULL(0))
		st = dp_state_alloc(fcinfo, sizeof(DpCountState), "dp_count_trans");
	else
		st = (DpCountState *) PG_GETARG_POINTER(0);
	st->count++;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(dp_count_combine);
/* Combine two partial counts; either may be absent. */
Datum
dp_count_combine(PG_FUNCTION_ARGS)
{
	DpCountState *a = PG_ARGISNULL(0) ? NULL : (DpCountState *) PG_GETARG_POINTER(0);
	DpCountState *b = PG_ARGISNULL(1) ? NULL : (DpCountState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = dp_state_alloc(fcinfo, sizeof(DpCountState), "dp_count_combine");
	a->count += b->count;
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(dp_count_serial);
/* Serialize a count state. */
Datum
dp_count_serial(PG_FUNCTION_ARGS)
{
	DpCountState *st = (DpCountState *) PG_GETARG_POINTER(0);

	PG_RETURN_BYTEA_P(dp_bytes_to_bytea(st, sizeof(DpCountState)));
}

PG_FUNCTION_INFO_V1(dp_count_deserial);
/* Deserialize a count state. */
Datum
dp_count_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	DpCountState *st;

	dp_check_serial(b, sizeof(DpCountState), "dp_count");
	st = dp_state_alloc(fcinfo, sizeof(DpCountState), "dp_count_deserial");
	memcpy(st, VARDATA_ANY(b), sizeof(DpCountState));
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(dp_count_final);
/* Final: count + discrete Laplace/Gaussian noise of sensitivity 1. */
Datum
dp_count_final(PG_FUNCTION_ARGS)
{
	DpCountState *st = PG_ARGISNULL(0) ? NULL : (DpCountState *) PG_GETARG_POINTER(0);
	DpParams	params;
	DpNoise		noise;
	dp_int128	result;

	dp_get_params(fcinfo, "dp_count", &params);
	dp_noise_setup(&noise, 1, params.epsilon, params.delta);
	dp_account(fcinfo, &params);
	result = (st ? st->count : 0) + dp_noise_draw(&noise);
	PG_RETURN_INT64(dp_int128_to_int64(result, "dp_count"));
}

/* ------------------------------------------------------------------------
 * dp_sum / dp_avg: clamped values on a grid, summed in 128 bits
 * Sum sensitivity max(|lower|, |upper|) in grid units (add/remove one row).
 * dp_avg centres the values at the middle c of the grid bounds, so its sum
 * sensitivity is max(hi - c, c - lo), and releases
 * c + noisy_centred_sum / max(1, noisy_count), each half with epsilon/2
 * (and delta/2), rounded to the grid and clamped to the grid points within
 * [lower, upper].
 * ------------------------------------------------------------------------
 */

typedef struct DpSumState
{
	bool		ready;			/* grid computed from the first row */
	int32		k;
	dp_int128	sum;			/* sum of grid units */
	int64		n;				/* rows summed */
	int64		lo_u;
	int64		hi_u;
	double		lower;			/* float8: bounds and 2^-k */
	double		upper;
	double		inv;
	int64		ilower;			/* bigint bounds */
	int64		iupper;
	Numeric		nlower;			/* numeric bounds and 10^-j (not serialized) */
	Numeric		nupper;
	Numeric		nscale;
} DpSumState;

/* Get or create the sum state. */
static DpSumState *
dp_sum_state(FunctionCallInfo fcinfo, const char *fname)
{
	if (PG_ARGISNULL(0))
		return dp_state_alloc(fcinfo, sizeof(DpSumState), fname);
	return (DpSumState *) PG_GETARG_POINTER(0);
}

/* epsilon and delta of a sum/avg row (arguments at epos and epos+1). */
static void
dp_row_privacy(FunctionCallInfo fcinfo, int epos, bool avg, double *epsilon, double *delta)
{
	*epsilon = PG_ARGISNULL(epos) ? 1.0 : PG_GETARG_FLOAT8(epos);
	*delta = (PG_NARGS() > epos + 1 && !PG_ARGISNULL(epos + 1)) ?
		PG_GETARG_FLOAT8(epos + 1) : 0.0;
	if (avg)
	{
		*epsilon /= 2.0;
		*delta /= 2.0;
	}
	/* the final function reports bad parameters; keep the grid computable */
	if (!(*epsilon > 0.0) || isinf(*epsilon))
		*epsilon = 1.0;
	if (!(*delta >= 0.0 && *delta < 1.0))
		*delta = 0.0;
}

/* Float8 value transition (args: value, lower, upper, epsilon [, delta]). */
static Datum
dp_sum_float8_trans_common(FunctionCallInfo fcinfo, int vpos, bool avg)
{
	DpSumState *st = dp_sum_state(fcinfo, "dp_sum_float8_trans");
	double		v;

	if (!st->ready)
	{
		DpGrid		grid;
		double		epsilon,
					delta;

		dp_check_trans_params(fcinfo, avg ? "dp_avg" : "dp_sum");
		if (PG_ARGISNULL(vpos + 1) || PG_ARGISNULL(vpos + 2))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("lower and upper must not be null")));
		st->lower = PG_GETARG_FLOAT8(vpos + 1);
		st->upper = PG_GETARG_FLOAT8(vpos + 2);
		dp_check_float_bounds(avg ? "dp_avg" : "dp_sum", st->lower, st->upper);
		dp_row_privacy(fcinfo, vpos + 3, avg, &epsilon, &delta);
		dp_float_grid(st->lower, st->upper, epsilon, delta, &grid);
		st->k = grid.k;
		st->lo_u = grid.lo_u;
		st->hi_u = grid.hi_u;
		st->inv = ldexp(1.0, -grid.k);
		st->ready = true;
	}
	if (PG_ARGISNULL(vpos))
		PG_RETURN_POINTER(st);
	v = PG_GETARG_FLOAT8(vpos);
	if (isnan(v))
		PG_RETURN_POINTER(st);
	if (v < st->lower)
		v = st->lower;
	else if (v > st->upper)
		v = st->upper;
	st->sum += (int64) rint(v * st->inv);
	st->n++;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(dp_sum_float8_trans);
/* dp_sum(float8 ...) transition. */
Datum
dp_sum_float8_trans(PG_FUNCTION_ARGS)
{
	return dp_sum_float8_trans_common(fcinfo, 1, false);
}

PG_FUNCTION_INFO_V1(dp_avg_float8_trans);
/* dp_avg(float8 ...) transition. */
Datum
dp_avg_float8_trans(PG_FUNCTION_ARGS)
{
	return dp_sum_float8_trans_common(fcinfo, 1, true);
}

PG_FUNCTION_INFO_V1(dp_sum_int8_trans);
/* dp_sum(bigint ...) transition. */
Datum
dp_sum_int8_trans(PG_FUNCTION_ARGS)
{
	DpSumState *st = dp_sum_state(fcinfo, "dp_sum_int8_trans");
	int64		v;

	if (!st->ready)
	{
		DpGrid		grid;
		double		epsilon,
					delta;

		dp_check_trans_params(fcinfo, "dp_sum");
		if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("lower and upper must not be null")));
		st->ilower = PG_GETARG_INT64(2);
		st->iupper = PG_GETARG_INT64(3);
		if (st->ilower > st->iupper)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("lower must not be greater than upper"),
					 errdetail("dp_sum was called with lower = " INT64_FORMAT " and upper = " INT64_FORMAT ".",
							   st->ilower, st->iupper),
					 errhint("Swap the bounds.")));
		dp_row_privacy(fcinfo, 4, false, &epsilon, &delta);
		dp_int_grid(st->ilower, st->iupper, epsilon, delta, &grid);
		st->k = grid.k;
		st->lo_u = grid.lo_u;
		st->hi_u = grid.hi_u;
		st->ready = true;
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	v = PG_GETARG_INT64(1);
	if (v < st->ilower)
		v = st->ilower;
	else if (v > st->iupper)
		v = st->iupper;
	st->sum += dp_int_to_grid(v, st->k);
	st->n++;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(dp_sum_numeric_trans);
/* dp_sum(numeric ...) transition. */
Datum
dp_sum_numeric_trans(PG_FUNCTION_ARGS)
{
	DpSumState *st = dp_sum_state(fcinfo, "dp_sum_numeric_trans");
	struct varlena *raw;
	int64		units;

	if (!st->ready)
	{
		DpGrid		grid;
		double		epsilon,
					delta;
		MemoryContext aggcxt;
		MemoryContext oldcxt;
		Numeric		scale;

		dp_check_trans_params(fcinfo, "dp_sum");
		if (PG_ARGISNULL(2) || PG_ARGISNULL(3))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("lower and upper must not be null")));
		if (!AggCheckCallContext(fcinfo, &aggcxt))
			elog(ERROR, "civic: dp_sum_numeric_trans called in non-aggregate context");
		oldcxt = MemoryContextSwitchTo(aggcxt);
		st->nlower = DatumGetNumericCopy(PG_GETARG_DATUM(2));
		st->nupper = DatumGetNumericCopy(PG_GETARG_DATUM(3));
		if (numeric_is_nan(st->nlower) || numeric_is_nan(st->nupper) ||
			numeric_is_inf(st->nlower) || numeric_is_inf(st->nupper))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("lower and upper must be finite")));
		if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(st->nlower),
											  NumericGetDatum(st->nupper))) > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("lower must not be greater than upper"),
					 errhint("Swap the bounds.")));
		dp_row_privacy(fcinfo, 4, false, &epsilon, &delta);
		dp_numeric_grid(st->nlower, st->nupper, epsilon, delta, &grid, &scale);
		st->nscale = scale;
		MemoryContextSwitchTo(oldcxt);
		st->k = grid.k;
		st->lo_u = grid.lo_u;
		st->hi_u = grid.hi_u;
		st->ready = true;
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	raw = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(1));
	if (dp_numeric_units_clamped(raw, st->k, st->lo_u, st->hi_u, &units))
		st->sum += units;
	else
	{
		/*
		 * Only the special values get here (the bounds are finite): NaN is
		 * skipped; -Infinity counts as the lower bound, Infinity as the upper.
		 */
		Numeric		v = DatumGetNumeric(PointerGetDatum(raw));

		if (numeric_is_nan(v))
			PG_RETURN_POINTER(st);
		if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(v),
											  NumericGetDatum(st->nlower))) < 0)
			st->sum += st->lo_u;
		else
			st->sum += st->hi_u;
	}
	st->n++;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(dp_sum_combine);
/* Combine two partial sums; either may be absent. */
Datum
dp_sum_combine(PG_FUNCTION_ARGS)
{
	DpSumState *a = PG_ARGISNULL(0) ? NULL : (DpSumState *) PG_GETARG_POINTER(0);
	DpSumState *b = PG_ARGISNULL(1) ? NULL : (DpSumState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
	{
		a = dp_state_alloc(fcinfo, sizeof(DpSumState), "dp_sum_combine");
		memcpy(a, b, sizeof(DpSumState));
		PG_RETURN_POINTER(a);
	}
	if (a->ready && b->ready && a->k != b->k)
		elog(ERROR, "civic: partial dp_sum states on different grids");
	if (!a->ready)
	{
		dp_int128	sum = a->sum;
		int64		n = a->n;

		memcpy(a, b, sizeof(DpSumState));
		a->sum += sum;
		a->n += n;
		PG_RETURN_POINTER(a);
	}
	a->sum += b->sum;
	a->n += b->n;
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(dp_sum_serial);
/* Serialize a sum state (the numeric pointers are not needed after). */
Datum
dp_sum_serial(PG_FUNCTION_ARGS)
{
	DpSumState	copy;

	memcpy(&copy, PG_GETARG_POINTER(0), sizeof(DpSumState));
	copy.nlower = copy.nupper = copy.nscale = NULL;
	PG_RETURN_BYTEA_P(dp_bytes_to_bytea(&copy, sizeof(DpSumState)));
}

PG_FUNCTION_INFO_V1(dp_sum_deserial);
/* Deserialize a sum state. */
Datum
dp_sum_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	DpSumState *st;

	dp_check_serial(b, sizeof(DpSumState), "dp_sum");
	st = dp_state_alloc(fcinfo, sizeof(DpSumState), "dp_sum_deserial");
	memcpy(st, VARDATA_ANY(b), sizeof(DpSumState));
	PG_RETURN_POINTER(st);
}

/* The grid of a float8 sum from the plan's parameters. */
static void
dp_params_float_grid(const DpParams *params, bool avg, DpGrid *grid)
{
	double		lower = DatumGetFloat8(params->value[DP_PARAM_LOWER]);
	double		upper = DatumGetFloat8(params->value[DP_PARAM_UPPER]);

	dp_check_float_bounds(params->aggname, lower, upper);
	dp_float_grid(lower, upper,
				  avg ? params->epsilon / 2 : params->epsilon,
				  avg ? params->delta / 2 : params->delta, grid);
}

/* Check a state against the grid the plan's parameters give. */
static void
dp_check_state_grid(const DpSumState *st, const DpGrid *grid, const char *aggname)
{
	if (st != NULL && st->ready && (st->k != grid->k || st->lo_u != grid->lo_u ||
									st->hi_u != grid->hi_u))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the bounds of %s changed during the query", aggname),
				 errdetail("Privacy parameters and bounds must be the same for every row.")));
}

PG_FUNCTION_INFO_V1(dp_sum_float8_final);
/* Final of dp_sum(float8): noisy grid sum times the grid step. */
Datum
dp_sum_float8_final(PG_FUNCTION_ARGS)
{
	DpSumState *st = PG_ARGISNULL(0) ? NULL : (DpSumState *) PG_GETARG_POINTER(0);
	DpParams	params;
	DpGrid		grid;
	DpNoise		noise;
	dp_int128	units;

	dp_get_params(fcinfo, "dp_sum", &params);
	dp_params_float_grid(&params, false, &grid);
	dp_check_state_grid(st, &grid, "dp_sum");
	dp_noise_setup(&noise, grid.delta_units, params.epsilon, params.delta);
	dp_account(fcinfo, &params);
	units = (st ? st->sum : 0) + dp_noise_draw(&noise);
	PG_RETURN_FLOAT8(ldexp((double) units, grid.k));
}

PG_FUNCTION_INFO_V1(dp_sum_int8_final);
/* Final of dp_sum(bigint). */
Datum
dp_sum_int8_final(PG_FUNCTION_ARGS)
{
	DpSumState *st = PG_ARGISNULL(0) ? NULL : (DpSumState *) PG_GETARG_POINTER(0);
	DpParams	params;
	DpGrid		grid;
	DpNoise		noise;
	dp_int128	units;
	int64		lower,
				upper;

	dp_get_params(fcinfo, "dp_sum", &params);
	lower = DatumGetInt64(params.value[DP_PARAM_LOWER]);
	upper = DatumGetInt64(params.value[DP_PARAM_UPPER]);
	if (lower > upper)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lower must not be greater than upper"),
				 errdetail("dp_sum was called with lower = " INT64_FORMAT " and upper = " INT64_FORMAT ".",
						   lower, upper),
				 errhint("Swap the bounds.")));
	dp_int_grid(lower, upper, params.epsilon, params.delta, &grid);
	dp_check_state_grid(st, &grid, "dp_sum");
	dp_noise_setup(&noise, grid.delta_units, params.epsilon, params.delta);
	dp_account(fcinfo, &params);
	units = (st ? st->sum : 0) + dp_noise_draw(&noise);
	if (units > (((dp_int128) PG_INT64_MAX) >> grid.k) ||
		units < (((dp_int128) PG_INT64_MIN) >> grid.k))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("result of dp_sum is out of range for type bigint")));
	PG_RETURN_INT64((int64) (units * (((dp_int128) 1) << grid.k)));
}

PG_FUNCTION_INFO_V1(dp_sum_numeric_final);
/* Final of dp_sum(numeric): noisy units times 10^j. */
Datum
dp_sum_numeric_final(PG_FUNCTION_ARGS)
{
	DpSumState *st = PG_ARGISNULL(0) ? NULL : (DpSumState *) PG_GETARG_POINTER(0);
	DpParams	params;
	DpGrid		grid;
	DpNoise		noise;
	dp_int128	units;
	Numeric		lower,
				upper;

	dp_get_params(fcinfo, "dp_sum", &params);
	lower = DatumGetNumeric(params.value[DP_PARAM_LOWER]);
	upper = DatumGetNumeric(params.value[DP_PARAM_UPPER]);
	if (numeric_is_nan(lower) || numeric_is_nan(upper) ||
		numeric_is_inf(lower) || numeric_is_inf(upper))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lower and upper must be finite")));
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(lower),
										  NumericGetDatum(upper))) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lower must not be greater than upper"),
				 errhint("Swap the bounds.")));
	dp_numeric_grid(lower, upper, params.epsilon, params.delta, &grid, NULL);
	dp_check_state_grid(st, &grid, "dp_sum");
	dp_noise_setup(&noise, grid.delta_units, params.epsilon, params.delta);
	dp_account(fcinfo, &params);
	units = (st ? st->sum : 0) + dp_noise_draw(&noise);
	PG_RETURN_NUMERIC(dp_units_to_numeric(units, grid.k));
}

/*
 * dp_avg release from (sum of units, count) on a grid: see the section
 * comment above.  Two noise draws, one privacy charge of (epsilon, delta).
 */
static double
dp_avg_release(dp_int128 sum_u, int64 n, const DpGrid *grid, double lower, double upper,
			   double epsilon, double delta)
{
	int64		c = grid->lo_u + (grid->hi_u - grid->lo_u) / 2;
	int64		dsum = Max(grid->hi_u - c, c - grid->lo_u);
	DpNoise		sum_noise;
	DpNoise		count_noise;
	dp_int128	noisy_sum;
	dp_int128	noisy_n;
	double		avg_u;
	double		lo_in;
	double		hi_in;
	double		result;

	dp_noise_setup(&sum_noise, dsum, epsilon / 2, delta / 2);
	dp_noise_setup(&count_noise, 1, epsilon / 2, delta / 2);
	noisy_sum = sum_u - (dp_int128) c * n + dp_noise_draw(&sum_noise);
	noisy_n = (dp_int128) n + dp_noise_draw(&count_noise);
	if (noisy_n < 1)
		noisy_n = 1;
	avg_u = (double) c + (double) noisy_sum / (double) noisy_n;
	avg_u = rint(avg_u);

	/*
	 * Clamp to the grid points inside [lower, upper]: lo_u and hi_u are the
	 * bounds rounded to the nearest grid point, possibly outwards.  Bounds
	 * closer than one grid step hold no grid point; then the bound itself
	 * (a public constant) is released.
	 */
	lo_in = ceil(ldexp(lower, -grid->k));
	hi_in = floor(ldexp(upper, -grid->k));
	if (lo_in <= hi_in)
	{
		if (avg_u < lo_in)
			avg_u = lo_in;
		if (avg_u > hi_in)
			avg_u = hi_in;
	}
	result = ldexp(avg_u, grid->k);
	if (result < lower)
		result = lower;
	if (result > upper)
		result = upper;
	return result;
}

PG_FUNCTION_INFO_V1(dp_avg_float8_final);
/* Final of dp_avg(float8). */
Datum
dp_avg_float8_final(PG_FUNCTION_ARGS)
{
	DpSumState *st = PG_ARGISNULL(0) ? NULL : (DpSumState *) PG_GETARG_POINTER(0);
	DpParams	params;
	DpGrid		grid;
	DpNoise		check;

	dp_get_params(fcinfo, "dp_avg", &params);
	dp_params_float_grid(&params, true, &grid);
	dp_check_state_grid(st, &grid, "dp_avg");
	/* validate that both halves can be noised before charging */
	dp_noise_setup(&check, Max(grid.hi_u - grid.lo_u, 1), params.epsilon / 2, params.delta / 2);
	dp_account(fcinfo, &params);
	PG_RETURN_FLOAT8(dp_avg_release(st ? st->sum : 0, st ? st->n : 0, &grid,
									DatumGetFloat8(params.value[DP_PARAM_LOWER]),
									DatumGetFloat8(params.value[DP_PARAM_UPPER]),
									params.epsilon, params.delta));
}

/* ------------------------------------------------------------------------
 * dp_percentile / dp_median: exponential mechanism on a grid of bins
 *
 * The candidates are the bins of a grid fixed by the bounds alone (never by
 * the data): a "round" step w = c 10^e, c in {1, 2, 5}, the smallest such
 * step that cuts [lower, upper] into at most DP_PCT_TARGET bins, aligned on
 * multiples of w (so integers and round decimals are grid points:
 * [0, 100] has the step 0.05, [0, 100000] the step 50).  Bin k holds the
 * values in [g_k, g_k + w); its output is g_k, clamped to [lower, upper].
 * With lo_k the number of (clamped) values in bins below k, hi_k the number
 * in bins up to and including k, and n the number of values, the utility of
 * bin k for the p-quantile is
 *     u_k = -max(0, lo_k - p n, p n - hi_k),
 * 0 exactly when bin k holds a p-quantile of the data (lo_k <= p n <= hi_k).
 * This counts ties: 10,000 values all equal to 50 make the bin of 50 the
 * only one with utility 0 (a utility that counted only the values strictly
 * below a candidate, as civic 0.1.0 did, scored every candidate alike and
 * answered uniformly at random).  Adding or removing one row changes lo_k
 * and hi_k by at most 1 and p n by p, so each term of the max, and the max,
 * changes by at most max(p, 1 - p) <= 1: choosing bin k with probability
 * proportional to exp(epsilon u_k / 2) is epsilon-DP (McSherry and Talwar,
 * FOCS 2007).  Scoring candidates by how far they are from the quantile in
 * rank, with ties counted on both sides, follows Smith (STOC 2011) and the
 * candidate-set quantile scores of OpenDP and Google's DP libraries.
 * The mechanism is sampled exactly, without floating point: epsilon is
 * rounded down to eps' = s / 2^f (DP_EPSILON_BITS bits, as for the Laplace
 * mechanism) and p to the nearest p' = P / 2^32 (still in [0, 1], so the
 * utility's sensitivity stays max(p', 1 - p') <= 1); then
 * eps' u_k / 2 = -s max(0, lo_k 2^32 - P n, P n - hi_k 2^32) / 2^(f + 33) is
 * an exact rational and dp_sample_exp_mechanism() draws bin k with
 * probability exactly proportional to exp(eps' u_k / 2): eps'-DP, hence
 * epsilon-DP.
 * ------------------------------------------------------------------------
 */

#define DP_PCT_TARGET	2048			/* at most this many bins of width w ... */
#define DP_PCT_MAX_BINS (DP_PCT_TARGET + 2)	/* ... plus the partial bins at the ends */

typedef struct DpPctGrid
{
	double		lower;
	double		upper;
	double		c;				/* step w = c 10^e, c in {1, 2, 5} */
	double		pow10;			/* 10^|e| */
	bool		e_neg;			/* e < 0 */
	bool		aligned;		/* grid on multiples of w (else anchored at lower) */
	double		m0;				/* aligned: floor(lower / w) */
	double		half_w;			/* anchored: w / 2 */
	int			nbins;
} DpPctGrid;

typedef struct DpPctState
{
	bool		ready;
	DpPctGrid	grid;
	int64		n;
	int64		bins[DP_PCT_MAX_BINS];
} DpPctState;

/* x / w, for the aligned grid (exact for round x and w). */
static inline double
dp_pct_units(const DpPctGrid *g, double x)
{
	double		u = g->e_neg ? (x * g->pow10) / g->c : x / (g->c * g->pow10);

	/* a value a rounding error below a grid point belongs to that point */
	return u + 1e-9 * fabs(u) + 1e-12;
}

/* The grid of bins of [lower, upper] (finite, lower <= upper). */
static void
dp_pct_grid(double lower, double upper, DpPctGrid *g)
{
	double		half_range = upper * 0.5 - lower * 0.5;
	double		target;
	int			e;
	static const double cs[] = {1, 2, 5, 10};
	int			i;

	memset(g, 0, sizeof(*g));
	g->lower = lower;
	g->upper = upper;
	g->c = 1;
	g->pow10 = 1;
	if (half_range <= 0)
	{
		g->nbins = 1;			/* lower == upper: one candidate */
		g->aligned = false;
		g->half_w = 0;
		return;
	}
	target = half_range / (DP_PCT_TARGET / 2);	/* (upper - lower) / TARGET */
	e = (int) floor(log10(target));
	for (i = 0; i < 4; i++)
	{
		double		w = (e < 0) ? cs[i] / pow(10, -e) : cs[i] * pow(10, e);

		if (w >= target || i == 3)
			break;
	}
	if (i == 3)
	{
		i = 0;
		e++;
	}
	g->c = cs[i];
	g->e_neg = e < 0;
	g->pow10 = pow(10, abs(e));
	{
		double		w = g->e_neg ? g->c / g->pow10 : g->c * g->pow10;
		double		ul = lower / w,
					uu = upper / w;

		g->aligned = isfinite(w) && w > 0 && fabs(ul) < 4503599627370496.0 &&
			fabs(uu) < 4503599627370496.0;
		if (g->aligned)
		{
			g->m0 = floor(dp_pct_units(g, lower));
			g->nbins = (int) (floor(dp_pct_units(g, upper)) - g->m0) + 1;
		}
		else
		{
			g->half_w = w * 0.5;
			g->nbins = (int) floor(half_range / g->half_w) + 1;
		}
	}
	if (g->nbins < 1)
		g->nbins = 1;
	if (g->nbins > DP_PCT_MAX_BINS)
		g->nbins = DP_PCT_MAX_BINS;
}

/* The bin of a value (clamped to the bounds). */
static int
dp_pct_bin(const DpPctGrid *g, double v)
{
	double		k;

	if (g->nbins == 1 || v <= g->lower)
		v = g->lower;
	if (v >= g->upper)
		v = g->upper;
	if (g->nbins == 1)
		return 0;
	if (g->aligned)
		k = floor(dp_pct_units(g, v)) - g->m0;
	else
		k = floor((v * 0.5 - g->lower * 0.5) / g->half_w);
	if (k < 0)
		return 0;
	if (k >= g->nbins)
		return g->nbins - 1;
	return (int) k;
}

/* The output of bin k: its grid point, clamped to the bounds. */
static double
dp_pct_point(const DpPctGrid *g, int k)
{
	double		x;

	if (g->nbins == 1)
		return g->lower;
	if (g->aligned)
		x = g->e_neg ? ((g->m0 + k) * g->c) / g->pow10 : ((g->m0 + k) * g->c) * g->pow10;
	else
		x = (g->lower + k * g->half_w) + k * g->half_w;
	if (x < g->lower)
		x = g->lower;
	if (x > g->upper)
		x = g->upper;
	return x;
}

/* Transition (value, [p,] lower, upper, epsilon): histogram the value. */
static Datum
dp_pct_trans_common(FunctionCallInfo fcinfo, int lpos)
{
	DpPctState *st;
	double		v;

	if (PG_ARGISNULL(0))
		st = dp_state_alloc(fcinfo, sizeof(DpPctState), "dp_percentile_trans");
	else
		st = (DpPctState *) PG_GETARG_POINTER(0);
	if (!st->ready)
	{
		double		lower,
					upper;

		dp_check_trans_params(fcinfo, "dp_percentile");
		if (PG_ARGISNULL(lpos) || PG_ARGISNULL(lpos + 1))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("lower and upper must not be null")));
		lower = PG_GETARG_FLOAT8(lpos);
		upper = PG_GETARG_FLOAT8(lpos + 1);
		dp_check_float_bounds("dp_percentile", lower, upper);
		dp_pct_grid(lower, upper, &st->grid);
		st->ready = true;
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	v = PG_GETARG_FLOAT8(1);
	if (isnan(v))
		PG_RETURN_POINTER(st);
	st->bins[dp_pct_bin(&st->grid, v)]++;
	st->n++;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(dp_percentile_trans);
/* dp_percentile(value, p, lower, upper, epsilon) transition. */
Datum
dp_percentile_trans(PG_FUNCTION_ARGS)
{
	return dp_pct_trans_common(fcinfo, 3);
}

PG_FUNCTION_INFO_V1(dp_median_trans);
/* dp_median(value, lower, upper, epsilon) transition. */
Datum
dp_median_trans(PG_FUNCTION_ARGS)
{
	return dp_pct_trans_common(fcinfo, 2);
}

PG_FUNCTION_INFO_V1(dp_percentile_combine);
/* Combine two histograms; either may be absent. */
Datum
dp_percentile_combine(PG_FUNCTION_ARGS)
{
	DpPctState *a = PG_ARGISNULL(0) ? NULL : (DpPctState *) PG_GETARG_POINTER(0);
	DpPctState *b = PG_ARGISNULL(1) ? NULL : (DpPctState *) PG_GETARG_POINTER(1);
	int			i;

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
	{
		a = dp_state_alloc(fcinfo, sizeof(DpPctState), "dp_percentile_combine");
		memcpy(a, b, sizeof(DpPctState));
		PG_RETURN_POINTER(a);
	}
	if (!a->ready)
	{
		a->ready = b->ready;
		a->grid = b->grid;
	}
	for (i = 0; i < DP_PCT_MAX_BINS; i++)
		a->bins[i] += b->bins[i];
	a->n += b->n;
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(dp_percentile_serial);
/* Serialize a histogram state. */
Datum
dp_percentile_serial(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(dp_bytes_to_bytea(PG_GETARG_POINTER(0), sizeof(DpPctState)));
}

PG_FUNCTION_INFO_V1(dp_percentile_deserial);
/* Deserialize a histogram state. */
Datum
dp_percentile_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	DpPctState *st;

	dp_check_serial(b, sizeof(DpPctState), "dp_percentile");
	st = dp_state_alloc(fcinfo, sizeof(DpPctState), "dp_percentile_deserial");
	memcpy(st, VARDATA_ANY(b), sizeof(DpPctState));
	if (st->grid.nbins < 0 || st->grid.nbins > DP_PCT_MAX_BINS)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid dp_percentile state: %d bins", st->grid.nbins)));
	PG_RETURN_POINTER(st);
}

/* Final of dp_percentile / dp_median: the exponential mechanism. */
static Datum
dp_pct_final_common(FunctionCallInfo fcinfo, const char *aggname, bool median)
{
	DpPctState *st = PG_ARGISNULL(0) ? NULL : (DpPctState *) PG_GETARG_POINTER(0);
	DpParams	params;
	double		lower,
				upper,
				p;
	dp_uint128 *num;
	DpPctGrid	grid;
	dp_uint128	s;
	dp_uint128	pn;
	int64		rank = 0;
	int			e;
	int			f;
	int			j;

	dp_get_params(fcinfo, aggname, &params);
	lower = DatumGetFloat8(params.value[DP_PARAM_LOWER]);
	upper = DatumGetFloat8(params.value[DP_PARAM_UPPER]);
	dp_check_float_bounds(aggname, lower, upper);
	p = median ? 0.5 : DatumGetFloat8(params.value[DP_PARAM_P]);
	if (isnan(p) || p < 0.0 || p > 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("p must be in [0, 1]"),
				 errdetail("%s was called with p = %g.", aggname, p)));
	if (params.delta != 0.0)
		elog(ERROR, "civic: %s takes no delta", aggname);
	if (st != NULL && st->ready && (st->grid.lower != lower || st->grid.upper != upper))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the bounds of %s changed during the query", aggname)));
	dp_account(fcinfo, &params);

	/*
	 * eps' = s / 2^f <= epsilon (s < 2^20; f <= 67 keeps the denominator
	 * 2^(f + 33) within the exact sampler's range, an even smaller eps'
	 * below epsilon ~ 2^-47), p' = P / 2^32, and
	 * num_k = s max(0, lo_k 2^32 - P n, P n - hi_k 2^32) < 2^20 * 2^95 fits
	 * in 128 bits.
	 */
	(void) frexp(params.epsilon, &e);
	f = DP_EPSILON_BITS - e;
	if (f < 0)
		f = 0;
	if (f > 67)
		f = 67;
	s = (dp_uint128) floor(ldexp(params.epsilon, f));
	pn = (dp_uint128) rint(ldexp(p, 32)) * (dp_uint128) (st ? st->n : 0);
	if (st != NULL && st->ready)
		grid = st->grid;
	else
		dp_pct_grid(lower, upper, &grid);
	num = (dp_uint128 *) palloc(sizeof(dp_uint128) * grid.nbins);
	for (j = 0; j < grid.nbins; j++)
	{
		dp_uint128	lo = ((dp_uint128) rank) << 32;
		dp_uint128	hi;
		dp_uint128	dist = 0;

		if (st != NULL && st->ready)
			rank += st->bins[j];
		hi = ((dp_uint128) rank) << 32;
		/* max(0, lo - p n, p n - hi); at most one term is positive */
		if (lo > pn)
			dist = lo - pn;
		else if (pn > hi)
			dist = pn - hi;
		num[j] = s * dist;
	}
	j = dp_sample_exp_mechanism(num, grid.nbins, ((dp_uint128) 1) << (f + 33));
	pfree(num);
	PG_RETURN_FLOAT8(dp_pct_point(&grid, j));
}

PG_FUNCTION_INFO_V1(dp_percentile_final);
/* Final of dp_percentile. */
Datum
dp_percentile_final(PG_FUNCTION_ARGS)
{
	return dp_pct_final_common(fcinfo, "dp_percentile", false);
}

PG_FUNCTION_INFO_V1(dp_median_final);
/* Final of dp_median. */
Datum
dp_median_final(PG_FUNCTION_ARGS)
{
	return dp_pct_final_common(fcinfo, "dp_median", true);
}

/* ------------------------------------------------------------------------
 * Error bars and grids (deterministic; no data, no noise)
 * ------------------------------------------------------------------------
 */

/* Validate a confidence level in (0, 1). */
static void
dp_check_confidence(double confidence)
{
	if (isnan(confidence) || confidence <= 0.0 || confidence >= 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("confidence must be in (0, 1)"),
				 errdetail("The confidence given was %g.", confidence),
				 errhint("Use for example 0.95.")));
}

PG_FUNCTION_INFO_V1(dp_count_error);
/* dp_count_error(epsilon, confidence, delta): half-width in rows. */
Datum
dp_count_error(PG_FUNCTION_ARGS)
{
	double		epsilon = PG_GETARG_FLOAT8(0);
	double		confidence = PG_GETARG_FLOAT8(1);
	double		delta = PG_GETARG_FLOAT8(2);
	DpNoise		noise;

	civic_dp_check_privacy("dp_count_error", epsilon, delta);
	dp_check_confidence(confidence);
	dp_noise_setup(&noise, 1, epsilon, delta);
	PG_RETURN_FLOAT8(dp_noise_halfwidth(&noise, confidence));
}

PG_FUNCTION_INFO_V1(dp_sum_error);
/* dp_sum_error(lower, upper, epsilon, confidence, delta): half-width. */
Datum
dp_sum_error(PG_FUNCTION_ARGS)
{
	double		lower = PG_GETARG_FLOAT8(0);
	double		upper = PG_GETARG_FLOAT8(1);
	double		epsilon = PG_GETARG_FLOAT8(2);
	double		confidence = PG_GETARG_FLOAT8(3);
	double		delta = PG_GETARG_FLOAT8(4);
	DpGrid		grid;
	DpNoise		noise;

	civic_dp_check_privacy("dp_sum_error", epsilon, delta);
	dp_check_confidence(confidence);
	dp_check_float_bounds("dp_sum_error", lower, upper);
	dp_float_grid(lower, upper, epsilon, delta, &grid);
	dp_noise_setup(&noise, grid.delta_units, epsilon, delta);
	PG_RETURN_FLOAT8(ldexp(dp_noise_halfwidth(&noise, confidence), grid.k));
}

/* P(Z >= j) for the integer noise Z of *noise (exact for the Laplace). */
static double
dp_noise_tail_ge(const DpNoise *noise, double j)
{
	if (j <= 0)
		return 1.0 - dp_noise_tail_ge(noise, 1.0 - j);
	if (noise->gaussian)
		return 0.5 * erfc((j - 0.5) / (noise->scale * M_SQRT2));
	else
	{
		double		q = exp(-(double) noise->lap_s / (double) noise->lap_t);

		return exp(j * log(q)) / (1.0 + q);
	}
}

/* P(Z = k) for the integer noise Z of *noise. */
static double
dp_noise_pmf(const DpNoise *noise, double k)
{
	return dp_noise_tail_ge(noise, k) - dp_noise_tail_ge(noise, k + 1);
}

/*
 * P(|(Zs - a Zc) / (n + Zc)| > t): the probability that dp_avg's release
 * misses the mean by more than t grid units (before rounding), for the
 * centred-sum noise Zs, the count noise Zc (its pmf on [-reach, reach],
 * cn_rest the mass beyond) and a mean a (grid units from the centre).  A
 * noisy count below 1 counts as a miss.
 */
static double
dp_avg_miss(const DpNoise *sn, const double *pmf, int reach, double cn_rest,
			double n, double a, double t)
{
	double		miss = cn_rest;
	int			k;

	for (k = -reach; k <= reach; k++)
	{
		double		pk = pmf[k + reach];
		double		m = a * k,
					x;

		if (pk < 1e-300)
			continue;
		if (n + k < 1)
		{
			miss += pk;
			continue;
		}
		x = t * (n + k);
		miss += pk * (dp_noise_tail_ge(sn, floor(m + x) + 1) +
					  dp_noise_tail_ge(sn, 1 - ceil(m - x)));
	}
	return Min(miss, 1.0);
}

PG_FUNCTION_INFO_V1(dp_avg_error);
/*
 * dp_avg_error(lower, upper, epsilon, n, confidence, delta [, avg]): the
 * half-width h of a confidence interval for dp_avg's release around the
 * mean.  The release is c + (S + Zs) / (n + Zc) for the centred sum S, so
 * its error is (Zs - a Zc) / (n + Zc), a = S / n the mean's offset from the
 * centre c.  h is the confidence quantile of that error's absolute value,
 * computed from the exact distributions of the two noises (the Gaussian's
 * tail by the normal approximation), plus one grid step for the rounding:
 *   - with avg (a released dp_avg, so no further privacy cost) a is taken
 *     from it: the interval covers the mean with about the stated
 *     confidence (sql/dp_stats.sql measures 95 % +- 1 %);
 *   - without avg, the worst a (a mean at a bound) is used: at least the
 *     stated confidence for every dataset (more for a mean at a bound,
 *     where the release's clamping to the bounds helps; civic 0.1.0
 *     reported a union bound about 2.6 times wider than the true interval).
 * Never more than upper - lower; n is the number of rows averaged.
 */
Datum
dp_avg_error(PG_FUNCTION_ARGS)
{
	double		lower = PG_GETARG_FLOAT8(0);
	double		upper = PG_GETARG_FLOAT8(1);
	double		epsilon = PG_GETARG_FLOAT8(2);
	int64		n = PG_GETARG_INT64(3);
	double		confidence = PG_GETARG_FLOAT8(4);
	double		delta = PG_GETARG_FLOAT8(5);
	bool		have_avg = PG_NARGS() > 6 && !PG_ARGISNULL(6);
	DpGrid		grid;
	DpNoise		sum_noise;
	DpNoise		count_noise;
	int64		c;
	int64		dsum;
	double		g,
				a,
				range,
				lo,
				hi,
				cn_rest;
	double	   *pmf;
	int			reach;
	int			i;

	civic_dp_check_privacy("dp_avg_error", epsilon, delta);
	dp_check_confidence(confidence);
	dp_check_float_bounds("dp_avg_error", lower, upper);
	dp_float_grid(lower, upper, epsilon / 2, delta / 2, &grid);
	c = grid.lo_u + (grid.hi_u - grid.lo_u) / 2;
	dsum = Max(grid.hi_u - c, c - grid.lo_u);
	dp_noise_setup(&sum_noise, dsum, epsilon / 2, delta / 2);
	dp_noise_setup(&count_noise, 1, epsilon / 2, delta / 2);
	g = ldexp(1.0, grid.k);
	range = upper - lower;
	if (n < 1)
		PG_RETURN_FLOAT8(range);
	if (have_avg)
	{
		double		avg = PG_GETARG_FLOAT8(6);

		if (isnan(avg) || avg < lower || avg > upper)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("avg must be a value in [lower, upper]"),
					 errhint("Pass the value dp_avg released with these bounds.")));
		a = ldexp(avg, -grid.k) - (double) c;
		a = Max(Min(a, (double) dsum), -(double) dsum);
	}
	else
		a = (double) dsum;		/* the worst case; the sign does not matter */
	reach = (int) Min(ceil(count_noise.scale * 40.0 + 2.0), 1000000.0);
	pmf = (double *) palloc(sizeof(double) * (2 * reach + 1));
	for (i = -reach; i <= reach; i++)
		pmf[i + reach] = dp_noise_pmf(&count_noise, i);
	cn_rest = 2 * dp_noise_tail_ge(&count_noise, reach + 1);
	lo = 0;
	hi = ldexp(range, -grid.k) + 1;
	if (dp_avg_miss(&sum_noise, pmf, reach, cn_rest, (double) n, a, hi) > 1.0 - confidence)
		PG_RETURN_FLOAT8(range);
	for (i = 0; i < 60 && hi - lo > 1e-6 * hi; i++)
	{
		double		t = (lo + hi) / 2;

		if (dp_avg_miss(&sum_noise, pmf, reach, cn_rest, (double) n, a, t) > 1.0 - confidence)
			lo = t;
		else
			hi = t;
	}
	pfree(pmf);
	PG_RETURN_FLOAT8(Min(hi * g + g, range));
}

PG_FUNCTION_INFO_V1(dp_sum_grid);
/* dp_sum_grid(lower, upper, epsilon, delta): the grid step of dp_sum(float8). */
Datum
dp_sum_grid(PG_FUNCTION_ARGS)
{
	double		lower = PG_GETARG_FLOAT8(0);
	double		upper = PG_GETARG_FLOAT8(1);
	double		epsilon = PG_GETARG_FLOAT8(2);
	double		delta = PG_GETARG_FLOAT8(3);
	DpGrid		grid;

	civic_dp_check_privacy("dp_sum_grid", epsilon, delta);
	dp_check_float_bounds("dp_sum_grid", lower, upper);
	dp_float_grid(lower, upper, epsilon, delta, &grid);
	PG_RETURN_FLOAT8(ldexp(1.0, grid.k));
}

/* ------------------------------------------------------------------------
 * Per-unit (per-person) bounded aggregates
 *
 * The state is a hash table keyed by the unit's value (the type's default
 * hash function and equality, under the aggregate's collation) holding, per
 * unit, its row count and the float8 sum of its values.  Partial states from
 * parallel workers are merged unit by unit, so a person whose rows are
 * spread over several workers is still one entry before bounding.  Bounding
 * happens in the final function, after all rows of a unit are combined:
 *
 *	dp_count_units(unit, epsilon [, delta])	   number of units; sensitivity 1
 *	dp_count(unit, max_rows, epsilon [, delta]) sum over units of
 *		min(rows, max_rows); sensitivity max_rows
 *	dp_sum(unit, value, lower, upper, epsilon [, delta])  sum over units of
 *		the unit's total clamped to [lower, upper]; sensitivity
 *		max(|lower|, |upper|), on the dp_sum grid
 *	dp_avg(unit, value, lower, upper, epsilon [, delta])  mean over units of
 *		the unit's own mean clamped to [lower, upper]; the dp_avg mechanism
 *		with one value per unit
 *
 * Neighbouring datasets differ in all rows of one unit.
 * ------------------------------------------------------------------------
 */

typedef struct DpUnitEntry
{
	Datum		key;
	uint32		hash;
	bool		used;
	int64		rows;
	double		sum;
} DpUnitEntry;

typedef struct DpUnitState
{
	Oid			typid;
	Oid			collation;
	int16		typlen;
	bool		typbyval;
	FmgrInfo   *hashfn;			/* from the type cache */
	FmgrInfo   *eqfn;
	bool		bitwise;		/* by-value type whose = is bitwise equality */
	MemoryContext cxt;			/* the aggregate memory context */
	int64		nused;
	int64		capacity;		/* power of two */
	DpUnitEntry *entries;
} DpUnitState;

#define DP_UNIT_INITIAL_CAPACITY 8

/* Wire header of a serialized unit state. */
typedef struct DpUnitWire
{
	Oid			typid;
	Oid			collation;
	int64		nused;
} DpUnitWire;

/* A new, empty unit table for values of typid. */
static DpUnitState *
dp_unit_state_new(FunctionCallInfo fcinfo, Oid typid, Oid collation, const char *fname)
{
	MemoryContext aggcxt;
	DpUnitState *st;
	TypeCacheEntry *tc;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "civic: %s called in non-aggregate context", fname);
	tc = lookup_type_cache(typid, TYPECACHE_HASH_PROC_FINFO | TYPECACHE_EQ_OPR_FINFO);
	if (!OidIsValid(tc->hash_proc_finfo.fn_oid) || !OidIsValid(tc->eq_opr_finfo.fn_oid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("could not identify a hash function and equality for privacy unit type %s",
						format_type_be(typid)),
				 errhint("Use a unit of a hashable type, such as bigint, text or uuid.")));
	st = MemoryContextAllocZero(aggcxt, sizeof(DpUnitState));
	st->typid = typid;
	st->collation = collation;
	st->typlen = tc->typlen;
	st->typbyval = tc->typbyval;
	st->hashfn = &tc->hash_proc_finfo;
	st->eqfn = &tc->eq_opr_finfo;
	st->bitwise = (typid == INT2OID || typid == INT4OID || typid == INT8OID ||
				   typid == OIDOID || typid == DATEOID || typid == BOOLOID ||
				   typid == TIMESTAMPOID || typid == TIMESTAMPTZOID);
	st->cxt = aggcxt;
	st->capacity = DP_UNIT_INITIAL_CAPACITY;
	st->entries = MemoryContextAllocZero(aggcxt, sizeof(DpUnitEntry) * st->capacity);
	return st;
}

/* Double the table. */
static void
dp_unit_grow(DpUnitState *st)
{
	int64		newcap = st->capacity * 2;
	DpUnitEntry *old = st->entries;
	DpUnitEntry *ne;
	int64		i;

	ne = MemoryContextAllocExtended(st->cxt, sizeof(DpUnitEntry) * newcap,
									MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	for (i = 0; i < st->capacity; i++)
	{
		uint64		pos;

		if (!old[i].used)
			continue;
		pos = old[i].hash & (newcap - 1);
		while (ne[pos].used)
			pos = (pos + 1) & (newcap - 1);
		ne[pos] = old[i];
	}
	pfree(old);
	st->entries = ne;
	st->capacity = newcap;
}

/* The entry of key, inserted if new (the key is copied unless owned). */
static DpUnitEntry *
dp_unit_find(DpUnitState *st, Datum key, bool key_owned)
{
	uint32		hash;
	uint64		pos;

	if ((st->nused + 1) * 2 > st->capacity)
		dp_unit_grow(st);
	if (st->bitwise)
	{
		/* integer-like units: mix the datum's bits, compare them directly */
		uint64		x = (uint64) key;

		x ^= x >> 33;
		x *= UINT64CONST(0xff51afd7ed558ccd);
		x ^= x >> 33;
		x *= UINT64CONST(0xc4ceb9fe1a85ec53);
		x ^= x >> 33;
		hash = (uint32) x;
		pos = hash & (st->capacity - 1);
		for (;;)
		{
			DpUnitEntry *e = &st->entries[pos];

			if (!e->used)
			{
				e->used = true;
				e->hash = hash;
				e->key = key;
				st->nused++;
				return e;
			}
			if (e->key == key)
				return e;
			pos = (pos + 1) & (st->capacity - 1);
		}
	}
	hash = DatumGetUInt32(FunctionCall1Coll(st->hashfn, st->collation, key));
	pos = hash & (st->capacity - 1);
	for (;;)
	{
		DpUnitEntry *e = &st->entries[pos];

		if (!e->used)
		{
			e->used = true;
			e->hash = hash;
			if (key_owned || st->typbyval)
				e->key = key;
			else
			{
				MemoryContext old = MemoryContextSwitchTo(st->cxt);

				e->key = datumCopy(key, st->typbyval, st->typlen);
				MemoryContextSwitchTo(old);
			}
			st->nused++;
			return e;
		}
		if (e->hash == hash &&
			DatumGetBool(FunctionCall2Coll(st->eqfn, st->collation, e->key, key)))
			return e;
		pos = (pos + 1) & (st->capacity - 1);
	}
}

/* Get or create the unit state of this call. */
static DpUnitState *
dp_unit_state(FunctionCallInfo fcinfo, const char *fname)
{
	if (!PG_ARGISNULL(0))
		return (DpUnitState *) PG_GETARG_POINTER(0);
	dp_check_trans_params(fcinfo, fname);
	return dp_unit_state_new(fcinfo, get_fn_expr_argtype(fcinfo->flinfo, 1),
							 PG_GET_COLLATION(), fname);
}

PG_FUNCTION_INFO_V1(dp_unit_count_trans);
/* Transition (unit, ...): count the unit's rows. */
Datum
dp_unit_count_trans(PG_FUNCTION_ARGS)
{
	DpUnitState *st = dp_unit_state(fcinfo, "dp_unit_count_trans");

	if (!PG_ARGISNULL(1))
		dp_unit_find(st, PG_GETARG_DATUM(1), false)->rows++;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(dp_unit_value_trans);
/* Transition (unit, value float8, ...): add the value to the unit's sum. */
Datum
dp_unit_value_trans(PG_FUNCTION_ARGS)
{
	DpUnitState *st = dp_unit_state(fcinfo, "dp_unit_value_trans");
	DpUnitEntry *e;
	double		v;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	v = PG_GETARG_FLOAT8(2);
	if (isnan(v))
		PG_RETURN_POINTER(st);
	e = dp_unit_find(st, PG_GETARG_DATUM(1), false);
	e->rows++;
	e->sum += v;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(dp_unit_combine);
/* Merge two unit tables unit by unit; either may be absent. */
Datum
dp_unit_combine(PG_FUNCTION_ARGS)
{
	DpUnitState *a = PG_ARGISNULL(0) ? NULL : (DpUnitState *) PG_GETARG_POINTER(0);
	DpUnitState *b = PG_ARGISNULL(1) ? NULL : (DpUnitState *) PG_GETARG_POINTER(1);
	int64		i;

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = dp_unit_state_new(fcinfo, b->typid, b->collation, "dp_unit_combine");
	for (i = 0; i < b->capacity; i++)
	{
		DpUnitEntry *e;

		if (!b->entries[i].used)
			continue;
		e = dp_unit_find(a, b->entries[i].key, false);
		e->rows += b->entries[i].rows;
		e->sum += b->entries[i].sum;
	}
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(dp_unit_serial);
/* Serialize a unit table: header, then (rows, sum, key) per unit. */
Datum
dp_unit_serial(PG_FUNCTION_ARGS)
{
	DpUnitState *st = (DpUnitState *) PG_GETARG_POINTER(0);
	DpUnitWire	wire;
	Size		len = sizeof(DpUnitWire);
	bytea	   *result;
	char	   *p;
	int64		i;

	for (i = 0; i < st->capacity; i++)
		if (st->entries[i].used)
			len += sizeof(int64) + sizeof(double) +
				datumEstimateSpace(st->entries[i].key, false, st->typbyval, st->typlen);
	result = (bytea *) palloc_extended(VARHDRSZ + len, MCXT_ALLOC_HUGE);
	SET_VARSIZE(result, VARHDRSZ + len);
	p = VARDATA(result);
	wire.typid = st->typid;
	wire.collation = st->collation;
	wire.nused = st->nused;
	memcpy(p, &wire, sizeof(wire));
	p += sizeof(wire);
	for (i = 0; i < st->capacity; i++)
	{
		DpUnitEntry *e = &st->entries[i];

		if (!e->used)
			continue;
		memcpy(p, &e->rows, sizeof(int64));
		p += sizeof(int64);
		memcpy(p, &e->sum, sizeof(double));
		p += sizeof(double);
		datumSerialize(e->key, false, st->typbyval, st->typlen, &p);
	}
	Assert(p == VARDATA(result) + len);
	PG_RETURN_BYTEA_P(result);
}

PG_FUNCTION_INFO_V1(dp_unit_deserial);
/* Deserialize a unit table. */
Datum
dp_unit_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	char	   *p = VARDATA_ANY(b);
	char	   *end = p + VARSIZE_ANY_EXHDR(b);
	DpUnitWire	wire;
	DpUnitState *st;
	MemoryContext old;
	int64		i;

	if (VARSIZE_ANY_EXHDR(b) < sizeof(DpUnitWire))
		elog(ERROR, "civic: corrupt serialized unit state");
	memcpy(&wire, p, sizeof(wire));
	p += sizeof(wire);
	st = dp_unit_state_new(fcinfo, wire.typid, wire.collation, "dp_unit_deserial");
	old = MemoryContextSwitchTo(st->cxt);
	for (i = 0; i < wire.nused; i++)
	{
		int64		rows;
		double		sum;
		Datum		key;
		bool		isnull;
		DpUnitEntry *e;

		if (p + sizeof(int64) + sizeof(double) > end)
			elog(ERROR, "civic: corrupt serialized unit state");
		memcpy(&rows, p, sizeof(int64));
		p += sizeof(int64);
		memcpy(&sum, p, sizeof(double));
		p += sizeof(double);
		key = datumRestore(&p, &isnull);
		if (isnull || p > end)
			elog(ERROR, "civic: corrupt serialized unit state");
		e = dp_unit_find(st, key, true);
		e->rows += rows;
		e->sum += sum;
	}
	MemoryContextSwitchTo(old);
	if (p != end)
		elog(ERROR, "civic: corrupt serialized unit state");
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(dp_count_units_final);
/* Final of dp_count_units: number of distinct units + noise (sensitivity 1). */
Datum
dp_count_units_final(PG_FUNCTION_ARGS)
{
	DpUnitState *st = PG_ARGISNULL(0) ? NULL : (DpUnitState *) PG_GETARG_POINTER(0);
	DpParams	params;
	DpNoise		noise;
	dp_int128	result;

	dp_get_params(fcinfo, "dp_count_units", &params);
	dp_noise_setup(&noise, 1, params.epsilon, params.delta);
	dp_account(fcinfo, &params);
	result = (st ? st->nused : 0) + dp_noise_draw(&noise);
	PG_RETURN_INT64(dp_int128_to_int64(result, "dp_count_units"));
}

PG_FUNCTION_INFO_V1(dp_count_unit_final);
/* Final of dp_count(unit, max_rows, ...): capped rows per unit + noise. */
Datum
dp_count_unit_final(PG_FUNCTION_ARGS)
{
	DpUnitState *st = PG_ARGISNULL(0) ? NULL : (DpUnitState *) PG_GETARG_POINTER(0);
	DpParams	params;
	DpGrid		grid;
	DpNoise		noise;
	dp_int128	units = 0;
	int32		max_rows;
	int64		i;

	dp_get_params(fcinfo, "dp_count", &params);
	max_rows = DatumGetInt32(params.value[DP_PARAM_MAX_ROWS]);
	if (max_rows < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_rows must be at least 1"),
				 errdetail("dp_count was called with max_rows = %d.", max_rows)));
	dp_int_grid(0, max_rows, params.epsilon, params.delta, &grid);
	dp_noise_setup(&noise, grid.delta_units, params.epsilon, params.delta);
	dp_account(fcinfo, &params);
	for (i = 0; st != NULL && i < st->capacity; i++)
		if (st->entries[i].used)
			units += dp_int_to_grid(Min(st->entries[i].rows, (int64) max_rows), grid.k);
	units += dp_noise_draw(&noise);
	if (units > (((dp_int128) PG_INT64_MAX) >> grid.k) ||
		units < (((dp_int128) PG_INT64_MIN) >> grid.k))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("result of dp_count is out of range for type bigint")));
	PG_RETURN_INT64((int64) (units * (((dp_int128) 1) << grid.k)));
}

/* A unit's float8 contribution, clamped and in grid units. */
static inline int64
dp_unit_clamped_units(double v, double lower, double upper, const DpGrid *grid)
{
	if (isnan(v) || v < lower)
		v = lower;
	else if (v > upper)
		v = upper;
	return (int64) rint(v * ldexp(1.0, -grid->k));
}

PG_FUNCTION_INFO_V1(dp_sum_unit_final);
/* Final of dp_sum(unit, value, ...): clamped per-unit totals + noise. */
Datum
dp_sum_unit_final(PG_FUNCTION_ARGS)
{
	DpUnitState *st = PG_ARGISNULL(0) ? NULL : (DpUnitState *) PG_GETARG_POINTER(0);
	DpParams	params;
	DpGrid		grid;
	DpNoise		noise;
	dp_int128	units = 0;
	double		lower,
				upper;
	int64		i;

	dp_get_params(fcinfo, "dp_sum", &params);
	dp_params_float_grid(&params, false, &grid);
	lower = DatumGetFloat8(params.value[DP_PARAM_LOWER]);
	upper = DatumGetFloat8(params.value[DP_PARAM_UPPER]);
	dp_noise_setup(&noise, grid.delta_units, params.epsilon, params.delta);
	dp_account(fcinfo, &params);
	for (i = 0; st != NULL && i < st->capacity; i++)
		if (st->entries[i].used)
			units += dp_unit_clamped_units(st->entries[i].sum, lower, upper, &grid);
	units += dp_noise_draw(&noise);
	PG_RETURN_FLOAT8(ldexp((double) units, grid.k));
}

PG_FUNCTION_INFO_V1(dp_avg_unit_final);
/* Final of dp_avg(unit, value, ...): mean of clamped per-unit means. */
Datum
dp_avg_unit_final(PG_FUNCTION_ARGS)
{
	DpUnitState *st = PG_ARGISNULL(0) ? NULL : (DpUnitState *) PG_GETARG_POINTER(0);
	DpParams	params;
	DpGrid		grid;
	DpNoise		check;
	dp_int128	units = 0;
	double		lower,
				upper;
	int64		i;

	dp_get_params(fcinfo, "dp_avg", &params);
	dp_params_float_grid(&params, true, &grid);
	lower = DatumGetFloat8(params.value[DP_PARAM_LOWER]);
	upper = DatumGetFloat8(params.value[DP_PARAM_UPPER]);
	dp_noise_setup(&check, Max(grid.hi_u - grid.lo_u, 1), params.epsilon / 2, params.delta / 2);
	dp_account(fcinfo, &params);
	for (i = 0; st != NULL && i < st->capacity; i++)
		if (st->entries[i].used)
			units += dp_unit_clamped_units(st->entries[i].sum / (double) st->entries[i].rows,
										   lower, upper, &grid);
	PG_RETURN_FLOAT8(dp_avg_release(units, st ? st->nused : 0, &grid, lower, upper,
									params.epsilon, params.delta));
}

PG_FUNCTION_INFO_V1(dp_count_noise_sd);
/*
 * dp_count_noise_sd(epsilon, delta): standard deviation, in rows, of the
 * noise dp_count(epsilon, delta) adds (discrete Laplace for delta = 0,
 * discrete Gaussian otherwise), as calibrated by dp_noise_setup().
 */
Datum
dp_count_noise_sd(PG_FUNCTION_ARGS)
{
	double		epsilon = PG_GETARG_FLOAT8(0);
	double		delta = PG_GETARG_FLOAT8(1);
	DpNoise		noise;

	civic_dp_check_privacy("dp_count_noise_sd", epsilon, delta);
	dp_noise_setup(&noise, 1, epsilon, delta);
	if (noise.gaussian)
		PG_RETURN_FLOAT8(sqrt((double) noise.gau_a / (double) noise.gau_b));
	else
	{
		/* discrete Laplace with P(y) ~ q^|y|, q = exp(-s/t): var = 2q / (1-q)^2 */
		double		q = exp(-(double) noise.lap_s / (double) noise.lap_t);

		PG_RETURN_FLOAT8(sqrt(2 * q) / (1 - q));
	}
}
