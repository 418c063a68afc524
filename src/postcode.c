/*
 * postcode.c
 *	  civic.postcode: a validated UK postcode stored as a 4-byte,
 *	  pass-by-value integer whose integer order is the natural postcode order.
 *
 * Grammar (Royal Mail):
 *	  outward  = A9 | A99 | A9A | AA9 | AA99 | AA9A
 *	  inward   = 9AA
 *	  plus the special postcode GIR 0AA and the British Overseas Territories'
 *	  postcodes, each a four-letter outward code with the inward code 1ZZ:
 *	  ASCN (Ascension Island), BBND (British Indian Ocean Territory), BIQQ
 *	  (British Antarctic Territory), FIQQ (Falkland Islands), PCRN (Pitcairn
 *	  Islands), SIQQ (South Georgia and the South Sandwich Islands), STHL
 *	  (Saint Helena), TDCU (Tristan da Cunha), TKCA (Turks and Caicos Islands).
 *	  1st letter (area):				any letter except Q, V, X
 *	  2nd letter (area):				any letter except I, J, Z
 *	  3rd position letter (A9A):		A B C D E F G H J K P S T U W
 *	  4th position letter (AA9A):		A B E H M N P R V W X Y
 *	  unit letters (inward):			any letter except C, I, K, M, O, V
 *	  A two-digit district number has no leading zero (E05 would be read as
 *	  E5 by every postal system, so it is refused rather than guessed).
 *
 * Input accepts any case and whitespace before, after, and between the
 * outward and inward codes (including none: "sw1a1aa"); whitespace inside
 * either code is refused.  Output is upper case with exactly one space.
 *
 * Bit layout of the stored int32 (bit 31 is always 0, so signed integer order
 * is the order of the fields from the most significant down):
 *
 *	  bits 30..26  area letter 1        1..26 (A = 1)
 *	  bits 25..21  area letter 2        0 = one-letter area, else 1..26
 *	  bits 20..12  district key         0..309, 510 for a territory, 511 for GIR 0AA
 *	  bits 11..0   inward key           0..3999
 *
 *	district key: for a district number n of 0..9, n * 22 + s, where s = 0
 *	  for no district letter and 1..21 is the letter's rank in
 *	  ABCDEFGHJKMNPRSTUVWXY (the union of the 3rd and 4th position letters);
 *	  for n of 10..99, 220 + (n - 10).  So districts order by number as a
 *	  number, then by letter (absent first): SW2 < SW10, E1 < E1W < E2.
 *	inward key: sector * 400 + u1 * 20 + u2, where u1 and u2 are the unit
 *	  letters' ranks (0..19) in ABDEFGHJLNPQRSTUWXYZ.
 *
 *	Area letters order before the district (a one-letter area before every
 *	two-letter area that starts with it: E < EC < EN < F), the district before
 *	the inward code.  GIR 0AA is area "GI" (a second letter I is otherwise
 *	impossible) with the reserved district key 511.  A territory's postcode
 *	is its outward code's first two letters as the area letters with the
 *	reserved district key 510 (the last two letters follow from the first two:
 *	no two territories share them) and the inward key of 1ZZ; so "BBND 1ZZ"
 *	sorts after every BB district, "STHL 1ZZ" after every ST district, as in
 *	text order.  Keys 310..509 are unused, and the keys of 0.1.0 (0..309, 511)
 *	kept their meaning and order.  The value 0 and every value not produced
 *	by the parser are invalid; postcode_recv rejects them.
 *
 * Prefixes: an area ("SW"), an outward code ("SW1A") or a sector ("SW1A 1")
 * is one contiguous range of stored values, because the fields are stored
 * from the most significant down; postcode_prefix_range computes it, the
 * operator postcode ^@ text tests it, and its planner support function turns
 * it into a btree range scan.
 *
 * The btree and hash support, min and max are core's int4 functions (see
 * "Comparison" below).
 */
#include "postgres.h"

#include "access/stratnum.h"
#include "catalog/pg_am.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/supportnodes.h"
#include "optimizer/optimizer.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/builtins.h"

#include "postcode.h"

/* Field positions and widths of the stored value. */
#define PC_A1_SHIFT		26
#define PC_A2_SHIFT		21
#define PC_DIST_SHIFT	12
#define PC_LETTER_MASK	0x1F
#define PC_DIST_MASK	0x1FF
#define PC_INWARD_MASK	0xFFF

#define PC_DIST_GIR		511		/* district key of GIR 0AA */
#define PC_DIST_TERRITORY 510	/* district key of the territories' postcodes */
#define PC_DIST_MAX		309		/* largest ordinary district key */
#define PC_INWARD_MAX	3999	/* largest inward key */

/* Letters allowed in each position, in alphabetical order. */
static const char pc_first_forbidden[] = "QVX";
static const char pc_second_forbidden[] = "IJZ";
static const char pc_third_letters[] = "ABCDEFGHJKPSTUW";
static const char pc_fourth_letters[] = "ABEHMNPRVWXY";
static const char pc_district_letters[] = "ABCDEFGHJKMNPRSTUVWXY";	/* union */
static const char pc_unit_letters[] = "ABDEFGHJLNPQRSTUWXYZ";

