/*
 * dp_percentile.c
 *	  dp_percentile and dp_median: the exponential mechanism on a grid of
 *	  bins fixed by the bounds (dp_agg.h).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "common/int.h"
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
#include "dp_state.h"

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

/*
 * Check serialised histogram bytes from outside civic (dp_state.h): the
 * grid must be the one dp_pct_grid() computes for its bounds, and the bins
 * non-negative counts that add up to n.
 */
bool
dp_percentile_state_check(const char *payload, Size len, const char **why)
{
	DpPctState *st;
	DpPctGrid	g;
	char		flag;
	int64		total = 0;
	int			i;

	if (len != sizeof(DpPctState))
	{
		*why = psprintf("A dp_percentile state has %d bytes, not %d.",
						(int) sizeof(DpPctState), (int) len);
		return false;
	}
	memcpy(&flag, payload + offsetof(DpPctState, ready), 1);
	if (flag != 0 && flag != 1)
	{
		*why = "A dp_percentile state's ready flag is neither true nor false.";
		return false;
	}
	st = (DpPctState *) palloc(sizeof(DpPctState));
	memcpy(st, payload, sizeof(DpPctState));
	if (st->ready)
	{
		memcpy(&flag, payload + offsetof(DpPctState, grid) + offsetof(DpPctGrid, e_neg), 1);
		if (flag != 0 && flag != 1)
			goto bad_grid;
		memcpy(&flag, payload + offsetof(DpPctState, grid) + offsetof(DpPctGrid, aligned), 1);
		if (flag != 0 && flag != 1)
			goto bad_grid;
		if (isnan(st->grid.lower) || isnan(st->grid.upper) ||
			isinf(st->grid.lower) || isinf(st->grid.upper) ||
			st->grid.lower > st->grid.upper)
			goto bad_grid;
		dp_pct_grid(st->grid.lower, st->grid.upper, &g);
		if (g.c != st->grid.c || g.pow10 != st->grid.pow10 ||
			g.e_neg != st->grid.e_neg || g.aligned != st->grid.aligned ||
			g.m0 != st->grid.m0 || g.half_w != st->grid.half_w ||
			g.nbins != st->grid.nbins)
			goto bad_grid;
	}
	for (i = 0; i < DP_PCT_MAX_BINS; i++)
	{
		if (st->bins[i] < 0 || (st->bins[i] != 0 && (!st->ready || i >= st->grid.nbins)))
		{
			*why = "A dp_percentile state's bins are not counts of its grid.";
			return false;
		}
		if (pg_add_s64_overflow(total, st->bins[i], &total))
		{
			*why = "A dp_percentile state's bins add up beyond bigint.";
			return false;
		}
	}
	if (total != st->n)
	{
		*why = "A dp_percentile state's bins do not add up to its row count.";
		return false;
	}
	pfree(st);
	return true;

bad_grid:
	*why = "A dp_percentile state's grid is not the one civic computes for its bounds.";
	return false;
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
