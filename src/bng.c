/*
 * bng.c
 *	  civic.bng: a point on the British National Grid (EPSG:27700), stored
 *	  as easting and northing in whole millimetres packed into one int64
 *	  (layout in bng.h).
 *
 * Text input accepts
 *	  '530043.19 180358.21'		easting and northing in metres
 *	  '(530043.19,180358.21)'	the same, in parentheses, comma-separated
 *	  '530043.19, 180358.21'	comma (with or without spaces)
 *	  'TQ 30043 80358', 'TQ3080', 'tq 3 8', 'TQ'
 *								an OS grid reference of 0 to 10 digits;
 *								it denotes the south-west corner of its
 *								square, as the Ordnance Survey does.
 * Metres may carry any number of decimals; they are rounded to the nearest
 * millimetre (halves away from zero).  Output is always
 * '<easting> <northing>' in metres with at most three decimals and no
 * trailing zeros, so text round-trips exactly.
 *
 * OS grid letters: the 25 letters A..Z without I, laid out in a 5 x 5 grid
 * (A at the north-west, Z at the south-east).  The first letter names a
 * 500 km square (S is the one whose south-west corner is the false origin,
 * T is east of S, N and O north of them, H and J north again); the second
 * letter names a 100 km square inside it, in the same layout.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/dependency.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/geo_decls.h"
#include "utils/regproc.h"
#include "utils/syscache.h"

#include "bng.h"
#include "ewkb.h"

/* Largest number of digits of a grid reference (1 m resolution). */
#define BNG_GRIDREF_MAX_DIGITS 10


PG_FUNCTION_INFO_V1(bng_in);
PG_FUNCTION_INFO_V1(bng_out);
PG_FUNCTION_INFO_V1(bng_recv);
PG_FUNCTION_INFO_V1(bng_send);
PG_FUNCTION_INFO_V1(bng_make);
PG_FUNCTION_INFO_V1(bng_easting_fn);
PG_FUNCTION_INFO_V1(bng_northing_fn);
PG_FUNCTION_INFO_V1(bng_gridref);
PG_FUNCTION_INFO_V1(bng_eq);
PG_FUNCTION_INFO_V1(bng_ne);
PG_FUNCTION_INFO_V1(bng_lt);
PG_FUNCTION_INFO_V1(bng_le);
PG_FUNCTION_INFO_V1(bng_gt);
PG_FUNCTION_INFO_V1(bng_ge);
PG_FUNCTION_INFO_V1(bng_cmp);
PG_FUNCTION_INFO_V1(bng_sortsupport);
PG_FUNCTION_INFO_V1(bng_hash);
PG_FUNCTION_INFO_V1(bng_hash_extended);
PG_FUNCTION_INFO_V1(bng_distance_op);
PG_FUNCTION_INFO_V1(bng_contained_by_box);
PG_FUNCTION_INFO_V1(box_contains_bng);
PG_FUNCTION_INFO_V1(bng_contained_by_circle);
PG_FUNCTION_INFO_V1(circle_contains_bng);
PG_FUNCTION_INFO_V1(bng_box);
PG_FUNCTION_INFO_V1(bng_to_ewkb);
PG_FUNCTION_INFO_V1(bng_from_ewkb);
PG_FUNCTION_INFO_V1(bng_transformable);
PG_FUNCTION_INFO_V1(bng_transform);

/* ----------------------------------------------------------------------
 * Errors: one place each, so soft input errors (PostgreSQL 16) are a small
 * change later.
 * ---------------------------------------------------------------------- */

/* Report malformed text input. */
static void
pg_attribute_noreturn()
bng_syntax_error(const char *str, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type bng: \"%s\"", str),
			 errdetail("%s", detail),
			 errhint("Write easting and northing in metres, as in '530043.19 180358.21', or an OS grid reference, as in 'TQ 30043 80358'.")));
}

/* Report a well-formed point that lies off the GB grid. */
static void
pg_attribute_noreturn()
bng_range_error(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("bng value out of range: %s", what),
			 errdetail("The British National Grid spans eastings 0 to 700000 m and northings 0 to 1300000 m."),
			 errhint("Check that the coordinates are in metres on EPSG:27700 and in the right order (easting first).")));
}

