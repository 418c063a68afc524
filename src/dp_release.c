/*
 * dp_release.c
 *	  The release functions of the distributed fast path (docs/citus.md,
 *	  "The fast path"): civic._dp_count_release and civic._dp_sum_release.
 *
 * Over a Citus table, civic's planner hook (citus_plan.c) may write
 *
 *	  dp_count(epsilon [, delta])
 *		as  civic._dp_count_release(count(*), epsilon, delta, slot)
 *	  dp_sum(value bigint, lower, upper, epsilon [, delta])
 *		as  civic._dp_sum_release(sum(int8smaller(int8larger(value, lower), upper)),
 *								  lower, upper, epsilon, delta, slot)
 *	  dp_sum(value float8, lower, upper, epsilon [, delta]), where value is
 *	  an integer column cast to float8 and the bounds are integers
 *		as  civic._dp_sum_release(sum(int4smaller(int4larger(column, lower), upper)),
 *								  lower::float8, upper::float8, epsilon, delta, slot)
 *	  dp_avg(value float8, lower, upper, epsilon [, delta]), the same
 *		as  civic._dp_avg_release(sum(int4smaller(int4larger(column, lower), upper)),
 *								  count(column), lower::float8, upper::float8,
 *								  epsilon, delta, slot)
 *
 * so that the workers compute PostgreSQL's own count and sum, which Citus
 * combines natively, and only the noise is added on the coordinator.  The
 * released value is the one the aggregate releases: dp_count's exact count
 * plus discrete Laplace (delta = 0) or discrete Gaussian (delta > 0) noise
 * of sensitivity 1; dp_sum's sum of values clamped to [lower, upper] plus
 * noise of sensitivity max(|lower|, |upper|), when its grid step is 1
 * (dp_grid.c: bounds below 2^20 and, with delta > 0, a noise scale within
 * DP_MAX_SCALE_LOG2; the hook keeps any other dp_sum on the twin path).
 * For dp_sum(float8) the grid step is 2^k with k <= 0 (dp_float_grid): an
 * integer v clamped to integral bounds is exactly rint(v * 2^-k) grid
 * units, which is what dp_sum's transition adds per row, so the exact sum
 * of units is the integers' sum times 2^-k.  dp_avg releases from that
 * sum and the count of values exactly what its final function does
 * (dp_avg_release in dp_sum.c: a noisy sum over a noisy count, each with
 * half of epsilon and delta).
 * The mechanisms and their papers are those of dp_noise.c (discrete
 * Laplace: Canonne, Kamath and Steinke 2020, Algorithm 2; discrete
 * Gaussian: the same paper, Algorithm 3); the noise is drawn once per
 * group, here, in the final step, from pg_strong_random.
 *
 * A release function adds noise to whatever number it is given, so it
 * releases only where the hook put it: the meter charges each call the
 * hook noted (plan_notes.h) as the DP aggregate it stands for, before the
 * query runs, and the function refuses any call that was not charged so
 * (written by hand, in a copied plan, or on a worker).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#include "dp_agg.h"
#include "dp_grid.h"
#include "dp_noise.h"
#include "dp_params.h"
#include "dp_sum.h"
#include "meter.h"
#include "plan_notes.h"

/*
 * The privacy parameters of a release call (epsilon and delta at 1 and 2
 * after the value, or 3 and 4 for a sum), checked as the aggregate checks
 * them, and the mechanism of the aggregate the call stands for.
 */
static void
release_cost(FunctionCallInfo fcinfo, const char *aggname, int epos,
			 CivicPrivacyCost *cost)
{
	Aggref	   *source = civic_noted_release(fcinfo->flinfo ? fcinfo->flinfo->fn_expr : NULL);
	int			j;

	if (source == NULL)
		civic_privacy_unmetered(aggname);
	for (j = epos; j < PG_NARGS(); j++)
		if (PG_ARGISNULL(j))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("the privacy parameters of %s must not be null", aggname)));
	cost->aggregate = aggname;
	cost->epsilon = PG_GETARG_FLOAT8(epos);
	cost->delta = PG_GETARG_FLOAT8(epos + 1);
	civic_dp_check_privacy(aggname, cost->epsilon, cost->delta);
	cost->mechanism = civic_dp_mechanism(civic_dp_agg_info(source->aggfnoid), cost->delta);
}

static dp_int128 integer_sum_units(FunctionCallInfo fcinfo, double lower, double upper,
									const DpGrid *grid);

/*
 * The combined sum a release call was given (argument 0: Citus's numeric
 * sum of bigints or bigint sum of integers; NULL, no row: 0), and its
 * bounds (arguments LO and LO + 1), which must not be null.
 */
static int64
release_sum(FunctionCallInfo fcinfo)
{
	if (PG_ARGISNULL(0))
		return 0;
	if (get_fn_expr_argtype(fcinfo->flinfo, 0) == NUMERICOID)
		return DatumGetInt64(DirectFunctionCall1(numeric_int8, PG_GETARG_DATUM(0)));
	return PG_GETARG_INT64(0);
}