/* The British Overseas Territories' outward codes (inward code always 1ZZ). */
static const char *const pc_territories[] = {
	"ASCN", "BBND", "BIQQ", "FIQQ", "PCRN", "SIQQ", "STHL", "TDCU", "TKCA"
};
#define PC_TERRITORY_INWARD		"1ZZ"
#define PC_TERRITORY_INWARD_KEY (1 * 400 + 19 * 20 + 19)	/* 1ZZ */

/* Why an input is not a postcode: one value per rule. */
typedef enum PostcodeFault
{
	PCF_OK = 0,
	PCF_EMPTY,					/* nothing but whitespace */
	PCF_BAD_CHARACTER,			/* not a letter, digit or whitespace */
	PCF_TOO_SHORT,				/* fewer than 5 letters and digits */
	PCF_TOO_LONG,				/* more than 7 letters and digits */
	PCF_INNER_SPACE,			/* whitespace inside the outward or inward code */
	PCF_AREA_NOT_LETTER,		/* outward code does not start with a letter */
	PCF_FIRST_LETTER,			/* Q, V or X in the first position */
	PCF_SECOND_LETTER,			/* I, J or Z in the second position */
	PCF_NO_DISTRICT,			/* no digit after the area letters */
	PCF_LEADING_ZERO,			/* two-digit district number starting with 0 */
	PCF_THIRD_LETTER,			/* bad letter in A9A */
	PCF_FOURTH_LETTER,			/* bad letter in AA9A */
	PCF_OUTWARD_FORM,			/* outward code matches none of the six forms */
	PCF_GIR,					/* GIR with an inward code other than 0AA */
	PCF_TERRITORY,				/* a territory's outward code without 1ZZ */
	PCF_INWARD_SHORT,			/* one or two characters after the space */
	PCF_SECTOR,					/* inward code does not start with a digit */
	PCF_UNIT_NOT_LETTER,		/* inward code does not end with two letters */
	PCF_UNIT_LETTER				/* C, I, K, M, O or V in the unit */
} PostcodeFault;

/* The outcome of parsing one input string. */
typedef struct PostcodeParse
{
	PostcodeFault fault;
	char		letter;			/* the offending letter, where one is named */
	int			count;			/* number of letters and digits seen */
	char		outward[8];		/* upper-cased outward code, NUL-terminated */
	char		inward[4];		/* upper-cased inward code, NUL-terminated */
	int32		value;			/* encoded postcode when fault == PCF_OK */
} PostcodeParse;

