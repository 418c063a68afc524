/*
 * fuzz_ewkb.c
 *	  libFuzzer targets for civic's readers of PostGIS geometries.  The
 *	  readers are static functions, so this file includes their sources.
 *
 * ewkb_point: the bytes as
 *	  - a bytea given to bng_from_ewkb (the geometry -> bng casts),
 *	  - EWKB given to boundary_ewkb_point (ward_of/borough_of/area_of on a
 *		geometry read through its send function),
 *	  - a geometry datum given to geometry_xy_fast (the same lookups' reader
 *		of PostGIS's serialized form).
 *	  Errors are 22P03, 22023 or 22003.  When both EWKB readers accept the
 *	  bytes they agree: the bng value is the point the lookup reader read,
 *	  rounded to the millimetre.  When the fast reader accepts a datum,
 *	  the EWKB the lookup reader gets for it reads as the same point.
 * ewkb_polygon: the bytes as EWKB given to wkb_polygons, the reader of
 *	  civic.boundary's polygons when a lookup index is built.  Errors are
 *	  22P03 or 22023; an accepted geometry yields edges whose bounding box
 *	  is the one recorded.
 */
#include "postgres.h"

#include <math.h>

#include "../../src/boundary_index.c"
#include "../../src/boundary.c"

#include "fuzz_env.h"

extern Datum bng_from_ewkb(PG_FUNCTION_ARGS);
extern Datum bng_make(PG_FUNCTION_ARGS);

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define EWKB_ERRORS "22P03 22023 22003"

/* boundary_ewkb_point under the harness; false if it raised an error. */
static bool
lookup_reader(const uint8_t *data, size_t size, bool *nonempty, double *x, double *y)
{
	bool		ok;

	FUZZ_TRY(ok, EWKB_ERRORS)
		*nonempty = boundary_ewkb_point(data, size, x, y);
	FUZZ_END(ok, EWKB_ERRORS);
	return ok;
}

static void
fuzz_point(const uint8_t *data, size_t size)
{
	Datum		arg = fuzz_varlena(data, size);
	Datum		v;
	bool		ok_bng,
				ok_lookup,
				nonempty = false;
	double		x = 0,
				y = 0;
	uint8_t    *copy;

	ok_bng = fuzz_call(bng_from_ewkb, 1, &arg, EWKB_ERRORS, &v, NULL);

	/* exactly size bytes, so that reading past them is caught */
	copy = palloc(Max(size, 1));
	memcpy(copy, data, size);
	ok_lookup = lookup_reader(copy, size, &nonempty, &x, &y);

	if (ok_bng && ok_lookup)
	{
		Datum		xy[2] = {Float8GetDatum(x), Float8GetDatum(y)};
		Datum		w;

		if (!nonempty)
			fuzz_fail("bng_from_ewkb accepted a point the lookups read as empty");
		if (!fuzz_call(bng_make, 2, xy, "", &w, NULL) || w != v)
			fuzz_fail("bng_from_ewkb and boundary_ewkb_point read different points");
	}

	/* the bytes as a serialized geometry */
	{
		double		fx,
					fy,
					ex = 0,
					ey = 0;
		bool		ne = false;

		if (geometry_xy_fast(arg, &fx, &fy))
		{
			const uint8_t *p = (const uint8_t *) VARDATA_ANY(DatumGetPointer(arg));
			int32		srid = (int32) (((uint32) p[0] << 16) | ((uint32) p[1] << 8) | p[2]);
			uint8_t		ewkb[25];
			uint32		type = 1 | 0x20000000U;

			srid = (int32) ((uint32) srid << 11) >> 11;
			/* the EWKB PostGIS sends for that point (little-endian host) */
			ewkb[0] = 1;
			memcpy(ewkb + 1, &type, 4);
			memcpy(ewkb + 5, &srid, 4);
			memcpy(ewkb + 9, &fx, 8);
			memcpy(ewkb + 17, &fy, 8);
			if (!lookup_reader(ewkb, sizeof(ewkb), &ne, &ex, &ey) || !ne ||
				memcmp(&ex, &fx, 8) != 0 || memcmp(&ey, &fy, 8) != 0)
				fuzz_fail("geometry_xy_fast and the EWKB reader disagree");
		}
	}
}

static void
fuzz_polygon(const uint8_t *data, size_t size)
{
	uint8_t    *copy = palloc(Max(size, 1));
	EdgeBuf		eb;
	WkbReader	r;
	bool		ok;
	int			i;
	double		xmin,
				xmax,
				ymin,
				ymax;

	memcpy(copy, data, size);
	memset(&eb, 0, sizeof(eb));
	eb.xmin = eb.ymin = get_float8_infinity();
	eb.xmax = eb.ymax = -get_float8_infinity();
	r.p = copy;
	r.end = copy + size;
	FUZZ_TRY(ok, "22P03 22023")
		wkb_polygons(&r, &eb, 0);
	FUZZ_END(ok, "22P03 22023");
	if (!ok || eb.n == 0)
		return;
	if (r.p > r.end)
		fuzz_fail("wkb_polygons read past the end");
	xmin = ymin = get_float8_infinity();
	xmax = ymax = -get_float8_infinity();
	for (i = 0; i < eb.n; i++)
	{
		xmin = Min(xmin, Min(eb.e[i].ax, eb.e[i].bx));
		xmax = Max(xmax, Max(eb.e[i].ax, eb.e[i].bx));
		ymin = Min(ymin, Min(eb.e[i].ay, eb.e[i].by));
		ymax = Max(ymax, Max(eb.e[i].ay, eb.e[i].by));
	}
	if (memcmp(&xmin, &eb.xmin, 8) != 0 || memcmp(&xmax, &eb.xmax, 8) != 0 ||
		memcmp(&ymin, &eb.ymin, 8) != 0 || memcmp(&ymax, &eb.ymax, 8) != 0)
		fuzz_fail("wkb_polygons recorded a bounding box its edges do not have");
}

static const FuzzTarget targets[] = {
	{"ewkb_point", fuzz_point},
	{"ewkb_polygon", fuzz_polygon},
	{NULL, NULL}
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_select(targets);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_reset();
	fuzz_target(data, size);
	fuzz_reset();
	return 0;
}
