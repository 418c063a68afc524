/*
 * dp_grid.c
 *	  Fixed-point grids and numeric digits (dp_grid.h).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "funcapi.h"
#include "nodes/execnodes.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "dp_grid.h"

/* ------------------------------------------------------------------------
 * Grids
 * ------------------------------------------------------------------------
 */


/* Binary exponent e with x < 2^e (x > 0). */
static int
dp_exp2_above(double x)
{
	int			e;

	(void) frexp(x, &e);
	return e;
}

/* The binary grid for a float8 sum with these bounds and parameters. */
void
dp_float_grid(double lower, double upper, double epsilon, double delta, DpGrid *grid)
{
	double		d = Max(fabs(lower), fabs(upper));
	int			k = 0;
	double		inv;

	if (d > 0.0)
		k = dp_exp2_above(d) - 20;
	if (delta > 0.0 && d > 0.0)
	{
		double		sigma = d * dp_gaussian_multiplier(epsilon, delta);

		k = Max(k, dp_exp2_above(sigma) - (DP_MAX_SCALE_LOG2 - 1));
	}
	if (k < -1000)
		k = -1000;
	inv = ldexp(1.0, -k);
	grid->k = k;
	grid->lo_u = (int64) rint(lower * inv);
	grid->hi_u = (int64) rint(upper * inv);
	grid->delta_units = Max(Abs(grid->lo_u), Abs(grid->hi_u));
}


/* The binary integer grid (k >= 0) for bounds lower..upper. */
void
dp_int_grid(int64 lower, int64 upper, double epsilon, double delta, DpGrid *grid)
{
	uint64		d;
	int			k = 0;
	int			bits = 0;

	d = Max((uint64) (lower < 0 ? -(dp_int128) lower : lower),
			(uint64) (upper < 0 ? -(dp_int128) upper : upper));
	while (bits < 64 && (d >> bits) != 0)
		bits++;
	if (bits > 20)
		k = bits - 20;
	if (delta > 0.0 && d > 0)
	{
		double		sigma = (double) d * dp_gaussian_multiplier(epsilon, delta);

		k = Max(k, dp_exp2_above(sigma) - (DP_MAX_SCALE_LOG2 - 1));
	}
	if (k < 0)
		k = 0;
	if (k > 100)
		k = 100;
	grid->k = k;
	grid->lo_u = (int64) dp_int_to_grid(lower, k);
	grid->hi_u = (int64) dp_int_to_grid(upper, k);
	grid->delta_units = Max(Abs(grid->lo_u), Abs(grid->hi_u));
}