static void
release_bounds_not_null(FunctionCallInfo fcinfo, int lo)
{
	if (PG_ARGISNULL(lo) || PG_ARGISNULL(lo + 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lower and upper must not be null")));
}

PG_FUNCTION_INFO_V1(dp_count_release);
/* civic._dp_count_release(count bigint, epsilon, delta, slot bigint) */
Datum
dp_count_release(PG_FUNCTION_ARGS)
{
	CivicPrivacyCost cost;
	DpNoise		noise;
	int64		n = PG_ARGISNULL(0) ? 0 : PG_GETARG_INT64(0);

	release_cost(fcinfo, "dp_count", 1, &cost);
	if (n < 0)
		elog(ERROR, "civic: a count of %lld rows", (long long) n);
	dp_noise_setup(&noise, 1, cost.epsilon, cost.delta);
	civic_privacy_account_release(fcinfo, &cost);
	PG_RETURN_INT64(dp_int128_to_int64((dp_int128) n + dp_noise_draw(&noise), "dp_count"));
}

PG_FUNCTION_INFO_V1(dp_sum_release);
/*
 * civic._dp_sum_release(sum numeric or bigint, lower, upper, epsilon,
 * delta, slot bigint): the sum of the clamped values (NULL: no row).
 */
Datum
dp_sum_release(PG_FUNCTION_ARGS)
{
	CivicPrivacyCost cost;
	DpNoise		noise;
	DpGrid		grid;
	int64		lower,
				upper;
	dp_int128	units;

	release_cost(fcinfo, "dp_sum", 3, &cost);
	release_bounds_not_null(fcinfo, 1);
	lower = PG_GETARG_INT64(1);
	upper = PG_GETARG_INT64(2);
	if (lower > upper)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lower must not be greater than upper"),
				 errdetail("dp_sum was called with lower = " INT64_FORMAT " and upper = " INT64_FORMAT ".",
						   lower, upper),
				 errhint("Swap the bounds.")));
	dp_int_grid(lower, upper, cost.epsilon, cost.delta, &grid);
	/* the hook writes only sums whose grid step is 1 */
	if (grid.k != 0)
		elog(ERROR, "civic: dp_sum released with a grid step of 2^%d", grid.k);
	units = release_sum(fcinfo);
	dp_noise_setup(&noise, grid.delta_units, cost.epsilon, cost.delta);
	civic_privacy_account_release(fcinfo, &cost);
	units += dp_noise_draw(&noise);
	PG_RETURN_INT64(dp_int128_to_int64(units, "dp_sum"));
}

PG_FUNCTION_INFO_V1(dp_sum_float8_release);
/*
 * civic._dp_sum_release(sum numeric or bigint, lower float8, upper float8,
 * epsilon, delta, slot bigint): dp_sum(float8) of an integer column, from the
 * sum of its clamped values (NULL: no row).
 */
Datum
dp_sum_float8_release(PG_FUNCTION_ARGS)
{
	CivicPrivacyCost cost;
	DpNoise		noise;
	DpGrid		grid;
	double		lower,
				upper;
	dp_int128	units;

	release_cost(fcinfo, "dp_sum", 3, &cost);
	release_bounds_not_null(fcinfo, 1);
	lower = PG_GETARG_FLOAT8(1);
	upper = PG_GETARG_FLOAT8(2);
	dp_check_float_bounds("dp_sum", lower, upper);
	dp_float_grid(lower, upper, cost.epsilon, cost.delta, &grid);
	units = integer_sum_units(fcinfo, lower, upper, &grid);
	dp_noise_setup(&noise, grid.delta_units, cost.epsilon, cost.delta);
	civic_privacy_account_release(fcinfo, &cost);
	units += dp_noise_draw(&noise);
	PG_RETURN_FLOAT8(ldexp((double) units, grid.k));
}

/*
 * The exact sum of grid units of an integer sum on the float8 grid of
 * lower..upper (step 2^k, k <= 0): the hook writes only integral bounds on
 * such a grid.
 */
static dp_int128
integer_sum_units(FunctionCallInfo fcinfo, double lower, double upper, const DpGrid *grid)
{
	if (grid->k > 0 || grid->k < -40 || floor(lower) != lower || floor(upper) != upper)
		elog(ERROR, "civic: a float8 sum released with a grid step of 2^%d", grid->k);
	return (dp_int128) release_sum(fcinfo) * (((dp_int128) 1) << (-grid->k));
}

PG_FUNCTION_INFO_V1(dp_avg_float8_release);
/*
 * civic._dp_avg_release(sum numeric or bigint, n bigint, lower float8,
 * upper float8, epsilon, delta, slot bigint): dp_avg(float8) of an integer
 * column, from the sum of its clamped values and their count.
 */
Datum
dp_avg_float8_release(PG_FUNCTION_ARGS)
{
	CivicPrivacyCost cost;
	DpNoise		check;
	DpGrid		grid;
	double		lower,
				upper;
	int64		n = PG_ARGISNULL(1) ? 0 : PG_GETARG_INT64(1);
	dp_int128	units;

	release_cost(fcinfo, "dp_avg", 4, &cost);
	release_bounds_not_null(fcinfo, 2);
	lower = PG_GETARG_FLOAT8(2);
	upper = PG_GETARG_FLOAT8(3);
	dp_check_float_bounds("dp_avg", lower, upper);
	if (n < 0)
		elog(ERROR, "civic: an average of %lld values", (long long) n);
	dp_float_grid(lower, upper, cost.epsilon / 2, cost.delta / 2, &grid);
	units = integer_sum_units(fcinfo, lower, upper, &grid);
	/* validate that both halves can be noised before charging */
	dp_noise_setup(&check, Max(grid.hi_u - grid.lo_u, 1), cost.epsilon / 2, cost.delta / 2);
	civic_privacy_account_release(fcinfo, &cost);
	PG_RETURN_FLOAT8(dp_avg_release(units, n, &grid, lower, upper, cost.epsilon, cost.delta));
}
