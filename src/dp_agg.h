/*
 * dp_agg.h
 *	  What every differential-privacy aggregate of civic uses (dp_agg.c):
 *	  reading its privacy parameters from the plan, passing its cost to the
 *	  meter, and the chores of an aggregate with an internal state.  Someone
 *	  adding an aggregate reads this header, dp_grid.h if the aggregate
 *	  rounds to a grid, and dp_noise.h; then writes one file like
 *	  dp_count.c.
 *
 * The aggregates, one file per mechanism family:
 *	  dp_count.c		dp_count(epsilon [, delta])
 *	  dp_sum.c			dp_sum, dp_avg (clamped values on a grid)
 *	  dp_percentile.c	dp_percentile, dp_median (exponential mechanism)
 *	  dp_unit.c			per-unit (per-person) bounded aggregates
 *	  dp_error.c		error bars and grids (no data, no noise)
 *	  dp_state.c		civic.dp_state, the state of the twins _dist_<name>
 *
 * Shape of every aggregate
 * ------------------------
 * The transition functions only accumulate exact integers (counts, sums on
 * a fixed grid, histograms, per-unit tables) in the aggregate memory
 * context; combine functions add partial states (either side may be empty);
 * serial/deserial functions copy them across parallel workers.  Every
 * aggregate also has a twin civic._dist_<name> whose state is the real type
 * civic.dp_state (dp_state.c), for distributed planning: an expanded object
 * wrapping the same C state, run by the same transition, combine and final
 * functions through one generic wrapper per role; its flat form is the
 * serial function's bytes, and each family checks serialised bytes that
 * come from outside (dp_*_state_check, dp_state.h).  Adding an aggregate
 * means adding its twin too (sql/dp_state.sql checks every one has one).
 * Noise is
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
#ifndef CIVIC_DP_AGG_H
#define CIVIC_DP_AGG_H

#include "postgres.h"

#include "fmgr.h"

#include "dp_noise.h"
#include "dp_params.h"

/* (parameter names, positions, rules and mechanisms: dp_params.c) */
#define DP_PARAM_EPSILON	CIVIC_DP_EPSILON
#define DP_PARAM_DELTA		CIVIC_DP_DELTA
#define DP_PARAM_LOWER		CIVIC_DP_LOWER
#define DP_PARAM_UPPER		CIVIC_DP_UPPER
#define DP_PARAM_P			CIVIC_DP_P
#define DP_PARAM_MAX_ROWS	CIVIC_DP_MAX_ROWS
#define DP_NPARAMS			CIVIC_DP_NPARAMS

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

/* dp_agg.c */
extern void dp_account(FunctionCallInfo fcinfo, const DpParams *params);
extern bytea *dp_bytes_to_bytea(const void *data, Size len);
extern void dp_check_float_bounds(const char *aggname, double lower, double upper);
extern void dp_check_serial(bytea *b, Size len, const char *what);
extern void dp_check_trans_params(FunctionCallInfo fcinfo, const char *aggname);
extern void dp_get_params(FunctionCallInfo fcinfo, const char *aggname, DpParams *params);
extern int64 dp_int128_to_int64(dp_int128 v, const char *aggname);
extern void *dp_state_alloc(FunctionCallInfo fcinfo, Size size, const char *fname);
/* Warn once per call site when called under a deprecated name. */
extern void dp_warn_deprecated_name(FunctionCallInfo fcinfo, const DpParams *params,
									const char *canonical);

#endif							/* CIVIC_DP_AGG_H */