/* Build a point from metres rounded to the millimetre; 22003 if off grid. */
static Bng
bng_from_metres(double easting, double northing)
{
	double		e = round(easting * 1000.0);
	double		n = round(northing * 1000.0);

	if (!isfinite(e) || !isfinite(n) ||
		e < 0 || e > (double) BNG_MAX_EASTING_MM ||
		n < 0 || n > (double) BNG_MAX_NORTHING_MM)
	{
		char		ebuf[DOUBLE_SHORTEST_DECIMAL_LEN];
		char		nbuf[DOUBLE_SHORTEST_DECIMAL_LEN];
		char		what[2 * DOUBLE_SHORTEST_DECIMAL_LEN + 32];

		double_to_shortest_decimal_buf(easting, ebuf);
		double_to_shortest_decimal_buf(northing, nbuf);
		snprintf(what, sizeof(what), "easting %s, northing %s", ebuf, nbuf);
		bng_range_error(what);
	}
	return bng_make_mm((int64) e, (int64) n);
}

/* ----------------------------------------------------------------------
 * Text input
 * ---------------------------------------------------------------------- */

/* ASCII white space (locale-independent). */
static inline bool
bng_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		c == '\f' || c == '\v';
}

static inline bool
bng_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
bng_isalpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static const char *
bng_skip_space(const char *p)
{
	while (bng_isspace(*p))
		p++;
	return p;
}

/*
 * Parse a decimal number of metres at *pp into millimetres, rounding at the
 * fourth decimal (halves away from zero).  Returns false if there is no
 * number.  A negative result or one too large for the grid is returned as
 * is (or flagged with *huge) for the caller's range check.
 */
static bool
bng_parse_metres(const char **pp, int64 *mm, bool *huge)
{
	const char *p = *pp;
	bool		neg = false;
	bool		any = false;
	int64		whole = 0;
	int64		frac = 0;
	int			nfrac = 0;
	bool		round_up = false;

	*huge = false;
	if (*p == '+' || *p == '-')
		neg = (*p++ == '-');
	while (bng_isdigit(*p))
	{
		any = true;
		if (whole < INT64CONST(100000000000))	/* 1e11 m: far off grid */
			whole = whole * 10 + (*p - '0');
		else
			*huge = true;
		p++;
	}
	if (*p == '.')
	{
		p++;
		while (bng_isdigit(*p))
		{
			any = true;
			if (nfrac < 3)
				frac = frac * 10 + (*p - '0');
			else if (nfrac == 3)
				round_up = (*p >= '5');
			nfrac++;
			p++;
		}
	}
	if (!any)
		return false;
	while (nfrac < 3)
	{
		frac *= 10;
		nfrac++;
	}
	*mm = whole * 1000 + frac + (round_up ? 1 : 0);
	if (neg)
		*mm = -*mm;
	*pp = p;
	return true;
}

/*
 * Index 0..24 of an OS grid letter in the 5 x 5 letter grid (A..Z without
 * I, row by row from the north-west), or -1.
 */
static int
bng_letter_index(char c)
{
	c = pg_ascii_toupper((unsigned char) c);
	if (c < 'A' || c > 'Z' || c == 'I')
		return -1;
	return (c > 'I') ? c - 'A' - 1 : c - 'A';
}

/* The OS grid letter at index 0..24. */
static char
bng_index_letter(int i)
{
	Assert(i >= 0 && i < 25);
	return (i >= 8) ? 'A' + i + 1 : 'A' + i;
}

/*
 * South-west corner, in metres, of the 100 km square named by two grid
 * letters (possibly off the GB grid: the caller range-checks).
 */
static void
bng_square_origin(int l1, int l2, int64 *e_m, int64 *n_m)
{
	/* 500 km square: S (column 2, row 3 from the top) is the origin */
	int64		e500 = (l1 % 5) - 2;
	int64		n500 = 3 - (l1 / 5);

	/* 100 km square inside it, same layout */
	*e_m = e500 * 500000 + (int64) (l2 % 5) * 100000;
	*n_m = n500 * 500000 + (int64) (4 - l2 / 5) * 100000;
}

