/*
 * gsscode.c
 *	  civic.gsscode: an ONS Government Statistical Service geography code,
 *	  such as E05009317 (a ward), E09000001 (the City of London) or
 *	  E12000007 (the London region).
 *
 * A code is one country letter (E, K, L, M, N, S, W) and eight digits.  The
 * first three characters name the ONS entity (E05 = electoral ward, E09 =
 * London borough, ...).
 *
 * Storage: a pass-by-value int64, (letter << 32) | number, where number is
 * the eight digits read as an integer (0 .. 99999999 < 2^27).  Every code has
 * the same length and its digits are all significant, so comparing the
 * integers is exactly comparing the codes as text (byte order) and the
 * built-in int8 btree and hash support functions serve the type directly.
 * Values with other bits set are never produced; gsscode_recv rejects them.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "parser/scansup.h"
#include "utils/builtins.h"

#include "gsscode.h"

PG_FUNCTION_INFO_V1(gsscode_in);
PG_FUNCTION_INFO_V1(gsscode_out);
PG_FUNCTION_INFO_V1(gsscode_recv);
PG_FUNCTION_INFO_V1(gsscode_send);
PG_FUNCTION_INFO_V1(gsscode_from_text);
PG_FUNCTION_INFO_V1(gsscode_to_text);
PG_FUNCTION_INFO_V1(is_valid_gsscode);
PG_FUNCTION_INFO_V1(gss_entity);
PG_FUNCTION_INFO_V1(gss_level);
PG_FUNCTION_INFO_V1(gss_country);
PG_FUNCTION_INFO_V1(gss_entity_name);
PG_FUNCTION_INFO_V1(gss_entities);

/* The letters that begin a GSS code, and the country each stands for. */
static const struct
{
	char		letter;
	const char *country;
}			gss_countries[] =
{
	{'E', "England"},
	{'K', "United Kingdom"},	/* UK, GB and England-and-Wales codes */
	{'L', "Channel Islands"},
	{'M', "Isle of Man"},
	{'N', "Northern Ireland"},
	{'S', "Scotland"},
	{'W', "Wales"},
};

/*
 * ONS entity codes civic knows: the first three characters of a code, a
 * level name for SQL (lower case, stable) and ONS's description.  Source:
 * ONS Register of Geographic Codes, entity code list.
 */
static const struct
{
	const char *entity;
	const char *level;
	const char *name;
}			gss_entity_table[] =
{
	{"E00", "output_area", "Output Area"},
	{"E01", "lsoa", "Lower Layer Super Output Area"},
	{"E02", "msoa", "Middle Layer Super Output Area"},
	{"E04", "parish", "Civil Parish or Unparished Area"},
	{"E05", "ward", "Electoral Ward or Division"},
	{"E06", "local_authority", "Unitary Authority"},
	{"E07", "local_authority", "Non-metropolitan District"},
	{"E08", "local_authority", "Metropolitan District"},
	{"E09", "london_borough", "London Borough"},
	{"E10", "county", "County"},
	{"E11", "metropolitan_county", "Metropolitan County"},
	{"E12", "region", "Region"},
	{"E13", "inner_outer_london", "Inner and Outer London"},
	{"E14", "westminster_constituency", "Westminster Parliamentary Constituency"},
	{"E15", "european_electoral_region", "European Electoral Region"},
	{"E32", "london_assembly_constituency", "London Assembly Constituency"},
	{"E33", "workplace_zone", "Workplace Zone"},
	{"E92", "country", "Country"},
	{"K02", "country", "United Kingdom"},
	{"K03", "country", "Great Britain"},
	{"K04", "country", "England and Wales"},
	{"N08", "ward", "Electoral Ward"},
	{"N09", "local_authority", "Local Government District"},
	{"N92", "country", "Country"},
	{"S00", "output_area", "Output Area"},
	{"S01", "data_zone", "Data Zone"},
	{"S02", "intermediate_zone", "Intermediate Zone"},
	{"S12", "local_authority", "Council Area"},
	{"S13", "ward", "Electoral Ward"},
	{"S14", "westminster_constituency", "Westminster Parliamentary Constituency"},
	{"S92", "country", "Country"},
	{"W00", "output_area", "Output Area"},
	{"W01", "lsoa", "Lower Layer Super Output Area"},
	{"W02", "msoa", "Middle Layer Super Output Area"},
	{"W04", "community", "Community"},
	{"W05", "ward", "Electoral Ward or Division"},
	{"W06", "local_authority", "Unitary Authority"},
	{"W07", "westminster_constituency", "Westminster Parliamentary Constituency"},
	{"W92", "country", "Country"},
};

