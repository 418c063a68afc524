/*
 * dp_sum.c
 *	  dp_sum and dp_avg over float8, bigint and numeric: clamped values on a
 *	  grid, summed exactly, noised once (dp_agg.h, dp_grid.h).
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

#include "dp_state.h"
#include "dp_sum.h"

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
	/*
	 * Every partial state must have clamped on the same grid: bounds given
	 * by a function that answers differently in each parallel worker would
	 * otherwise sum values beyond the bounds the noise is calibrated for
	 * (the final function checks the grid of the combined state only).
	 */
	if (a->ready && b->ready &&
		(a->k != b->k || a->lo_u != b->lo_u || a->hi_u != b->hi_u))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the bounds of dp_sum or dp_avg changed during the query"),
				 errdetail("Privacy parameters and bounds must be the same for every row; parallel workers computed different ones.")));
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

/*
 * Check serialised sum bytes from outside civic (dp_state.h): a state the
 * transition and combine functions could have built, whatever the value
 * type (float8, bigint or numeric: the final function checks the grid
 * against the plan's bounds).
 */
bool
dp_sum_state_check(const char *payload, Size len, const char **why)
{
	DpSumState	st;
	const int64 max_units = INT64CONST(1) << 20;	/* dp_grid.c */
	char		ready;

	if (len != sizeof(DpSumState))
	{
		*why = psprintf("A dp_sum state has %d bytes, not %d.",
						(int) sizeof(DpSumState), (int) len);
		return false;
	}
	memcpy(&ready, payload + offsetof(DpSumState, ready), 1);
	if (ready != 0 && ready != 1)
	{
		*why = "A dp_sum state's ready flag is neither true nor false.";
		return false;
	}
	memcpy(&st, payload, sizeof(st));
	if (st.nlower != NULL || st.nupper != NULL || st.nscale != NULL)
	{
		*why = "A serialised dp_sum state carries no pointers.";
		return false;
	}
	if (st.n < 0)
	{
		*why = "A dp_sum state's row count is negative.";
		return false;
	}
	if (!st.ready)
	{
		if (st.n != 0 || st.sum != 0)
		{
			*why = "A dp_sum state without bounds has summed rows.";
			return false;
		}
		return true;
	}
	if (st.k < -1100 || st.k > 1100 ||
		st.lo_u < -max_units || st.lo_u > max_units ||
		st.hi_u < -max_units || st.hi_u > max_units || st.lo_u > st.hi_u)
	{
		*why = "A dp_sum state's grid is not one civic computes.";
		return false;
	}
	if (isnan(st.lower) || isnan(st.upper) || isinf(st.lower) || isinf(st.upper) ||
		st.lower > st.upper || st.ilower > st.iupper || isnan(st.inv) || isinf(st.inv))
	{
		*why = "A dp_sum state's bounds are not valid bounds.";
		return false;
	}
	/* every row added a unit in [lo_u, hi_u] (n < 2^63, units <= 2^20) */
	if (st.sum < (dp_int128) st.n * st.lo_u || st.sum > (dp_int128) st.n * st.hi_u)
	{
		*why = "A dp_sum state's sum is outside what its rows and bounds allow.";
		return false;
	}
	return true;
}

/* The grid of a float8 sum from the plan's parameters. */
void
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
double
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