/* Whitespace as the SQL scanner sees it (ASCII only, locale-independent). */
static inline bool
pc_isspace(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static inline bool
pc_isletter(char c)
{
	return c >= 'A' && c <= 'Z';
}

static inline bool
pc_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

/* Rank of c in the alphabetically ordered set, or -1 if c is not in it. */
static inline int
pc_rank(const char *set, char c)
{
	const char *p = strchr(set, c);

	return (c != '\0' && p != NULL) ? (int) (p - set) : -1;
}

/* Set the fault (and offending letter) and return false. */
static inline bool
pc_fail(PostcodeParse *res, PostcodeFault fault, char letter)
{
	res->fault = fault;
	res->letter = letter;
	return false;
}

/* Index of a territory's outward code in pc_territories, or -1. */
static int
pc_territory(const char *outward)
{
	int			i;

	for (i = 0; i < lengthof(pc_territories); i++)
		if (strcmp(outward, pc_territories[i]) == 0)
			return i;
	return -1;
}

/* Territory whose outward code starts with area letters a1, a2, or -1. */
static int
pc_territory_of_area(int a1, int a2)
{
	int			i;

	for (i = 0; i < lengthof(pc_territories); i++)
		if (pc_territories[i][0] - 'A' + 1 == a1 && pc_territories[i][1] - 'A' + 1 == a2)
			return i;
	return -1;
}

/* Encoded outward bits of territory number t. */
static uint32
pc_territory_bits(int t)
{
	return ((uint32) (pc_territories[t][0] - 'A' + 1) << PC_A1_SHIFT) |
		((uint32) (pc_territories[t][1] - 'A' + 1) << PC_A2_SHIFT) |
		((uint32) PC_DIST_TERRITORY << PC_DIST_SHIFT);
}

/*
 * Parse an upper-cased outward code into its encoded bits (area letters and
 * district key).  Returns false with res->fault set when a rule is broken.
 */
static bool
pc_parse_outward(const char *o, PostcodeParse *res, uint32 *bits)
{
	int			len = strlen(o);
	int			a1,
				a2 = 0;
	int			pos;
	int			number;
	int			dkey;

	if (!pc_isletter(o[0]))
		return pc_fail(res, PCF_AREA_NOT_LETTER, '\0');
	if (strchr(pc_first_forbidden, o[0]) != NULL)
		return pc_fail(res, PCF_FIRST_LETTER, o[0]);
	a1 = o[0] - 'A' + 1;
	pos = 1;
	if (pc_isletter(o[1]))
	{
		if (strchr(pc_second_forbidden, o[1]) != NULL)
			return pc_fail(res, PCF_SECOND_LETTER, o[1]);
		a2 = o[1] - 'A' + 1;
		pos = 2;
	}
	if (!pc_isdigit(o[pos]))
	{
		/* three letters, or a letter where the district digit belongs */
		if (pos == 2 && pc_isletter(o[pos]))
			return pc_fail(res, PCF_OUTWARD_FORM, '\0');
		return pc_fail(res, PCF_NO_DISTRICT, '\0');
	}
	number = o[pos] - '0';
	dkey = number * 22;
	pos++;
	if (pos < len)
	{
		char		c = o[pos];

		if (pc_isdigit(c))
		{
			if (number == 0)
				return pc_fail(res, PCF_LEADING_ZERO, '\0');
			number = number * 10 + (c - '0');
			dkey = 220 + (number - 10);
		}
		else if (a2 == 0)
		{
			if (pc_rank(pc_third_letters, c) < 0)
				return pc_fail(res, PCF_THIRD_LETTER, c);
			dkey += 1 + pc_rank(pc_district_letters, c);
		}
		else
		{
			if (pc_rank(pc_fourth_letters, c) < 0)
				return pc_fail(res, PCF_FOURTH_LETTER, c);
			dkey += 1 + pc_rank(pc_district_letters, c);
		}
		pos++;
	}
	if (pos != len)
		return pc_fail(res, PCF_OUTWARD_FORM, '\0');

	*bits = ((uint32) a1 << PC_A1_SHIFT) | ((uint32) a2 << PC_A2_SHIFT) |
		((uint32) dkey << PC_DIST_SHIFT);
	return true;
}

/* Parse an upper-cased three-character inward code into its inward key. */
static bool
pc_parse_inward(const char *in, PostcodeParse *res, uint32 *bits)
{
	int			u1,
				u2;

	if (!pc_isdigit(in[0]))
		return pc_fail(res, PCF_SECTOR, '\0');
	if (!pc_isletter(in[1]) || !pc_isletter(in[2]))
		return pc_fail(res, PCF_UNIT_NOT_LETTER, '\0');
	u1 = pc_rank(pc_unit_letters, in[1]);
	if (u1 < 0)
		return pc_fail(res, PCF_UNIT_LETTER, in[1]);
	u2 = pc_rank(pc_unit_letters, in[2]);
	if (u2 < 0)
		return pc_fail(res, PCF_UNIT_LETTER, in[2]);
	*bits = (uint32) ((in[0] - '0') * 400 + u1 * 20 + u2);
	return true;
}

/*
 * Parse len bytes of str as a postcode.  Never raises an error: the outcome,
 * including the rule broken, is left in *res.  Returns true if valid.
 */
static bool
postcode_parse(const char *str, int len, PostcodeParse *res)
{
	char		sig[8];
	int			n = 0;
	int			i;
	int			gap_at = -1;	/* letters/digits seen before an inner gap */
	bool		pending_gap = false;
	bool		two_gaps = false;
	uint32		obits,
				ibits;

	memset(res, 0, sizeof(*res));

	/* Pass over the characters: check them, count them, find inner gaps. */
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) str[i];

		if (pc_isspace(c))
		{
			/* leading whitespace is ignored, later whitespace is a gap */
			if (n > 0)
				pending_gap = true;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return pc_fail(res, PCF_BAD_CHARACTER, '\0');
		if (pending_gap)
		{
			/* a gap between letters/digits: after n of them */
			if (gap_at >= 0)
				two_gaps = true;
			gap_at = n;
			pending_gap = false;
		}
		if (n < (int) sizeof(sig) - 1)
			sig[n] = pg_ascii_toupper(c);
		n++;
	}
	res->count = n;
	if (n == 0)
		return pc_fail(res, PCF_EMPTY, '\0');
	/*
	 * A truncated inward code: one gap, followed by one or two characters
	 * starting with a digit ("SW1A 1", "W1A 1A"), after an outward code of
	 * two to four characters: say so rather than blame the space.
	 */
	if (!two_gaps && gap_at >= 2 && gap_at <= 4 && n - gap_at >= 1 &&
		n - gap_at <= 2 && n <= 7 && pc_isdigit(sig[gap_at]))
	{
		memcpy(res->outward, sig, gap_at);
		res->outward[gap_at] = '\0';
		memcpy(res->inward, sig + gap_at, n - gap_at);
		res->inward[n - gap_at] = '\0';
		return pc_fail(res, PCF_INWARD_SHORT, '\0');
	}
	if (n < 5)
		return pc_fail(res, PCF_TOO_SHORT, '\0');
	if (n > 7)
		return pc_fail(res, PCF_TOO_LONG, '\0');
	sig[n] = '\0';
	/* the only gap allowed is the one just before the inward code */
	if (two_gaps || (gap_at >= 0 && gap_at != n - 3))
		return pc_fail(res, PCF_INNER_SPACE, '\0');

	memcpy(res->outward, sig, n - 3);
	res->outward[n - 3] = '\0';
	memcpy(res->inward, sig + n - 3, 4);

	if (strcmp(res->outward, "GIR") == 0)
	{
		if (strcmp(res->inward, "0AA") != 0)
			return pc_fail(res, PCF_GIR, '\0');
		res->value = (int32) (((uint32) ('G' - 'A' + 1) << PC_A1_SHIFT) |
							  ((uint32) ('I' - 'A' + 1) << PC_A2_SHIFT) |
							  ((uint32) PC_DIST_GIR << PC_DIST_SHIFT) |
							  0);	/* inward key of 0AA */
		return true;
	}
	if (pc_territory(res->outward) >= 0)
	{
		if (strcmp(res->inward, PC_TERRITORY_INWARD) != 0)
			return pc_fail(res, PCF_TERRITORY, '\0');
		res->value = (int32) (pc_territory_bits(pc_territory(res->outward)) |
							  PC_TERRITORY_INWARD_KEY);
		return true;
	}
	if (!pc_parse_outward(res->outward, res, &obits))
		return false;
	if (!pc_parse_inward(res->inward, res, &ibits))
		return false;
	res->value = (int32) (obits | ibits);
	return true;
}