/* Parse an OS grid reference ("TQ 30043 80358"); str is the whole input. */
static Bng
bng_parse_gridref(const char *str, const char *p)
{
	int			l1,
				l2;
	const char *grp[2];
	int			len[2];
	int			ngrp = 0;
	int			half;
	int64		e_m,
				n_m;
	int64		de = 0,
				dn = 0;
	int			i;

	if (!bng_isalpha(p[0]) || !bng_isalpha(p[1]))
		bng_syntax_error(str, "A grid reference starts with two letters naming a 100 km square.");
	l1 = bng_letter_index(p[0]);
	l2 = bng_letter_index(p[1]);
	if (l1 < 0 || l2 < 0)
		bng_syntax_error(str, "Grid square letters are A to Z without I.");
	/*
	 * Only the 91 squares whose south-west corner lies inside the grid exist
	 * (the grid is 7 x 13 squares of 100 km); the letter layout names more.
	 */
	bng_square_origin(l1, l2, &e_m, &n_m);
	if (e_m < 0 || e_m >= BNG_MAX_EASTING_MM / 1000 ||
		n_m < 0 || n_m >= BNG_MAX_NORTHING_MM / 1000)
	{
		char		detail[160];

		snprintf(detail, sizeof(detail),
				 "Grid square %c%c lies outside the British National Grid, whose 100 km squares run from SV in the south-west to JM in the north-east.",
				 pg_ascii_toupper((unsigned char) p[0]), pg_ascii_toupper((unsigned char) p[1]));
		bng_syntax_error(str, detail);
	}
	p += 2;

	/* up to two groups of digits separated by white space */
	for (;;)
	{
		p = bng_skip_space(p);
		if (*p == '\0')
			break;
		if (!bng_isdigit(*p))
			bng_syntax_error(str, "A grid reference has only digits and spaces after its two letters.");
		if (ngrp == 2)
			bng_syntax_error(str, "A grid reference has at most two groups of digits.");
		grp[ngrp] = p;
		while (bng_isdigit(*p))
			p++;
		len[ngrp] = p - grp[ngrp];
		ngrp++;
	}

	if (ngrp == 1)
	{
		if (len[0] % 2 != 0)
			bng_syntax_error(str, "A grid reference has an even number of digits: as many for the easting as for the northing.");
		half = len[0] / 2;
		grp[1] = grp[0] + half;
		len[0] = len[1] = half;
	}
	else if (ngrp == 2)
	{
		if (len[0] != len[1])
			bng_syntax_error(str, "The easting and northing of a grid reference have the same number of digits.");
		half = len[0];
	}
	else
		half = 0;

	if (half > BNG_GRIDREF_MAX_DIGITS / 2)
		bng_syntax_error(str, "A grid reference has at most 10 digits (1 m resolution).");

	for (i = 0; i < half; i++)
	{
		de = de * 10 + (grp[0][i] - '0');
		dn = dn * 10 + (grp[1][i] - '0');
	}
	for (; i < BNG_GRIDREF_MAX_DIGITS / 2; i++)
	{
		de *= 10;
		dn *= 10;
	}

	e_m += de;
	n_m += dn;
	if (!bng_mm_in_range(e_m * 1000, n_m * 1000))
	{
		char		what[96];

		snprintf(what, sizeof(what), "grid reference \"%.64s\"", str);
		bng_range_error(what);
	}
	return bng_make_mm(e_m * 1000, n_m * 1000);
}

/* Parse any accepted text form of a bng point. */
static Bng
bng_parse(const char *str)
{
	const char *p = bng_skip_space(str);
	bool		paren = false;
	int64		e,
				n;
	bool		huge_e,
				huge_n;

	if (*p == '\0')
		bng_syntax_error(str, "The input is empty.");
	if (bng_isalpha(*p))
		return bng_parse_gridref(str, p);

	if (*p == '(')
	{
		paren = true;
		p = bng_skip_space(p + 1);
	}
	if (!bng_parse_metres(&p, &e, &huge_e))
		bng_syntax_error(str, "Expected an easting in metres.");

	/* separator: a comma (white space around it allowed) or white space */
	{
		const char *q = bng_skip_space(p);

		if (*q == ',')
			q = bng_skip_space(q + 1);
		else if (q == p || paren)
			bng_syntax_error(str, paren ?
							 "Separate easting and northing in parentheses with a comma." :
							 "Separate easting and northing with white space or a comma.");
		p = q;
	}

	if (!bng_parse_metres(&p, &n, &huge_n))
		bng_syntax_error(str, "Expected a northing in metres after the easting.");
	p = bng_skip_space(p);
	if (paren)
	{
		if (*p != ')')
			bng_syntax_error(str, "Expected \")\" after the northing.");
		p = bng_skip_space(p + 1);
	}
	if (*p != '\0')
		bng_syntax_error(str, "Unexpected characters after the northing.");

	if (huge_e || huge_n || !bng_mm_in_range(e, n))
	{
		char		what[64 + 32];

		snprintf(what, sizeof(what), "\"%.64s\"", str);
		bng_range_error(what);
	}
	return bng_make_mm(e, n);
}

