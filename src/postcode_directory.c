/*
 * postcode_directory.c
 *	  Postcode -> location lookups over civic.postcode_directory, from a
 *	  per-backend cache: civic.postcode_location, civic.postcode_estimate and
 *	  the invalidation trigger of the table.
 *
 * The cache holds every postcode of the directory once, in postcode order
 * (the stored int32 order, see postcode.c), with its last known location
 * and its locations by release, plus a hash table from postcode to its
 * position.  It is read once per backend with SPI (about 0.3 s for the
 * shipped 435,000 rows) on the first lookup and dropped whenever a relcache
 * invalidation for civic.postcode_directory arrives; a statement-level
 * trigger on the table sends one on every INSERT/UPDATE/DELETE/TRUNCATE
 * (civic.postcode_directory_invalidate), so the same session sees a change
 * at its next lookup and other sessions right after commit.  This is the
 * scheme of the boundary cache (boundary_index.c).
 *
 * Locations:
 *	- postcode_location(p): the location in the newest release that lists p
 *	  (a postcode terminated since keeps its last known location);
 *	- postcode_location(p, R): the same among the releases <= R ("as known
 *	  at R"): NULL if no release up to R lists p;
 *	- postcode_estimate(p): an estimate from the OTHER postcodes of p's
 *	  sector, never from p's own rows under any release (so it can be
 *	  measured by leave-one-out, test/postcode_estimate.sh).  Postcode units
 *	  are numbered roughly along delivery walks, so units close in code are
 *	  close on the ground.  The ESTIMATE_K postcodes of the sector nearest to
 *	  p in unit order (ties: the earlier; terminated ones at their last known
 *	  location) each weigh 1 / (unit distance to p), ESTIMATE_SAME_LETTER
 *	  times that when they share p's first unit letter.  They vote: the
 *	  borough with the most weight wins (the polygons of the boundary cache,
 *	  boundary_index.h), then the ward of the newest vintage with the most
 *	  weight among the neighbours in that borough (ties: the area of the
 *	  nearer neighbour).  The answer is the last known location of the
 *	  weighted medoid of the neighbours in both (the one minimising the sum
 *	  of its distances to the others, weighted as above): an actual
 *	  postcode's location, so never a point between two streets.  A sector
 *	  with no other postcode: the same over the district.  NULL when the
 *	  district has no other postcode.  The vote replaced the plain medoid of
 *	  the 6 nearest (leave-one-out: ward 89.1 -> 89.5 %, borough 98.3 ->
 *	  98.4 %; docs/postcode.md has the figures and what else was tried).
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "bng.h"
#include "boundary_index.h"
#include "civic.h"
#include "postcode.h"

/* Number of same-sector neighbours an estimate is built from. */
#define ESTIMATE_K 8
/* Weight factor of a neighbour with the same first unit letter as p. */
#define ESTIMATE_SAME_LETTER 2.0

/* One row of the directory: a release and the location it gives. */
typedef struct PcRelease
{
	int32		release;
	Bng			location;
} PcRelease;

/* A slot of the hash table: one cache line holds several whole slots. */
typedef struct PcSlot
{
	int32		code;			/* postcode, 0 for an empty slot */
	int32		pos;			/* position in the sorted arrays */
	Bng			last;			/* last known location (= last[pos]) */
} PcSlot;

/* The cached directory. */
typedef struct PcDirectory
{
	int			n;				/* distinct postcodes */
	int32	   *codes;			/* [n] postcodes, ascending */
	Bng		   *last;			/* [n] last known location */
	int32	   *first;			/* [n + 1] index of each postcode's rows in rel */
	PcRelease  *rel;			/* rows by postcode, then release ascending */
	/* open-addressing hash table with linear probing */
	uint32		mask;			/* number of slots - 1 (a power of 2 - 1) */
	PcSlot	   *slots;
} PcDirectory;

