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

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every property an accepted value must have. */
static void
check_value(Datum v)
{
	Datum		out,
				again,
				t,
				sent,
				back,
				marg;
	char	   *s;
	StringInfo	msg;
	bytea	   *b;
	PGFunction	parts[] = {postcode_area, postcode_district, postcode_sector,
	postcode_outward, postcode_inward};
	int			i;

	if (!fuzz_call(postcode_out, 1, &v, "", &out, NULL))
		fuzz_fail("postcode_out failed on an accepted value");
	s = DatumGetCString(out);
	if (strlen(s) < 6 || strlen(s) > 8)
		fuzz_fail("postcode_out gave \"%s\"", s);
	if (!fuzz_call(postcode_in, 1, &out, "", &again, NULL) || again != v)
		fuzz_fail("\"%s\" does not re-read to the same postcode", s);
	if (!fuzz_call(postcode_to_text, 1, &v, "", &t, NULL) ||
		strcmp(fuzz_text_cstring(t), s) != 0)
		fuzz_fail("postcode_to_text differs from postcode_out for \"%s\"", s);
	if (!fuzz_call(postcode_send, 1, &v, "", &sent, NULL))
		fuzz_fail("postcode_send failed");
	b = DatumGetByteaPP(sent);
	msg = fuzz_message((const uint8_t *) VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
	marg = PointerGetDatum(msg);
	if (!fuzz_call(postcode_recv, 1, &marg, "", &back, NULL) ||
		back != v || msg->cursor != msg->len)
		fuzz_fail("send/recv does not round-trip \"%s\"", s);
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
	char	   *cstr = fuzz_cstring(data, size);
	Datum		arg = CStringGetDatum(cstr);
	Datum		v,
				v2,
				valid;
	bool		ok_in,
				ok_text;
	Datum		t;

	ok_in = fuzz_call(postcode_in, 1, &arg, "22P02", &v, NULL);

	/* the same characters as a text value */
	t = fuzz_varlena((const uint8_t *) cstr, strlen(cstr));
	ok_text = fuzz_call(postcode_from_text, 1, &t, "22P02", &v2, NULL);
	if (!fuzz_call(is_valid_postcode, 1, &t, "", &valid, NULL))
		fuzz_fail("is_valid_postcode raised an error");
	if (ok_in != ok_text || ok_in != DatumGetBool(valid) ||
		(ok_in && v != v2))
		fuzz_fail("postcode_in, the text cast and is_valid_postcode disagree");
	if (ok_in)
		check_value(v);

	/* all the bytes, NULs included, as text: cast and test agree */
	t = fuzz_varlena(data, size);
	ok_text = fuzz_call(postcode_from_text, 1, &t, "22P02", &v2, NULL);
	if (!fuzz_call(is_valid_postcode, 1, &t, "", &valid, NULL))
		fuzz_fail("is_valid_postcode raised an error");
	if (ok_text != DatumGetBool(valid))
		fuzz_fail("the text cast and is_valid_postcode disagree");
}

static void
fuzz_recv(const uint8_t *data, size_t size)
{
	StringInfo	msg = fuzz_message(data, size);
	Datum		arg = PointerGetDatum(msg);
	Datum		v;

	if (fuzz_call(postcode_recv, 1, &arg, "22P03 08P01", &v, NULL))
		check_value(v);
}

static const FuzzTarget targets[] = {
	{"postcode_text", fuzz_text},
	{"postcode_recv", fuzz_recv},
	{NULL, NULL}
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_select(targets);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_reset();
	fuzz_target(data, size);
	fuzz_reset();
	return 0;
}
