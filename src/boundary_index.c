/*
 * boundary_index.c
 *	  Per-backend cache of civic.boundary's polygons with a grid index for
 *	  exact point-in-polygon lookups.
 *
 * For each (vintage, level) that a lookup asks for, the polygons are read
 * once with SPI (the geometry's binary send output, i.e. EWKB: PostGIS is
 * used through SQL and its wire format only) and indexed in two levels:
 *
 *	- a uniform grid of square cells (about one per polygon edge) over all
 *	  polygons.  Each cell knows, in code order, the polygons that may cover
 *	  it: INSIDE (the whole cell lies in the polygon's interior and no edge of
 *	  it touches the cell: no further test) or BOUNDARY (an edge of the
 *	  polygon touches the cell).  A cell whose first polygon is INSIDE
 *	  stores that answer in its cell word, so most lookups read one word;
 *	- per polygon, its edges bucketed by grid row, each bucket sorted by
 *	  decreasing maximum x, for a crossing-number test on the one row that
 *	  holds the point.  A BOUNDARY cell's candidate list points straight at
 *	  the bucket of its row, so a lookup touches the cell word, the list and
 *	  the edges, nothing else.
 *
 * A point "is covered" by a polygon when it is in its interior or on its
 * boundary (PostGIS ST_Covers).  The tests use the stored coordinates in
 * full double precision and the same side computation as PostGIS's
 * point-in-polygon code, side = (px - ax)(by - ay) - (bx - ax)(py - ay):
 * the point is on an edge when side is exactly 0 and the point lies within
 * the edge's bounding box.  The crossing number counts edges crossed by the
 * ray to +x under the half-open rule (an edge counts when
 * ymin <= py < ymax), over all rings of all parts, so holes are respected.
 *
 * Rule for shared edges and vertices: of the polygons of that level and
 * vintage that cover the point, the one with the smallest code (gsscode
 * order) wins.  Cells list polygons in code order, so the first covering one
 * is the answer.
 *
 * The cache lives in a child of CacheMemoryContext and is dropped whenever a
 * relcache invalidation for civic.boundary arrives; a statement-level trigger
 * on civic.boundary sends one on every INSERT/UPDATE/DELETE/TRUNCATE
 * (civic.boundary_invalidate), so the same session sees a change at its next
 * command and other sessions right after commit.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "boundary_index.h"
#include "civic.h"

/* Largest |coordinate| (metres) of a boundary vertex the grid can index. */
#define WKB_MAX_COORD	1e15
/* Margin (metres) by which cells and rows are widened against rounding. */
#define GRID_EPS		1e-6
/* Cell status of a polygon. */
#define CELL_UNKNOWN	0
#define CELL_INSIDE		1
#define CELL_BOUNDARY	2
#define CELL_OUTSIDE	3

/* One edge of a ring. */
typedef struct BEdge
{
	double		ax,
				ay,
				bx,
				by;
} BEdge;

/* One polygon (all rings of all parts) with its edges bucketed by row. */
typedef struct BPoly
{
	int32		r0;				/* first grid row of the bounding box */
	int32		nrows;			/* rows r0 .. r0 + nrows - 1 */
	uint32	   *rowoff;			/* nrows + 1 offsets into edges */
	BEdge	   *edges;			/* by row; each row by decreasing max x */
} BPoly;

/*
 * A cell word is CELLW_EMPTY (no polygon), CELLW_DIRECT | p (the first
 * polygon listed for the cell, p, covers the whole cell: the answer for
 * every point in it) or the index in citems of the cell's candidate list.
 */
#define CELLW_EMPTY		0x7FFFFFFFU
#define CELLW_DIRECT	0x80000000U
/* CellItem.poly: polygon number, plus flags */
#define CITEM_LAST		0x80000000U
#define CITEM_INSIDE	0x40000000U
#define CITEM_POLY		0x3FFFFFFFU

/*
 * One candidate polygon of a cell, with the edges of its grid row (so a
 * lookup touches the cell word, the list and the edges, nothing else).
 */
typedef struct CellItem
{
	uint32		poly;			/* polygon number | CITEM_* flags */
	uint32		nedges;
	const BEdge *edges;
} CellItem;

struct BoundaryIndex
{
	struct BoundaryIndex *next;
	char		level[NAMEDATALEN];
	int32		vintage;
	int			npoly;
	Datum	   *codes;			/* code of each polygon, ascending */
	BPoly	   *polys;
	double		x0,
				y0,
				cs,
				inv_cs;			/* grid origin, cell size, 1 / cell size */
	int32		nx,
				ny;
	uint32	   *cells;			/* nx * ny cell words, see CELLW_* */
	CellItem   *citems;			/* candidate lists of BOUNDARY cells */
};

