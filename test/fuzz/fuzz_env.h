/*
 * fuzz_env.h
 *	  The minimal PostgreSQL backend environment in which civic's parsing
 *	  code runs under libFuzzer (fuzz_env.c): palloc into a per-input arena,
 *	  ereport(ERROR) as a longjmp back to the harness, and helpers to call
 *	  civic's V1 functions with datums made from the fuzzer's bytes.
 *
 * An ERROR raised by civic is a normal outcome (bad input refused); the
 * harness checks only that its SQLSTATE is one the function may raise.  A
 * crash, a sanitizer report or a broken property (fuzz_fail) is a bug.
 */
#ifndef CIVIC_FUZZ_ENV_H
#define CIVIC_FUZZ_ENV_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"

/* SQLSTATE of the last ERROR as five characters, and its message. */
extern char fuzz_sqlstate[6];
extern char fuzz_errmsg[1024];

/*
 * One binary per harness file serves several targets: the target is chosen
 * by the environment variable CIVIC_FUZZ_TARGET (run.sh sets it).
 */
typedef void (*FuzzTargetFn) (const uint8_t *data, size_t size);
typedef struct FuzzTarget
{
	const char *name;
	FuzzTargetFn fn;
} FuzzTarget;

/*
 * Each harness defines its NULL-terminated table of targets; fuzz_env.c
 * defines libFuzzer's entry points, which pick the target named by
 * CIVIC_FUZZ_TARGET (the first if unset) and run it on each input between
 * two fuzz_reset() calls.
 */
extern const FuzzTarget fuzz_targets[];

/* Free everything palloc'd since the last reset (end of one input). */
extern void fuzz_reset(void);

/* Report a broken property and abort (libFuzzer keeps the input). */
extern void fuzz_fail(const char *fmt,...) pg_attribute_printf(1, 2) pg_attribute_noreturn();

/*
 * Call fn with nargs arguments.  Returns true and sets *result if it
 * returned, false if it raised an ERROR; then the SQLSTATE must be one of the
 * space-separated codes in `allowed` (else fuzz_fail).  *isnull (if given) is
 * set when the function returned SQL NULL.
 */
extern bool fuzz_call(PGFunction fn, int nargs, const Datum *args,
					  const char *allowed, Datum *result, bool *isnull);

/* A palloc'd NUL-terminated copy of the bytes before the first NUL. */
extern char *fuzz_cstring(const uint8_t *data, size_t size);

/* A palloc'd text/bytea datum of exactly these bytes (short header if it fits). */
extern Datum fuzz_varlena(const uint8_t *data, size_t size);

/* A StringInfo over exactly these bytes, as a binary receive function gets it. */
extern StringInfo fuzz_message(const uint8_t *data, size_t size);

/* The bytes of a text/bytea datum as a NUL-terminated palloc'd string. */
extern char *fuzz_text_cstring(Datum d);

/*
 * The I/O functions of a pass-by-value type of civic (postcode, gsscode,
 * bng), for the checks every such type shares.  from_text, to_text and
 * is_valid are NULL for a type without them.
 */
typedef struct FuzzTypeIO
{
	const char *name;			/* SQL name, for messages */
	PGFunction	in;
	PGFunction	out;
	PGFunction	recv;
	PGFunction	send;
	PGFunction	from_text;		/* text -> type cast */
	PGFunction	to_text;		/* type -> text cast */
	PGFunction	is_valid;		/* text -> bool, never an error */
} FuzzTypeIO;

/* Properties of one accepted value of a type, checked by the harness. */
typedef void (*FuzzCheckValue) (Datum v);

/*
 * The round trips of an accepted value: out prints it, in re-reads the text
 * to the same value, to_text (if any) gives the same text as out, and send
 * then recv gives it back consuming the whole message.  Returns the text.
 */
extern char *fuzz_check_io(const FuzzTypeIO *io, Datum v);

/*
 * The text input of a type: in on the bytes up to the first NUL (a cstring),
 * then from_text and is_valid on those characters and on all the bytes (a
 * text datum of exactly that length).  in, from_text and is_valid agree on
 * the characters, from_text and is_valid on all the bytes; errors are 22P02
 * check is run on every accepted value.
 */
extern void fuzz_text_input(const FuzzTypeIO *io, const uint8_t *data, size_t size,
							FuzzCheckValue check);

/* The binary input: recv on the bytes as a message; errors are 22P03 or
 * 08P01; check is run on an accepted value. */
extern void fuzz_recv_input(const FuzzTypeIO *io, const uint8_t *data, size_t size,
							FuzzCheckValue check);

/* Run a setjmp-protected block: FUZZ_TRY(allowed) { ... } FUZZ_END;
 * (for code that is not a V1 function) */
extern sigjmp_buf *fuzz_jmp;
extern bool fuzz_try_check(const char *allowed);

#define FUZZ_TRY(ok_var, allowed) \
	do { \
		sigjmp_buf *fuzz_save_ = fuzz_jmp; \
		sigjmp_buf	fuzz_buf_; \
		if (sigsetjmp(fuzz_buf_, 0) == 0) \
		{ \
			fuzz_jmp = &fuzz_buf_;

#define FUZZ_END(ok_var, allowed) \
			fuzz_jmp = fuzz_save_; \
			(ok_var) = true; \
		} \
		else \
		{ \
			fuzz_jmp = fuzz_save_; \
			(ok_var) = fuzz_try_check(allowed); \
		} \
	} while (0)

#endif							/* CIVIC_FUZZ_ENV_H */
