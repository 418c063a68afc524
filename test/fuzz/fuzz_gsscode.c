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

static const FuzzTypeIO gsscode_io = {
	"gsscode", gsscode_in, gsscode_out, gsscode_recv, gsscode_send,
	gsscode_from_text, gsscode_to_text, is_valid_gsscode
};

/* Every property an accepted value must have. */
static void
check_value(Datum v)
{
	Datum		r;
	char	   *s = fuzz_check_io(&gsscode_io, v);
	bool		isnull;

	if (strlen(s) != 9)
		fuzz_fail("gsscode_out gave \"%s\"", s);
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
	fuzz_text_input(&gsscode_io, data, size, check_value);
}

static void
fuzz_recv(const uint8_t *data, size_t size)
{
	fuzz_recv_input(&gsscode_io, data, size, check_value);
}

const FuzzTarget fuzz_targets[] = {
	{"gsscode_text", fuzz_text},
	{"gsscode_recv", fuzz_recv},
	{NULL, NULL}
};
