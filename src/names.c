/*
 * names.c
 *	  Place names as people write them: civic.normalize_name (ICU), the
 *	  similarity score of civic.match_areas, and the candidate check of
 *	  civic.resolve_area (docs/names.md).
 *
 * normalize_name turns a free-text area name into a key that equal names
 * share, whatever their spelling:
 *
 *	 1. the text, converted to UTF-8, is decomposed (Unicode NFKD) and its
 *		non-spacing marks (general category Mn: accents, diaereses, cedillas)
 *		are dropped;
 *	 2. Unicode NFKC_Casefold then folds case (full case folding, not the
 *		Turkic variant: no locale is consulted), compatibility characters
 *		(ligatures, full-width forms, superscripts) and default-ignorable
 *		characters (soft hyphens, zero-width joiners);
 *	 3. apostrophes and their look-alikes (' ` ´ U+2018 U+2019 U+201B U+02BC
 *		U+02B9 U+2032 U+FF07) are deleted, so "King's" = "Kings"; "&" and "+"
 *		become the word "and"; every other character that is not a letter or
 *		a digit (dashes of every kind, dots, commas, brackets, spaces) separates
 *		words;
 *	 4. word rules: "saint" becomes "st" ("St", "St." and "Saint" agree); a
 *		final "st" after another word becomes "street" ("Lime St");
 *	 5. administrative affixes are removed, as whole words, while something
 *		remains: leading "london borough of", "royal borough of", "borough of",
 *		"lb of", "lb", "rb of", "rb", "city of" (except "city of london", which
 *		stays: the City is not the region); trailing "london borough council",
 *		"borough council", "city council", "council", "corporation",
 *		"london borough", "upon thames";
 *	 6. the words are joined by single spaces.
 *
 * ICU's normalisation data depend only on the Unicode version of the ICU
 * library (not on any locale), so the function is IMMUTABLE as long as ICU's
 * Unicode version does not change; after an ICU upgrade, REINDEX indexes on
 * normalize_name (as after a collation version change).
 */
#include "postgres.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "gsscode.h"

PG_FUNCTION_INFO_V1(names_normalize);
PG_FUNCTION_INFO_V1(names_similarity);
PG_FUNCTION_INFO_V1(names_pick);

/* Longest input normalised, in bytes: area names are short. */
#define NAME_MAX_BYTES	4096

/* ---- ICU helpers --------------------------------------------------------- */

/* Raise a clear error for an ICU failure (cannot happen for valid input). */
static void
icu_check(UErrorCode status, const char *what)
{
	if (U_FAILURE(status))
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("ICU %s failed: %s", what, u_errorName(status))));
}

/* Apply an ICU normaliser, returning a palloc'd UTF-16 string. */
static UChar *
icu_normalize(const UNormalizer2 *norm, const UChar *src, int32 len, int32 *outlen)
{
	UErrorCode	status = U_ZERO_ERROR;
	int32		cap = len * 3 + 16;
	UChar	   *dst = palloc(cap * sizeof(UChar));
	int32		n;

	n = unorm2_normalize(norm, src, len, dst, cap, &status);
	if (status == U_BUFFER_OVERFLOW_ERROR)
	{
		pfree(dst);
		cap = n + 1;
		dst = palloc(cap * sizeof(UChar));
		status = U_ZERO_ERROR;
		n = unorm2_normalize(norm, src, len, dst, cap, &status);
	}
	icu_check(status, "normalisation");
	*outlen = n;
	return dst;
}

/* Is c an apostrophe or one of its look-alikes (deleted, not a separator)? */
static bool
is_apostrophe(UChar32 c)
{
	switch (c)
	{
		case 0x0027:			/* ' */
		case 0x0060:			/* ` */
		case 0x00B4:			/* acute accent */
		case 0x02B9:			/* modifier letter prime */
		case 0x02BC:			/* modifier letter apostrophe */
		case 0x2018:			/* left single quotation mark */
		case 0x2019:			/* right single quotation mark */
		case 0x201B:			/* single high-reversed-9 quotation mark */
		case 0x2032:			/* prime */
		case 0xFF07:			/* full-width apostrophe */
			return true;
		default:
			return false;
	}
}

/* ---- word list and affix rules --------------------------------------------- */

#define MAX_WORDS 256

typedef struct Words
{
	int			n;
	char	   *w[MAX_WORDS];
} Words;

static void
words_add(Words *ws, const char *s, int len)
{
	if (ws->n >= MAX_WORDS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("name has too many words to normalise"),
				 errdetail("At most %d words are supported.", MAX_WORDS)));
	ws->w[ws->n++] = pnstrdup(s, len);
}