/* ----------------------------------------------------------------------
 * Text output
 * ---------------------------------------------------------------------- */

/* Append millimetres as metres with at most three decimals, no trailing 0. */
static char *
bng_format_mm(char *buf, int32 mm)
{
	int32		whole = mm / 1000;
	int32		frac = mm % 1000;

	buf += sprintf(buf, "%d", whole);
	if (frac != 0)
	{
		int			digits = 3;

		while (frac % 10 == 0)
		{
			frac /= 10;
			digits--;
		}
		buf += sprintf(buf, ".%0*d", digits, frac);
	}
	return buf;
}

/* ----------------------------------------------------------------------
 * SQL-callable functions
 * ---------------------------------------------------------------------- */

/* Text input: metres or an OS grid reference. */
Datum
bng_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);

	PG_RETURN_BNG(bng_parse(str));
}

/* Text output: '<easting> <northing>' in metres. */
Datum
bng_out(PG_FUNCTION_ARGS)
{
	Bng			p = PG_GETARG_BNG(0);
	char	   *buf = palloc(32);
	char	   *q;

	q = bng_format_mm(buf, bng_easting_mm(p));
	*q++ = ' ';
	bng_format_mm(q, bng_northing_mm(p));
	PG_RETURN_CSTRING(buf);
}

/* Binary input: the int64 layout of bng.h, validated. */
Datum
bng_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int64		v = pq_getmsgint64(buf);
	int64		e_mm = (int64) ((uint64) v >> 32);
	int64		n_mm = (int64) ((uint64) v & UINT64CONST(0xFFFFFFFF));

	if (!bng_mm_in_range(e_mm, n_mm))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external bng value"),
				 errdetail("Easting " INT64_FORMAT " mm and northing " INT64_FORMAT " mm are not both on the British National Grid.",
						   e_mm, n_mm)));
	PG_RETURN_BNG(bng_make_mm(e_mm, n_mm));
}

/* Binary output: the int64 layout of bng.h, network byte order. */
Datum
bng_send(PG_FUNCTION_ARGS)
{
	Bng			p = PG_GETARG_BNG(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, p);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* civic.bng(easting, northing): metres rounded to the millimetre. */
Datum
bng_make(PG_FUNCTION_ARGS)
{
	PG_RETURN_BNG(bng_from_metres(PG_GETARG_FLOAT8(0), PG_GETARG_FLOAT8(1)));
}

/* civic.bng_easting(bng): easting in metres. */
Datum
bng_easting_fn(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(bng_easting(PG_GETARG_BNG(0)));
}

/* civic.bng_northing(bng): northing in metres. */
Datum
bng_northing_fn(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(bng_northing(PG_GETARG_BNG(0)));
}

/*
 * civic.bng_gridref(bng, digits): the OS grid reference of the square of
 * 10^(5 - digits/2) metres containing the point (truncated, not rounded,
 * as the Ordnance Survey does), e.g. 'TQ 30043 80358'; digits 0 gives just
 * the two letters.
 */
Datum
bng_gridref(PG_FUNCTION_ARGS)
{
	Bng			p = PG_GETARG_BNG(0);
	int32		digits = PG_GETARG_INT32(1);

	/*
	 * Points on the grid's east or north edge belong to the last square
	 * (there is no square beyond the edge): the last metre is 699999 east,
	 * 1299999 north.
	 */
	int64		e_m = Min(bng_easting_mm(p) / 1000, BNG_MAX_EASTING_MM / 1000 - 1);
	int64		n_m = Min(bng_northing_mm(p) / 1000, BNG_MAX_NORTHING_MM / 1000 - 1);
	int			e500 = e_m / 500000;
	int			n500 = n_m / 500000;
	int			e100 = (e_m % 500000) / 100000;
	int			n100 = (n_m % 500000) / 100000;
	int			half = digits / 2;
	int64		div = 1;
	char		buf[32];
	int			i;

	if (digits < 0 || digits > BNG_GRIDREF_MAX_DIGITS || digits % 2 != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid number of grid reference digits: %d", digits),
				 errdetail("A grid reference has 0, 2, 4, 6, 8 or 10 digits."),
				 errhint("Use 10 digits for 1 m, 8 for 10 m, 6 for 100 m, 4 for 1 km, 2 for 10 km and 0 for the 100 km square.")));

	/* inverse of bng_square_origin */
	buf[0] = bng_index_letter((3 - n500) * 5 + (e500 + 2));
	buf[1] = bng_index_letter((4 - n100) * 5 + e100);
	buf[2] = '\0';
	if (half > 0)
	{
		for (i = half; i < BNG_GRIDREF_MAX_DIGITS / 2; i++)
			div *= 10;
		snprintf(buf + 2, sizeof(buf) - 2, " %0*d %0*d",
				 half, (int) ((e_m % 100000) / div),
				 half, (int) ((n_m % 100000) / div));
	}
	PG_RETURN_TEXT_P(cstring_to_text(buf));
}