/*
 * Decode a stored value into its canonical text form ("SW1A 1AA") in buf
 * (at least 9 bytes).  Checks only that every field is in range; returns
 * false for a value no parse could have produced in that respect.
 */
static bool
postcode_decode(int32 value, char *buf)
{
	uint32		v = (uint32) value;
	int			a1,
				a2,
				dkey,
				ikey;
	char	   *p = buf;

	if (value <= 0)
		return false;
	a1 = (v >> PC_A1_SHIFT) & PC_LETTER_MASK;
	a2 = (v >> PC_A2_SHIFT) & PC_LETTER_MASK;
	dkey = (v >> PC_DIST_SHIFT) & PC_DIST_MASK;
	ikey = v & PC_INWARD_MASK;

	if (a1 < 1 || a1 > 26 || a2 > 26 || ikey > PC_INWARD_MAX)
		return false;
	*p++ = 'A' + a1 - 1;
	if (a2 > 0)
		*p++ = 'A' + a2 - 1;
	if (dkey == PC_DIST_GIR)
		*p++ = 'R';
	else if (dkey == PC_DIST_TERRITORY)
	{
		int			t = pc_territory_of_area(a1, a2);

		if (t < 0)
			return false;
		*p++ = pc_territories[t][2];
		*p++ = pc_territories[t][3];
	}
	else if (dkey < 220)
	{
		*p++ = '0' + dkey / 22;
		if (dkey % 22 > 0)
			*p++ = pc_district_letters[dkey % 22 - 1];
	}
	else if (dkey <= PC_DIST_MAX)
	{
		int			number = dkey - 220 + 10;

		*p++ = '0' + number / 10;
		*p++ = '0' + number % 10;
	}
	else
		return false;
	*p++ = ' ';
	*p++ = '0' + ikey / 400;
	*p++ = pc_unit_letters[(ikey % 400) / 20];
	*p++ = pc_unit_letters[ikey % 20];
	*p = '\0';
	return true;
}

/* Format a stored value; a value that cannot be decoded is a corrupt datum. */
static void
postcode_format(int32 value, char *buf)
{
	if (!postcode_decode(value, buf))
		elog(ERROR, "corrupt postcode value %d", value);
}

/*
 * Report why an input is not a postcode: the one place that raises input
 * errors (PostgreSQL 16's soft errors can replace ereport with ereturn here).
 * binary selects the message and SQLSTATE of postcode_recv.
 */
