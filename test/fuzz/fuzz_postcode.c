/*
 * fuzz_postcode.c
 *	  libFuzzer targets for civic.postcode (src/postcode.c).
 *
 * postcode_text: the bytes as text input (postcode_in up to the first NUL,
 *	  as a cstring; postcode_from_text and is_valid_postcode on all of them,
 *	  as a text datum of exactly that length).  Properties: the three agree;
 *	  errors are 22P02; an accepted value prints, re-reads to itself, sends
 *	  and receives to itself, and its parts (area ... inward) are all
 *	  prefixes or the tail of its text.
 * postcode_recv: the bytes as a binary message (postcode_recv).  Errors are
 *	  22P03 or 08P01 (too short); an accepted value prints without error
 *	  and re-reads to itself.
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "fuzz_env.h"

extern Datum postcode_in(PG_FUNCTION_ARGS);
extern Datum postcode_out(PG_FUNCTION_ARGS);
extern Datum postcode_recv(PG_FUNCTION_ARGS);
extern Datum postcode_send(PG_FUNCTION_ARGS);
extern Datum postcode_from_text(PG_FUNCTION_ARGS);
extern Datum postcode_to_text(PG_FUNCTION_ARGS);
extern Datum is_valid_postcode(PG_FUNCTION_ARGS);
extern Datum postcode_area(PG_FUNCTION_ARGS);
extern Datum postcode_district(PG_FUNCTION_ARGS);
extern Datum postcode_sector(PG_FUNCTION_ARGS);
extern Datum postcode_outward(PG_FUNCTION_ARGS);
extern Datum postcode_inward(PG_FUNCTION_ARGS);

static const FuzzTypeIO postcode_io = {
	"postcode", postcode_in, postcode_out, postcode_recv, postcode_send,
	postcode_from_text, postcode_to_text, is_valid_postcode
};

/* Every property an accepted value must have. */
static void
check_value(Datum v)
{
	char	   *s = fuzz_check_io(&postcode_io, v);
	PGFunction	parts[] = {postcode_area, postcode_district, postcode_sector,
	postcode_outward, postcode_inward};
	int			i;

	if (strlen(s) < 6 || strlen(s) > 8)
		fuzz_fail("postcode_out gave \"%s\"", s);
	for (i = 0; i < lengthof(parts); i++)
	{
		Datum		part;
		char	   *ps;
		size_t		n;

		if (!fuzz_call(parts[i], 1, &v, "", &part, NULL))
			fuzz_fail("postcode part %d failed on \"%s\"", i, s);
		ps = fuzz_text_cstring(part);
		n = strlen(ps);
		if (n == 0 || n > strlen(s) ||
			(strncmp(ps, s, n) != 0 && strcmp(ps, s + strlen(s) - n) != 0))
			fuzz_fail("postcode part %d of \"%s\" is \"%s\"", i, s, ps);
	}
}

static void
fuzz_text(const uint8_t *data, size_t size)
{
	fuzz_text_input(&postcode_io, data, size, check_value);
}

static void
fuzz_recv(const uint8_t *data, size_t size)
{
	fuzz_recv_input(&postcode_io, data, size, check_value);
}

const FuzzTarget fuzz_targets[] = {
	{"postcode_text", fuzz_text},
	{"postcode_recv", fuzz_recv},
	{NULL, NULL}
};