static MemoryContext dir_cxt = NULL;
static PcDirectory *dir = NULL;
static bool dir_stale = false;
static Oid	dir_relid = InvalidOid;

/* Relcache callback: drop the cache when civic.postcode_directory changed. */
static void
postcode_directory_relcache_cb(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == dir_relid)
		dir_stale = true;
}

/* Register the invalidation callback (called once from _PG_init). */
void
civic_postcode_directory_init(void)
{
	CacheRegisterRelcacheCallback(postcode_directory_relcache_cb, (Datum) 0);
}

/* The OID of civic.postcode_directory (remembered for the callback). */
static Oid
lookup_directory_relid(void)
{
	Oid			nsp = get_namespace_oid("civic", true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid("postcode_directory", nsp) : InvalidOid;

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"civic.postcode_directory\" does not exist"),
				 errhint("Install the extension with CREATE EXTENSION civic CASCADE, or update it with ALTER EXTENSION civic UPDATE.")));
	if (relid != dir_relid)
	{
		dir_relid = relid;
		dir_stale = true;
	}
	return relid;
}

/* Grow an array of elements of `size` bytes to hold at least `need`. */
static void *
grow(void *arr, int *cap, int need, Size size)
{
	if (need <= *cap)
		return arr;
	while (*cap < need)
		*cap *= 2;
	return repalloc_huge(arr, (Size) *cap * size);
}