static void
postcode_report(const char *input, const PostcodeParse *res, bool binary)
{
	const char *detail = NULL;
	char		detailbuf[256];

	switch (res->fault)
	{
		case PCF_OK:
			return;
		case PCF_EMPTY:
			detail = "The input is empty; a postcode has an outward code such as \"SW1A\" and an inward code such as \"1AA\".";
			break;
		case PCF_BAD_CHARACTER:
			detail = "A postcode contains only the letters A to Z, the digits 0 to 9 and spaces.";
			break;
		case PCF_TOO_SHORT:
			snprintf(detailbuf, sizeof(detailbuf),
					 "A postcode has 5 to 7 letters and digits besides spaces, but the input has %d.",
					 res->count);
			detail = detailbuf;
			break;
		case PCF_TOO_LONG:
			snprintf(detailbuf, sizeof(detailbuf),
					 "A postcode has 5 to 7 letters and digits besides spaces, but the input has %d.",
					 res->count);
			detail = detailbuf;
			break;
		case PCF_INNER_SPACE:
			detail = "Spaces are allowed only between the outward code and the three-character inward code, not inside either.";
			break;
		case PCF_AREA_NOT_LETTER:
			snprintf(detailbuf, sizeof(detailbuf),
					 "The outward code \"%s\" does not start with a letter; it must start with the postcode area's one or two letters.",
					 res->outward);
			detail = detailbuf;
			break;
		case PCF_FIRST_LETTER:
			snprintf(detailbuf, sizeof(detailbuf),
					 "The letter %c cannot be the first letter of a postcode; Q, V and X are never used in the first position.",
					 res->letter);
			detail = detailbuf;
			break;
		case PCF_SECOND_LETTER:
			snprintf(detailbuf, sizeof(detailbuf),
					 "The letter %c cannot be the second letter of a postcode area; I, J and Z are never used in the second position.",
					 res->letter);
			detail = detailbuf;
			break;
		case PCF_NO_DISTRICT:
			snprintf(detailbuf, sizeof(detailbuf),
					 "The outward code \"%s\" has no district number after its area letters.",
					 res->outward);
			detail = detailbuf;
			break;
		case PCF_LEADING_ZERO:
			snprintf(detailbuf, sizeof(detailbuf),
					 "The district number of the outward code \"%s\" has a leading zero; two-digit district numbers run from 10 to 99.",
					 res->outward);
			detail = detailbuf;
			break;
		case PCF_THIRD_LETTER:
			snprintf(detailbuf, sizeof(detailbuf),
					 "The letter %c cannot follow the district digit in an outward code of the form A9A; only A, B, C, D, E, F, G, H, J, K, P, S, T, U and W are used in the third position.",
					 res->letter);
			detail = detailbuf;
			break;
		case PCF_FOURTH_LETTER:
			snprintf(detailbuf, sizeof(detailbuf),
					 "The letter %c cannot follow the district digit in an outward code of the form AA9A; only A, B, E, H, M, N, P, R, V, W, X and Y are used in the fourth position.",
					 res->letter);
			detail = detailbuf;
			break;
		case PCF_OUTWARD_FORM:
			snprintf(detailbuf, sizeof(detailbuf),
					 "The outward code \"%s\" matches none of the forms A9, A99, A9A, AA9, AA99 and AA9A (A a letter, 9 a digit).",
					 res->outward);
			detail = detailbuf;
			break;
		case PCF_GIR:
			snprintf(detailbuf, sizeof(detailbuf),
					 "The outward code GIR is used only in the special postcode GIR 0AA, not with the inward code \"%s\".",
					 res->inward);
			detail = detailbuf;
			break;
		case PCF_TERRITORY:
			snprintf(detailbuf, sizeof(detailbuf),
					 "The outward code %s belongs to a British Overseas Territory, whose only postcode is %s 1ZZ, not one with the inward code \"%s\".",
					 res->outward, res->outward, res->inward);
			detail = detailbuf;
			break;
		case PCF_INWARD_SHORT:
			snprintf(detailbuf, sizeof(detailbuf),
					 "The inward code \"%s\" is too short; an inward code has three characters, a sector digit followed by two unit letters, as in \"1AA\".",
					 res->inward);
			detail = detailbuf;
			break;
		case PCF_SECTOR:
			snprintf(detailbuf, sizeof(detailbuf),
					 "The inward code \"%s\" does not start with a digit; it must be a sector digit followed by two unit letters.",
					 res->inward);
			detail = detailbuf;
			break;
		case PCF_UNIT_NOT_LETTER:
			snprintf(detailbuf, sizeof(detailbuf),
					 "The inward code \"%s\" does not end with two letters; it must be a sector digit followed by two unit letters.",
					 res->inward);
			detail = detailbuf;
			break;
		case PCF_UNIT_LETTER:
			snprintf(detailbuf, sizeof(detailbuf),
					 "The letter %c cannot appear in the inward code; C, I, K, M, O and V are never used there.",
					 res->letter);
			detail = detailbuf;
			break;
	}

	if (binary)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary value for type postcode: \"%s\"", input),
				 errdetail("%s", detail)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"", "postcode", input),
			 errdetail("%s", detail),
			 errhint("A UK postcode is an outward code (area letters and district, as in \"SW1A\") and an inward code (a digit and two letters, as in \"1AA\"), for example \"SW1A 1AA\".")));
}

/* Parse text, raising the standard input error if it is not a postcode. */
static int32
postcode_from_cstring(const char *str, int len)
{
	PostcodeParse res;

	if (!postcode_parse(str, len, &res))
	{
		char	   *copy = pnstrdup(str, len);

		postcode_report(copy, &res, false);
	}
	return res.value;
}

PG_FUNCTION_INFO_V1(postcode_in);
/* Text input: any case, whitespace around and between the two codes. */
Datum
postcode_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);

	PG_RETURN_POSTCODE(postcode_from_cstring(str, strlen(str)));
}

PG_FUNCTION_INFO_V1(postcode_out);
/* Text output: upper case, one space. */
Datum
postcode_out(PG_FUNCTION_ARGS)
{
	char		buf[POSTCODE_MAX_TEXT + 1];

	postcode_format(PG_GETARG_POSTCODE(0), buf);
	PG_RETURN_CSTRING(pstrdup(buf));
}

PG_FUNCTION_INFO_V1(postcode_recv);
/*
 * Binary input: the 4-byte stored value, decoded and validated as strictly as
 * text input (every field in range, every letter rule, canonical encoding).
 */
