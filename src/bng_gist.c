/*
 * bng_gist.c
 *	  GiST operator class civic.bng_gist_ops: an R-tree over bng points.
 *
 * Keys are pg_catalog.box values whose corners are in whole MILLIMETRES
 * (not metres), stored as doubles: a leaf is the degenerate box of its
 * point, an inner key the bounding box of its children.  Millimetre
 * doubles are exact, so leaf tests reproduce the operators bit for bit and
 * no result needs a recheck.
 *
 * Supported searches:
 *	  p <@ box		(strategy 8, box corners in metres, edges included)
 *	  p <@ circle	(strategy 8, centre and radius in metres)
 *	  p = q			(strategy 18)
 *
 * CREATE INDEX sorts the points along a Z-order (Morton) curve and packs
 * the pages bottom-up (support function 11); later inserts split pages
 * with the picksplit below.
 *	  ORDER BY p <-> q	(strategy 15, KNN; exact distances at leaves, the
 *					 minimum distance to the bounding box at inner pages)
 */
#include "postgres.h"

#include <math.h>

#include "access/gist.h"
#include "access/stratnum.h"
#include "catalog/pg_type_d.h"
#include "fmgr.h"
#include "utils/geo_decls.h"
#include "utils/sortsupport.h"

#include "bng.h"

PG_FUNCTION_INFO_V1(bng_gist_consistent);
PG_FUNCTION_INFO_V1(bng_gist_union);
PG_FUNCTION_INFO_V1(bng_gist_compress);
PG_FUNCTION_INFO_V1(bng_gist_decompress);
PG_FUNCTION_INFO_V1(bng_gist_penalty);
PG_FUNCTION_INFO_V1(bng_gist_picksplit);
PG_FUNCTION_INFO_V1(bng_gist_same);
PG_FUNCTION_INFO_V1(bng_gist_distance);
PG_FUNCTION_INFO_V1(bng_gist_fetch);
PG_FUNCTION_INFO_V1(bng_gist_sortsupport);

/* The point of a leaf key (a degenerate millimetre box). */
static inline Bng
leaf_point(const BOX *key)
{
	return bng_make_mm((int64) key->low.x, (int64) key->low.y);
}

/* Grow box a to cover box b. */
static inline void
box_extend(BOX *a, const BOX *b)
{
	a->low.x = Min(a->low.x, b->low.x);
	a->low.y = Min(a->low.y, b->low.y);
	a->high.x = Max(a->high.x, b->high.x);
	a->high.y = Max(a->high.y, b->high.y);
}

/* Area of a box (in mm^2). */
static inline double
box_area(const BOX *b)
{
	return (b->high.x - b->low.x) * (b->high.y - b->low.y);
}

/* Half perimeter of a box (in mm). */
static inline double
box_margin(const BOX *b)
{
	return (b->high.x - b->low.x) + (b->high.y - b->low.y);
}

/* Area of the intersection of two boxes, 0 if disjoint. */
static inline double
box_overlap(const BOX *a, const BOX *b)
{
	double		dx = Min(a->high.x, b->high.x) - Max(a->low.x, b->low.x);
	double		dy = Min(a->high.y, b->high.y) - Max(a->low.y, b->low.y);

	return (dx > 0 && dy > 0) ? dx * dy : 0.0;
}

/*
 * Lower bound in mm of the distance from (x, y) (mm) to any point of the
 * box; exact (and computed exactly like bng_distance) for a degenerate box.
 */
static inline double
box_min_distance_mm(const BOX *b, double x, double y)
{
	double		dx = 0.0,
				dy = 0.0;

	if (x < b->low.x)
		dx = b->low.x - x;
	else if (x > b->high.x)
		dx = x - b->high.x;
	if (y < b->low.y)
		dy = b->low.y - y;
	else if (y > b->high.y)
		dy = y - b->high.y;
	return sqrt(dx * dx + dy * dy);
}

