/*
 * fuzz_ewkb.c
 *	  libFuzzer targets for civic's reader of PostGIS geometries (src/ewkb.c)
 *	  and its users.  Some users are static functions, so this file includes
 *	  their sources.
 *
 * ewkb_point: the bytes as
 *	  - a bytea given to bng_from_ewkb (the geometry -> bng casts),
 *	  - EWKB given to ewkb_xy (ward_of/borough_of/area_of on a geometry read
 *		through its send function),
 *	  - a geometry datum given to geometry_xy_fast (the same lookups' reader
 *		of PostGIS's serialized form).
 *	  Errors are 22P03, 22023 or 22003.  When both EWKB readers accept the
 *	  bytes they agree: the bng value is the point the lookup reader read,
 *	  rounded to the millimetre.  When the fast reader accepts a datum,
 *	  the EWKB the lookup reader gets for it reads as the same point.
 * ewkb_polygon: the bytes as EWKB given to boundary_read_polygons, the
 *	  reader of civic.boundary's polygons when a lookup index is built.
 *	  Errors are 22P03 or 22023; an accepted geometry yields edges whose
 *	  bounding box is the one recorded.
 * ewkb_index: one to four polygons (each a little-endian 16-bit length and
 *	  that many bytes of EWKB) are indexed by build_index, as if they were a
 *	  level of civic.boundary (SPI and the catalogue are faked below), and
 *	  points near their vertices (the remaining bytes, four per point: vertex
 *	  number, x and y offsets in quarter units) are looked up.  Errors are
 *	  22P03 or 22023; every lookup must give what a brute-force test of every
 *	  edge of every polygon gives: the first polygon, in code order, that
 *	  covers the point (for coordinates where that is exact: see comparable).
 */
#include "postgres.h"

#include <math.h>

#include "../../src/boundary_index.c"
#include "../../src/boundary.c"

#include "fuzz_env.h"

extern Datum bng_from_ewkb(PG_FUNCTION_ARGS);
extern Datum bng_make(PG_FUNCTION_ARGS);

#define EWKB_ERRORS "22P03 22023 22003"

/* ewkb_xy (the lookups' reader) under the harness; false if it raised an error. */
static bool
lookup_reader(const uint8_t *data, size_t size, bool *nonempty, double *x, double *y)
{
	bool		ok;

	FUZZ_TRY(ok, EWKB_ERRORS)
		*nonempty = ewkb_xy(data, size, x, y);
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
			fuzz_fail("bng_from_ewkb and ewkb_xy read different points");
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
	/* exactly size bytes, so that reading past them is caught */
	FUZZ_TRY(ok, "22P03 22023")
		boundary_read_polygons(copy, size, &eb);
	FUZZ_END(ok, "22P03 22023");
	if (!ok || eb.n == 0)
		return;
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
		fuzz_fail("boundary_read_polygons recorded a bounding box its edges do not have");
}

/* ---- ewkb_index: build_index over fuzzed polygons ----------------------- */

#define MAX_POLY 4

/* The rows the fake SPI query returns: code (an int8) and geometry (EWKB). */
typedef struct FakeRow
{
	Datum		code;
	Datum		geom;
} FakeRow;

static FakeRow fake_rows[MAX_POLY];
static HeapTuple fake_vals[MAX_POLY];
static SPITupleTable fake_table;
static int	fake_n;
static char fake_context;

int
SPI_connect(void)
{
	return SPI_OK_CONNECT;
}

int
SPI_finish(void)
{
	return SPI_OK_FINISH;
}

int
SPI_execute_with_args(const char *src, int nargs, Oid *argtypes, Datum *Values,
					  const char *Nulls, bool read_only, long tcount)
{
	int			i;

	for (i = 0; i < fake_n; i++)
		fake_vals[i] = (HeapTuple) &fake_rows[i];
	fake_table.vals = fake_vals;
	fake_table.tupdesc = NULL;
	SPI_tuptable = &fake_table;
	SPI_processed = fake_n;
	return SPI_OK_SELECT;
}

Oid
SPI_gettypeid(TupleDesc tupdesc, int fnumber)
{
	return fnumber == 1 ? INT8OID : BYTEAOID;
}

Datum
SPI_getbinval(HeapTuple tuple, TupleDesc tupdesc, int fnumber, bool *isnull)
{
	FakeRow    *r = (FakeRow *) tuple;

	*isnull = false;
	return fnumber == 1 ? r->code : r->geom;
}

void
get_typlenbyval(Oid typid, int16 *typlen, bool *typbyval)
{
	*typlen = 8;
	*typbyval = true;
}

void
getTypeBinaryOutputInfo(Oid type, Oid *typSend, bool *typIsVarlena)
{
	*typSend = 1;
	*typIsVarlena = true;
}

void
fmgr_info_cxt(Oid functionId, FmgrInfo *finfo, MemoryContext mcxt)
{
	memset(finfo, 0, sizeof(*finfo));
}