Datum
postcode_recv(PG_FUNCTION_ARGS)
{
	StringInfo	msg = (StringInfo) PG_GETARG_POINTER(0);
	int32		value = (int32) pq_getmsgint(msg, 4);
	char		buf[POSTCODE_MAX_TEXT + 1];
	PostcodeParse res;

	if (!postcode_decode(value, buf))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary value for type postcode: %d", value),
				 errdetail("The value does not encode an area, a district and an inward code.")));
	if (!postcode_parse(buf, strlen(buf), &res))
		postcode_report(buf, &res, true);
	if (res.value != value)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary value for type postcode: %d", value),
				 errdetail("The value is not the canonical encoding of \"%s\".", buf)));
	PG_RETURN_POSTCODE(value);
}

PG_FUNCTION_INFO_V1(postcode_send);
/* Binary output: the 4-byte stored value in network byte order. */
Datum
postcode_send(PG_FUNCTION_ARGS)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendint32(&buf, (uint32) PG_GETARG_POSTCODE(0));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(postcode_from_text);
/* Cast text to postcode, validating as input does. */
Datum
postcode_from_text(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	PG_RETURN_POSTCODE(postcode_from_cstring(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
}

PG_FUNCTION_INFO_V1(postcode_to_text);
/* Cast postcode to its canonical text. */
Datum
postcode_to_text(PG_FUNCTION_ARGS)
{
	char		buf[POSTCODE_MAX_TEXT + 1];

	postcode_format(PG_GETARG_POSTCODE(0), buf);
	PG_RETURN_TEXT_P(cstring_to_text(buf));
}

PG_FUNCTION_INFO_V1(is_valid_postcode);
/* True if the text is a postcode; never raises an input error. */
Datum
is_valid_postcode(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	PostcodeParse res;

	PG_RETURN_BOOL(postcode_parse(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &res));
}

/* Which part of a postcode a component function returns. */
typedef enum PostcodePart
{
	PCP_AREA,
	PCP_DISTRICT,
	PCP_SECTOR,
	PCP_OUTWARD,
	PCP_INWARD
} PostcodePart;

/* The requested part of the canonical text, as a text datum. */
static text *
postcode_part(int32 value, PostcodePart part)
{
	char		buf[POSTCODE_MAX_TEXT + 1];
	char	   *space;
	int			outlen;
	int			arealen;

	postcode_format(value, buf);
	space = strchr(buf, ' ');
	outlen = space - buf;
	arealen = (outlen > 1 && pc_isletter(buf[1])) ? 2 : 1;

	switch (part)
	{
		case PCP_AREA:
			/*
			 * GIR 0AA and the territories' postcodes have no separate
			 * district (no digit in the outward code): their area is the
			 * whole outward code
			 */
			if (!pc_isdigit(buf[outlen - 1]) && !pc_isdigit(buf[outlen - 2]))
				return cstring_to_text_with_len(buf, outlen);
			return cstring_to_text_with_len(buf, arealen);
		case PCP_DISTRICT:
		case PCP_OUTWARD:
			return cstring_to_text_with_len(buf, outlen);
		case PCP_SECTOR:
			return cstring_to_text_with_len(buf, outlen + 2);
		case PCP_INWARD:
			return cstring_to_text(space + 1);
	}
	elog(ERROR, "unknown postcode part %d", (int) part);
	return NULL;				/* keep compiler quiet */
}

PG_FUNCTION_INFO_V1(postcode_area);
/* The area: the outward code's one or two letters ("SW"). */
Datum
postcode_area(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(postcode_part(PG_GETARG_POSTCODE(0), PCP_AREA));
}

PG_FUNCTION_INFO_V1(postcode_district);
/* The district: area and district number and letter ("SW1A"). */
Datum
postcode_district(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(postcode_part(PG_GETARG_POSTCODE(0), PCP_DISTRICT));
}

PG_FUNCTION_INFO_V1(postcode_sector);
/* The sector: the district, a space and the sector digit ("SW1A 1"). */
Datum
postcode_sector(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(postcode_part(PG_GETARG_POSTCODE(0), PCP_SECTOR));
}

PG_FUNCTION_INFO_V1(postcode_outward);
/* The outward code ("SW1A"). */
Datum
postcode_outward(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(postcode_part(PG_GETARG_POSTCODE(0), PCP_OUTWARD));
}

PG_FUNCTION_INFO_V1(postcode_inward);
/* The inward code ("1AA"). */
Datum
postcode_inward(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(postcode_part(PG_GETARG_POSTCODE(0), PCP_INWARD));
}

/*
 * Comparison, hashing, min and max: the stored int32 is never negative and
 * its order is the natural postcode order, so they are core's int4
 * functions, bound in SQL as LANGUAGE internal (int4eq, btint4cmp,
 * btint4sortsupport, hashint4, int4smaller, ...;
 * control/install/10-postcode.sql), the way contrib/isn and civic.gsscode
 * do.  The hashes are those of 0.1.0 (hash_uint32 of the stored value), so
 * hash indexes and hash partitions stay valid across the upgrade.
 *
 * The C functions below are what civic 0.1.0's install script bound them
 * to; the library keeps them so that a database still at 0.1.0 works until
 * ALTER EXTENSION civic UPDATE rebinds its functions to core.  Each hands
 * its arguments, unchanged, to the core function.
 */

PG_FUNCTION_INFO_V1(postcode_eq);
Datum
postcode_eq(PG_FUNCTION_ARGS)
{
	return int4eq(fcinfo);
}

PG_FUNCTION_INFO_V1(postcode_ne);
Datum
postcode_ne(PG_FUNCTION_ARGS)
{
	return int4ne(fcinfo);
}

PG_FUNCTION_INFO_V1(postcode_lt);
Datum
postcode_lt(PG_FUNCTION_ARGS)
{
	return int4lt(fcinfo);
}

PG_FUNCTION_INFO_V1(postcode_le);
Datum
postcode_le(PG_FUNCTION_ARGS)
{
	return int4le(fcinfo);
}

PG_FUNCTION_INFO_V1(postcode_gt);
Datum
postcode_gt(PG_FUNCTION_ARGS)
{
	return int4gt(fcinfo);
}

PG_FUNCTION_INFO_V1(postcode_ge);
Datum
postcode_ge(PG_FUNCTION_ARGS)
{
	return int4ge(fcinfo);
}

PG_FUNCTION_INFO_V1(postcode_cmp);
Datum
postcode_cmp(PG_FUNCTION_ARGS)
{
	return btint4cmp(fcinfo);
}

PG_FUNCTION_INFO_V1(postcode_sortsupport);
Datum
postcode_sortsupport(PG_FUNCTION_ARGS)
{
	return btint4sortsupport(fcinfo);
}

PG_FUNCTION_INFO_V1(postcode_hash);
Datum
postcode_hash(PG_FUNCTION_ARGS)
{
	return hashint4(fcinfo);
}

PG_FUNCTION_INFO_V1(postcode_hash_extended);
Datum
postcode_hash_extended(PG_FUNCTION_ARGS)
{
	return hashint4extended(fcinfo);
}

PG_FUNCTION_INFO_V1(postcode_smaller);
Datum
postcode_smaller(PG_FUNCTION_ARGS)
{
	return int4smaller(fcinfo);
}

PG_FUNCTION_INFO_V1(postcode_larger);
Datum
postcode_larger(PG_FUNCTION_ARGS)
{
	return int4larger(fcinfo);
}

/*
 * Prefixes: an area, an outward code, a sector or a whole postcode, as the
 * inclusive range [*lo, *hi] of stored values.  Accepts any case and
 * whitespace around; a sector needs its space ("SW1A 1": without it,
 * "E11" is the outward code E11, not the sector E1 1).  Returns false if the
 * text is none of these.
 */
static bool
postcode_prefix_range(const char *str, int len, int32 *lo, int32 *hi)
{
	char		sig[8];
	int			n = 0;
	int			gap_at = -1;
	bool		pending_gap = false;
	int			i;
	PostcodeParse res;
	uint32		bits;
	int			t;

	if (postcode_parse(str, len, &res))
	{
		*lo = *hi = res.value;
		return true;
	}
	memset(&res, 0, sizeof(res));
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) str[i];

		if (pc_isspace(c))
		{
			if (n > 0)
				pending_gap = true;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			return false;
		if (pending_gap)
		{
			if (gap_at >= 0)
				return false;	/* two gaps */
			gap_at = n;
			pending_gap = false;
		}
		if (n >= (int) sizeof(sig) - 1)
			return false;
		sig[n++] = pg_ascii_toupper(c);
	}
	sig[n] = '\0';
	if (n == 0)
		return false;

	if (gap_at < 0)
	{
		/* an area: one or two letters */
		if (n <= 2 && pc_isletter(sig[0]) && (n == 1 || pc_isletter(sig[1])))
		{
			if (strchr(pc_first_forbidden, sig[0]) != NULL)
				return false;
			bits = (uint32) (sig[0] - 'A' + 1) << PC_A1_SHIFT;
			if (n == 2)
			{
				if (strchr(pc_second_forbidden, sig[1]) != NULL && strcmp(sig, "GI") != 0)
					return false;
				bits |= (uint32) (sig[1] - 'A' + 1) << PC_A2_SHIFT;
				*lo = (int32) bits;
				*hi = (int32) (bits | ((1U << PC_A2_SHIFT) - 1));
			}
			else
			{
				*lo = (int32) bits;
				*hi = (int32) (bits | ((1U << PC_A2_SHIFT) - 1));
			}
			return true;
		}
		gap_at = n;				/* an outward code alone */
	}
	else if (n - gap_at != 1 || !pc_isdigit(sig[gap_at]))
		return false;			/* after the space: one sector digit only */

	/* the outward code sig[0 .. gap_at) */
	{
		char		outward[8];

		memcpy(outward, sig, gap_at);
		outward[gap_at] = '\0';
		if (strcmp(outward, "GIR") == 0)
			bits = ((uint32) ('G' - 'A' + 1) << PC_A1_SHIFT) |
				((uint32) ('I' - 'A' + 1) << PC_A2_SHIFT) |
				((uint32) PC_DIST_GIR << PC_DIST_SHIFT);
		else if ((t = pc_territory(outward)) >= 0)
			bits = pc_territory_bits(t);
		else if (!pc_parse_outward(outward, &res, &bits))
			return false;
	}
	if (gap_at == n)
	{
		*lo = (int32) bits;
		*hi = (int32) (bits | PC_INWARD_MAX);
	}
	else
	{
		int			sector = sig[gap_at] - '0';

		*lo = (int32) (bits | (uint32) (sector * 400));
		*hi = (int32) (bits | (uint32) (sector * 400 + 399));
	}
	return true;
}

/* The range of a prefix given as text, raising 22P02 if it is not one. */
void
postcode_prefix_range_text(text *prefix, int32 *lo, int32 *hi)
{
	if (!postcode_prefix_range(VARDATA_ANY(prefix), VARSIZE_ANY_EXHDR(prefix), lo, hi))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid postcode prefix: \"%s\"", text_to_cstring(prefix)),
				 errdetail("A postcode prefix is a postcode area (\"SW\"), an outward code (\"SW1A\"), a sector (\"SW1A 1\") or a whole postcode (\"SW1A 1AA\")."),
				 errhint("Write a sector with a space before its digit, as in \"SW1A 1\".")));
}

