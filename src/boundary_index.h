/*
 * boundary_index.h
 *	  Per-backend cache of the polygons in civic.boundary, with a grid index
 *	  for exact point-in-polygon lookups (boundary_index.c).
 */
#ifndef CIVIC_BOUNDARY_INDEX_H
#define CIVIC_BOUNDARY_INDEX_H

#include "postgres.h"

#include "fmgr.h"

/* The polygons of one (vintage, level) of civic.boundary, indexed. */
typedef struct BoundaryIndex BoundaryIndex;

/*
 * Index of `level` for a requested vintage (`vintage_given` false: the newest
 * loaded for the level; a year that is not loaded: the newest loaded vintage
 * before it, else vintage 0), built on first use.  Raises 22023 if the level
 * is not loaded or the year is before its first loaded vintage.  The result stays valid until
 * boundary_cache_generation() changes.
 */
extern BoundaryIndex *boundary_index_get(const char *level, int level_len,
										 int32 vintage, bool vintage_given);

/* The vintage a lookup of `level` uses (same rules and errors). */
extern int32 boundary_resolve_vintage(const char *level, int level_len,
									  int32 vintage, bool vintage_given);

/* Whether civic.boundary holds any polygon of `level` (never raises for it). */
extern bool boundary_level_loaded(const char *level, int level_len);

/* Number (0-based, in code order) of the polygon given to (x, y), or -1. */
extern int	boundary_index_locate(const BoundaryIndex *idx, double x, double y);

/* The code (a civic.gsscode datum) of polygon number `poly`. */
extern Datum boundary_index_code(const BoundaryIndex *idx, int poly);

/* Changes whenever cached indexes are dropped (civic.boundary changed). */
extern uint64 boundary_cache_generation(void);

/*
 * Parse the EWKB (or WKB) of a POINT; false if it is empty.  Raises 22023 for
 * other geometry types and for SRIDs other than 27700 (0 is taken as 27700).
 */
extern bool boundary_ewkb_point(const unsigned char *p, Size len,
								double *x, double *y);

#endif							/* CIVIC_BOUNDARY_INDEX_H */
