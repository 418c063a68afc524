/*
 * fuzz_bng.c
 *	  libFuzzer targets for civic.bng (src/bng.c).
 *
 * bng_text: bng_in on the bytes up to the first NUL (metres, parentheses,
 *	  commas, OS grid references).  Errors are 22P02 or 22003.
 * bng_recv: bng_recv on the bytes as a binary message.  Errors are 22P03
 *	  or 08P01.
 * bng_make: civic.bng(easting, northing) on two float8 taken from the bytes
 *	  (NaN, infinities, huge, negative zero ...).  Errors are 22003; an
 *	  accepted point is within half a millimetre of the arguments.
 * Every accepted value must print and re-read to itself, round-trip
 * send/recv and bng_to_ewkb/bng_from_ewkb, and give a grid reference for
 * each of 0, 2, ..., 10 digits that reads back as the south-west corner of
 * a square of that size holding the point (odd or out-of-range digit
 * counts: 22023).
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "bng.h"
#include "fuzz_env.h"

extern Datum bng_in(PG_FUNCTION_ARGS);
extern Datum bng_out(PG_FUNCTION_ARGS);
extern Datum bng_recv(PG_FUNCTION_ARGS);
extern Datum bng_send(PG_FUNCTION_ARGS);
extern Datum bng_make(PG_FUNCTION_ARGS);
extern Datum bng_gridref(PG_FUNCTION_ARGS);
extern Datum bng_to_ewkb(PG_FUNCTION_ARGS);
extern Datum bng_from_ewkb(PG_FUNCTION_ARGS);
extern Datum bng_distance_op(PG_FUNCTION_ARGS);

static void
check_gridref(Datum v, const char *s, int32 digits)
{
	Datum		args[2] = {v, Int32GetDatum(digits)};
	Datum		ref,
				arg,
				corner;
	char	   *rs;
	bool		valid_digits = digits >= 0 && digits <= 10 && digits % 2 == 0;
	int64		size_mm = 1000,
				de,
				dn;
	int			i;

	if (!fuzz_call(bng_gridref, 2, args, valid_digits ? "" : "22023", &ref, NULL))
		return;
	if (!valid_digits)
		fuzz_fail("bng_gridref accepted %d digits", digits);
	rs = fuzz_text_cstring(ref);
	arg = CStringGetDatum(rs);
	if (!fuzz_call(bng_in, 1, &arg, "", &corner, NULL))
		fuzz_fail("grid reference \"%s\" of \"%s\" does not read back", rs, s);
	for (i = digits / 2; i < 5; i++)
		size_mm *= 10;
	de = (int64) bng_easting_mm(DatumGetBng(v)) - bng_easting_mm(DatumGetBng(corner));
	dn = (int64) bng_northing_mm(DatumGetBng(v)) - bng_northing_mm(DatumGetBng(corner));
	if (de < 0 || dn < 0 || de > size_mm || dn > size_mm)
		fuzz_fail("grid reference \"%s\" does not hold the point \"%s\"", rs, s);
}

static const FuzzTypeIO bng_io = {
	"bng", bng_in, bng_out, bng_recv, bng_send, NULL, NULL, NULL
};

static void
check_value(Datum v)
{
	Datum		back,
				ewkb,
				dist;
	Datum		pair[2];
	char	   *s = fuzz_check_io(&bng_io, v);
	int32		d;

	if (!fuzz_call(bng_to_ewkb, 1, &v, "", &ewkb, NULL) ||
		!fuzz_call(bng_from_ewkb, 1, &ewkb, "", &back, NULL) || back != v)
		fuzz_fail("EWKB does not round-trip \"%s\"", s);
	pair[0] = pair[1] = v;
	if (!fuzz_call(bng_distance_op, 2, pair, "", &dist, NULL) ||
		DatumGetFloat8(dist) != 0)
		fuzz_fail("distance of \"%s\" to itself", s);
	for (d = -2; d <= 12; d++)
		check_gridref(v, s, d);
}

static void
fuzz_text(const uint8_t *data, size_t size)
{
	char	   *cstr = fuzz_cstring(data, size);
	Datum		arg = CStringGetDatum(cstr);
	Datum		v;

	if (fuzz_call(bng_in, 1, &arg, "22P02 22003", &v, NULL))
		check_value(v);
}

static void
fuzz_recv(const uint8_t *data, size_t size)
{
	fuzz_recv_input(&bng_io, data, size, check_value);
}

static void
fuzz_make(const uint8_t *data, size_t size)
{
	uint8_t		buf[16] = {0};
	double		e,
				n;
	Datum		args[2];
	Datum		v;

	memcpy(buf, data, Min(size, sizeof(buf)));
	memcpy(&e, buf, 8);
	memcpy(&n, buf + 8, 8);
	args[0] = Float8GetDatum(e);
	args[1] = Float8GetDatum(n);
	if (!fuzz_call(bng_make, 2, args, "22003", &v, NULL))
		return;
	if (!(fabs(bng_easting(DatumGetBng(v)) - e) <= 0.0005 + 1e-9 * fabs(e)) ||
		!(fabs(bng_northing(DatumGetBng(v)) - n) <= 0.0005 + 1e-9 * fabs(n)))
		fuzz_fail("bng(%.17g, %.17g) is not within half a millimetre", e, n);
	check_value(v);
}

const FuzzTarget fuzz_targets[] = {
	{"bng_text", fuzz_text},
	{"bng_recv", fuzz_recv},
	{"bng_make", fuzz_make},
	{NULL, NULL}
};