/* GiST support 1: can a subtree (or leaf) satisfy the query? */
Datum
bng_gist_consistent(PG_FUNCTION_ARGS)
{
	GISTENTRY  *entry = (GISTENTRY *) PG_GETARG_POINTER(0);
	StrategyNumber strategy = (StrategyNumber) PG_GETARG_UINT16(2);
	Oid			subtype = PG_GETARG_OID(3);
	bool	   *recheck = (bool *) PG_GETARG_POINTER(4);
	BOX		   *key = DatumGetBoxP(entry->key);
	bool		leaf = GIST_LEAF(entry);

	*recheck = false;			/* every test below is exact at leaves */

	switch (strategy)
	{
		case RTContainedByStrategyNumber:
			if (subtype == BOXOID)
			{
				BOX		   *q = PG_GETARG_BOX_P(1);

				if (leaf)
					PG_RETURN_BOOL(bng_in_box(leaf_point(key), q));
				PG_RETURN_BOOL(key->high.x / 1000.0 >= q->low.x &&
							   key->low.x / 1000.0 <= q->high.x &&
							   key->high.y / 1000.0 >= q->low.y &&
							   key->low.y / 1000.0 <= q->high.y);
			}
			else if (subtype == CIRCLEOID)
			{
				CIRCLE	   *c = PG_GETARG_CIRCLE_P(1);

				if (leaf)
					PG_RETURN_BOOL(bng_in_circle(leaf_point(key), c));
				PG_RETURN_BOOL(box_min_distance_mm(key, c->center.x * 1000.0,
												   c->center.y * 1000.0) / 1000.0
							   <= c->radius);
			}
			break;
		case RTEqualStrategyNumber:
			{
				Bng			q = PG_GETARG_BNG(1);
				double		x = bng_easting_mm(q);
				double		y = bng_northing_mm(q);

				PG_RETURN_BOOL(x >= key->low.x && x <= key->high.x &&
							   y >= key->low.y && y <= key->high.y);
			}
	}
	elog(ERROR, "unrecognized bng GiST strategy %d for type %u", strategy, subtype);
	PG_RETURN_BOOL(false);		/* keep the compiler quiet */
}

/* GiST support 2: bounding box of a set of keys. */
Datum
bng_gist_union(PG_FUNCTION_ARGS)
{
	GistEntryVector *entryvec = (GistEntryVector *) PG_GETARG_POINTER(0);
	int		   *sizep = (int *) PG_GETARG_POINTER(1);
	BOX		   *out = palloc(sizeof(BOX));
	int			i;

	*out = *DatumGetBoxP(entryvec->vector[0].key);
	for (i = 1; i < entryvec->n; i++)
		box_extend(out, DatumGetBoxP(entryvec->vector[i].key));
	*sizep = sizeof(BOX);
	PG_RETURN_BOX_P(out);
}

/* GiST support 3: a leaf point becomes its degenerate millimetre box. */
Datum
bng_gist_compress(PG_FUNCTION_ARGS)
{
	GISTENTRY  *entry = (GISTENTRY *) PG_GETARG_POINTER(0);
	GISTENTRY  *retval;
	BOX		   *box;
	Bng			p;

	if (!entry->leafkey)
		PG_RETURN_POINTER(entry);

	p = DatumGetBng(entry->key);
	box = palloc(sizeof(BOX));
	box->low.x = box->high.x = (double) bng_easting_mm(p);
	box->low.y = box->high.y = (double) bng_northing_mm(p);
	retval = palloc(sizeof(GISTENTRY));
	gistentryinit(*retval, PointerGetDatum(box),
				  entry->rel, entry->page, entry->offset, false);
	PG_RETURN_POINTER(retval);
}

/* GiST support 4: keys are used as stored. */
Datum
bng_gist_decompress(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(PG_GETARG_POINTER(0));
}

/*
 * GiST support 5: cost of adding a key to a subtree: the growth of its
 * area plus the growth of its half perimeter (which decides between
 * subtrees whose boxes are still lines or points).
 */
Datum
bng_gist_penalty(PG_FUNCTION_ARGS)
{
	GISTENTRY  *origentry = (GISTENTRY *) PG_GETARG_POINTER(0);
	GISTENTRY  *newentry = (GISTENTRY *) PG_GETARG_POINTER(1);
	float	   *penalty = (float *) PG_GETARG_POINTER(2);
	BOX		   *orig = DatumGetBoxP(origentry->key);
	BOX			u = *orig;

	box_extend(&u, DatumGetBoxP(newentry->key));
	*penalty = (float) ((box_area(&u) - box_area(orig)) +
						(box_margin(&u) - box_margin(orig)));
	PG_RETURN_POINTER(penalty);
}

/* One entry to split, with its key's centre on the axis being sorted. */
typedef struct SplitItem
{
	OffsetNumber off;
	double		centre;
	BOX		   *box;
} SplitItem;

static int
split_item_cmp(const void *a, const void *b)
{
	double		ca = ((const SplitItem *) a)->centre;
	double		cb = ((const SplitItem *) b)->centre;

	return (ca > cb) - (ca < cb);
}

