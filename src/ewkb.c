/*
 * ewkb.c
 *	  civic's one reader (and writer) of (E)WKB, the binary form in which
 *	  civic exchanges geometries with PostGIS (PostGIS is a dependency, not a
 *	  C API: its send function and ST_AsEWKB give EWKB, ST_GeomFromEWKB
 *	  reads it back).  Used by the geometry -> bng casts (bng.c), the point
 *	  lookups on geometries (boundary.c) and the reader of civic.boundary's
 *	  polygons (boundary_index.c).
 *
 * Format (OGC WKB with PostGIS's extensions): a byte-order byte (0 big-
 * endian, 1 little-endian), a uint32 geometry type, then the body.  The type
 * carries the dimensions either as PostGIS's flags (0x80000000 Z,
 * 0x40000000 M) or as ISO's thousands (1001 Z, 2001 M, 3001 ZM), and
 * PostGIS's flag 0x20000000 when an int32 SRID follows the type.  A point
 * is its coordinates (POINT EMPTY: all NaN); a polygon a uint32 number of
 * rings, each a uint32 number of points and the points; a multipolygon a
 * uint32 number of parts, each a whole polygon with its own header.
 *
 * Errors, the same for every caller:
 *	  22P03 invalid_binary_representation: the bytes are not (E)WKB (empty,
 *		  a byte-order byte other than 0 or 1, a type code that is not a
 *		  geometry type, or the value ends inside a part); the detail says
 *		  which;
 *	  22023 invalid_parameter_value: well-formed, but not the geometry the
 *		  caller needs (a LineString where a point is read), or a point in
 *		  an SRID other than the British National Grid's where one is needed.
 */
#include "postgres.h"

#include <math.h>

#include "ewkb.h"

/* PostGIS's EWKB flags in the geometry type word. */
#define EWKB_Z_FLAG		0x80000000U
#define EWKB_M_FLAG		0x40000000U
#define EWKB_SRID_FLAG	0x20000000U
#define EWKB_FLAGS		(EWKB_Z_FLAG | EWKB_M_FLAG | EWKB_SRID_FLAG)

/* A cursor over the bytes of a value. */
typedef struct EwkbReader
{
	const unsigned char *p;
	const unsigned char *end;
} EwkbReader;

/* The header of one geometry. */
typedef struct EwkbHeader
{
	bool		little;			/* little-endian body */
	uint32		type;			/* WKB_POINT, ...: without flags and ISO thousands */
	int			ndims;			/* 2, 3 or 4 coordinates per point */
	bool		has_srid;		/* an SRID follows the type */
} EwkbHeader;

/* Name of a WKB geometry type (1..17), for messages; NULL if not one. */
static const char *
ewkb_type_name(uint32 type)
{
	static const char *const names[] = {
		NULL, "Point", "LineString", "Polygon", "MultiPoint",
		"MultiLineString", "MultiPolygon", "GeometryCollection",
		"CircularString", "CompoundCurve", "CurvePolygon", "MultiCurve",
		"MultiSurface", "Curve", "Surface", "PolyhedralSurface", "TIN",
		"Triangle"
	};

	return type < lengthof(names) ? names[type] : NULL;
}

/* Raise 22P03: the bytes are not (E)WKB; the detail says what is wrong. */
static void
pg_attribute_noreturn()
ewkb_invalid(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid EWKB geometry"),
			 errdetail_internal("%s", detail),
			 errhint("Pass a geometry's EWKB (ST_AsEWKB) or WKB (ST_AsBinary) unchanged.")));
}

/* Raise 22P03: the value ends inside its `part`. */
static void
pg_attribute_noreturn()
ewkb_truncated(const char *part)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid EWKB geometry"),
			 errdetail("The value ends inside its %s.", part),
			 errhint("Pass a geometry's EWKB (ST_AsEWKB) or WKB (ST_AsBinary) unchanged.")));
}

