/*
 * dp_error.c
 *	  Error bars and grids of the DP aggregates: deterministic functions of
 *	  the privacy parameters, no data and no noise.
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
#include "dp_grid.h"

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