/*
 * Comparison and hashing: the packed int64 is never negative and its order
 * is "by easting, then by northing", so the btree and hash support of bng
 * are core's int8 functions, bound in SQL as LANGUAGE internal (int8eq,
 * btint8cmp, btint8sortsupport, hashint8, ...; control/install/20-bng.sql),
 * the way contrib/isn and civic.gsscode do.  What cannot be bound to core
 * works on the two halves, not on the int64: distance (<->), containment in
 * a box or circle, the GiST support (bng_gist.c, whose keys are boxes in
 * millimetres), text and binary input (range checks) and output.
 *
 * The C functions below are what civic 0.1.0's install script bound the
 * operators to; the library keeps them so that a database still at 0.1.0
 * works until ALTER EXTENSION civic UPDATE rebinds its functions to core.
 * Each hands its arguments, unchanged, to the core function.
 */

Datum
bng_eq(PG_FUNCTION_ARGS)
{
	return int8eq(fcinfo);
}

Datum
bng_ne(PG_FUNCTION_ARGS)
{
	return int8ne(fcinfo);
}

Datum
bng_lt(PG_FUNCTION_ARGS)
{
	return int8lt(fcinfo);
}

Datum
bng_le(PG_FUNCTION_ARGS)
{
	return int8le(fcinfo);
}

Datum
bng_gt(PG_FUNCTION_ARGS)
{
	return int8gt(fcinfo);
}

Datum
bng_ge(PG_FUNCTION_ARGS)
{
	return int8ge(fcinfo);
}

Datum
bng_cmp(PG_FUNCTION_ARGS)
{
	return btint8cmp(fcinfo);
}

Datum
bng_sortsupport(PG_FUNCTION_ARGS)
{
	return btint8sortsupport(fcinfo);
}

Datum
bng_hash(PG_FUNCTION_ARGS)
{
	return hashint8(fcinfo);
}

Datum
bng_hash_extended(PG_FUNCTION_ARGS)
{
	return hashint8extended(fcinfo);
}

/* bng <-> bng: distance in metres. */
Datum
bng_distance_op(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(bng_distance(PG_GETARG_BNG(0), PG_GETARG_BNG(1)));
}

/* bng <@ box: the point lies in the box (edges included). */
Datum
bng_contained_by_box(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(bng_in_box(PG_GETARG_BNG(0), PG_GETARG_BOX_P(1)));
}

/* box @> bng: the box contains the point (edges included). */
Datum
box_contains_bng(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(bng_in_box(PG_GETARG_BNG(1), PG_GETARG_BOX_P(0)));
}

/* bng <@ circle: the point lies within the circle (boundary included). */
Datum
bng_contained_by_circle(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(bng_in_circle(PG_GETARG_BNG(0), PG_GETARG_CIRCLE_P(1)));
}

/* circle @> bng: the circle contains the point (boundary included). */
Datum
circle_contains_bng(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(bng_in_circle(PG_GETARG_BNG(1), PG_GETARG_CIRCLE_P(0)));
}