/* One (level, vintage) present in civic.boundary. */
typedef struct LevelVintage
{
	char		level[NAMEDATALEN];
	int32		vintage;
} LevelVintage;

/* Edges of one polygon while it is being read. */
typedef struct EdgeBuf
{
	BEdge	   *e;
	int			n;
	int			cap;
	double		xmin,
				ymin,
				xmax,
				ymax;
} EdgeBuf;

/* Reader over a WKB buffer. */
typedef struct WkbReader
{
	const unsigned char *p;
	const unsigned char *end;
} WkbReader;

static MemoryContext cache_cxt = NULL;
static bool cache_stale = false;
static uint64 cache_gen = 1;
static Oid	boundary_relid = InvalidOid;
static LevelVintage *catalog = NULL;
static int	ncatalog = -1;		/* -1: not loaded */
static BoundaryIndex *indexes = NULL;

/* Relcache callback: drop the cache when civic.boundary changed. */
static void
boundary_relcache_cb(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == boundary_relid)
	{
		cache_stale = true;
		cache_gen++;
	}
}

/* Register the invalidation callback (called once from _PG_init). */
void
civic_boundary_init(void)
{
	CacheRegisterRelcacheCallback(boundary_relcache_cb, (Datum) 0);
}

uint64
boundary_cache_generation(void)
{
	return cache_gen;
}

/* Free a stale cache and make sure the cache context exists. */
static void
cache_ensure(void)
{
	if (cache_stale)
	{
		if (cache_cxt)
			MemoryContextDelete(cache_cxt);
		cache_cxt = NULL;
		catalog = NULL;
		ncatalog = -1;
		indexes = NULL;
		cache_stale = false;
	}
	if (cache_cxt == NULL)
	{
		if (CacheMemoryContext == NULL)
			CreateCacheMemoryContext();
		cache_cxt = AllocSetContextCreate(CacheMemoryContext,
										  "civic boundary cache",
										  ALLOCSET_SMALL_SIZES);
	}
}

/* The OID of civic.boundary (remembered for the invalidation callback). */
static Oid
lookup_boundary_relid(void)
{
	Oid			nsp = get_namespace_oid("civic", true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid("boundary", nsp) : InvalidOid;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"civic.boundary\" does not exist"),
				 errhint("Install the extension with CREATE EXTENSION civic CASCADE.")));
	if (relid != boundary_relid)
	{
		boundary_relid = relid;
		cache_stale = true;
		cache_gen++;
	}
	return relid;
}

/* Read the (level, vintage) pairs of civic.boundary into a new context. */
static MemoryContext
load_catalog(LevelVintage **out, int *nout)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "civic boundary catalog",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old;
	LevelVintage *lv;
	uint64		i;
	int			ret;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute("SELECT level, vintage FROM civic.boundary "
					  "GROUP BY level, vintage ORDER BY level, vintage",
					  true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	old = MemoryContextSwitchTo(cxt);
	lv = palloc0(sizeof(LevelVintage) * Max(SPI_processed, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		d = SPI_getbinval(tup, td, 1, &isnull);
		text	   *t = DatumGetTextPP(d);
		int			len = Min(VARSIZE_ANY_EXHDR(t), NAMEDATALEN - 1);

		memcpy(lv[i].level, VARDATA_ANY(t), len);
		lv[i].level[len] = '\0';
		lv[i].vintage = DatumGetInt32(SPI_getbinval(tup, td, 2, &isnull));
	}
	*nout = (int) SPI_processed;
	*out = lv;
	MemoryContextSwitchTo(old);
	SPI_finish();
	return cxt;
}

/*
 * The vintage to use for a level.  No vintage: the newest loaded.  A year V:
 * the boundaries in force in V, that is V itself if loaded, else the newest
 * loaded vintage before V (ward_of(p, 2020) uses the 2018 wards), else the
 * vintage-independent rows (vintage 0) if the level has them, else an error
 * (V is before the first loaded vintage, or the level is not loaded).
 */
static int32
resolve_vintage(const char *level, int32 vintage, bool given)
{
	bool		any = false,
				has_v = false,
				has_0 = false,
				has_before = false;
	int32		newest = 0,
				before = 0,
				oldest = 0;
	int			i;
	StringInfoData buf;

	for (i = 0; i < ncatalog; i++)
	{
		int32		cv = catalog[i].vintage;

		if (strcmp(catalog[i].level, level) != 0)
			continue;
		if (!any || cv > newest)
			newest = cv;
		any = true;
		if (cv == vintage)
			has_v = true;
		if (cv == 0)
			has_0 = true;
		else
		{
			if (oldest == 0 || cv < oldest)
				oldest = cv;
			if (cv < vintage && (!has_before || cv > before))
			{
				before = cv;
				has_before = true;
			}
		}
	}
	if (any && !given)
		return newest;
	if (has_v)
		return vintage;
	if (has_before)
		return before;
	if (has_0)
		return 0;

	initStringInfo(&buf);
	if (!any)
	{
		for (i = 0; i < ncatalog; i++)
			if (i == 0 || strcmp(catalog[i].level, catalog[i - 1].level) != 0)
				appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", catalog[i].level);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no boundaries of level \"%s\" are loaded", level),
				 errdetail("civic.boundary holds the levels: %s.",
						   buf.len ? buf.data : "(none)"),
				 errhint("Use one of those levels, or load polygons of this level into civic.boundary.")));
	}
	for (i = 0; i < ncatalog; i++)
		if (strcmp(catalog[i].level, level) == 0)
			appendStringInfo(&buf, "%s%d", buf.len ? ", " : "", catalog[i].vintage);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("no %s boundaries were in force in %d", level, vintage),
			 errdetail("The oldest loaded vintage of level \"%s\" is %d; loaded vintages: %s.",
					   level, oldest, buf.data),
			 errhint("Pass a year from %d on, or load an older vintage into civic.boundary.",
					 oldest)));
	return 0;					/* keep compiler quiet */
}

