/*
 * fuzz_dp_state.c
 *	  libFuzzer target for civic.dp_state's binary input (src/dp_state.c and
 *	  each family's dp_*_state_check).
 *
 * dp_state_recv: dp_state_recv on the bytes as a binary message.  Errors
 *	  are 22P03 (or 08P01); an accepted value sends back exactly the bytes
 *	  received, and is read again by dp_state_recv.  The family checks read
 *	  the catalogue for a per-unit state's unit type and collation: a few
 *	  types are faked here (int4, int8, bool, float8, uuid, text, point,
 *	  and a domain over text), and the collations 100 and 950.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/syscache.h"

#include "fuzz_env.h"

extern Datum dp_state_recv(PG_FUNCTION_ARGS);
extern Datum dp_state_send(PG_FUNCTION_ARGS);

#define FAKE_DOMAIN_OID 99999

/* The faked catalogue: the types and collations the check may look up. */
bool
SearchSysCacheExists(int cacheId, Datum key1, Datum key2, Datum key3, Datum key4)
{
	Oid			oid = DatumGetObjectId(key1);

	if (cacheId == TYPEOID)
		return oid == INT4OID || oid == INT8OID || oid == BOOLOID ||
			oid == FLOAT8OID || oid == UUIDOID || oid == TEXTOID ||
			oid == POINTOID || oid == FAKE_DOMAIN_OID;
	if (cacheId == COLLOID)
		return oid == 100 || oid == 950;
	fuzz_fail("SearchSysCacheExists(%d) is not faked", cacheId);
}

Oid
getBaseType(Oid typid)
{
	return typid == FAKE_DOMAIN_OID ? TEXTOID : typid;
}

void
get_typlenbyval(Oid typid, int16 *typlen, bool *typbyval)
{
	switch (typid)
	{
		case INT4OID:
		case INT8OID:
		case BOOLOID:
		case FLOAT8OID:
			*typlen = typid == INT4OID ? 4 : typid == BOOLOID ? 1 : 8;
			*typbyval = true;
			return;
		case UUIDOID:
			*typlen = 16;
			*typbyval = false;
			return;
		case TEXTOID:
			*typlen = -1;
			*typbyval = false;
			return;
		default:
			fuzz_fail("get_typlenbyval(%u) is not faked", typid);
	}
}

char *
format_type_be(Oid typid)
{
	return psprintf("type %u", typid);
}

/* Encoding check: bytes of a server encoding never contain a NUL. */
bool
pg_verifymbstr(const char *mbstr, int len, bool noError)
{
	return memchr(mbstr, 0, len) == NULL;
}

/* The backend helpers dp_state_recv/send use that fuzz_env.c lacks. */
const char *
pq_getmsgbytes(StringInfo msg, int datalen)
{
	const char *result;

	if (datalen < 0 || datalen > (msg->len - msg->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("insufficient data left in message")));
	result = &msg->data[msg->cursor];
	msg->cursor += datalen;
	return result;
}

void
pq_sendbytes(StringInfo buf, const void *data, int datalen)
{
	appendBinaryStringInfo(buf, data, datalen);
}

char *
psprintf(const char *fmt,...)
{
	va_list		args;
	char		buf[1024];

	va_start(args, fmt);
	vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	return pstrdup(buf);
}

static void
fuzz_recv(const uint8_t *data, size_t size)
{
	StringInfo	msg = fuzz_message(data, size);
	Datum		arg = PointerGetDatum(msg);
	Datum		v,
				sent,
				again;
	bytea	   *b;

	if (!fuzz_call(dp_state_recv, 1, &arg, "22P03 08P01", &v, NULL))
		return;
	if (!fuzz_call(dp_state_send, 1, &v, "", &sent, NULL))
		fuzz_fail("dp_state_send failed on an accepted value");
	b = DatumGetByteaPP(sent);
	if (VARSIZE_ANY_EXHDR(b) != size || memcmp(VARDATA_ANY(b), data, size) != 0)
		fuzz_fail("dp_state_send does not give back the bytes received");
	msg = fuzz_message((const uint8_t *) VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
	arg = PointerGetDatum(msg);
	if (!fuzz_call(dp_state_recv, 1, &arg, "", &again, NULL))
		fuzz_fail("dp_state_recv refuses what dp_state_send gave");
}

const FuzzTarget fuzz_targets[] = {
	{"dp_state_recv", fuzz_recv},
	{NULL, NULL}
};