/* Do words [from, from + k) equal the space-separated words of pat? */
static bool
words_match(const Words *ws, int from, int to, const char *pat, int *k)
{
	int			i = from;
	const char *p = pat;

	while (*p)
	{
		const char *sp = strchr(p, ' ');
		int			len = sp ? (int) (sp - p) : (int) strlen(p);

		if (i >= to || strlen(ws->w[i]) != (size_t) len || strncmp(ws->w[i], p, len) != 0)
			return false;
		i++;
		p += len;
		if (*p == ' ')
			p++;
	}
	*k = i - from;
	return true;
}

static const char *const name_prefixes[] = {
	"london borough of", "royal borough of", "borough of",
	"lb of", "lb", "rb of", "rb", "city of", NULL
};

static const char *const name_suffixes[] = {
	"london borough council", "borough council", "city council", "council",
	"corporation", "london borough", "upon thames", NULL
};

/* Apply the word rules and strip the affixes; the words kept are [*first, *last). */
static void
words_rules(Words *ws, int *first, int *last)
{
	int			a = 0,
				b = ws->n,
				i;
	bool		changed = true;

	for (i = 0; i < ws->n; i++)
	{
		if (strcmp(ws->w[i], "saint") == 0)
			ws->w[i] = pstrdup("st");
	}
	if (ws->n >= 2 && strcmp(ws->w[ws->n - 1], "st") == 0)
		ws->w[ws->n - 1] = pstrdup("street");

	while (changed)
	{
		const char *const *p;
		int			k;

		changed = false;
		for (p = name_suffixes; *p; p++)
		{
			int			nw = 1;
			const char *c;

			for (c = *p; *c; c++)
				nw += (*c == ' ');
			if (b - a > nw && words_match(ws, b - nw, b, *p, &k))
			{
				b -= k;
				changed = true;
				break;
			}
		}
		if (changed)
			continue;
		for (p = name_prefixes; *p; p++)
		{
			if (words_match(ws, a, b, *p, &k) && b - a > k)
			{
				/* "city of london" is the City itself, not the region */
				if (strcmp(*p, "city of") == 0 && b - a == k + 1 &&
					strcmp(ws->w[a + k], "london") == 0)
					continue;
				a += k;
				changed = true;
				break;
			}
		}
	}
	*first = a;
	*last = b;
}

/* ---- normalize_name ---------------------------------------------------------- */

/* The normalised key of a name (UTF-8 in, UTF-8 out, both palloc'd). */
static char *
normalize_utf8(const char *in, int inlen)
{
	UErrorCode	status = U_ZERO_ERROR;
	const UNormalizer2 *nfkd,
			   *nfkccf;
	UChar	   *u,
			   *d,
			   *f;
	int32		ulen,
				dlen,
				flen,
				i,
				j;
	StringInfoData cur;
	Words		ws;
	int			first,
				last;
	StringInfoData out;

	/* UTF-8 to UTF-16 */
	u = palloc((inlen + 1) * sizeof(UChar));
	u_strFromUTF8(u, inlen + 1, &ulen, in, inlen, &status);
	icu_check(status, "conversion from UTF-8");

	/* 1. decompose and drop non-spacing marks */
	nfkd = unorm2_getNFKDInstance(&status);
	icu_check(status, "NFKD");
	d = icu_normalize(nfkd, u, ulen, &dlen);
	for (i = 0, j = 0; i < dlen;)
	{
		UChar32		c;
		int32		start = i;

		U16_NEXT(d, i, dlen, c);
		if (u_charType(c) == U_NON_SPACING_MARK)
			continue;
		while (start < i)
			d[j++] = d[start++];
	}
	dlen = j;

	/* 2. NFKC with case folding */
	nfkccf = unorm2_getNFKCCasefoldInstance(&status);
	icu_check(status, "NFKC_Casefold");
	f = icu_normalize(nfkccf, d, dlen, &flen);

	/* 3. split into words */
	memset(&ws, 0, sizeof(ws));
	initStringInfo(&cur);
	for (i = 0; i < flen;)
	{
		UChar32		c;

		U16_NEXT(f, i, flen, c);
		if (is_apostrophe(c))
			continue;
		if (u_isalnum(c))
		{
			char		buf[8];
			int32		blen = 0;
			UBool		err = false;

			U8_APPEND((uint8_t *) buf, blen, (int32) sizeof(buf), c, err);
			if (err)
				icu_check(U_INVALID_CHAR_FOUND, "conversion to UTF-8");
			appendBinaryStringInfo(&cur, buf, blen);
			continue;
		}
		if (cur.len > 0)
		{
			words_add(&ws, cur.data, cur.len);
			resetStringInfo(&cur);
		}
		if (c == '&' || c == '+')
			words_add(&ws, "and", 3);
	}
	if (cur.len > 0)
		words_add(&ws, cur.data, cur.len);

	/* 4, 5. word rules and affixes; 6. join */
	words_rules(&ws, &first, &last);
	initStringInfo(&out);
	for (i = first; i < last; i++)
	{
		if (i > first)
			appendStringInfoChar(&out, ' ');
		appendStringInfoString(&out, ws.w[i]);
	}
	return out.data;
}