/* Read a uint32 in the given byte order; `part` names it if it is cut off. */
static uint32
ewkb_u32(EwkbReader *r, bool little, const char *part)
{
	const unsigned char *p = r->p;
	uint32		v = 0;
	int			i;

	if (r->end - p < 4)
		ewkb_truncated(part);
	for (i = 0; i < 4; i++)
		v |= (uint32) p[little ? i : 3 - i] << (8 * i);
	r->p += 4;
	return v;
}

/* Read an IEEE double in the given byte order (length checked by the caller). */
static double
ewkb_f64(EwkbReader *r, bool little)
{
	const unsigned char *p = r->p;
	uint64		v = 0;
	double		d;
	int			i;

	Assert(r->end - p >= 8);
	for (i = 0; i < 8; i++)
		v |= (uint64) p[little ? i : 7 - i] << (8 * i);
	memcpy(&d, &v, sizeof(d));
	r->p += 8;
	return d;
}

/*
 * Read a geometry's byte order and type (not its SRID: see ewkb_srid);
 * `top` is false for the parts of a multi-geometry.
 */
static void
ewkb_header(EwkbReader *r, EwkbHeader *h, bool top)
{
	uint32		raw,
				base,
				iso;

	if (r->p >= r->end)
	{
		if (top)
			ewkb_invalid("The value is empty; (E)WKB starts with a byte-order byte and a geometry type.");
		ewkb_truncated("parts");
	}
	if (*r->p > 1)
	{
		char		detail[128];

		snprintf(detail, sizeof(detail),
				 "The byte-order byte is %u; (E)WKB starts with 0 (big-endian) or 1 (little-endian).",
				 (unsigned) *r->p);
		ewkb_invalid(detail);
	}
	h->little = (*r->p++ == 1);
	raw = ewkb_u32(r, h->little, "geometry type");
	base = raw & ~EWKB_FLAGS;
	iso = base / 1000;
	base %= 1000;
	if (iso > 3 || ewkb_type_name(base) == NULL ||
		(iso > 0 && (raw & (EWKB_Z_FLAG | EWKB_M_FLAG)) != 0))
	{
		char		detail[128];

		snprintf(detail, sizeof(detail),
				 "The geometry type code 0x%08X is not a WKB geometry type.", raw);
		ewkb_invalid(detail);
	}
	h->type = base;
	h->ndims = 2 + ((raw & EWKB_Z_FLAG) || iso == 1 || iso == 3) +
		((raw & EWKB_M_FLAG) || iso == 2 || iso == 3);
	h->has_srid = (raw & EWKB_SRID_FLAG) != 0;
}

/* Read the SRID that follows the type, if any; 0 if none. */
static int32
ewkb_srid(EwkbReader *r, const EwkbHeader *h)
{
	return h->has_srid ? (int32) ewkb_u32(r, h->little, "SRID") : 0;
}

/* Raise 22023: a well-formed geometry of the wrong type. */
static void
pg_attribute_noreturn()
ewkb_wrong_type(uint32 type, const char *wanted, const char *detail, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("cannot use a %s as a %s", ewkb_type_name(type), wanted),
			 errdetail_internal("%s", detail),
			 errhint("%s", hint)));
}

bool
ewkb_read_point(const unsigned char *p, Size len, double *x, double *y, int32 *srid)
{
	EwkbReader	r;
	EwkbHeader	h;

	r.p = p;
	r.end = p + len;
	ewkb_header(&r, &h, true);
	if (h.type != WKB_POINT)
		ewkb_wrong_type(h.type, "point",
						"bng values and boundary lookups take a single point.",
						"Pick a point first, e.g. with ST_PointOnSurface(geom) or ST_GeometryN(geom, 1).");
	*srid = ewkb_srid(&r, &h);
	if ((Size) (r.end - r.p) < (Size) h.ndims * 8)
		ewkb_truncated("coordinates");
	*x = ewkb_f64(&r, h.little);
	*y = ewkb_f64(&r, h.little);
	return !(isnan(*x) && isnan(*y));
}