/* ---- WKB parsing ------------------------------------------------------ */

/* Fail on malformed WKB (cannot happen for PostGIS output). */
static void
wkb_short(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid WKB geometry in civic.boundary"),
			 errdetail("The geometry's binary representation ended early.")));
}

/* Read a uint32 in the given byte order. */
static uint32
wkb_u32(WkbReader *r, bool little)
{
	const unsigned char *p = r->p;
	uint32		v;

	if (r->end - p < 4)
		wkb_short();
	if (little)
		v = (uint32) p[0] | ((uint32) p[1] << 8) | ((uint32) p[2] << 16) | ((uint32) p[3] << 24);
	else
		v = (uint32) p[3] | ((uint32) p[2] << 8) | ((uint32) p[1] << 16) | ((uint32) p[0] << 24);
	r->p += 4;
	return v;
}

/* Read a float8 in the given byte order. */
static double
wkb_f64(WkbReader *r, bool little)
{
	const unsigned char *p = r->p;
	uint64		v = 0;
	double		d;
	int			i;

	if (r->end - p < 8)
		wkb_short();
	for (i = 0; i < 8; i++)
		v |= (uint64) p[little ? i : 7 - i] << (8 * i);
	memcpy(&d, &v, sizeof(d));
	r->p += 8;
	return d;
}

/* Read a (E)WKB header: byte order, base type, dimensions, SRID. */
static uint32
wkb_header(WkbReader *r, bool *little, int *ndims, int32 *srid)
{
	uint32		raw,
				base;
	bool		z,
				m;

	if (r->p >= r->end)
		wkb_short();
	*little = (*r->p++ == 1);
	raw = wkb_u32(r, *little);
	base = raw & 0x0FFFFFFFU;
	z = (raw & 0x80000000U) != 0 || (base / 1000) == 1 || (base / 1000) == 3;
	m = (raw & 0x40000000U) != 0 || (base / 1000) == 2 || (base / 1000) == 3;
	*ndims = 2 + (z ? 1 : 0) + (m ? 1 : 0);
	*srid = 0;
	if (raw & 0x20000000U)
		*srid = (int32) wkb_u32(r, *little);
	return base % 1000;
}

/* Append the edge a-b to a polygon's edge buffer. */
static void
edgebuf_add(EdgeBuf *eb, double ax, double ay, double bx, double by)
{
	if (eb->n == eb->cap)
	{
		eb->cap = eb->cap ? eb->cap * 2 : 256;
		eb->e = eb->e ? repalloc(eb->e, sizeof(BEdge) * eb->cap)
			: palloc(sizeof(BEdge) * eb->cap);
	}
	eb->e[eb->n].ax = ax;
	eb->e[eb->n].ay = ay;
	eb->e[eb->n].bx = bx;
	eb->e[eb->n].by = by;
	eb->n++;
	eb->xmin = Min(eb->xmin, Min(ax, bx));
	eb->xmax = Max(eb->xmax, Max(ax, bx));
	eb->ymin = Min(eb->ymin, Min(ay, by));
	eb->ymax = Max(eb->ymax, Max(ay, by));
}

