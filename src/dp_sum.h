/*
 * dp_sum.h
 *	  What the per-unit aggregates (dp_unit.c) share with dp_sum and dp_avg
 *	  (dp_sum.c): the grid of a float8 sum, the release of an average, and
 *	  the name an aggregate was called by.
 */
#ifndef CIVIC_DP_SUM_H
#define CIVIC_DP_SUM_H

#include "postgres.h"

#include "dp_agg.h"
#include "dp_grid.h"

extern double dp_avg_release(dp_int128 sum_u, int64 n, const DpGrid *grid, double lower, double upper, double epsilon, double delta);
extern void dp_params_float_grid(const DpParams *params, bool avg, DpGrid *grid);
extern const char *dp_called_name(FunctionCallInfo fcinfo, const char *fallback);

#endif							/* CIVIC_DP_SUM_H */
