/*
 * fuzz_env.c
 *	  Just enough of the PostgreSQL backend for civic's parsing code to run
 *	  in a libFuzzer process (see fuzz_env.h and README.md).
 *
 * What is provided, and how faithfully:
 *	- palloc and friends allocate with malloc into a per-input arena that
 *	  fuzz_reset() frees, as a memory context reset would; sizes above
 *	  MaxAllocSize are refused as PostgreSQL refuses them;
 *	- ereport/elog: errstart, errcode, errmsg, errdetail, errhint and their
 *	  _internal forms format their messages (so the formatting of bad input
 *	  into messages is exercised too); errfinish at ERROR longjmps back to
 *	  the harness, which checks the SQLSTATE;
 *	- the few backend helpers civic's parsers use (pq_getmsgint and
 *	  pq_getmsgint64 with PostgreSQL's "insufficient data left in message"
 *	  check, pq_begintypsend/pq_endtypsend, StringInfo, text conversion,
 *	  detoasting of in-line short and 4-byte headers, pg_ascii_toupper,
 *	  scanner_isspace), written after PostgreSQL 15's own code;
 *	- Assert() is enabled (USE_ASSERT_CHECKING): a failed assertion is a bug;
 *	- libFuzzer's entry points, over the harness's table fuzz_targets, and
 *	  the checks every type shares (fuzz_check_io, fuzz_text_input,
 *	  fuzz_recv_input): the harnesses add each type's own properties.
 * Any other backend symbol civic's files reference gets a stub generated
 * by run.sh that aborts naming the symbol: reaching it is a harness gap.
 */
#include "postgres.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/shortest_dec.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "parser/scansup.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "fuzz_env.h"

/* PostgreSQL's port.h maps these to its own printf; use the C library's. */
#undef vsnprintf
#undef snprintf
#undef sprintf
#undef vsprintf
#undef fprintf
#undef vfprintf
#undef printf
#undef vprintf
#undef qsort

/* Backend globals that civic's files refer to. */
MemoryContext CurrentMemoryContext = NULL;
MemoryContext TopMemoryContext = NULL;
MemoryContext CacheMemoryContext = NULL;
MemoryContext ErrorContext = NULL;
sigjmp_buf *PG_exception_stack = NULL;
ErrorContextCallback *error_context_stack = NULL;
uint64		SPI_processed = 0;
SPITupleTable *SPI_tuptable = NULL;
int			SPI_result = 0;

char		fuzz_sqlstate[6];
char		fuzz_errmsg[1024];
sigjmp_buf *fuzz_jmp = NULL;

/* ---- abort on a bug ---------------------------------------------------- */

