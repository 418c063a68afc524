/*
 * crosswalk.c
 *	  Argument checks of the vintage crosswalks (control/install/71-crosswalk.sql,
 *	  docs/boundaries.md): the weighting a crosswalk uses, and the codes a
 *	  restatement cannot place.  The crosswalks themselves are SQL over
 *	  civic.boundary (PostGIS areas) and civic.postcode_directory.
 */
#include "postgres.h"

#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "gsscode.h"

PG_FUNCTION_INFO_V1(crosswalk_weight_kind);
PG_FUNCTION_INFO_V1(crosswalk_check_unknown);

/* civic._crosswalk_weight(weight text) -> text: 'area' or 'postcodes', else 22023. */
Datum
crosswalk_weight_kind(PG_FUNCTION_ARGS)
{
	char	   *w = text_to_cstring(PG_GETARG_TEXT_PP(0));

	if (strcmp(w, "area") != 0 && strcmp(w, "postcodes") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown crosswalk weight \"%s\"", w),
				 errdetail("A crosswalk weighs each old area's share of a new one by 'area' (polygon intersection areas) or by 'postcodes' (postcode counts of the shipped directory)."),
				 errhint("Pass weight => 'area' or weight => 'postcodes'.")));
	PG_RETURN_TEXT_P(cstring_to_text(w));
}

/*
 * civic._restate_check(unknown gsscode[], level text, vintage int) -> bool:
 * true if no code is unknown, else 22023 listing (up to 20 of) them.
 */
Datum
crosswalk_check_unknown(PG_FUNCTION_ARGS)
{
	ArrayType  *arr;
	Datum	   *v;
	bool	   *nulls;
	int			n,
				i;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	StringInfoData buf;

	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(true);
	arr = PG_GETARG_ARRAYTYPE_P(0);
	get_typlenbyvalalign(ARR_ELEMTYPE(arr), &typlen, &typbyval, &typalign);
	deconstruct_array(arr, ARR_ELEMTYPE(arr), typlen, typbyval, typalign, &v, &nulls, &n);
	if (n == 0)
		PG_RETURN_BOOL(true);

	initStringInfo(&buf);
	for (i = 0; i < n && i < 20; i++)
	{
		char		code[16];

		if (nulls[i])
			appendStringInfo(&buf, "%sNULL", i ? ", " : "");
		else
		{
			gsscode_format(DatumGetInt64(v[i]), code);
			appendStringInfo(&buf, "%s%s", i ? ", " : "", code);
		}
	}
	if (n > 20)
		appendStringInfo(&buf, " and %d more", n - 20);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%d code%s to restate %s not %s area%s of vintage %d",
					n, n == 1 ? "" : "s", n == 1 ? "is" : "are",
					PG_ARGISNULL(1) ? "an" : text_to_cstring(PG_GETARG_TEXT_PP(1)),
					n == 1 ? "" : "s",
					PG_ARGISNULL(2) ? 0 : PG_GETARG_INT32(2)),
			 errdetail("Codes not found: %s.", buf.data),
			 errhint("Restate only codes of the level and vintage given (for example filter a table that mixes wards and boroughs on gss_level(code)), or pass the vintage the codes belong to.")));
	PG_RETURN_BOOL(false);		/* keep compiler quiet */
}
