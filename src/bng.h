/*
 * bng.h
 *	  civic.bng: a point on the British National Grid (EPSG:27700).
 *
 * Storage layout (fixed; changing it would need a migration):
 *	  one int64, passed by value like int8:
 *		bits 63..32	easting  in whole millimetres, 0 .. 700 000 000
 *		bits 31..0	northing in whole millimetres, 0 .. 1 300 000 000
 *	  Both halves are below 2^31, so the int64 is never negative and the
 *	  natural int64 order is "by easting, then by northing" -- the order of
 *	  the btree operator class.
 *
 * Other parts of civic use the inline accessors below and never shift bits
 * themselves.
 */
#ifndef CIVIC_BNG_H
#define CIVIC_BNG_H

#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/geo_decls.h"
#include "ewkb.h"

typedef int64 Bng;

/* The GB grid: 0..700 km east, 0..1300 km north, in millimetres. */
#define BNG_MAX_EASTING_MM	INT64CONST(700000000)
#define BNG_MAX_NORTHING_MM INT64CONST(1300000000)

/* BNG_SRID, the EPSG code of the British National Grid, is in ewkb.h. */

#define DatumGetBng(X)		((Bng) DatumGetInt64(X))
#define BngGetDatum(X)		Int64GetDatum(X)
#define PG_GETARG_BNG(n)	DatumGetBng(PG_GETARG_DATUM(n))
#define PG_RETURN_BNG(x)	return BngGetDatum(x)

/* Easting of a point in whole millimetres. */
static inline int32
bng_easting_mm(Bng p)
{
	return (int32) ((uint64) p >> 32);
}

/* Northing of a point in whole millimetres. */
static inline int32
bng_northing_mm(Bng p)
{
	return (int32) ((uint64) p & UINT64CONST(0xFFFFFFFF));
}

/* Easting of a point in metres. */
static inline double
bng_easting(Bng p)
{
	return bng_easting_mm(p) / 1000.0;
}

/* Northing of a point in metres. */
static inline double
bng_northing(Bng p)
{
	return bng_northing_mm(p) / 1000.0;
}

/* True if easting/northing in millimetres lie on the GB grid. */
static inline bool
bng_mm_in_range(int64 e_mm, int64 n_mm)
{
	return e_mm >= 0 && e_mm <= BNG_MAX_EASTING_MM &&
		n_mm >= 0 && n_mm <= BNG_MAX_NORTHING_MM;
}

/* Pack millimetre coordinates already checked with bng_mm_in_range. */
static inline Bng
bng_make_mm(int64 e_mm, int64 n_mm)
{
	Assert(bng_mm_in_range(e_mm, n_mm));
	return (Bng) (((uint64) e_mm << 32) | (uint64) n_mm);
}

/* Distance in metres between two points (the <-> operator). */
static inline double
bng_distance(Bng a, Bng b)
{
	double		de = (double) bng_easting_mm(a) - (double) bng_easting_mm(b);
	double		dn = (double) bng_northing_mm(a) - (double) bng_northing_mm(b);

	return sqrt(de * de + dn * dn) / 1000.0;
}

/* True if the point lies in the closed box (corners in metres): bng <@ box. */
static inline bool
bng_in_box(Bng p, const BOX *b)
{
	double		e = bng_easting(p);
	double		n = bng_northing(p);

	return e >= b->low.x && e <= b->high.x && n >= b->low.y && n <= b->high.y;
}

/*
 * True if the point lies in the closed circle (centre and radius in
 * metres): bng <@ circle.  The distance is computed in millimetres like
 * bng_distance, so the index and the operator agree to the last bit.
 */
static inline bool
bng_in_circle(Bng p, const CIRCLE *c)
{
	double		de = (double) bng_easting_mm(p) - c->center.x * 1000.0;
	double		dn = (double) bng_northing_mm(p) - c->center.y * 1000.0;

	return sqrt(de * de + dn * dn) / 1000.0 <= c->radius;
}

#endif							/* CIVIC_BNG_H */