/* Read a Polygon or MultiPolygon, appending the edges of all its rings. */
static void
wkb_polygons(WkbReader *r, EdgeBuf *eb, int depth)
{
	bool		little;
	int			ndims;
	int32		srid;
	uint32		type = wkb_header(r, &little, &ndims, &srid);
	uint32		n,
				i;

	if (type == 6 && depth == 0)
	{
		n = wkb_u32(r, little);
		for (i = 0; i < n; i++)
			wkb_polygons(r, eb, depth + 1);
		return;
	}
	if (type != 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("civic.boundary holds a geometry that is not a polygon"),
				 errdetail("WKB geometry type %u found.", type),
				 errhint("Store MultiPolygons (ST_Multi) in civic.boundary.geom.")));
	n = wkb_u32(r, little);
	for (i = 0; i < n; i++)
	{
		uint32		npts = wkb_u32(r, little);
		uint32		k;
		double		fx = 0,
					fy = 0,
					px = 0,
					py = 0;

		if ((Size) (r->end - r->p) < (Size) npts * ndims * 8)
			wkb_short();
		for (k = 0; k < npts; k++)
		{
			double		x = wkb_f64(r, little);
			double		y = wkb_f64(r, little);
			int			d;

			for (d = 2; d < ndims; d++)
				(void) wkb_f64(r, little);
			/* the grid arithmetic needs finite extents (found by fuzzing) */
			if (!(fabs(x) <= WKB_MAX_COORD && fabs(y) <= WKB_MAX_COORD))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("civic.boundary holds a polygon with a coordinate that is not a finite number of metres"),
						 errdetail("A vertex is at (%g, %g); lookups index coordinates of at most %g m in absolute value.",
								   x, y, WKB_MAX_COORD),
						 errhint("Fix or delete the polygon; ST_IsValid and ST_XMin/ST_XMax show which.")));
			if (k == 0)
			{
				fx = x;
				fy = y;
			}
			else
				edgebuf_add(eb, px, py, x, y);
			px = x;
			py = y;
		}
		/* close the ring if the data did not */
		if (npts > 1 && (px != fx || py != fy))
			edgebuf_add(eb, px, py, fx, fy);
	}
}

bool
boundary_ewkb_point(const unsigned char *p, Size len, double *x, double *y)
{
	WkbReader	r;
	bool		little;
	int			ndims;
	int32		srid;
	uint32		type;

	r.p = p;
	r.end = p + len;
	type = wkb_header(&r, &little, &ndims, &srid);
	if (type != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("point lookups need a POINT geometry"),
				 errdetail("The geometry given has WKB type %u.", type),
				 errhint("Pass a point, e.g. ST_PointOnSurface(geom) or ST_Centroid(geom).")));
	if (srid != 0 && srid != 27700)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("point lookups need a point in EPSG:27700 (British National Grid)"),
				 errdetail("The point has SRID %d.", srid),
				 errhint("Transform it first: ST_Transform(p, 27700).")));
	*x = wkb_f64(&r, little);
	*y = wkb_f64(&r, little);
	return !(isnan(*x) || isnan(*y));
}

/* ---- Index construction ----------------------------------------------- */

/* Grid row of a y coordinate (may be outside 0 .. ny - 1). */
static inline int32
grid_row(const BoundaryIndex *g, double y)
{
	return (int32) floor((y - g->y0) * g->inv_cs);
}

/* Grid column of an x coordinate (may be outside 0 .. nx - 1). */
static inline int32
grid_col(const BoundaryIndex *g, double x)
{
	return (int32) floor((x - g->x0) * g->inv_cs);
}

/* qsort comparator: edges by decreasing maximum x. */
static int
edge_cmp_xmax_desc(const void *a, const void *b)
{
	const BEdge *ea = a;
	const BEdge *eb = b;
	double		xa = Max(ea->ax, ea->bx);
	double		xb = Max(eb->ax, eb->bx);

	return (xa < xb) ? 1 : (xa > xb) ? -1 : 0;
}

/*
 * Do these edges (one grid row of a polygon: all its edges that meet the
 * horizontal line through the point, by decreasing max x) make the polygon
 * cover (x, y)?
 */
static inline bool
edges_cover(const BEdge *e, uint32 n, double x, double y)
{
	const BEdge *end = e + n;
	bool		inside = false;

	for (; e < end; e++)
	{
		double		ay = e->ay,
					by = e->by,
					side;

		if (Max(e->ax, e->bx) < x)
			break;				/* this and all later edges lie left of x */
		if ((ay < y && by < y) || (ay > y && by > y))
			continue;
		side = (x - e->ax) * (by - ay) - (e->bx - e->ax) * (y - ay);
		if (side == 0 &&
			x >= Min(e->ax, e->bx) && x <= Max(e->ax, e->bx))
			return true;		/* on the boundary */
		if (ay <= y && y < by)
		{
			if (side < 0)
				inside = !inside;
		}
		else if (by <= y && y < ay)
		{
			if (side > 0)
				inside = !inside;
		}
	}
	return inside;
}

