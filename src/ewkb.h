/*
 * ewkb.h
 *	  civic's one reader (and writer) of PostGIS's (E)WKB, the format civic
 *	  exchanges geometries in (ewkb.c).  Every error about the bytes of a
 *	  geometry comes from here: 22P03 for malformed (E)WKB, 22023 for the
 *	  wrong kind of geometry or a point off the British National Grid.
 */
#ifndef CIVIC_EWKB_H
#define CIVIC_EWKB_H

#include "postgres.h"

/* The EPSG code of the British National Grid (the SRID of civic's bng). */
#define BNG_SRID			27700

/* WKB geometry types civic reads. */
#define WKB_POINT			1
#define WKB_POLYGON			3
#define WKB_MULTIPOLYGON	6

/*
 * The (E)WKB of a POINT: *x and *y, and its SRID in *srid (0 if none).
 * Returns false for an empty point (PostGIS writes POINT EMPTY as NaN NaN).
 * Z and M are read past.  Raises 22P03 for malformed (E)WKB and 22023 for
 * any other geometry type.
 */
extern bool ewkb_read_point(const unsigned char *p, Size len,
							double *x, double *y, int32 *srid);

/* Raises 22023 unless srid is the British National Grid's or 0 (none). */
extern void ewkb_check_bng_srid(int32 srid);

/*
 * Called by ewkb_read_polygons for each ring, in order: npts vertices,
 * xy[2k] and xy[2k + 1] the coordinates of vertex k (Z and M dropped).
 * xy is freed after the call.
 */
typedef void (*EwkbRingFn) (void *arg, const double *xy, uint32 npts);

/*
 * Read the (E)WKB of a POLYGON or MULTIPOLYGON, calling fn for every ring
 * of every part.  Raises 22P03 for malformed (E)WKB and 22023 for any other
 * geometry type.
 */
extern void ewkb_read_polygons(const unsigned char *p, Size len,
							   EwkbRingFn fn, void *arg);

/* EWKB (little-endian) of POINT(x y) with the given SRID, as a bytea. */
extern bytea *ewkb_make_point(double x, double y, int32 srid);

#endif							/* CIVIC_EWKB_H */