/*
 * GiST support 6: split an overfull page.  For each axis, sort the keys by
 * their centre and consider every cut that leaves at least 30% of the keys
 * on each side; keep the cut with the least overlap of the two bounding
 * boxes, then the least total half perimeter (as in the R*-tree).
 */
Datum
bng_gist_picksplit(PG_FUNCTION_ARGS)
{
	GistEntryVector *entryvec = (GistEntryVector *) PG_GETARG_POINTER(0);
	GIST_SPLITVEC *v = (GIST_SPLITVEC *) PG_GETARG_POINTER(1);
	OffsetNumber maxoff = entryvec->n - 1;
	int			n = maxoff - FirstOffsetNumber + 1;
	SplitItem  *items = palloc(n * sizeof(SplitItem));
	BOX		   *prefix = palloc(n * sizeof(BOX));
	BOX		   *suffix = palloc(n * sizeof(BOX));
	int			minleft = Max(1, (n * 3) / 10);
	int			best_axis = 0,
				best_cut = n / 2;
	double		best_overlap = INFINITY;
	double		best_margin = INFINITY;
	int			axis;
	int			i;
	BOX		   *left,
			   *right;

	for (axis = 0; axis < 2; axis++)
	{
		for (i = 0; i < n; i++)
		{
			BOX		   *b = DatumGetBoxP(entryvec->vector[FirstOffsetNumber + i].key);

			items[i].off = FirstOffsetNumber + i;
			items[i].box = b;
			items[i].centre = axis == 0 ? (b->low.x + b->high.x) / 2
				: (b->low.y + b->high.y) / 2;
		}
		qsort(items, n, sizeof(SplitItem), split_item_cmp);
		prefix[0] = *items[0].box;
		for (i = 1; i < n; i++)
		{
			prefix[i] = prefix[i - 1];
			box_extend(&prefix[i], items[i].box);
		}
		suffix[n - 1] = *items[n - 1].box;
		for (i = n - 2; i >= 0; i--)
		{
			suffix[i] = suffix[i + 1];
			box_extend(&suffix[i], items[i].box);
		}
		/* cut k: items[0..k-1] left, items[k..n-1] right */
		for (i = minleft; i <= n - minleft; i++)
		{
			double		overlap;
			double		margin;

			if (i <= 0 || i >= n)
				continue;
			overlap = box_overlap(&prefix[i - 1], &suffix[i]);
			margin = box_margin(&prefix[i - 1]) + box_margin(&suffix[i]);
			if (overlap < best_overlap ||
				(overlap == best_overlap && margin < best_margin))
			{
				best_overlap = overlap;
				best_margin = margin;
				best_axis = axis;
				best_cut = i;
			}
		}
	}

	/* redo the winning sort and emit the split */
	for (i = 0; i < n; i++)
	{
		BOX		   *b = DatumGetBoxP(entryvec->vector[FirstOffsetNumber + i].key);

		items[i].off = FirstOffsetNumber + i;
		items[i].box = b;
		items[i].centre = best_axis == 0 ? (b->low.x + b->high.x) / 2
			: (b->low.y + b->high.y) / 2;
	}
	qsort(items, n, sizeof(SplitItem), split_item_cmp);

	v->spl_left = palloc(n * sizeof(OffsetNumber));
	v->spl_right = palloc(n * sizeof(OffsetNumber));
	v->spl_nleft = v->spl_nright = 0;
	left = palloc(sizeof(BOX));
	right = palloc(sizeof(BOX));
	*left = *items[0].box;
	*right = *items[n - 1].box;
	for (i = 0; i < n; i++)
	{
		if (i < best_cut)
		{
			v->spl_left[v->spl_nleft++] = items[i].off;
			box_extend(left, items[i].box);
		}
		else
		{
			v->spl_right[v->spl_nright++] = items[i].off;
			box_extend(right, items[i].box);
		}
	}
	v->spl_ldatum = BoxPGetDatum(left);
	v->spl_rdatum = BoxPGetDatum(right);

	pfree(items);
	pfree(prefix);
	pfree(suffix);
	PG_RETURN_POINTER(v);
}

/* GiST support 7: are two keys identical? */
Datum
bng_gist_same(PG_FUNCTION_ARGS)
{
	BOX		   *a = PG_GETARG_BOX_P(0);
	BOX		   *b = PG_GETARG_BOX_P(1);
	bool	   *result = (bool *) PG_GETARG_POINTER(2);

	*result = a->low.x == b->low.x && a->low.y == b->low.y &&
		a->high.x == b->high.x && a->high.y == b->high.y;
	PG_RETURN_POINTER(result);
}