/* The geometry's send function: the rows hold EWKB already. */
bytea *
SendFunctionCall(FmgrInfo *flinfo, Datum val)
{
	return (bytea *) DatumGetPointer(val);
}

Datum
datumCopy(Datum value, bool typByVal, int typLen)
{
	return value;
}

MemoryContext
AllocSetContextCreateInternal(MemoryContext parent, const char *name,
							  Size minContextSize, Size initBlockSize,
							  Size maxBlockSize)
{
	return (MemoryContext) &fake_context;
}

void
MemoryContextDelete(MemoryContext context)
{
	/* the arena is freed after each input */
}

/*
 * Coordinates for which the index and the brute force must agree exactly:
 * 0, or magnitudes from 1e-100 (no product in the side test underflows) to
 * 1e8 m (the grid's 1e-6 m margins are above the spacing of doubles).
 * Beyond that both still run, under the sanitizers, but floating-point
 * rounding may let the two answer differently for points within rounding
 * distance of an edge.
 */
static bool
comparable(double c)
{
	return c == 0 || (fabs(c) >= 1e-100 && fabs(c) <= 1e8);
}

/* Brute force: the first polygon whose edges (all of them) cover (x, y). */
static int
brute_locate(EdgeBuf *ebs, int n, double x, double y)
{
	int			i;

	for (i = 0; i < n; i++)
		if (ebs[i].n > 0 && edges_cover(ebs[i].e, ebs[i].n, x, y))
			return i;
	return -1;
}

static void
fuzz_index(const uint8_t *data, size_t size)
{
	EdgeBuf		ebs[MAX_POLY];
	BoundaryIndex *volatile g = NULL;
	MemoryContext cxt;
	const uint8_t *p = data,
			   *end = data + size;
	bool		ok;
	int			i,
				k,
				nvert = 0;
	bool		exact = true;

	if (size < 1)
		return;
	fake_n = 1 + (*p++ % MAX_POLY);
	memset(ebs, 0, sizeof(ebs));
	for (i = 0; i < fake_n; i++)
	{
		size_t		len = 0;

		if (end - p >= 2)
		{
			len = p[0] | (p[1] << 8);
			p += 2;
		}
		len = Min(len, (size_t) (end - p));
		fake_rows[i].code = Int64GetDatum(i);
		fake_rows[i].geom = fuzz_varlena(p, len);
		/* the same polygon, read for the brute-force answer */
		ebs[i].xmin = ebs[i].ymin = get_float8_infinity();
		ebs[i].xmax = ebs[i].ymax = -get_float8_infinity();
		FUZZ_TRY(ok, "22P03 22023")
			boundary_read_polygons(p, len, &ebs[i]);
		FUZZ_END(ok, "22P03 22023");
		if (!ok)
			return;				/* build_index would refuse it too */
		if (ebs[i].n > 1)
			qsort(ebs[i].e, ebs[i].n, sizeof(BEdge), edge_cmp_xmax_desc);
		for (k = 0; k < ebs[i].n; k++)
			exact = exact && comparable(ebs[i].e[k].ax) && comparable(ebs[i].e[k].ay) &&
				comparable(ebs[i].e[k].bx) && comparable(ebs[i].e[k].by);
		nvert += ebs[i].n;
		p += len;
	}

	FUZZ_TRY(ok, "22P03 22023")
		g = build_index("ward", 2022, &cxt);
	FUZZ_END(ok, "22P03 22023");
	if (!ok)
		fuzz_fail("build_index refused polygons boundary_read_polygons accepted: %s", fuzz_errmsg);
	if (nvert == 0)
		return;

	/* points near vertices and on edges */
	for (; end - p >= 4; p += 4)
	{
		const BEdge *e = NULL;
		double		x,
					y;
		int			want,
					got;

		k = (p[0] | (p[1] << 8)) % nvert;
		for (i = 0; i < fake_n; i++)
		{
			if (k < ebs[i].n)
			{
				e = &ebs[i].e[k];
				break;
			}
			k -= ebs[i].n;
		}
		if ((int8) p[2] == -128)
		{
			/* the edge's midpoint */
			x = (e->ax + e->bx) / 2;
			y = (e->ay + e->by) / 2;
		}
		else
		{
			x = e->ax + (int8) p[2] * 0.25;
			y = e->ay + (int8) p[3] * 0.25;
		}
		want = brute_locate(ebs, fake_n, x, y);
		got = boundary_index_locate(g, x, y);
		if (got != want && exact && comparable(x) && comparable(y))
			fuzz_fail("lookup of (%.17g, %.17g) gives polygon %d, brute force %d",
					  x, y, got, want);
	}
}

const FuzzTarget fuzz_targets[] = {
	{"ewkb_point", fuzz_point},
	{"ewkb_polygon", fuzz_polygon},
	{"ewkb_index", fuzz_index},
	{NULL, NULL}
};