/* Does polygon `p` cover (x, y), y being in grid row `row`? */
static bool
poly_covers(const BPoly *p, int32 row, double x, double y)
{
	int32		r = row - p->r0;

	if (r < 0 || r >= p->nrows)
		return false;
	return edges_cover(p->edges + p->rowoff[r], p->rowoff[r + 1] - p->rowoff[r], x, y);
}

/*
 * Bucket a polygon's edges by grid row and work out, for each cell of its
 * bounding box, whether it is INSIDE, BOUNDARY or OUTSIDE.  Returns the
 * status array (nrows x ncols from row r0, column *c0).
 */
static uint8 *
build_poly(BoundaryIndex *g, BPoly *bp, EdgeBuf *eb, int32 *c0out, int32 *ncolsout)
{
	int32		r0,
				r1,
				c0,
				c1,
				nrows,
				ncols,
				r,
				c;
	uint32	   *cnt;
	uint8	   *st;
	int			i;

	r0 = Max(grid_row(g, eb->ymin - GRID_EPS), 0);
	r1 = Min(grid_row(g, eb->ymax + GRID_EPS), g->ny - 1);
	c0 = Max(grid_col(g, eb->xmin - GRID_EPS), 0);
	c1 = Min(grid_col(g, eb->xmax + GRID_EPS), g->nx - 1);
	nrows = r1 - r0 + 1;
	ncols = c1 - c0 + 1;
	bp->r0 = r0;
	bp->nrows = nrows;
	bp->rowoff = palloc0(sizeof(uint32) * (nrows + 1));

	/* bucket edges by row: count, offsets, fill */
	cnt = palloc0(sizeof(uint32) * (nrows + 1));
	for (i = 0; i < eb->n; i++)
	{
		BEdge	   *e = &eb->e[i];
		int32		ra = Max(grid_row(g, Min(e->ay, e->by) - GRID_EPS), r0);
		int32		rb = Min(grid_row(g, Max(e->ay, e->by) + GRID_EPS), r1);

		for (r = ra; r <= rb; r++)
			cnt[r - r0]++;
	}
	for (r = 0; r < nrows; r++)
		bp->rowoff[r + 1] = bp->rowoff[r] + cnt[r];
	bp->edges = palloc(sizeof(BEdge) * Max(bp->rowoff[nrows], 1));
	memset(cnt, 0, sizeof(uint32) * (nrows + 1));
	for (i = 0; i < eb->n; i++)
	{
		BEdge	   *e = &eb->e[i];
		int32		ra = Max(grid_row(g, Min(e->ay, e->by) - GRID_EPS), r0);
		int32		rb = Min(grid_row(g, Max(e->ay, e->by) + GRID_EPS), r1);

		for (r = ra; r <= rb; r++)
			bp->edges[bp->rowoff[r - r0] + cnt[r - r0]++] = *e;
	}
	for (r = 0; r < nrows; r++)
		if (cnt[r] > 1)
			qsort(bp->edges + bp->rowoff[r], cnt[r], sizeof(BEdge),
				  edge_cmp_xmax_desc);
	pfree(cnt);

	/* cell status: cells touched by an edge are BOUNDARY */
	st = palloc0((Size) nrows * ncols);
	for (r = 0; r < nrows; r++)
	{
		double		lo = g->y0 + (r0 + r) * g->cs - GRID_EPS;
		double		hi = g->y0 + (r0 + r + 1) * g->cs + GRID_EPS;
		uint8	   *srow = st + (Size) r * ncols;
		uint32		k;

		for (k = bp->rowoff[r]; k < bp->rowoff[r + 1]; k++)
		{
			BEdge	   *e = &bp->edges[k];
			double		eymin = Min(e->ay, e->by),
						eymax = Max(e->ay, e->by),
						exmin = Min(e->ax, e->bx),
						exmax = Max(e->ax, e->bx),
						xa,
						xb;
			int32		ca,
						cb;

			if (eymax < lo || eymin > hi)
				continue;
			if (e->ay == e->by)
			{
				xa = exmin;
				xb = exmax;
			}
			else
			{
				double		ya = Max(eymin, lo),
							yb = Min(eymax, hi),
							t = (e->bx - e->ax) / (e->by - e->ay),
							x1 = e->ax + (ya - e->ay) * t,
							x2 = e->ax + (yb - e->ay) * t;

				/*
				 * an end outside the edge's x-range (rounding), infinite or
				 * NaN (t overflows for a nearly horizontal edge; found by
				 * fuzzing) becomes that end of the range: [xa, xb] only widens
				 */
				xa = Min(x1, x2);
				xb = Max(x1, x2);
				if (!(xa >= exmin && xa <= exmax))
					xa = exmin;
				if (!(xb >= exmin && xb <= exmax))
					xb = exmax;
			}
			ca = Max(grid_col(g, xa - GRID_EPS), c0);
			cb = Min(grid_col(g, xb + GRID_EPS), c1);
			for (c = ca; c <= cb; c++)
				srow[c - c0] = CELL_BOUNDARY;
		}
		/* runs of untouched cells share the status of their first centre */
		for (c = 0; c < ncols; c++)
		{
			uint8		s;
			int32		cc;

			if (srow[c] != CELL_UNKNOWN)
				continue;
			s = poly_covers(bp, r0 + r,
							g->x0 + (c0 + c + 0.5) * g->cs,
							g->y0 + (r0 + r + 0.5) * g->cs)
				? CELL_INSIDE : CELL_OUTSIDE;
			for (cc = c; cc < ncols && srow[cc] == CELL_UNKNOWN; cc++)
				srow[cc] = s;
		}
	}
	*c0out = c0;
	*ncolsout = ncols;
	return st;
}