/* 10^j as a numeric. */
static Numeric
dp_numeric_pow10(int j)
{
	char		buf[32];

	snprintf(buf, sizeof(buf), "1e%d", j);
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(buf),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

/* round(v * scale) as int64, scale = 10^-j (numeric_int8 rounds half away from zero). */
static int64
dp_numeric_to_units(Numeric v, Numeric scale)
{
	Datum		x;

	x = DirectFunctionCall2(numeric_mul, NumericGetDatum(v), NumericGetDatum(scale));
	return DatumGetInt64(DirectFunctionCall1(numeric_int8, x));
}

/*
 * Per-row conversion of a dp_sum(numeric) value, without numeric arithmetic.
 *
 * A value v is released as clamp(round(v * 10^-j), lo_u, hi_u), where round
 * rounds half away from zero (as numeric_int8 does) and lo_u, hi_u are the
 * bounds converted the same way (dp_numeric_to_units).  Rounding is
 * monotone, so this equals rounding the value clamped to [lower, upper]:
 * a value below lower rounds to at most lo_u, one above upper to at least
 * hi_u.  The integer is computed exactly from the value's base-10000 digits,
 * saturating far beyond any int64 bound, so no row allocates.
 *
 * The digits are read in PostgreSQL's on-disk numeric format (numeric.c),
 * which is fixed across releases for binary upgrades: after the varlena
 * header, a uint16 word; if its top two bits are 10 (short format) it holds
 * the sign (0x2000) and a 7-bit two's complement weight (0x007F); if they
 * are 00 or 01 (long format: positive or negative) an int16 weight follows;
 * if 11 the value is NaN or an infinity.  Then come int16 digits, base 10000,
 * most significant first, digit i weighing 10000^(weight - i).  The datum
 * may have a 1-byte varlena header (unaligned), hence the memcpy reads.
 */
#define DP_NUMERIC_SIGN_MASK	0xC000
#define DP_NUMERIC_NEG			0x4000
#define DP_NUMERIC_SHORT		0x8000
#define DP_NUMERIC_SPECIAL		0xC000
#define DP_NUMERIC_SHORT_NEG	0x2000
#define DP_NUMERIC_SHORT_WSIGN	0x0040
#define DP_NUMERIC_SHORT_WMASK	0x003F
/* magnitudes above this (in grid units) are beyond every int64 bound */
#define DP_NUMERIC_SATURATE		(((dp_uint128) 1) << 100)

/*
 * *units gets clamp(round(v * 10^-j), lo_u, hi_u) for a finite v; false for
 * NaN and the infinities, which the caller handles.
 */
bool
dp_numeric_units_clamped(struct varlena *num, int j, int64 lo_u, int64 hi_u,
						 int64 *units)
{
	static const int pow10[5] = {1, 10, 100, 1000, 10000};
	const char *data = VARDATA_ANY(num);
	Size		len = VARSIZE_ANY_EXHDR(num);
	uint16		header;
	int			weight;
	bool		neg;
	const char *digits;
	int			ndigits;
	dp_uint128	mag = 0;
	int			round_digit = 0;
	int			pos;
	int			i;
	dp_int128	val;

	if (len < sizeof(uint16))
		elog(ERROR, "civic: invalid numeric datum");
	memcpy(&header, data, sizeof(uint16));
	if ((header & DP_NUMERIC_SIGN_MASK) == DP_NUMERIC_SPECIAL)
		return false;
	if ((header & DP_NUMERIC_SIGN_MASK) == DP_NUMERIC_SHORT)
	{
		neg = (header & DP_NUMERIC_SHORT_NEG) != 0;
		weight = (header & DP_NUMERIC_SHORT_WMASK) |
			((header & DP_NUMERIC_SHORT_WSIGN) ? ~DP_NUMERIC_SHORT_WMASK : 0);
		digits = data + sizeof(uint16);
		ndigits = (int) ((len - sizeof(uint16)) / sizeof(int16));
	}
	else
	{
		int16		w;

		if (len < 2 * sizeof(uint16))
			elog(ERROR, "civic: invalid numeric datum");
		neg = (header & DP_NUMERIC_SIGN_MASK) == DP_NUMERIC_NEG;
		memcpy(&w, data + sizeof(uint16), sizeof(int16));
		weight = w;
		digits = data + 2 * sizeof(uint16);
		ndigits = (int) ((len - 2 * sizeof(uint16)) / sizeof(int16));
	}

	/*
	 * pos: the power of ten, in grid units, of the lowest decimal digit of
	 * base-10000 digit i.  Digits wholly above the units position are
	 * accumulated; the one straddling it is split; the first decimal digit
	 * below it decides the rounding.
	 */
	pos = 4 * weight - j;
	for (i = 0; i < ndigits; i++, pos -= 4)
	{
		int16		d;

		memcpy(&d, digits + i * sizeof(int16), sizeof(int16));
		if (pos >= 0)
		{
			if (mag > DP_NUMERIC_SATURATE)
				break;
			mag = mag * 10000 + (dp_uint128) d;
			continue;
		}
		if (pos >= -3)
		{
			int			p = pow10[-pos];

			if (mag <= DP_NUMERIC_SATURATE)
				mag = mag * (dp_uint128) pow10[4 + pos] + (dp_uint128) (d / p);
			round_digit = (d % p) / pow10[-pos - 1];
		}
		else if (pos == -4)
			round_digit = d / 1000;
		break;
	}
	/* trailing zeros of an integer-valued digit string */
	if (i == ndigits && ndigits > 0 && mag != 0)
	{
		int			pad = pos + 4;

		while (pad-- > 0 && mag <= DP_NUMERIC_SATURATE)
			mag *= 10;
	}
	if (mag > DP_NUMERIC_SATURATE)
		mag = DP_NUMERIC_SATURATE + 1;
	else if (round_digit >= 5)
		mag++;
	val = neg ? -(dp_int128) mag : (dp_int128) mag;
	if (val < lo_u)
		val = lo_u;
	else if (val > hi_u)
		val = hi_u;
	*units = (int64) val;
	return true;
}

/* The decimal grid 10^j for a numeric sum; *scale gets 10^-j. */
void
dp_numeric_grid(Numeric lower, Numeric upper, double epsilon, double delta,
				DpGrid *grid, Numeric *scale)
{
	double		l = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
													   NumericGetDatum(lower)));
	double		u = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
													   NumericGetDatum(upper)));
	double		d = Max(fabs(l), fabs(u));
	int			j = 0;
	Numeric		sc;

	if (d > 0.0)
		j = (int) floor(log10(d)) + 1 - 6;
	if (delta > 0.0 && d > 0.0)
	{
		double		sigma = d * dp_gaussian_multiplier(epsilon, delta);

		j = Max(j, (int) ceil(log10(sigma)) - 8);
	}
	if (j < -300)
		j = -300;
	if (j > 300)
		j = 300;
	sc = dp_numeric_pow10(-j);
	grid->k = j;
	grid->lo_u = dp_numeric_to_units(lower, sc);
	grid->hi_u = dp_numeric_to_units(upper, sc);
	grid->delta_units = Max(Abs(grid->lo_u), Abs(grid->hi_u));
	if (scale)
		*scale = sc;
}

/* int128 -> decimal text. */
static char *
dp_int128_to_cstring(dp_int128 v)
{
	char		buf[48];
	char	   *p = buf + sizeof(buf) - 1;
	bool		neg = v < 0;
	dp_uint128	u = neg ? -(dp_uint128) v : (dp_uint128) v;

	*p = '\0';
	do
	{
		*--p = '0' + (int) (u % 10);
		u /= 10;
	} while (u != 0);
	if (neg)
		*--p = '-';
	return pstrdup(p);
}

/* units * 10^j as a numeric on the decimal grid. */
Numeric
dp_units_to_numeric(dp_int128 units, int j)
{
	char	   *digits = dp_int128_to_cstring(units);
	char	   *s = psprintf("%se%d", digits, j);

	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(s),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}