PG_FUNCTION_INFO_V1(postcode_matches);
/* p ^@ prefix: the postcode is in the area, outward code or sector. */
Datum
postcode_matches(PG_FUNCTION_ARGS)
{
	int32		p = PG_GETARG_POSTCODE(0);
	int32		lo,
				hi;

	postcode_prefix_range_text(PG_GETARG_TEXT_PP(1), &lo, &hi);
	PG_RETURN_BOOL(p >= lo && p <= hi);
}

/* True if the operator family belongs to the btree access method. */
static bool
opfamily_is_btree(Oid opfamily)
{
	HeapTuple	tup = SearchSysCache1(OPFAMILYOID, ObjectIdGetDatum(opfamily));
	bool		result;

	if (!HeapTupleIsValid(tup))
		return false;
	result = ((Form_pg_opfamily) GETSTRUCT(tup))->opfmethod == BTREE_AM_OID;
	ReleaseSysCache(tup);
	return result;
}

PG_FUNCTION_INFO_V1(postcode_matches_support);
/*
 * Planner support of postcode_matches: with a constant prefix, p ^@ prefix
 * on a btree-indexed postcode becomes the exact index condition
 * p >= lo AND p <= hi, or p < (the next area) for an area.  The bounds are
 * stored values that decode (EXPLAIN shows them) but need not be postcodes
 * ("SW1A 9ZZ"): comparison is all they are used for.
 */