/* Why a string is not a GSS code. */
typedef enum GssParseResult
{
	GSS_OK,
	GSS_EMPTY,
	GSS_BAD_LETTER,
	GSS_BAD_LENGTH,
	GSS_BAD_DIGIT
} GssParseResult;

/* Name of the country letter, or NULL if c begins no GSS code. */
static const char *
gss_country_of(char c)
{
	for (int i = 0; i < lengthof(gss_countries); i++)
		if (gss_countries[i].letter == c)
			return gss_countries[i].country;
	return NULL;
}

/*
 * Parse str (len bytes) into *result.  Leading and trailing white space is
 * ignored and the letter may be lower case; nothing else is accepted.
 * ASCII-only and locale-independent.
 */
static GssParseResult
gsscode_parse(const char *str, int len, int64 *result)
{
	const char *end = str + len;
	char		letter;
	int64		number = 0;

	while (str < end && scanner_isspace(*str))
		str++;
	while (end > str && scanner_isspace(end[-1]))
		end--;
	if (str == end)
		return GSS_EMPTY;

	letter = pg_ascii_toupper((unsigned char) *str);
	if (gss_country_of(letter) == NULL)
		return GSS_BAD_LETTER;
	if (end - str != GSSCODE_LENGTH)
		return GSS_BAD_LENGTH;
	for (const char *p = str + 1; p < end; p++)
	{
		if (*p < '0' || *p > '9')
			return GSS_BAD_DIGIT;
		number = number * 10 + (*p - '0');
	}
	*result = ((int64) letter << 32) | number;
	return GSS_OK;
}

/*
 * The one place that reports a gsscode syntax error (so that soft input
 * errors can be added here when civic moves to PostgreSQL 16).
 */
static void
gsscode_report(GssParseResult r, const char *str, int len)
{
	const char *detail = NULL;

	switch (r)
	{
		case GSS_OK:
			return;
		case GSS_EMPTY:
			detail = "A GSS code cannot be empty.";
			break;
		case GSS_BAD_LETTER:
			detail = "A GSS code begins with one of the letters E, K, L, M, N, S or W.";
			break;
		case GSS_BAD_LENGTH:
			detail = "A GSS code is one letter followed by exactly eight digits.";
			break;
		case GSS_BAD_DIGIT:
			detail = "The eight characters after the letter of a GSS code must all be digits.";
			break;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%.*s\"",
					"gsscode", len, str),
			 errdetail("%s", detail),
			 errhint("GSS codes look like E05000026 (a ward) or E09000001 (a borough).")));
}

/* Is v a value gsscode_parse can produce? */
static bool
gsscode_value_is_valid(int64 v)
{
	uint64		letter = (uint64) v >> 32;
	uint64		number = (uint64) v & 0xFFFFFFFF;

	return v >= 0 && letter < 128 && gss_country_of((char) letter) != NULL &&
		number <= 99999999;
}

/* Format v as its nine characters plus a terminating NUL. */
void
gsscode_format(int64 v, char *buf)
{
	snprintf(buf, GSSCODE_LENGTH + 1, "%c%08u",
			 (char) ((uint64) v >> 32), (unsigned) ((uint64) v & 0xFFFFFFFF));
}

