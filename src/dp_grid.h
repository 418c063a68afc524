/*
 * dp_grid.h
 *	  Fixed-point grids (dp_grid.c): how a real, bigint or numeric sum is
 *	  clamped, rounded to a published grid and summed exactly before
 *	  integer noise (see dp_agg.h, "Grids"), and numeric digits read without
 *	  numeric arithmetic.
 */
#ifndef CIVIC_DP_GRID_H
#define CIVIC_DP_GRID_H

#include "postgres.h"

#include "utils/numeric.h"

#include "dp_noise.h"

typedef struct DpGrid
{
	int32		k;				/* step 2^k (binary) or 10^k (decimal) */
	int64		lo_u;			/* lower bound in grid units */
	int64		hi_u;			/* upper bound in grid units */
	int64		delta_units;	/* sensitivity in grid units */
} DpGrid;

/* Round an integer to the binary grid 2^k (k >= 0), half up. */
static inline dp_int128
dp_int_to_grid(dp_int128 v, int k)
{
	if (k <= 0)
		return v;
	return (v + (((dp_int128) 1) << (k - 1))) >> k;
}

extern void dp_float_grid(double lower, double upper, double epsilon, double delta, DpGrid *grid);
extern void dp_int_grid(int64 lower, int64 upper, double epsilon, double delta, DpGrid *grid);
extern void dp_numeric_grid(Numeric lower, Numeric upper, double epsilon, double delta, DpGrid *grid, Numeric *scale);
extern bool dp_numeric_units_clamped(struct varlena *num, int j, int64 lo_u, int64 hi_u, int64 *units);
extern Numeric dp_units_to_numeric(dp_int128 units, int j);

#endif							/* CIVIC_DP_GRID_H */