Datum
postcode_matches_support(PG_FUNCTION_ARGS)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);
	SupportRequestIndexCondition *req;
	List	   *args;
	Node	   *leftop,
			   *rightop;
	Const	   *prefix;
	Oid			pctype,
				ge,
				le;
	int32		lo,
				hi;
	bool		area;

	if (!IsA(rawreq, SupportRequestIndexCondition))
		PG_RETURN_POINTER(NULL);
	req = (SupportRequestIndexCondition *) rawreq;
	if (is_opclause(req->node))
		args = ((OpExpr *) req->node)->args;
	else if (is_funcclause(req->node))
		args = ((FuncExpr *) req->node)->args;
	else
		PG_RETURN_POINTER(NULL);
	if (list_length(args) != 2 || req->indexarg != 0)
		PG_RETURN_POINTER(NULL);
	leftop = linitial(args);
	rightop = lsecond(args);
	if (!IsA(rightop, Const) || ((Const *) rightop)->constisnull)
		PG_RETURN_POINTER(NULL);
	prefix = (Const *) rightop;
	if (!opfamily_is_btree(req->opfamily))
		PG_RETURN_POINTER(NULL);
	pctype = exprType(leftop);
	ge = get_opfamily_member(req->opfamily, pctype, pctype, BTGreaterEqualStrategyNumber);
	{
		text	   *t = DatumGetTextPP(prefix->constvalue);

		if (!postcode_prefix_range(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), &lo, &hi))
			PG_RETURN_POINTER(NULL);	/* the operator raises the error */
	}
	/* an area's range ends at the next area, whose first value decodes */
	area = ((uint32) hi & ((1U << PC_A2_SHIFT) - 1)) == ((1U << PC_A2_SHIFT) - 1);
	if (area)
		hi = hi + 1;
	le = get_opfamily_member(req->opfamily, pctype, pctype,
							 area ? BTLessStrategyNumber : BTLessEqualStrategyNumber);
	if (!OidIsValid(ge) || !OidIsValid(le))
		PG_RETURN_POINTER(NULL);
	req->lossy = false;
	PG_RETURN_POINTER(list_make2(
		make_opclause(ge, BOOLOID, false, (Expr *) leftop,
					  (Expr *) makeConst(pctype, -1, InvalidOid, 4,
										 Int32GetDatum(lo), false, true),
					  InvalidOid, InvalidOid),
		make_opclause(le, BOOLOID, false, (Expr *) leftop,
					  (Expr *) makeConst(pctype, -1, InvalidOid, 4,
										 Int32GetDatum(hi), false, true),
					  InvalidOid, InvalidOid)));
}