/* The normalised key of a text datum, as a server-encoded C string. */
static char *
normalize_text(text *t)
{
	const char *s = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);
	char	   *utf8,
			   *key;

	if (len > NAME_MAX_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("name is too long to normalise"),
				 errdetail("The name has %d bytes; at most %d are supported.",
						   len, NAME_MAX_BYTES)));
	utf8 = (char *) pg_do_encoding_conversion((unsigned char *) s, len,
											  GetDatabaseEncoding(), PG_UTF8);
	if (utf8 == s)
		utf8 = pnstrdup(s, len);
	key = normalize_utf8(utf8, strlen(utf8));
	return (char *) pg_do_encoding_conversion((unsigned char *) key, strlen(key),
											  PG_UTF8, GetDatabaseEncoding());
}

/* civic.normalize_name(text) -> text */
Datum
names_normalize(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(normalize_text(PG_GETARG_TEXT_PP(0))));
}

/* ---- similarity ---------------------------------------------------------------- */

/* Code points of a UTF-8 string (palloc'd); *n gets their number. */
static UChar32 *
code_points(const char *s, int *n)
{
	int32		len = strlen(s),
				i = 0;
	UChar32    *cp = palloc((len + 1) * sizeof(UChar32));
	int			k = 0;

	while (i < len)
	{
		UChar32		c;

		U8_NEXT(s, i, len, c);
		cp[k++] = c;
	}
	*n = k;
	return cp;
}

/* 1 - Levenshtein distance / length of the longer string (code points). */
static double
edit_similarity(const UChar32 *a, int na, const UChar32 *b, int nb)
{
	int		   *prev,
			   *cur,
				i,
				j,
				d;

	if (na == 0 && nb == 0)
		return 1.0;
	prev = palloc((nb + 1) * sizeof(int));
	cur = palloc((nb + 1) * sizeof(int));
	for (j = 0; j <= nb; j++)
		prev[j] = j;
	for (i = 1; i <= na; i++)
	{
		int		   *t;

		cur[0] = i;
		for (j = 1; j <= nb; j++)
		{
			int			sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			int			del = prev[j] + 1;
			int			ins = cur[j - 1] + 1;

			cur[j] = Min(sub, Min(del, ins));
		}
		t = prev;
		prev = cur;
		cur = t;
	}
	d = prev[nb];
	return 1.0 - (double) d / (double) Max(na, nb);
}

static int
cmp_uint64(const void *x, const void *y)
{
	uint64		a = *(const uint64 *) x,
				b = *(const uint64 *) y;

	return a < b ? -1 : a > b;
}

/*
 * Sorted, distinct trigrams of a word list, as pg_trgm forms them: each word
 * padded with two spaces before and one after.
 */
static uint64 *
trigrams(const UChar32 *cp, int n, int *ntri)
{
	uint64	   *t = palloc((3 * n + 3) * sizeof(uint64));
	UChar32    *w = palloc((n + 3) * sizeof(UChar32));
	int			k = 0,
				i = 0,
				u,
				m;

	while (i < n)
	{
		int			wl = 0,
					p;

		while (i < n && cp[i] == ' ')
			i++;
		if (i >= n)
			break;
		w[wl++] = ' ';
		w[wl++] = ' ';
		while (i < n && cp[i] != ' ')
			w[wl++] = cp[i++];
		w[wl++] = ' ';
		for (p = 0; p + 3 <= wl; p++)
			t[k++] = ((uint64) w[p] << 42) | ((uint64) w[p + 1] << 21) | (uint64) w[p + 2];
	}
	qsort(t, k, sizeof(uint64), cmp_uint64);
	for (u = 0, m = 0; u < k; u++)
		if (m == 0 || t[m - 1] != t[u])
			t[m++] = t[u];
	*ntri = m;
	return t;
}