/* civic.bng_box(bng, bng): the box (in metres) with these two corners. */
Datum
bng_box(PG_FUNCTION_ARGS)
{
	Bng			a = PG_GETARG_BNG(0);
	Bng			b = PG_GETARG_BNG(1);
	BOX		   *box = palloc(sizeof(BOX));

	box->low.x = Min(bng_easting(a), bng_easting(b));
	box->high.x = Max(bng_easting(a), bng_easting(b));
	box->low.y = Min(bng_northing(a), bng_northing(b));
	box->high.y = Max(bng_northing(a), bng_northing(b));
	PG_RETURN_BOX_P(box);
}

/* ----------------------------------------------------------------------
 * EWKB exchange with PostGIS (wrapped by SQL casts)
 * ---------------------------------------------------------------------- */

/* civic.bng_to_ewkb(bng): EWKB of POINT(easting northing), SRID 27700. */
Datum
bng_to_ewkb(PG_FUNCTION_ARGS)
{
	Bng			p = PG_GETARG_BNG(0);

	PG_RETURN_BYTEA_P(ewkb_make_point(bng_easting(p), bng_northing(p), BNG_SRID));
}

/* Raise 22023 for an empty point given where a bng point is wanted. */
static void
pg_attribute_noreturn()
bng_empty_point_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("cannot convert an empty point to bng"),
			 errdetail("An empty geometry has no coordinates.")));
}

/*
 * civic.bng_from_ewkb(bytea): the point of an EWKB/WKB POINT in SRID 27700
 * (or without SRID), rounded to the millimetre.  Z and M are ignored.
 */
Datum
bng_from_ewkb(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	double		x,
				y;
	int32		srid;

	if (!ewkb_read_point((const unsigned char *) VARDATA_ANY(in),
						 VARSIZE_ANY_EXHDR(in), &x, &y, &srid))
		bng_empty_point_error();
	ewkb_check_bng_srid(srid);
	PG_RETURN_BNG(bng_from_metres(x, y));
}

/*
 * Whether an SRID is one of the geographic (longitude/latitude in degrees)
 * systems a British point is commonly given in: WGS 84, ETRS89, NAD83 and
 * OSGB 1936.
 */
static bool
bng_srid_is_lonlat(int32 srid)
{
	return srid == 4326 || srid == 4258 || srid == 4269 || srid == 4277;
}

/*
 * civic.bng_transformable(bytea): the EWKB of a point that is about to be
 * transformed to the British National Grid by PostGIS, returned unchanged
 * once checked.  PostGIS (PROJ) reports NaN, infinite and out-of-domain
 * coordinates as internal errors (XX000); here they get the standard
 * SQLSTATEs: 22023 for non-points, empty points and NaN, 22003 for
 * infinite coordinates and longitudes or latitudes beyond +-180 and +-90
 * degrees in a longitude/latitude SRID.
 */
Datum
bng_transformable(PG_FUNCTION_ARGS)
{
	bytea	   *in = PG_GETARG_BYTEA_PP(0);
	double		x,
				y;
	int32		srid;

	if (!ewkb_read_point((const unsigned char *) VARDATA_ANY(in),
						 VARSIZE_ANY_EXHDR(in), &x, &y, &srid))
		bng_empty_point_error();
	if (isnan(x) || isnan(y))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot transform a point with a NaN coordinate to bng"),
				 errdetail("The point in SRID %d is (%g, %g).", srid, x, y),
				 errhint("Filter out rows whose coordinates are NaN, or map them to NULL first.")));
	if (bng_srid_is_lonlat(srid))
	{
		if (!(x >= -180.0 && x <= 180.0 && y >= -90.0 && y <= 90.0))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("longitude or latitude out of range: longitude %g, latitude %g", x, y),
					 errdetail("In SRID %d a longitude lies between -180 and 180 degrees and a latitude between -90 and 90.", srid),
					 errhint("Give the longitude first, in degrees: bng_from_lonlat(lon, lat); London is near longitude -0.1, latitude 51.5.")));
	}
	else if (!isfinite(x) || !isfinite(y))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("cannot transform a point with an infinite coordinate to bng"),
				 errdetail("The point in SRID %d is (%g, %g).", srid, x, y),
				 errhint("Filter out rows whose coordinates are infinite, or map them to NULL first.")));
	PG_RETURN_BYTEA_P(in);
}