/*
 * Read the polygons of (vintage, level) and build their index in a new
 * memory context (a child of the current one; the caller re-parents it).
 */
static BoundaryIndex *
build_index(const char *level, int32 vintage, MemoryContext *cxtout)
{
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext,
											  "civic boundary index",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext tmp = AllocSetContextCreate(CurrentMemoryContext,
											  "civic boundary build",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old;
	BoundaryIndex *g;
	EdgeBuf    *ebs;
	Oid			argtypes[2] = {INT4OID, TEXTOID};
	Datum		args[2];
	Oid			code_type,
				geom_type,
				sendfn;
	bool		isvarlena;
	int16		code_len;
	bool		code_byval;
	FmgrInfo	send;
	double		xmin = 0,
				ymin = 0,
				xmax = 0,
				ymax = 0,
				area;
	int64		total_edges = 0;
	bool		any = false;
	int			ret,
				i,
				npoly;
	uint8	  **status;
	int32	   *sc0,
			   *sncols;
	uint32	   *ccount,
			   *celloff,
			   *items;
	Size		ncells,
				cell,
				nlist;

	g = MemoryContextAllocZero(cxt, sizeof(BoundaryIndex));
	strlcpy(g->level, level, NAMEDATALEN);
	g->vintage = vintage;

	args[0] = Int32GetDatum(vintage);
	args[1] = CStringGetTextDatum(level);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args("SELECT code, geom FROM civic.boundary "
								"WHERE vintage OPERATOR(pg_catalog.=) $1 "
								"AND level OPERATOR(pg_catalog.=) $2 "
								"ORDER BY code",
								2, argtypes, args, NULL, true, 0);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", SPI_result_code_string(ret));
	npoly = (int) SPI_processed;
	code_type = SPI_gettypeid(SPI_tuptable->tupdesc, 1);
	geom_type = SPI_gettypeid(SPI_tuptable->tupdesc, 2);
	get_typlenbyval(code_type, &code_len, &code_byval);
	getTypeBinaryOutputInfo(geom_type, &sendfn, &isvarlena);
	fmgr_info_cxt(sendfn, &send, tmp);

	g->npoly = npoly;
	g->codes = MemoryContextAllocZero(cxt, sizeof(Datum) * Max(npoly, 1));
	g->polys = MemoryContextAllocZero(cxt, sizeof(BPoly) * Max(npoly, 1));
	ebs = MemoryContextAllocZero(tmp, sizeof(EdgeBuf) * Max(npoly, 1));

	for (i = 0; i < npoly; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	td = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		code = SPI_getbinval(tup, td, 1, &isnull);
		Datum		geom = SPI_getbinval(tup, td, 2, &isnull);
		bytea	   *wkb;
		WkbReader	r;

		old = MemoryContextSwitchTo(cxt);
		g->codes[i] = datumCopy(code, code_byval, code_len);
		MemoryContextSwitchTo(tmp);
		ebs[i].xmin = ebs[i].ymin = get_float8_infinity();
		ebs[i].xmax = ebs[i].ymax = -get_float8_infinity();
		if (!isnull)
		{
			wkb = DatumGetByteaPP(SendFunctionCall(&send, geom));
			r.p = (const unsigned char *) VARDATA_ANY(wkb);
			r.end = r.p + VARSIZE_ANY_EXHDR(wkb);
			wkb_polygons(&r, &ebs[i], 0);
			pfree(wkb);
		}
		MemoryContextSwitchTo(old);
		if (ebs[i].n == 0)
			continue;
		if (!any)
		{
			xmin = ebs[i].xmin;
			ymin = ebs[i].ymin;
			xmax = ebs[i].xmax;
			ymax = ebs[i].ymax;
			any = true;
		}
		xmin = Min(xmin, ebs[i].xmin);
		ymin = Min(ymin, ebs[i].ymin);
		xmax = Max(xmax, ebs[i].xmax);
		ymax = Max(ymax, ebs[i].ymax);
		total_edges += ebs[i].n;
	}
	SPI_finish();

	/* grid: about one cell per edge, at most ~4M cells */
	if (!any)
	{
		xmin = ymin = 0;
		xmax = ymax = 1;
	}
	area = Max(xmax - xmin, 1e-3) * Max(ymax - ymin, 1e-3);
	g->cs = sqrt(area / (double) Min(Max(total_edges, 4096), 4000000));
	g->cs = Max(g->cs, Max(xmax - xmin, ymax - ymin) / 4096.0);
	g->cs = Max(g->cs, 1e-3);
	g->inv_cs = 1.0 / g->cs;
	g->x0 = xmin - g->cs;
	g->y0 = ymin - g->cs;
	g->nx = grid_col(g, xmax) + 2;
	g->ny = grid_row(g, ymax) + 2;
	ncells = (Size) g->nx * g->ny;

	/* per polygon: edges by row (kept), cell status (temporary) */
	status = MemoryContextAllocZero(tmp, sizeof(uint8 *) * Max(npoly, 1));
	sc0 = MemoryContextAllocZero(tmp, sizeof(int32) * Max(npoly, 1));
	sncols = MemoryContextAllocZero(tmp, sizeof(int32) * Max(npoly, 1));
	ccount = MemoryContextAllocZero(tmp, sizeof(uint32) * (ncells + 1));
	for (i = 0; i < npoly; i++)
	{
		int32		r,
					c;

		if (ebs[i].n == 0)
			continue;
		old = MemoryContextSwitchTo(cxt);
		status[i] = build_poly(g, &g->polys[i], &ebs[i], &sc0[i], &sncols[i]);
		/* the status array is temporary */
		MemoryContextSwitchTo(old);
		for (r = 0; r < g->polys[i].nrows; r++)
			for (c = 0; c < sncols[i]; c++)
			{
				uint8		s = status[i][(Size) r * sncols[i] + c];

				if (s == CELL_INSIDE || s == CELL_BOUNDARY)
					ccount[(Size) (g->polys[i].r0 + r) * g->nx + sc0[i] + c]++;
			}
	}
	/* flat lists of (polygon, status) per cell, in code order */
	celloff = MemoryContextAlloc(tmp, sizeof(uint32) * (ncells + 1));
	celloff[0] = 0;
	for (cell = 0; cell < ncells; cell++)
		celloff[cell + 1] = celloff[cell] + ccount[cell];
	items = MemoryContextAlloc(tmp, sizeof(uint32) * Max(celloff[ncells], 1));
	memset(ccount, 0, sizeof(uint32) * (ncells + 1));
	for (i = 0; i < npoly; i++)
	{
		int32		r,
					c;

		if (ebs[i].n == 0)
			continue;
		for (r = 0; r < g->polys[i].nrows; r++)
			for (c = 0; c < sncols[i]; c++)
			{
				uint8		s = status[i][(Size) r * sncols[i] + c];

				if (s == CELL_INSIDE || s == CELL_BOUNDARY)
				{
					cell = (Size) (g->polys[i].r0 + r) * g->nx + sc0[i] + c;
					items[celloff[cell] + ccount[cell]++] =
						((uint32) i << 1) | (s == CELL_INSIDE ? 1 : 0);
				}
			}
		pfree(status[i]);
	}

	/* cell words and candidate lists */
	nlist = 0;
	for (cell = 0; cell < ncells; cell++)
		if (ccount[cell] > 0 && !(items[celloff[cell]] & 1))
			nlist += ccount[cell];
	g->cells = MemoryContextAlloc(cxt, sizeof(uint32) * ncells);
	g->citems = MemoryContextAllocZero(cxt, sizeof(CellItem) * Max(nlist, 1));
	nlist = 0;
	for (cell = 0; cell < ncells; cell++)
	{
		uint32		k;
		int32		row = (int32) (cell / g->nx);

		if (ccount[cell] == 0)
		{
			g->cells[cell] = CELLW_EMPTY;
			continue;
		}
		if (items[celloff[cell]] & 1)
		{
			g->cells[cell] = CELLW_DIRECT | (items[celloff[cell]] >> 1);
			continue;
		}
		g->cells[cell] = (uint32) nlist;
		for (k = celloff[cell]; k < celloff[cell + 1]; k++)
		{
			uint32		p = items[k] >> 1;
			CellItem   *ci = &g->citems[nlist++];
			BPoly	   *bp = &g->polys[p];
			int32		r = row - bp->r0;

			ci->poly = p | ((items[k] & 1) ? CITEM_INSIDE : 0) |
				(k + 1 == celloff[cell + 1] ? CITEM_LAST : 0);
			ci->edges = bp->edges + bp->rowoff[r];
			ci->nedges = bp->rowoff[r + 1] - bp->rowoff[r];
		}
	}
	MemoryContextDelete(tmp);
	*cxtout = cxt;
	return g;
}

/* Copy a level name, refusing ones that cannot be a level. */
static void
level_copy(char *dst, const char *level, int len)
{
	if (len <= 0 || len >= NAMEDATALEN || memchr(level, '\0', len) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid boundary level \"%.*s\"", Min(len, 100), level),
				 errdetail("Levels are short lower-case names such as ward, borough or region."),
				 errhint("Use one of the levels stored in civic.boundary.")));
	memcpy(dst, level, len);
	dst[len] = '\0';
}

