/*
 * boundary.c
 *	  SQL-callable boundary lookups: civic.area_of, civic.ward_of and
 *	  civic.borough_of for bng and geometry points, the invalidation trigger
 *	  of civic.boundary and the share-directory helper used at install time.
 *	  The index itself is in boundary_index.c.
 */
#include "postgres.h"

#include <math.h>

#include "commands/trigger.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "bng.h"
#include "boundary_index.h"
#include "ewkb.h"

PG_FUNCTION_INFO_V1(boundary_area_of_bng);
PG_FUNCTION_INFO_V1(boundary_area_of_geometry);
PG_FUNCTION_INFO_V1(boundary_ward_of_bng);
PG_FUNCTION_INFO_V1(boundary_ward_of_geometry);
PG_FUNCTION_INFO_V1(boundary_borough_of_bng);
PG_FUNCTION_INFO_V1(boundary_borough_of_geometry);
PG_FUNCTION_INFO_V1(boundary_vintage);
PG_FUNCTION_INFO_V1(boundary_invalidate);
PG_FUNCTION_INFO_V1(boundary_share_dir);

/* Per call site state, kept in fn_extra. */
typedef struct LookupState
{
	uint64		gen;			/* cache generation idx belongs to */
	BoundaryIndex *idx;
	int32		vintage;
	bool		vintage_given;
	int			level_len;
	char		level[NAMEDATALEN];
	bool		have_send;		/* send function of the geometry argument */
	bool		fast_checked;	/* fast point reader verified against EWKB? */
	bool		fast_ok;		/* ... and it agreed */
	FmgrInfo	send;
} LookupState;

/* The call site's state, created on first use. */
static LookupState *
lookup_state(FunctionCallInfo fcinfo)
{
	LookupState *st = (LookupState *) fcinfo->flinfo->fn_extra;

	if (st == NULL)
	{
		st = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(LookupState));
		fcinfo->flinfo->fn_extra = st;
	}
	return st;
}

/* Code of the polygon of `level` that covers (x, y), or SQL NULL. */
static Datum
lookup(FunctionCallInfo fcinfo, LookupState *st, const char *level, int level_len,
	   bool vintage_given, int32 vintage, double x, double y)
{
	int			poly;

	if (st->idx == NULL || st->gen != boundary_cache_generation() ||
		st->vintage_given != vintage_given ||
		(vintage_given && st->vintage != vintage) ||
		st->level_len != level_len || memcmp(st->level, level, level_len) != 0)
	{
		st->idx = NULL;
		st->idx = boundary_index_get(level, level_len, vintage, vintage_given);
		st->gen = boundary_cache_generation();
		st->vintage = vintage;
		st->vintage_given = vintage_given;
		st->level_len = Min(level_len, NAMEDATALEN - 1);
		memcpy(st->level, level, st->level_len);
	}
	poly = boundary_index_locate(st->idx, x, y);
	if (poly < 0)
	{
		fcinfo->isnull = true;
		return (Datum) 0;
	}
	return boundary_index_code(st->idx, poly);
}

/*
 * Coordinates of the EWKB of a point; false if it is empty or has a NaN
 * coordinate.  A point in an SRID other than 27700 or 0, and anything but a
 * point, is an error (ewkb.c).
 */
static bool
ewkb_xy(const unsigned char *p, Size len, double *x, double *y)
{
	int32		srid;
	bool		ok = ewkb_read_point(p, len, x, y, &srid);

	ewkb_check_bng_srid(srid);
	return ok && !isnan(*x) && !isnan(*y);
}

/*
 * Coordinates of a geometry through its send function (EWKB, the documented
 * exchange format), as ewkb_xy.
 */
static bool
geometry_xy_ewkb(FunctionCallInfo fcinfo, LookupState *st, Datum geom, double *x, double *y)
{
	bytea	   *wkb;
	bool		ok;

	if (!st->have_send)
	{
		Oid			typid = get_fn_expr_argtype(fcinfo->flinfo, 0);
		Oid			sendfn;
		bool		isvarlena;

		if (!OidIsValid(typid))
			elog(ERROR, "could not determine the argument type");
		getTypeBinaryOutputInfo(typid, &sendfn, &isvarlena);
		fmgr_info_cxt(sendfn, &st->send, fcinfo->flinfo->fn_mcxt);
		st->have_send = true;
	}
	wkb = DatumGetByteaPP(SendFunctionCall(&st->send, geom));
	ok = ewkb_xy((const unsigned char *) VARDATA_ANY(wkb), VARSIZE_ANY_EXHDR(wkb), x, y);
	pfree(wkb);
	return ok;
}

/*
 * Fast reader for the commonest case, a plain 2D point in PostGIS's
 * serialized form (3-byte SRID, flags byte with no Z/M/bounding box/geodetic/
 * extended bit, type 1 = point, one point, two doubles).  Returns false for
 * anything else, which then goes through EWKB.  Each call site checks the
 * reader once against the EWKB path and stops using it on disagreement, so
 * a future change of the serialized form costs speed, never correctness.
 */
