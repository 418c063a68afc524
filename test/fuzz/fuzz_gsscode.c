/*
 * fuzz_gsscode.c
 *	  libFuzzer targets for civic.gsscode (src/gsscode.c).
 *
 * gsscode_text: gsscode_in on the bytes up to the first NUL; gsscode_from_text
 *	  and is_valid_gsscode on the same characters and on all the bytes.
 *	  Properties: they agree; errors are 22P02; an accepted value prints as
 *	  nine characters that re-read to it, round-trips send/recv, and its
 *	  entity, level, country and entity name functions do not fail.
 * gsscode_recv: gsscode_recv on the bytes as a binary message.  Errors are
 *	  22P03 or 08P01; an accepted value has every property above.
 */
#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "fuzz_env.h"

extern Datum gsscode_in(PG_FUNCTION_ARGS);
extern Datum gsscode_out(PG_FUNCTION_ARGS);
extern Datum gsscode_recv(PG_FUNCTION_ARGS);
extern Datum gsscode_send(PG_FUNCTION_ARGS);
extern Datum gsscode_from_text(PG_FUNCTION_ARGS);
extern Datum gsscode_to_text(PG_FUNCTION_ARGS);
extern Datum is_valid_gsscode(PG_FUNCTION_ARGS);
extern Datum gss_entity(PG_FUNCTION_ARGS);
extern Datum gss_level(PG_FUNCTION_ARGS);
extern Datum gss_country(PG_FUNCTION_ARGS);
extern Datum gss_entity_name(PG_FUNCTION_ARGS);

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_value(Datum v)
{
	Datum		out,
				again,
				t,
				sent,
				back,
				marg,
				r;
	char	   *s;
	StringInfo	msg;
	bytea	   *b;
	bool		isnull;

	if (!fuzz_call(gsscode_out, 1, &v, "", &out, NULL))
		fuzz_fail("gsscode_out failed on an accepted value");
	s = DatumGetCString(out);
	if (strlen(s) != 9)
		fuzz_fail("gsscode_out gave \"%s\"", s);
	if (!fuzz_call(gsscode_in, 1, &out, "", &again, NULL) || again != v)
		fuzz_fail("\"%s\" does not re-read to the same gsscode", s);
	if (!fuzz_call(gsscode_to_text, 1, &v, "", &t, NULL) ||
		strcmp(fuzz_text_cstring(t), s) != 0)
		fuzz_fail("gsscode_to_text differs from gsscode_out for \"%s\"", s);
	if (!fuzz_call(gsscode_send, 1, &v, "", &sent, NULL))
		fuzz_fail("gsscode_send failed");
	b = DatumGetByteaPP(sent);
	msg = fuzz_message((const uint8_t *) VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
	marg = PointerGetDatum(msg);
	if (!fuzz_call(gsscode_recv, 1, &marg, "", &back, NULL) ||
		back != v || msg->cursor != msg->len)
		fuzz_fail("send/recv does not round-trip \"%s\"", s);
	if (!fuzz_call(gss_entity, 1, &v, "", &r, NULL) ||
		strncmp(fuzz_text_cstring(r), s, 3) != 0)
		fuzz_fail("gss_entity of \"%s\"", s);
	if (!fuzz_call(gss_country, 1, &v, "", &r, NULL))
		fuzz_fail("gss_country of \"%s\"", s);
	if (!fuzz_call(gss_level, 1, &v, "", &r, &isnull))
		fuzz_fail("gss_level of \"%s\"", s);
	if (!fuzz_call(gss_entity_name, 1, &v, "", &r, &isnull))
		fuzz_fail("gss_entity_name of \"%s\"", s);
}

static void
fuzz_text(const uint8_t *data, size_t size)
{
	char	   *cstr = fuzz_cstring(data, size);
	Datum		arg = CStringGetDatum(cstr);
	Datum		v,
				v2,
				valid,
				t;
	bool		ok_in,
				ok_text;

	ok_in = fuzz_call(gsscode_in, 1, &arg, "22P02", &v, NULL);
	t = fuzz_varlena((const uint8_t *) cstr, strlen(cstr));
	ok_text = fuzz_call(gsscode_from_text, 1, &t, "22P02", &v2, NULL);
	if (!fuzz_call(is_valid_gsscode, 1, &t, "", &valid, NULL))
		fuzz_fail("is_valid_gsscode raised an error");
	if (ok_in != ok_text || ok_in != DatumGetBool(valid) ||
		(ok_in && v != v2))
		fuzz_fail("gsscode_in, the text cast and is_valid_gsscode disagree");
	if (ok_in)
		check_value(v);

	t = fuzz_varlena(data, size);
	ok_text = fuzz_call(gsscode_from_text, 1, &t, "22P02", &v2, NULL);
	if (!fuzz_call(is_valid_gsscode, 1, &t, "", &valid, NULL))
		fuzz_fail("is_valid_gsscode raised an error");
	if (ok_text != DatumGetBool(valid))
		fuzz_fail("the text cast and is_valid_gsscode disagree");
	if (ok_text)
		check_value(v2);
}

static void
fuzz_recv(const uint8_t *data, size_t size)
{
	StringInfo	msg = fuzz_message(data, size);
	Datum		arg = PointerGetDatum(msg);
	Datum		v;

	if (fuzz_call(gsscode_recv, 1, &arg, "22P03 08P01", &v, NULL))
		check_value(v);
}

static const FuzzTarget targets[] = {
	{"gsscode_text", fuzz_text},
	{"gsscode_recv", fuzz_recv},
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