/*
 * Make sure the cache holds the (level, vintage) catalog; returns the cache
 * generation it belongs to.
 */
static uint64
cache_catalog(void)
{
	int			attempt;

	for (attempt = 0;; attempt++)
	{
		uint64		gen;
		LevelVintage *lv;
		int			n;
		MemoryContext cxt;

		(void) lookup_boundary_relid();
		cache_ensure();
		gen = cache_gen;
		if (ncatalog >= 0)
			return gen;
		cxt = load_catalog(&lv, &n);
		if (cache_gen != gen && attempt < 3)
		{
			MemoryContextDelete(cxt);
			continue;
		}
		cache_ensure();
		MemoryContextSetParent(cxt, cache_cxt);
		catalog = lv;
		ncatalog = n;
		return cache_gen;
	}
}

bool
boundary_level_loaded(const char *level_in, int level_len)
{
	char		level[NAMEDATALEN];
	int			i;

	level_copy(level, level_in, level_len);
	(void) cache_catalog();
	for (i = 0; i < ncatalog; i++)
		if (strcmp(catalog[i].level, level) == 0)
			return true;
	return false;
}

int32
boundary_resolve_vintage(const char *level_in, int level_len, int32 vintage, bool vintage_given)
{
	char		level[NAMEDATALEN];

	level_copy(level, level_in, level_len);
	(void) cache_catalog();
	return resolve_vintage(level, vintage, vintage_given);
}