/* The ST_Transform a call site of civic.bng_transform uses, checked once. */
typedef struct BngTransformCache
{
	Oid			fn;
	FmgrInfo	flinfo;			/* kept across rows: PostGIS caches PROJ in it */
} BngTransformCache;

/*
 * Refuse any function but PostGIS's ST_Transform(geometry, integer): the
 * OID comes from civic's bound SQL body, but the function is callable, so
 * it must not become a way to call an arbitrary function by OID.
 */
static void
bng_check_st_transform(Oid fn, Oid geomtype)
{
	/* the last function found to be ST_Transform (catalogue scans are slow) */
	static Oid	checked_fn = InvalidOid;
	static Oid	checked_type = InvalidOid;
	HeapTuple	tup;
	bool		ok = false;
	Oid			postgis;

	if (fn == checked_fn && geomtype == checked_type && OidIsValid(fn))
		ok = true;
	else if (HeapTupleIsValid(tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn))))
	{
		Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tup);

		postgis = get_extension_oid("postgis", true);
		ok = strcmp(NameStr(proc->proname), "st_transform") == 0 &&
			proc->pronargs == 2 && !proc->proretset &&
			proc->proargtypes.values[0] == geomtype &&
			proc->proargtypes.values[1] == INT4OID &&
			proc->prorettype == geomtype &&
			OidIsValid(postgis) &&
			getExtensionOfObject(ProcedureRelationId, fn) == postgis;
		ReleaseSysCache(tup);
		if (ok)
		{
			checked_fn = fn;
			checked_type = geomtype;
		}
	}
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("function %s is not PostGIS's ST_Transform(geometry, integer)", format_procedure(fn)),
				 errhint("civic.bng_transform is called by civic.bng(geometry); cast geometries with ::civic.bng instead.")));
	if (pg_proc_aclcheck(fn, GetUserId(), ACL_EXECUTE) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_FUNCTION, "st_transform");
}

/*
 * civic.bng_transform(geometry, regprocedure): the point transformed to
 * SRID 27700 by PostGIS's ST_Transform, whose OID civic.bng(geometry) binds
 * at install time (no name is looked up here).  PROJ reports a point
 * outside the domain of its SRID, or an SRID it does not know, as an
 * internal error (XX000): those become 22003 (out of the domain) or 22023
 * (anything else), with PostGIS's message in the detail.  The error is only
 * re-raised with another SQLSTATE, never swallowed, so the transaction
 * aborts as it would have.
 */
static FmgrInfo *
bng_transform_fn(FunctionCallInfo fcinfo, Oid fn)
{
	BngTransformCache *c = (BngTransformCache *) fcinfo->flinfo->fn_extra;

	if (c == NULL || c->fn != fn)
	{
		Oid			geomtype = get_fn_expr_argtype(fcinfo->flinfo, 0);

		if (!OidIsValid(geomtype))
			elog(ERROR, "could not determine the argument type");
		bng_check_st_transform(fn, geomtype);
		c = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(BngTransformCache));
		fmgr_info_cxt(fn, &c->flinfo, fcinfo->flinfo->fn_mcxt);
		c->fn = fn;
		fcinfo->flinfo->fn_extra = c;
	}
	return &c->flinfo;
}

Datum
bng_transform(PG_FUNCTION_ARGS)
{
	Datum		geom = PG_GETARG_DATUM(0);
	FmgrInfo   *transform = bng_transform_fn(fcinfo, PG_GETARG_OID(1));
	int32		srid = PG_NARGS() > 2 ? PG_GETARG_INT32(2) : BNG_SRID;
	MemoryContext oldcxt = CurrentMemoryContext;
	volatile Datum result = (Datum) 0;

	PG_TRY();
	{
		result = FunctionCall2(transform, geom, Int32GetDatum(srid));
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(oldcxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_INTERNAL_ERROR)
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
				(errcode(strncmp(edata->message, "transform:", 10) == 0
						 ? ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE
						 : ERRCODE_INVALID_PARAMETER_VALUE),
				 srid == BNG_SRID ? errmsg("cannot transform the point to bng")
				 : errmsg("cannot transform the point to SRID %d", srid),
				 errdetail("PostGIS: %s", edata->message),
				 errhint("Check the point's SRID, and that its coordinates are in that SRID's units and inside its area of use.")));
	}
	PG_END_TRY();
	PG_RETURN_DATUM(result);
}