/* Shared trigrams / all distinct trigrams of both. */
static double
trigram_similarity(const UChar32 *a, int na, const UChar32 *b, int nb)
{
	int			ta,
				tb,
				i = 0,
				j = 0,
				common = 0;
	uint64	   *x = trigrams(a, na, &ta);
	uint64	   *y = trigrams(b, nb, &tb);

	if (ta + tb == 0)
		return 1.0;
	while (i < ta && j < tb)
	{
		if (x[i] == y[j])
		{
			common++;
			i++;
			j++;
		}
		else if (x[i] < y[j])
			i++;
		else
			j++;
	}
	return (double) common / (double) (ta + tb - common);
}

/* Is p (not empty) the first whole words of s? */
static bool
word_prefix(const char *p, const char *s)
{
	size_t		n = strlen(p);

	return n > 0 && strncmp(p, s, n) == 0 && s[n] == ' ';
}

/* civic.name_similarity(text, text) -> float8 */
Datum
names_similarity(PG_FUNCTION_ARGS)
{
	char	   *a = normalize_text(PG_GETARG_TEXT_PP(0));
	char	   *b = normalize_text(PG_GETARG_TEXT_PP(1));
	char	   *a8 = (char *) pg_do_encoding_conversion((unsigned char *) a, strlen(a),
														GetDatabaseEncoding(), PG_UTF8);
	char	   *b8 = (char *) pg_do_encoding_conversion((unsigned char *) b, strlen(b),
														GetDatabaseEncoding(), PG_UTF8);
	int			na,
				nb;
	UChar32    *ca = code_points(a8, &na);
	UChar32    *cb = code_points(b8, &nb);
	double		e,
				t;

	if (strcmp(a8, b8) == 0)
		PG_RETURN_FLOAT8(1.0);
	e = edit_similarity(ca, na, cb, nb);
	t = trigram_similarity(ca, na, cb, nb);
	/* one key is the first words of the other: "kingston" ~ "kingston hill" */
	if (word_prefix(a8, b8) || word_prefix(b8, a8))
		e = Max(e, 0.8);
	/* below 1 unless the keys are equal */
	PG_RETURN_FLOAT8(Min(Max(e, t), 0.999));
}

/* ---- resolve_area's candidate check ---------------------------------------- */

/*
 * civic._resolve_pick(name text, level text, vintage int, codes gsscode[],
 * labels text[]) -> gsscode: NULL for no candidate, the code of the only one,
 * or error VN001 listing them all.
 */
Datum
names_pick(PG_FUNCTION_ARGS)
{
	ArrayType  *codes;
	Datum	   *cv,
			   *lv;
	bool	   *cn,
			   *ln;
	int			nc,
				nl,
				i;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	StringInfoData buf;
	char	   *name,
			   *level;

	if (PG_ARGISNULL(3))
		PG_RETURN_NULL();
	codes = PG_GETARG_ARRAYTYPE_P(3);
	get_typlenbyvalalign(ARR_ELEMTYPE(codes), &typlen, &typbyval, &typalign);
	deconstruct_array(codes, ARR_ELEMTYPE(codes), typlen, typbyval, typalign, &cv, &cn, &nc);
	if (nc == 0)
		PG_RETURN_NULL();
	if (nc == 1 && !cn[0])
		PG_RETURN_DATUM(cv[0]);

	name = PG_ARGISNULL(0) ? "" : text_to_cstring(PG_GETARG_TEXT_PP(0));
	level = PG_ARGISNULL(1) ? "area" : text_to_cstring(PG_GETARG_TEXT_PP(1));
	initStringInfo(&buf);
	if (!PG_ARGISNULL(4))
	{
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(4), TEXTOID, -1, false, TYPALIGN_INT,
						  &lv, &ln, &nl);
		for (i = 0; i < nl; i++)
			if (!ln[i])
				appendStringInfo(&buf, "%s%s", buf.len ? "; " : "",
								 TextDatumGetCString(lv[i]));
	}
	ereport(ERROR,
			(errcode(MAKE_SQLSTATE('V', 'N', '0', '0', '1')),
			 errmsg("%s name \"%s\" is ambiguous: %d areas match", level, name, nc),
			 PG_ARGISNULL(2)
			 ? errdetail("Candidates: %s.", buf.data)
			 : errdetail("Candidates of vintage %d: %s.", PG_GETARG_INT32(2), buf.data),
			 errhint("Pass within => the code of the enclosing area shown in brackets (for a ward, its borough), or list the candidates with civic.match_areas.")));
	PG_RETURN_NULL();			/* keep compiler quiet */
}