void
ewkb_check_bng_srid(int32 srid)
{
	if (srid != 0 && srid != BNG_SRID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("point in SRID %d is not on the British National Grid (SRID %d)",
						srid, BNG_SRID),
				 errdetail("bng values and boundary lookups take points in SRID %d, or without an SRID.",
						   BNG_SRID),
				 errhint("Cast the geometry with ::civic.bng, which transforms it, or use ST_Transform(geom, %d).",
						 BNG_SRID)));
}

/* Read one POLYGON (the header already read) and call fn for each ring. */
static void
ewkb_polygon_body(EwkbReader *r, const EwkbHeader *h, EwkbRingFn fn, void *arg)
{
	uint32		nrings = ewkb_u32(r, h->little, "number of rings");
	uint32		i;

	for (i = 0; i < nrings; i++)
	{
		uint32		npts = ewkb_u32(r, h->little, "number of points");
		double	   *xy;
		uint32		k;
		int			d;

		/* checked before allocating: the count comes from the bytes */
		if ((Size) (r->end - r->p) / ((Size) h->ndims * 8) < (Size) npts)
			ewkb_truncated("points");
		xy = palloc(sizeof(double) * 2 * Max(npts, 1));
		for (k = 0; k < npts; k++)
		{
			xy[2 * k] = ewkb_f64(r, h->little);
			xy[2 * k + 1] = ewkb_f64(r, h->little);
			for (d = 2; d < h->ndims; d++)
				(void) ewkb_f64(r, h->little);
		}
		fn(arg, xy, npts);
		pfree(xy);
	}
}

void
ewkb_read_polygons(const unsigned char *p, Size len, EwkbRingFn fn, void *arg)
{
	static const char detail[] = "Boundaries are Polygons or MultiPolygons of Polygons.";
	static const char hint[] = "Store MultiPolygons (ST_Multi) in civic.boundary.geom.";
	EwkbReader	r;
	EwkbHeader	h;

	r.p = p;
	r.end = p + len;
	ewkb_header(&r, &h, true);
	(void) ewkb_srid(&r, &h);
	if (h.type == WKB_MULTIPOLYGON)
	{
		uint32		nparts = ewkb_u32(&r, h.little, "number of parts");
		uint32		i;

		for (i = 0; i < nparts; i++)
		{
			EwkbHeader	part;

			ewkb_header(&r, &part, false);
			if (part.type != WKB_POLYGON)
				ewkb_wrong_type(part.type, "part of a MultiPolygon", detail, hint);
			(void) ewkb_srid(&r, &part);
			ewkb_polygon_body(&r, &part, fn, arg);
		}
	}
	else if (h.type == WKB_POLYGON)
		ewkb_polygon_body(&r, &h, fn, arg);
	else
		ewkb_wrong_type(h.type, "polygon", detail, hint);
}

/* Append a little-endian uint32. */
static unsigned char *
ewkb_put_u32(unsigned char *p, uint32 v)
{
	int			i;

	for (i = 0; i < 4; i++)
		*p++ = (unsigned char) (v >> (8 * i));
	return p;
}

/* Append a little-endian IEEE double. */
static unsigned char *
ewkb_put_f64(unsigned char *p, double d)
{
	uint64		v;
	int			i;

	memcpy(&v, &d, sizeof(v));
	for (i = 0; i < 8; i++)
		*p++ = (unsigned char) (v >> (8 * i));
	return p;
}

bytea *
ewkb_make_point(double x, double y, int32 srid)
{
	bytea	   *out = palloc(VARHDRSZ + 25);
	unsigned char *q = (unsigned char *) VARDATA(out);

	SET_VARSIZE(out, VARHDRSZ + 25);
	*q++ = 1;					/* little endian */
	q = ewkb_put_u32(q, WKB_POINT | EWKB_SRID_FLAG);
	q = ewkb_put_u32(q, (uint32) srid);
	q = ewkb_put_f64(q, x);
	ewkb_put_f64(q, y);
	return out;
}