/* Validate and store a code given as text (in, the text cast). */
static int64
gsscode_from_cstring(const char *str, int len)
{
	int64		v = 0;
	GssParseResult r = gsscode_parse(str, len, &v);

	gsscode_report(r, str, len);
	return v;
}

/* gsscode input function. */
Datum
gsscode_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);

	PG_RETURN_INT64(gsscode_from_cstring(str, strlen(str)));
}

/* gsscode output function: the nine-character code. */
Datum
gsscode_out(PG_FUNCTION_ARGS)
{
	char	   *buf = palloc(GSSCODE_LENGTH + 1);

	gsscode_format(PG_GETARG_INT64(0), buf);
	PG_RETURN_CSTRING(buf);
}

/* Binary input: an int8 in civic's layout, validated as strictly as text. */
Datum
gsscode_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int64		v = pq_getmsgint64(buf);

	if (!gsscode_value_is_valid(v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external gsscode value"),
				 errdetail("The value " INT64_FORMAT " does not encode a letter and eight digits.", v)));
	PG_RETURN_INT64(v);
}

/* Binary output: the int8 value. */
Datum
gsscode_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint64(&buf, PG_GETARG_INT64(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Cast text -> gsscode. */
Datum
gsscode_from_text(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_INT64(gsscode_from_cstring(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
}

/* Cast gsscode -> text. */
Datum
gsscode_to_text(PG_FUNCTION_ARGS)
{
	char		buf[GSSCODE_LENGTH + 1];

	gsscode_format(PG_GETARG_INT64(0), buf);
	PG_RETURN_TEXT_P(cstring_to_text(buf));
}

/* Would the text be accepted as a gsscode?  Never raises an error. */
Datum
is_valid_gsscode(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	int64		v;

	PG_RETURN_BOOL(gsscode_parse(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &v) == GSS_OK);
}

/* Index into gss_entity_table of the code's entity, or -1. */
static int
gss_entity_index(int64 v)
{
	char		buf[GSSCODE_LENGTH + 1];

	gsscode_format(v, buf);
	for (int i = 0; i < lengthof(gss_entity_table); i++)
		if (strncmp(gss_entity_table[i].entity, buf, 3) == 0)
			return i;
	return -1;
}

/* The entity code: the first three characters, e.g. 'E05'. */
Datum
gss_entity(PG_FUNCTION_ARGS)
{
	char		buf[GSSCODE_LENGTH + 1];

	gsscode_format(PG_GETARG_INT64(0), buf);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf, 3));
}

/* The geography level of the code's entity, e.g. 'ward'; NULL if unknown. */
Datum
gss_level(PG_FUNCTION_ARGS)
{
	int			i = gss_entity_index(PG_GETARG_INT64(0));

	if (i < 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(gss_entity_table[i].level));
}

/* ONS's description of the code's entity; NULL if unknown. */
Datum
gss_entity_name(PG_FUNCTION_ARGS)
{
	int			i = gss_entity_index(PG_GETARG_INT64(0));

	if (i < 0)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(gss_entity_table[i].name));
}

/* The country (or group of countries) the code's letter stands for. */
Datum
gss_country(PG_FUNCTION_ARGS)
{
	int64		v = PG_GETARG_INT64(0);

	PG_RETURN_TEXT_P(cstring_to_text(gss_country_of((char) ((uint64) v >> 32))));
}

/* The table of entity codes civic knows, as rows. */
Datum
gss_entities(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < lengthof(gss_entity_table); i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = CStringGetTextDatum(gss_entity_table[i].entity);
		values[1] = CStringGetTextDatum(gss_entity_table[i].level);
		values[2] = CStringGetTextDatum(gss_entity_table[i].name);
		values[3] = CStringGetTextDatum(gss_country_of(gss_entity_table[i].entity[0]));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