/*
 * GiST support 8: distance in metres for ORDER BY p <-> q.  Exact at
 * leaves (the same arithmetic as the <-> operator), a lower bound at inner
 * pages, so no recheck is needed.
 */
Datum
bng_gist_distance(PG_FUNCTION_ARGS)
{
	GISTENTRY  *entry = (GISTENTRY *) PG_GETARG_POINTER(0);
	StrategyNumber strategy = (StrategyNumber) PG_GETARG_UINT16(2);
	bool	   *recheck = (bool *) PG_GETARG_POINTER(4);
	BOX		   *key = DatumGetBoxP(entry->key);
	Bng			q;

	if (strategy != RTKNNSearchStrategyNumber)
		elog(ERROR, "unrecognized bng GiST ordering strategy %d", strategy);
	q = PG_GETARG_BNG(1);
	*recheck = false;
	if (GIST_LEAF(entry))
		PG_RETURN_FLOAT8(bng_distance(leaf_point(key), q));
	PG_RETURN_FLOAT8(box_min_distance_mm(key, (double) bng_easting_mm(q),
										 (double) bng_northing_mm(q)) / 1000.0);
}

/* GiST support 9: the point of a leaf key, for index-only scans. */
Datum
bng_gist_fetch(PG_FUNCTION_ARGS)
{
	GISTENTRY  *entry = (GISTENTRY *) PG_GETARG_POINTER(0);
	GISTENTRY  *retval = palloc(sizeof(GISTENTRY));

	gistentryinit(*retval, BngGetDatum(leaf_point(DatumGetBoxP(entry->key))),
				  entry->rel, entry->page, entry->offset, false);
	PG_RETURN_POINTER(retval);
}

/* Spread the 32 bits of v over the even bits of a 64-bit word. */
static inline uint64
morton_spread(uint32 v)
{
	uint64		x = v;

	x = (x | (x << 16)) & UINT64CONST(0x0000FFFF0000FFFF);
	x = (x | (x << 8)) & UINT64CONST(0x00FF00FF00FF00FF);
	x = (x | (x << 4)) & UINT64CONST(0x0F0F0F0F0F0F0F0F);
	x = (x | (x << 2)) & UINT64CONST(0x3333333333333333);
	x = (x | (x << 1)) & UINT64CONST(0x5555555555555555);
	return x;
}

/* Z-order (Morton) code of a key's lower-left corner, in millimetres. */
static inline uint64
key_zorder(Datum key)
{
	BOX		   *b = DatumGetBoxP(key);

	return morton_spread((uint32) b->low.x) |
		(morton_spread((uint32) b->low.y) << 1);
}

/* Compare two leaf keys along the Z-order curve. */
static int
bng_gist_zorder_cmp(Datum a, Datum b, SortSupport ssup)
{
	uint64		za = key_zorder(a);
	uint64		zb = key_zorder(b);

	return (za > zb) - (za < zb);
}

#if SIZEOF_DATUM >= 8
/* The Z-order code as an abbreviated key: exact for points. */
static Datum
bng_gist_zorder_abbrev(Datum original, SortSupport ssup)
{
	return UInt64GetDatum(key_zorder(original));
}

/* Never give up abbreviation: the abbreviated key decides every comparison. */
static bool
bng_gist_zorder_abbrev_abort(int memtupcount, SortSupport ssup)
{
	return false;
}

/* Compare two abbreviated keys (unsigned 64-bit Morton codes). */
static int
bng_gist_zorder_abbrev_cmp(Datum a, Datum b, SortSupport ssup)
{
	uint64		za = DatumGetUInt64(a);
	uint64		zb = DatumGetUInt64(b);

	return (za > zb) - (za < zb);
}
#endif

/* GiST support 11: sort order for the sorted (bottom-up) index build. */
Datum
bng_gist_sortsupport(PG_FUNCTION_ARGS)
{
	SortSupport ssup = (SortSupport) PG_GETARG_POINTER(0);

#if SIZEOF_DATUM >= 8
	if (ssup->abbreviate)
	{
		ssup->comparator = bng_gist_zorder_abbrev_cmp;
		ssup->abbrev_converter = bng_gist_zorder_abbrev;
		ssup->abbrev_abort = bng_gist_zorder_abbrev_abort;
		ssup->abbrev_full_comparator = bng_gist_zorder_cmp;
		PG_RETURN_VOID();
	}
#endif
	ssup->comparator = bng_gist_zorder_cmp;
	PG_RETURN_VOID();
}