static bool
geometry_xy_fast(Datum geom, double *x, double *y)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(geom);
	const unsigned char *p;
	uint32		type,
				npoints;
	int32		srid;

	if (VARATT_IS_EXTENDED(v) && !VARATT_IS_SHORT(v))
		return false;			/* compressed or external: not a plain point */
	if (VARSIZE_ANY_EXHDR(v) != 4 + 4 + 4 + 16)
		return false;
	p = (const unsigned char *) VARDATA_ANY(v);
	if ((p[3] & ~0x40) != 0)	/* flags: only the version-2 bit may be set */
		return false;
	memcpy(&type, p + 4, 4);
	memcpy(&npoints, p + 8, 4);
	if (type != 1 || npoints != 1)
		return false;
	srid = (int32) (((uint32) p[0] << 16) | ((uint32) p[1] << 8) | p[2]);
	srid = (int32) ((uint32) srid << 11) >> 11;
	if (srid != 0 && srid != BNG_SRID)
		return false;			/* let the EWKB path raise the error */
	memcpy(x, p + 12, 8);
	memcpy(y, p + 20, 8);
	return !(isnan(*x) || isnan(*y));
}

/* Coordinates of the geometry argument 0; false if it is an empty point. */
static bool
geometry_arg_xy(FunctionCallInfo fcinfo, LookupState *st, double *x, double *y)
{
	Datum		geom = PG_GETARG_DATUM(0);

	if (st->fast_ok && geometry_xy_fast(geom, x, y))
		return true;
	if (!st->fast_checked)
	{
		double		fx,
					fy;
		bool		fast = geometry_xy_fast(geom, &fx, &fy);
		bool		ok = geometry_xy_ewkb(fcinfo, st, geom, x, y);

		if (fast)
		{
			st->fast_checked = true;
			st->fast_ok = ok && fx == *x && fy == *y;
		}
		return ok;
	}
	return geometry_xy_ewkb(fcinfo, st, geom, x, y);
}

/* Shared body of the bng lookups; the vintage is argument `varg` if not NULL. */
static Datum
lookup_bng(FunctionCallInfo fcinfo, const char *level, int level_len, int varg)
{
	Bng			p = PG_GETARG_BNG(0);
	bool		given = PG_NARGS() > varg && !PG_ARGISNULL(varg);

	return lookup(fcinfo, lookup_state(fcinfo), level, level_len, given,
				  given ? PG_GETARG_INT32(varg) : 0,
				  bng_easting(p), bng_northing(p));
}

/* Shared body of the geometry lookups; the vintage is argument `varg` if not NULL. */
static Datum
lookup_geometry(FunctionCallInfo fcinfo, const char *level, int level_len, int varg)
{
	LookupState *st = lookup_state(fcinfo);
	bool		given = PG_NARGS() > varg && !PG_ARGISNULL(varg);
	double		x,
				y;

	if (!geometry_arg_xy(fcinfo, st, &x, &y))
		PG_RETURN_NULL();
	return lookup(fcinfo, st, level, level_len, given,
				  given ? PG_GETARG_INT32(varg) : 0, x, y);
}

/* civic.area_of(bng, level text, vintage int DEFAULT NULL) */
Datum
boundary_area_of_bng(PG_FUNCTION_ARGS)
{
	text	   *level;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	level = PG_GETARG_TEXT_PP(1);

	return lookup_bng(fcinfo, VARDATA_ANY(level), VARSIZE_ANY_EXHDR(level), 2);
}

/* civic.area_of(geometry, level text, vintage int DEFAULT NULL) */
Datum
boundary_area_of_geometry(PG_FUNCTION_ARGS)
{
	text	   *level;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	level = PG_GETARG_TEXT_PP(1);

	return lookup_geometry(fcinfo, VARDATA_ANY(level), VARSIZE_ANY_EXHDR(level), 2);
}

/* civic.ward_of(bng, vintage int DEFAULT NULL) */
Datum
boundary_ward_of_bng(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	return lookup_bng(fcinfo, "ward", 4, 1);
}

/* civic.ward_of(geometry, vintage int DEFAULT NULL) */
Datum
boundary_ward_of_geometry(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	return lookup_geometry(fcinfo, "ward", 4, 1);
}

/* civic.borough_of(bng, vintage int DEFAULT NULL) */
Datum
boundary_borough_of_bng(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	return lookup_bng(fcinfo, "borough", 7, 1);
}

/* civic.borough_of(geometry, vintage int DEFAULT NULL) */
Datum
boundary_borough_of_geometry(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	return lookup_geometry(fcinfo, "borough", 7, 1);
}

/* civic.boundary_vintage(level text, vintage int DEFAULT NULL) */
Datum
boundary_vintage(PG_FUNCTION_ARGS)
{
	text	   *level;
	bool		given = !PG_ARGISNULL(1);

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	level = PG_GETARG_TEXT_PP(0);
	PG_RETURN_INT32(boundary_resolve_vintage(VARDATA_ANY(level), VARSIZE_ANY_EXHDR(level),
											 given ? PG_GETARG_INT32(1) : 0, given));
}

/*
 * Statement-level trigger on civic.boundary: send a relcache invalidation
 * for the table, which drops the lookup cache of this backend at its next
 * command and of every other backend once the transaction commits.
 */
Datum
boundary_invalidate(PG_FUNCTION_ARGS)
{
	TriggerData *td;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("civic.boundary_invalidate() must be called as a trigger"),
				 errdetail("It is the statement-level trigger function of civic.boundary."),
				 errhint("Do not call it directly.")));
	td = (TriggerData *) fcinfo->context;
	CacheInvalidateRelcacheByRelid(RelationGetRelid(td->tg_relation));
	return PointerGetDatum(NULL);
}

/* The server's share directory (used once by the install script). */
Datum
boundary_share_dir(PG_FUNCTION_ARGS)
{
	char		path[MAXPGPATH];

	get_share_path(my_exec_path, path);
	PG_RETURN_TEXT_P(cstring_to_text(path));
}