BoundaryIndex *
boundary_index_get(const char *level_in, int level_len, int32 vintage, bool vintage_given)
{
	char		level[NAMEDATALEN];
	int			attempt;

	level_copy(level, level_in, level_len);
	for (attempt = 0;; attempt++)
	{
		uint64		gen = cache_catalog();
		int32		v = resolve_vintage(level, vintage, vintage_given);
		BoundaryIndex *idx;
		MemoryContext cxt;

		for (idx = indexes; idx; idx = idx->next)
			if (idx->vintage == v && strcmp(idx->level, level) == 0)
				return idx;
		idx = build_index(level, v, &cxt);
		if (cache_gen != gen && attempt < 3)
		{
			MemoryContextDelete(cxt);
			continue;
		}
		cache_ensure();
		MemoryContextSetParent(cxt, cache_cxt);
		idx->next = indexes;
		indexes = idx;
		return idx;
	}
}

int
boundary_index_locate(const BoundaryIndex *g, double x, double y)
{
	double		fx = (x - g->x0) * g->inv_cs;
	double		fy = (y - g->y0) * g->inv_cs;
	uint32		w;
	const CellItem *ci;

	if (!(fx >= 0 && fy >= 0 && fx < g->nx && fy < g->ny))
		return -1;				/* outside the grid, or NaN */
	w = g->cells[(Size) (int32) fy * g->nx + (int32) fx];
	if (w & CELLW_DIRECT)
		return (int) (w & ~CELLW_DIRECT);
	if (w == CELLW_EMPTY)
		return -1;
	for (ci = &g->citems[w];; ci++)
	{
		if ((ci->poly & CITEM_INSIDE) || edges_cover(ci->edges, ci->nedges, x, y))
			return (int) (ci->poly & CITEM_POLY);
		if (ci->poly & CITEM_LAST)
			return -1;
	}
}

Datum
boundary_index_code(const BoundaryIndex *idx, int poly)
{
	return idx->codes[poly];
}