/* Read civic.postcode_directory into a new cache (in dir_cxt). */
static PcDirectory *
load_directory(void)
{
	PcDirectory *d;
	MemoryContext old;
	SPIPlanPtr	plan;
	Portal		portal;
	int			capn = 1024,
				capr = 1024,
				nrel = 0;
	int			i;

	old = MemoryContextSwitchTo(dir_cxt);
	d = palloc0(sizeof(PcDirectory));
	d->codes = palloc(capn * sizeof(int32));
	d->last = palloc(capn * sizeof(Bng));
	d->first = palloc((capn + 1) * sizeof(int32));
	d->rel = palloc(capr * sizeof(PcRelease));
	MemoryContextSwitchTo(old);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare("SELECT d.postcode, d.release, d.location"
					   "  FROM civic.postcode_directory d"
					   " ORDER BY d.postcode, d.release", 0, NULL);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	for (;;)
	{
		uint64		k;

		SPI_cursor_fetch(portal, true, 20000);
		if (SPI_processed == 0)
			break;
		old = MemoryContextSwitchTo(dir_cxt);
		for (k = 0; k < SPI_processed; k++)
		{
			HeapTuple	tup = SPI_tuptable->vals[k];
			TupleDesc	td = SPI_tuptable->tupdesc;
			bool		n1,
						n2,
						n3;
			int32		code = DatumGetPostcode(SPI_getbinval(tup, td, 1, &n1));
			int32		release = DatumGetInt32(SPI_getbinval(tup, td, 2, &n2));
			Bng			loc = DatumGetBng(SPI_getbinval(tup, td, 3, &n3));

			if (n1 || n2 || n3)
				continue;		/* NOT NULL columns; a user may drop that */
			if (d->n == 0 || d->codes[d->n - 1] != code)
			{
				if (d->n + 2 > capn)
				{
					capn *= 2;
					d->codes = repalloc_huge(d->codes, (Size) capn * sizeof(int32));
					d->last = repalloc_huge(d->last, (Size) capn * sizeof(Bng));
					d->first = repalloc_huge(d->first, (Size) (capn + 1) * sizeof(int32));
				}
				d->codes[d->n] = code;
				d->first[d->n] = nrel;
				d->n++;
			}
			d->rel = grow(d->rel, &capr, nrel + 1, sizeof(PcRelease));
			d->rel[nrel].release = release;
			d->rel[nrel].location = loc;
			nrel++;
			d->last[d->n - 1] = loc;	/* releases ascend: the newest wins */
		}
		MemoryContextSwitchTo(old);
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	SPI_finish();
	d->first[d->n] = nrel;

	/*
	 * Hash table at most 2/3 full (a postcode is never 0); a slot holds the
	 * last known location too, so a lookup reads one slot and usually
	 * touches one cache line.
	 */
	{
		uint32		nslots = 16;

		while (nslots < (uint32) d->n + (uint32) d->n / 2)
			nslots *= 2;
		d->mask = nslots - 1;
		d->slots = MemoryContextAllocExtended(dir_cxt, (Size) nslots * sizeof(PcSlot),
											  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
		for (i = 0; i < d->n; i++)
		{
			uint32		h = murmurhash32((uint32) d->codes[i]) & d->mask;

			while (d->slots[h].code != 0)
				h = (h + 1) & d->mask;
			d->slots[h].code = d->codes[i];
			d->slots[h].pos = i;
			d->slots[h].last = d->last[i];
		}
	}
	return d;
}

/* The cached directory, (re)loaded if the table changed. */
static PcDirectory *
directory_get(void)
{
	if (likely(dir != NULL && !dir_stale))
		return dir;
	/* (re)load: the table may also have been dropped and created again */
	lookup_directory_relid();
	{
		if (dir_cxt)
			MemoryContextDelete(dir_cxt);
		dir_cxt = NULL;
		dir = NULL;
		dir_stale = false;
		if (CacheMemoryContext == NULL)
			CreateCacheMemoryContext();
		dir_cxt = AllocSetContextCreate(CacheMemoryContext,
										"civic postcode directory cache",
										ALLOCSET_DEFAULT_SIZES);
		PG_TRY();
		{
			dir = load_directory();
		}
		PG_CATCH();
		{
			MemoryContextDelete(dir_cxt);
			dir_cxt = NULL;
			dir = NULL;
			PG_RE_THROW();
		}
		PG_END_TRY();
	}
	return dir;
}

/* The hash table slot of postcode p, or NULL. */
static inline const PcSlot *
directory_find(PcDirectory *d, int32 p)
{
	uint32		h = murmurhash32((uint32) p) & d->mask;

	while (d->slots[h].code != 0)
	{
		if (d->slots[h].code == p)
			return &d->slots[h];
		h = (h + 1) & d->mask;
	}
	return NULL;
}

/* First position whose postcode is >= p. */
static int
directory_lower_bound(PcDirectory *d, int32 p)
{
	int			lo = 0,
				hi = d->n;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (d->codes[mid] < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

PG_FUNCTION_INFO_V1(postcode_location);
/*
 * civic.postcode_location(p, release DEFAULT NULL): the last known location
 * of p among all releases (release NULL) or among the releases <= release.
 */
Datum
postcode_location(PG_FUNCTION_ARGS)
{
	PcDirectory *d;
	const PcSlot *slot;
	int32		p;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	p = PG_GETARG_POSTCODE(0);
	d = directory_get();
	slot = directory_find(d, p);
	if (slot == NULL)
		PG_RETURN_NULL();
	if (PG_NARGS() < 2 || PG_ARGISNULL(1))
		PG_RETURN_BNG(slot->last);
	else
	{
		int32		release = PG_GETARG_INT32(1);
		int			pos = slot->pos;
		int			i;

		for (i = d->first[pos + 1] - 1; i >= d->first[pos]; i--)
			if (d->rel[i].release <= release)
				PG_RETURN_BNG(d->rel[i].location);
		PG_RETURN_NULL();
	}
}

/* The areas the estimate votes on, per call site (fn_extra). */
typedef struct EstimateState
{
	uint64		gen;			/* boundary cache generation of the indexes */
	bool		valid;
	BoundaryIndex *borough;		/* newest borough polygons, NULL if none */
	BoundaryIndex *ward;		/* newest ward polygons, NULL if none */
} EstimateState;

/* The call site's borough and ward indexes, (re)fetched when stale. */
static EstimateState *
estimate_state(FunctionCallInfo fcinfo)
{
	EstimateState *st = (EstimateState *) fcinfo->flinfo->fn_extra;

	if (st == NULL)
	{
		st = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(EstimateState));
		fcinfo->flinfo->fn_extra = st;
	}
	while (!st->valid || st->gen != boundary_cache_generation())
	{
		uint64		gen;

		/*
		 * Building the ward index reads civic.boundary, which may process an
		 * invalidation that drops the borough index just fetched: then the
		 * generation moves and both are fetched again.
		 */
		st->valid = false;
		st->borough = boundary_level_loaded("borough", 7)
			? boundary_index_get("borough", 7, 0, false) : NULL;
		gen = boundary_cache_generation();
		st->ward = boundary_level_loaded("ward", 4)
			? boundary_index_get("ward", 4, 0, false) : NULL;
		st->gen = gen;
		st->valid = true;
	}
	return st;
}

/*
 * Collect into cand/weight the ESTIMATE_K postcodes of [lo, hi] nearest to p
 * in postcode order, p itself excluded (ties: the earlier); returns how many.
 */
static int
estimate_candidates(PcDirectory *d, int32 p, int32 lo, int32 hi,
					int *cand, double *weight)
{
	int			s = directory_lower_bound(d, lo);
	int			at = directory_lower_bound(d, p);
	int			down = at - 1;
	int			up = (at < d->n && d->codes[at] == p) ? at + 1 : at;
	int32		letter = ((p & 0xFFF) % 400) / 20;	/* first unit letter */
	int			k = 0;

	while (k < ESTIMATE_K)
	{
		bool		has_down = down >= s;
		bool		has_up = up < d->n && d->codes[up] <= hi;
		int64		ddown = has_down ? (int64) p - d->codes[down] : 0;
		int64		dup = has_up ? (int64) d->codes[up] - p : 0;
		int			c;
		int64		dist;

		if (!has_down && !has_up)
			break;
		if (has_down && (!has_up || ddown <= dup))
		{
			c = down--;
			dist = ddown;
		}
		else
		{
			c = up++;
			dist = dup;
		}
		cand[k] = c;
		weight[k] = 1.0 / (double) dist;
		if ((d->codes[c] >> 12) == (p >> 12) &&
			((d->codes[c] & 0xFFF) % 400) / 20 == letter)
			weight[k] *= ESTIMATE_SAME_LETTER;
		k++;
	}
	return k;
}

/*
 * The candidate class with the greatest total weight among those selected
 * (sel[i]); a tie goes to the class of the candidate nearest in order.
 */
static int
estimate_vote(int k, const int *cls, const double *weight, const bool *sel)
{
	double		total[ESTIMATE_K];
	int			i,
				j,
				best = -1;

	for (i = 0; i < k; i++)
	{
		total[i] = 0;
		if (!sel[i])
			continue;
		for (j = 0; j < k; j++)
			if (sel[j] && cls[j] == cls[i])
				total[i] += weight[j];
		if (best < 0 || total[i] > total[best])
			best = i;
	}
	return best < 0 ? -1 : cls[best];
}

PG_FUNCTION_INFO_V1(postcode_estimate);
/*
 * civic.postcode_estimate(p): the ESTIMATE_K postcodes of p's sector nearest
 * to p in unit order vote for a borough, then for a ward within it; the
 * answer is the weighted medoid of the voters in both (header comment).
 */
Datum
postcode_estimate(PG_FUNCTION_ARGS)
{
	int32		p = PG_GETARG_POSTCODE(0);
	PcDirectory *d = directory_get();
	EstimateState *st = estimate_state(fcinfo);
	int32		inward = p & 0xFFF;
	int32		sector_lo = (p & ~0xFFF) | (inward / 400) * 400;
	int			cand[ESTIMATE_K];
	double		weight[ESTIMATE_K];
	int			borough[ESTIMATE_K];
	int			ward[ESTIMATE_K];
	bool		sel[ESTIMATE_K];
	int			k;
	int			vote;
	int			best = -1;
	double		best_cost = 0;
	int			i,
				j;

	k = estimate_candidates(d, p, sector_lo, sector_lo + 399, cand, weight);
	if (k == 0)					/* a sector of one: the district's postcodes */
		k = estimate_candidates(d, p, p & ~0xFFF, (p & ~0xFFF) | 0xFFF, cand, weight);
	if (k == 0)
		PG_RETURN_NULL();

	for (i = 0; i < k; i++)
	{
		double		x = bng_easting(d->last[cand[i]]);
		double		y = bng_northing(d->last[cand[i]]);

		sel[i] = true;
		borough[i] = st->borough ? boundary_index_locate(st->borough, x, y) : 0;
		ward[i] = st->ward ? boundary_index_locate(st->ward, x, y) : 0;
	}
	/* the borough, then the ward within it, with the most weight */
	vote = estimate_vote(k, borough, weight, sel);
	for (i = 0; i < k; i++)
		sel[i] = borough[i] == vote;
	vote = estimate_vote(k, ward, weight, sel);
	for (i = 0; i < k; i++)
		sel[i] = sel[i] && ward[i] == vote;

	/* the weighted medoid of the winners */
	for (i = 0; i < k; i++)
	{
		double		cost = 0;

		if (!sel[i])
			continue;
		for (j = 0; j < k; j++)
			if (j != i && sel[j])
				cost += weight[j] * bng_distance(d->last[cand[i]], d->last[cand[j]]);
		if (best < 0 || cost < best_cost)
		{
			best = i;
			best_cost = cost;
		}
	}
	PG_RETURN_BNG(d->last[cand[best]]);
}

PG_FUNCTION_INFO_V1(postcodes_in);
/* civic.postcodes_in(prefix): the directory's postcodes under a prefix. */
Datum
postcodes_in(PG_FUNCTION_ARGS)
{
	FuncCallContext *fctx;
	int		   *pos;

	if (SRF_IS_FIRSTCALL())
	{
		int32		lo,
					hi;
		PcDirectory *d;
		MemoryContext old;

		fctx = SRF_FIRSTCALL_INIT();
		postcode_prefix_range_text(PG_GETARG_TEXT_PP(0), &lo, &hi);
		d = directory_get();
		old = MemoryContextSwitchTo(fctx->multi_call_memory_ctx);
		pos = palloc(2 * sizeof(int));
		pos[0] = directory_lower_bound(d, lo);
		pos[1] = hi == PG_INT32_MAX ? d->n : directory_lower_bound(d, hi + 1);
		fctx->user_fctx = pos;
		MemoryContextSwitchTo(old);
	}
	fctx = SRF_PERCALL_SETUP();
	pos = (int *) fctx->user_fctx;
	if (pos[0] < pos[1])
	{
		/* the cache may have been reloaded between calls: re-fetch it */
		PcDirectory *d = directory_get();

		if (pos[0] < d->n)
			SRF_RETURN_NEXT(fctx, PostcodeGetDatum(d->codes[pos[0]++]));
	}
	SRF_RETURN_DONE(fctx);
}

PG_FUNCTION_INFO_V1(postcode_directory_invalidate);
/* Statement trigger of civic.postcode_directory: drop the caches. */
Datum
postcode_directory_invalidate(PG_FUNCTION_ARGS)
{
	TriggerData *td;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("civic.postcode_directory_invalidate() must be called as a trigger"),
				 errdetail("It is the statement-level trigger function of civic.postcode_directory."),
				 errhint("Do not call it directly.")));
	td = (TriggerData *) fcinfo->context;
	CacheInvalidateRelcacheByRelid(RelationGetRelid(td->tg_relation));
	return PointerGetDatum(NULL);
}