void
fuzz_fail(const char *fmt,...)
{
	va_list		ap;

	fputs("civic fuzz: property broken: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* Called by the generated stubs of backend functions the harness lacks. */
void		fuzz_missing(const char *name);
void
fuzz_missing(const char *name)
{
	fuzz_fail("reached the backend function %s, which the fuzz environment does not provide", name);
}

void
ExceptionalCondition(const char *conditionName, const char *errorType,
					 const char *fileName, int lineNumber)
{
	fuzz_fail("%s(\"%s\") failed at %s:%d", errorType, conditionName,
			  fileName, lineNumber);
}

/* ---- target selection --------------------------------------------------- */

int			LLVMFuzzerInitialize(int *argc, char ***argv);
int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FuzzTargetFn fuzz_target = NULL;

/* libFuzzer's set-up: the target named by CIVIC_FUZZ_TARGET. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *want = getenv("CIVIC_FUZZ_TARGET");
	const FuzzTarget *t;

	for (t = fuzz_targets; t->name; t++)
		if (want == NULL || strcmp(want, t->name) == 0)
		{
			fuzz_target = t->fn;
			return 0;
		}
	fprintf(stderr, "civic fuzz: unknown CIVIC_FUZZ_TARGET \"%s\"; this binary has:", want);
	for (t = fuzz_targets; t->name; t++)
		fprintf(stderr, " %s", t->name);
	fputc('\n', stderr);
	exit(2);
}

/* libFuzzer's call per input: the target, in a fresh arena. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_reset();
	fuzz_target(data, size);
	fuzz_reset();
	return 0;
}

/* ---- memory: one arena per input --------------------------------------- */

static void **chunks = NULL;
static size_t nchunks = 0,
			capchunks = 0;

static void
track(void *p)
{
	if (nchunks == capchunks)
	{
		capchunks = capchunks ? capchunks * 2 : 1024;
		chunks = realloc(chunks, capchunks * sizeof(void *));
		if (chunks == NULL)
			abort();
	}
	chunks[nchunks++] = p;
}

static size_t
find_chunk(void *p)
{
	size_t		i;

	for (i = nchunks; i > 0; i--)
		if (chunks[i - 1] == p)
			return i - 1;
	fuzz_fail("pfree/repalloc of a pointer palloc did not return");
}

void
fuzz_reset(void)
{
	size_t		i;

	for (i = 0; i < nchunks; i++)
		free(chunks[i]);
	nchunks = 0;
	fuzz_jmp = NULL;
}

static void *
alloc_chunk(Size size, bool zero)
{
	void	   *p;

	if (!AllocSizeIsValid(size))
		elog(ERROR, "invalid memory alloc request size %zu", size);
	p = zero ? calloc(1, size ? size : 1) : malloc(size ? size : 1);
	if (p == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	track(p);
	return p;
}

void *
palloc(Size size)
{
	return alloc_chunk(size, false);
}

void *
palloc0(Size size)
{
	return alloc_chunk(size, true);
}

void *
palloc_extended(Size size, int flags)
{
	return alloc_chunk(size, (flags & MCXT_ALLOC_ZERO) != 0);
}

void *
MemoryContextAlloc(MemoryContext context, Size size)
{
	return alloc_chunk(size, false);
}

void *
MemoryContextAllocZero(MemoryContext context, Size size)
{
	return alloc_chunk(size, true);
}

void *
MemoryContextAllocZeroAligned(MemoryContext context, Size size)
{
	return alloc_chunk(size, true);
}

void *
repalloc(void *pointer, Size size)
{
	size_t		i = find_chunk(pointer);
	void	   *p;

	if (!AllocSizeIsValid(size))
		elog(ERROR, "invalid memory alloc request size %zu", size);
	p = realloc(pointer, size ? size : 1);
	if (p == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	chunks[i] = p;
	return p;
}

void
pfree(void *pointer)
{
	size_t		i = find_chunk(pointer);

	free(pointer);
	chunks[i] = chunks[--nchunks];
}

char *
pstrdup(const char *in)
{
	return pnstrdup(in, strlen(in));
}

char *
pnstrdup(const char *in, Size len)
{
	char	   *out;

	len = strnlen(in, len);
	out = palloc(len + 1);
	memcpy(out, in, len);
	out[len] = '\0';
	return out;
}

/* ---- ereport ------------------------------------------------------------ */

static int	cur_elevel;
static int	cur_sqlerrcode;
static char scratch[2048];

bool
errstart(int elevel, const char *domain)
{
	if (elevel < ERROR)
		return false;
	cur_elevel = elevel;
	cur_sqlerrcode = ERRCODE_INTERNAL_ERROR;
	fuzz_errmsg[0] = '\0';
	return true;
}

bool
errstart_cold(int elevel, const char *domain)
{
	return errstart(elevel, domain);
}

int
errcode(int sqlerrcode)
{
	cur_sqlerrcode = sqlerrcode;
	return 0;
}

#define FORMAT_INTO(buf) \
	do { \
		va_list		ap; \
		va_start(ap, fmt); \
		vsnprintf((buf), sizeof(buf), fmt, ap); \
		va_end(ap); \
	} while (0)

int
errmsg(const char *fmt,...)
{
	FORMAT_INTO(fuzz_errmsg);
	return 0;
}

int
errmsg_internal(const char *fmt,...)
{
	FORMAT_INTO(fuzz_errmsg);
	return 0;
}

int
errdetail(const char *fmt,...)
{
	FORMAT_INTO(scratch);
	return 0;
}

int
errdetail_internal(const char *fmt,...)
{
	FORMAT_INTO(scratch);
	return 0;
}

int
errhint(const char *fmt,...)
{
	FORMAT_INTO(scratch);
	return 0;
}

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	int			i,
				code = cur_sqlerrcode;

	if (cur_elevel < ERROR)
		return;
	for (i = 0; i < 5; i++)
	{
		fuzz_sqlstate[i] = PGUNSIXBIT(code);
		code >>= 6;
	}
	fuzz_sqlstate[5] = '\0';
	if (cur_elevel > ERROR)
		fuzz_fail("%s raised at level %d (%s:%d): %s", fuzz_sqlstate,
				  cur_elevel, filename, lineno, fuzz_errmsg);
	if (fuzz_jmp == NULL)
		fuzz_fail("ERROR outside a protected call (%s:%d): %s", filename,
				  lineno, fuzz_errmsg);
	siglongjmp(*fuzz_jmp, 1);
}

bool
fuzz_try_check(const char *allowed)
{
	const char *p = allowed;

	while ((p = strstr(p, fuzz_sqlstate)) != NULL)
	{
		if ((p == allowed || p[-1] == ' ') && (p[5] == ' ' || p[5] == '\0'))
			return false;
		p++;
	}
	fuzz_fail("unexpected SQLSTATE %s (allowed: %s): %s", fuzz_sqlstate,
			  allowed, fuzz_errmsg);
}

bool
fuzz_call(PGFunction fn, int nargs, const Datum *args, const char *allowed,
		  Datum *result, bool *isnull)
{
	LOCAL_FCINFO(fcinfo, 4);
	FmgrInfo	flinfo;
	sigjmp_buf *volatile save = fuzz_jmp;
	sigjmp_buf	buf;
	int			i;

	Assert(nargs <= 4);
	memset(&flinfo, 0, sizeof(flinfo));
	flinfo.fn_addr = fn;
	flinfo.fn_nargs = nargs;
	flinfo.fn_strict = true;
	InitFunctionCallInfoData(*fcinfo, &flinfo, nargs, InvalidOid, NULL, NULL);
	for (i = 0; i < nargs; i++)
	{
		fcinfo->args[i].value = args[i];
		fcinfo->args[i].isnull = false;
	}
	if (sigsetjmp(buf, 0) != 0)
	{
		fuzz_jmp = save;
		return fuzz_try_check(allowed);
	}
	fuzz_jmp = &buf;
	*result = fn(fcinfo);
	fuzz_jmp = save;
	if (isnull)
		*isnull = fcinfo->isnull;
	else if (fcinfo->isnull)
		fuzz_fail("function returned NULL for non-NULL arguments");
	return true;
}

/* ---- datums from bytes -------------------------------------------------- */

char *
fuzz_cstring(const uint8_t *data, size_t size)
{
	return pnstrdup((const char *) data, size);
}

Datum
fuzz_varlena(const uint8_t *data, size_t size)
{
	char	   *p;

	if (size + VARHDRSZ_SHORT <= VARATT_SHORT_MAX)
	{
		p = palloc(size + VARHDRSZ_SHORT);
		SET_VARSIZE_SHORT(p, size + VARHDRSZ_SHORT);
		memcpy(p + VARHDRSZ_SHORT, data, size);
	}
	else
	{
		p = palloc(size + VARHDRSZ);
		SET_VARSIZE(p, size + VARHDRSZ);
		memcpy(p + VARHDRSZ, data, size);
	}
	return PointerGetDatum(p);
}

StringInfo
fuzz_message(const uint8_t *data, size_t size)
{
	StringInfo	msg = palloc(sizeof(StringInfoData));

	/* as PostgreSQL's receive paths build it: a NUL after the data */
	msg->data = palloc(size + 1);
	memcpy(msg->data, data, size);
	msg->data[size] = '\0';
	msg->len = (int) size;
	msg->maxlen = (int) size + 1;
	msg->cursor = 0;
	return msg;
}

char *
fuzz_text_cstring(Datum d)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);

	return pnstrdup(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
}

/* ---- checks every type of civic shares -------------------------------- */

char *
fuzz_check_io(const FuzzTypeIO *io, Datum v)
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

	if (!fuzz_call(io->out, 1, &v, "", &out, NULL))
		fuzz_fail("%s_out failed on an accepted value", io->name);
	s = DatumGetCString(out);
	if (!fuzz_call(io->in, 1, &out, "", &again, NULL) || again != v)
		fuzz_fail("\"%s\" does not re-read to the same %s", s, io->name);
	if (io->to_text &&
		(!fuzz_call(io->to_text, 1, &v, "", &t, NULL) ||
		 strcmp(fuzz_text_cstring(t), s) != 0))
		fuzz_fail("the text cast of %s differs from %s_out for \"%s\"",
				  io->name, io->name, s);
	if (!fuzz_call(io->send, 1, &v, "", &sent, NULL))
		fuzz_fail("%s_send failed", io->name);
	b = DatumGetByteaPP(sent);
	msg = fuzz_message((const uint8_t *) VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
	marg = PointerGetDatum(msg);
	if (!fuzz_call(io->recv, 1, &marg, "", &back, NULL) ||
		back != v || msg->cursor != msg->len)
		fuzz_fail("send/recv does not round-trip %s \"%s\"", io->name, s);
	return s;
}

void
fuzz_text_input(const FuzzTypeIO *io, const uint8_t *data, size_t size,
				FuzzCheckValue check)
{
	char	   *cstr = fuzz_cstring(data, size);
	Datum		arg = CStringGetDatum(cstr);
	Datum		v,
				v2,
				valid,
				t;
	bool		ok_in,
				ok_text;

	ok_in = fuzz_call(io->in, 1, &arg, "22P02", &v, NULL);

	/* the same characters as a text value */
	t = fuzz_varlena((const uint8_t *) cstr, strlen(cstr));
	ok_text = fuzz_call(io->from_text, 1, &t, "22P02", &v2, NULL);
	if (!fuzz_call(io->is_valid, 1, &t, "", &valid, NULL))
		fuzz_fail("is_valid_%s raised an error", io->name);
	if (ok_in != ok_text || ok_in != DatumGetBool(valid) ||
		(ok_in && v != v2))
		fuzz_fail("%s_in, the text cast and is_valid_%s disagree", io->name, io->name);
	if (ok_in)
		check(v);

	/* all the bytes, NULs included, as text: cast and test agree */
	t = fuzz_varlena(data, size);
	ok_text = fuzz_call(io->from_text, 1, &t, "22P02", &v2, NULL);
	if (!fuzz_call(io->is_valid, 1, &t, "", &valid, NULL))
		fuzz_fail("is_valid_%s raised an error", io->name);
	if (ok_text != DatumGetBool(valid))
		fuzz_fail("the text cast and is_valid_%s disagree", io->name);
	if (ok_text)
		check(v2);
}

void
fuzz_recv_input(const FuzzTypeIO *io, const uint8_t *data, size_t size,
				FuzzCheckValue check)
{
	StringInfo	msg = fuzz_message(data, size);
	Datum		arg = PointerGetDatum(msg);
	Datum		v;

	if (fuzz_call(io->recv, 1, &arg, "22P03 08P01", &v, NULL))
		check(v);
}

/* ---- backend helpers civic's parsers use (after PostgreSQL 15) ---------- */

struct varlena *
pg_detoast_datum(struct varlena *datum)
{
	if (VARATT_IS_EXTERNAL(datum) || VARATT_IS_COMPRESSED(datum))
		fuzz_fail("toasted datum in the fuzz environment");
	if (VARATT_IS_SHORT(datum))
	{
		Size		len = VARSIZE_SHORT(datum) - VARHDRSZ_SHORT;
		struct varlena *out = palloc(len + VARHDRSZ);

		SET_VARSIZE(out, len + VARHDRSZ);
		memcpy(VARDATA(out), VARDATA_SHORT(datum), len);
		return out;
	}
	return datum;
}

struct varlena *
pg_detoast_datum_packed(struct varlena *datum)
{
	if (VARATT_IS_EXTERNAL(datum) || VARATT_IS_COMPRESSED(datum))
		fuzz_fail("toasted datum in the fuzz environment");
	return datum;
}

text *
cstring_to_text_with_len(const char *s, int len)
{
	text	   *result = palloc(len + VARHDRSZ);

	SET_VARSIZE(result, len + VARHDRSZ);
	memcpy(VARDATA(result), s, len);
	return result;
}

text *
cstring_to_text(const char *s)
{
	return cstring_to_text_with_len(s, strlen(s));
}

char *
text_to_cstring(const text *t)
{
	return fuzz_text_cstring(PointerGetDatum(t));
}

unsigned char
pg_ascii_toupper(unsigned char ch)
{
	if (ch >= 'a' && ch <= 'z')
		ch += 'A' - 'a';
	return ch;
}

unsigned char
pg_ascii_tolower(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		ch += 'a' - 'A';
	return ch;
}

bool
scanner_isspace(char ch)
{
	/* as src/backend/parser/scansup.c */
	if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f')
		return true;
	return false;
}

int
double_to_shortest_decimal_buf(double f, char *result)
{
	/* not the shortest form, but round-trip exact: only used in messages */
	return snprintf(result, DOUBLE_SHORTEST_DECIMAL_LEN, "%.17g", f);
}

void
pg_qsort(void *base, size_t nel, size_t elsize,
		 int (*cmp) (const void *, const void *))
{
	qsort(base, nel, elsize, cmp);
}

size_t
strlcpy(char *dst, const char *src, size_t siz)
{
	size_t		len = strlen(src);

	if (siz > 0)
	{
		size_t		n = Min(len, siz - 1);

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/* StringInfo (src/common/stringinfo.c) */
void
initStringInfo(StringInfo str)
{
	str->data = palloc(1024);
	str->maxlen = 1024;
	resetStringInfo(str);
}

StringInfo
makeStringInfo(void)
{
	StringInfo	s = palloc(sizeof(StringInfoData));

	initStringInfo(s);
	return s;
}

void
resetStringInfo(StringInfo str)
{
	str->data[0] = '\0';
	str->len = 0;
	str->cursor = 0;
}

void
enlargeStringInfo(StringInfo str, int needed)
{
	int			newlen;

	if (needed < 0 || ((Size) needed) >= (MaxAllocSize - (Size) str->len))
		elog(ERROR, "invalid string enlargement request size: %d", needed);
	needed += str->len + 1;
	if (needed <= str->maxlen)
		return;
	newlen = 2 * str->maxlen;
	while (needed > newlen)
		newlen = 2 * newlen;
	str->data = repalloc(str->data, newlen);
	str->maxlen = newlen;
}

void
appendBinaryStringInfo(StringInfo str, const char *data, int datalen)
{
	enlargeStringInfo(str, datalen);
	memcpy(str->data + str->len, data, datalen);
	str->len += datalen;
	str->data[str->len] = '\0';
}

void
appendStringInfoString(StringInfo str, const char *s)
{
	appendBinaryStringInfo(str, s, strlen(s));
}

void
appendStringInfoChar(StringInfo str, char ch)
{
	appendBinaryStringInfo(str, &ch, 1);
}

void
appendStringInfo(StringInfo str, const char *fmt,...)
{
	char		buf[4096];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	appendStringInfoString(str, buf);
}

/* Binary messages (src/backend/libpq/pqformat.c) */
void
pq_copymsgbytes(StringInfo msg, char *buf, int datalen)
{
	if (datalen < 0 || datalen > (msg->len - msg->cursor))
		ereport(ERROR,
				(errcode(ERRCODE_PROTOCOL_VIOLATION),
				 errmsg("insufficient data left in message")));
	memcpy(buf, &msg->data[msg->cursor], datalen);
	msg->cursor += datalen;
}

unsigned int
pq_getmsgint(StringInfo msg, int b)
{
	unsigned int result;
	unsigned char n8;
	uint16		n16;
	uint32		n32;

	switch (b)
	{
		case 1:
			pq_copymsgbytes(msg, (char *) &n8, 1);
			result = n8;
			break;
		case 2:
			pq_copymsgbytes(msg, (char *) &n16, 2);
			result = pg_ntoh16(n16);
			break;
		case 4:
			pq_copymsgbytes(msg, (char *) &n32, 4);
			result = pg_ntoh32(n32);
			break;
		default:
			elog(ERROR, "unsupported integer size %d", b);
			result = 0;
			break;
	}
	return result;
}

int64
pq_getmsgint64(StringInfo msg)
{
	uint64		n64;

	pq_copymsgbytes(msg, (char *) &n64, sizeof(n64));
	return pg_ntoh64(n64);
}

float8
pq_getmsgfloat8(StringInfo msg)
{
	union
	{
		float8		f;
		int64		i;
	}			swap;

	swap.i = pq_getmsgint64(msg);
	return swap.f;
}

void
pq_begintypsend(StringInfo buf)
{
	initStringInfo(buf);
	appendStringInfoCharMacro(buf, '\0');
	appendStringInfoCharMacro(buf, '\0');
	appendStringInfoCharMacro(buf, '\0');
	appendStringInfoCharMacro(buf, '\0');
}

bytea *
pq_endtypsend(StringInfo buf)
{
	bytea	   *result = (bytea *) buf->data;

	SET_VARSIZE(result, buf->len);
	return result;
}

/* The printf family PostgreSQL's headers redirect to (src/port/snprintf.c) */
int
pg_vsnprintf(char *str, size_t count, const char *fmt, va_list args)
{
	return vsnprintf(str, count, fmt, args);
}

int
pg_snprintf(char *str, size_t count, const char *fmt,...)
{
	va_list		ap;
	int			r;

	va_start(ap, fmt);
	r = vsnprintf(str, count, fmt, ap);
	va_end(ap);
	return r;
}

int
pg_vsprintf(char *str, const char *fmt, va_list args)
{
	return vsprintf(str, fmt, args);
}

int
pg_sprintf(char *str, const char *fmt,...)
{
	va_list		ap;
	int			r;

	va_start(ap, fmt);
	r = vsprintf(str, fmt, ap);
	va_end(ap);
	return r;
}

int
pg_vfprintf(FILE *stream, const char *fmt, va_list args)
{
	return vfprintf(stream, fmt, args);
}

int
pg_fprintf(FILE *stream, const char *fmt,...)
{
	va_list		ap;
	int			r;

	va_start(ap, fmt);
	r = vfprintf(stream, fmt, ap);
	va_end(ap);
	return r;
}

int
pg_vprintf(const char *fmt, va_list args)
{
	return vprintf(fmt, args);
}

int
pg_printf(const char *fmt,...)
{
	va_list		ap;
	int			r;

	va_start(ap, fmt);
	r = vprintf(fmt, ap);
	va_end(ap);
	return r;
}
