/*
 * dp_state.c
 *	  civic.dp_state: the state type of the twins civic._dist_<name> of the
 *	  DP aggregates (dp_state.h), its text and binary forms, the expanded
 *	  object it is during aggregation, and the generic transition, combine
 *	  and final functions that run the families' own C functions on it.
 *
 * Why twins
 * ---------
 * Citus splits a custom aggregate between the nodes (worker_partial_agg on
 * the shards, coord_combine_agg on the coordinator) only when its state
 * type is not a pseudo-type: it ships the state as text through the type's
 * output and input functions.  civic's DP aggregates keep `internal`
 * states (fast, and they have dependents), so each gets a twin with a real
 * state type; the planner may swap a DP Aggref for its twin
 * (civic_dp_twin(), dp_params.c).  A twin is the same DP aggregate
 * (dp_params.c gives it the original's table entry and name), metered and
 * charged exactly as the original.
 *
 * The state in memory
 * -------------------
 * A transition returns a read/write expanded object (utils/expandeddatum.h)
 * whose memory context is a child of the aggregate context (one shared by
 * the aggregate context's states: dp_state_shared_cxt()), wrapping a
 * pointer to the family's C state, which the family's functions allocate in
 * the aggregate context as usual.  PostgreSQL's executor (and Citus's
 * HandleTransition) keep such a value as it is between rows, so each row
 * costs one unwrapping more than the original.  The flat form is made only
 * when the value leaves the aggregate (a parallel worker's tuple, the text
 * output): get_flat_size runs the family's serial function once and keeps
 * its bytes until the state changes again.
 *
 * A flat state given to a combine or final function (from a parallel
 * worker, or the input function) is expanded with the family's deserial
 * function, called with the caller's context so that it allocates in the
 * aggregate context.  A transition never starts from a flat state: only a
 * user's own aggregate with an initial value could give it one.
 *
 * Untrusted input
 * ---------------
 * The input and receive functions accept exactly the flat forms the
 * family's check (dp_state.h) accepts: a state civic itself could have
 * built.  Anything else is 22P02 (text) or 22P03 (binary).  No MAC is
 * needed (docs/citus.md, "The state type"): a state reaches a final
 * function only inside an aggregate the meter charged, and a state tells
 * nothing its producer could not already read.
 */
#include "postgres.h"

#include "common/base64.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "nodes/execnodes.h"
#include "utils/builtins.h"
#include "utils/expandeddatum.h"
#include "utils/memutils.h"

#include "dp_state.h"

/* The families' own functions (dp_count.c, dp_sum.c, ...). */
extern Datum dp_count_trans(PG_FUNCTION_ARGS);
extern Datum dp_count_combine(PG_FUNCTION_ARGS);
extern Datum dp_count_serial(PG_FUNCTION_ARGS);
extern Datum dp_count_deserial(PG_FUNCTION_ARGS);
extern Datum dp_count_final(PG_FUNCTION_ARGS);
extern Datum dp_sum_float8_trans(PG_FUNCTION_ARGS);
extern Datum dp_avg_float8_trans(PG_FUNCTION_ARGS);
extern Datum dp_sum_int8_trans(PG_FUNCTION_ARGS);
extern Datum dp_sum_numeric_trans(PG_FUNCTION_ARGS);
extern Datum dp_sum_combine(PG_FUNCTION_ARGS);
extern Datum dp_sum_serial(PG_FUNCTION_ARGS);
extern Datum dp_sum_deserial(PG_FUNCTION_ARGS);
extern Datum dp_sum_float8_final(PG_FUNCTION_ARGS);
extern Datum dp_sum_int8_final(PG_FUNCTION_ARGS);
extern Datum dp_sum_numeric_final(PG_FUNCTION_ARGS);
extern Datum dp_avg_float8_final(PG_FUNCTION_ARGS);
extern Datum dp_percentile_trans(PG_FUNCTION_ARGS);
extern Datum dp_median_trans(PG_FUNCTION_ARGS);
extern Datum dp_percentile_combine(PG_FUNCTION_ARGS);
extern Datum dp_percentile_serial(PG_FUNCTION_ARGS);
extern Datum dp_percentile_deserial(PG_FUNCTION_ARGS);
extern Datum dp_percentile_final(PG_FUNCTION_ARGS);
extern Datum dp_median_final(PG_FUNCTION_ARGS);
extern Datum dp_unit_count_trans(PG_FUNCTION_ARGS);
extern Datum dp_unit_value_trans(PG_FUNCTION_ARGS);
extern Datum dp_unit_combine(PG_FUNCTION_ARGS);
extern Datum dp_unit_serial(PG_FUNCTION_ARGS);
extern Datum dp_unit_deserial(PG_FUNCTION_ARGS);
extern Datum dp_count_units_final(PG_FUNCTION_ARGS);
extern Datum dp_count_unit_final(PG_FUNCTION_ARGS);
extern Datum dp_sum_unit_final(PG_FUNCTION_ARGS);
extern Datum dp_avg_unit_final(PG_FUNCTION_ARGS);

#define DP_STATE_MAGIC		0x53504443	/* "CDPS" in little-endian bytes */
#define DP_STATE_VERSION	1
#define DP_STATE_PREFIX		"dpstate1:"

/* The flat form. */
typedef struct DpStateFlat
{
	int32		vl_len_;		/* varlena header */
	uint32		magic;
	uint8		version;
	uint8		family;
	uint16		reserved;		/* zero */
	char		payload[FLEXIBLE_ARRAY_MEMBER];
} DpStateFlat;

#define DP_STATE_HDRSZ		offsetof(DpStateFlat, payload)

/* What dp_state.c needs of a family. */
typedef struct DpStateFamily
{
	DpStateFamilyId id;
	const char *name;			/* for messages */
	PGFunction	combine;
	PGFunction	serial;
	PGFunction	deserial;
	bool		(*check) (const char *payload, Size len, const char **why);
} DpStateFamily;

static const DpStateFamily dp_state_families[] = {
	{DP_STATE_COUNT, "dp_count", dp_count_combine, dp_count_serial,
	dp_count_deserial, dp_count_state_check},
	{DP_STATE_SUM, "dp_sum", dp_sum_combine, dp_sum_serial,
	dp_sum_deserial, dp_sum_state_check},
	{DP_STATE_PERCENTILE, "dp_percentile", dp_percentile_combine,
	dp_percentile_serial, dp_percentile_deserial, dp_percentile_state_check},
	{DP_STATE_UNIT, "per-unit", dp_unit_combine, dp_unit_serial,
	dp_unit_deserial, dp_unit_state_check},
};

#define FAMILY(id)	(&dp_state_families[(id) - 1])

/* The expanded object. */
typedef struct DpStateExpanded
{
	ExpandedObjectHeader hdr;
	const DpStateFamily *family;
	void	   *inner;			/* the family's C state */
	bytea	   *serial;			/* its serial bytes, or NULL if not made or
								 * stale */
} DpStateExpanded;

static Size dp_state_get_flat_size(ExpandedObjectHeader *eohptr);
static void dp_state_flatten_into(ExpandedObjectHeader *eohptr, void *result,
								  Size allocated_size);

static const ExpandedObjectMethods dp_state_methods = {
	dp_state_get_flat_size,
	dp_state_flatten_into
};

/* ------------------------------------------------------------------------
 * The expanded object
 * ------------------------------------------------------------------------
 */

/* The serial bytes of the state, made once per change. */
static bytea *
dp_state_serial(DpStateExpanded *e)
{
	if (e->serial == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(e->hdr.eoh_context);

		e->serial = DatumGetByteaPP(DirectFunctionCall1(e->family->serial,
														PointerGetDatum(e->inner)));
		MemoryContextSwitchTo(old);
	}
	return e->serial;
}

/* Size of the flat form. */
static Size
dp_state_get_flat_size(ExpandedObjectHeader *eohptr)
{
	DpStateExpanded *e = (DpStateExpanded *) eohptr;

	Assert(e->hdr.eoh_methods == &dp_state_methods);
	return DP_STATE_HDRSZ + VARSIZE_ANY_EXHDR(dp_state_serial(e));
}

/* Write the flat form. */
static void
dp_state_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	DpStateExpanded *e = (DpStateExpanded *) eohptr;
	DpStateFlat *flat = (DpStateFlat *) result;
	bytea	   *serial = dp_state_serial(e);
	Size		len = VARSIZE_ANY_EXHDR(serial);

	Assert(allocated_size == DP_STATE_HDRSZ + len);
	memset(flat, 0, DP_STATE_HDRSZ);
	SET_VARSIZE(flat, DP_STATE_HDRSZ + len);
	flat->magic = DP_STATE_MAGIC;
	flat->version = DP_STATE_VERSION;
	flat->family = e->family->id;
	memcpy(flat->payload, VARDATA_ANY(serial), len);
}

/*
 * The memory context of the expanded states of an aggregate context: one
 * child of it, shared by all its states.  (A context per state, as
 * expanded objects usually have, makes a hash aggregate quadratic in its
 * groups: it measures its memory, children included, at each new group.)
 * Sharing is safe because the executor deletes an expanded transition
 * value (DeleteExpandedObject) only when a transition returns another
 * value in its place, which ours never do for a state of their own
 * aggregate context (and refuse to do for any other).  A one-entry cache,
 * forgotten when the aggregate context is reset or deleted, finds it.
 */
#define DP_STATE_CXT_NAME "civic dp_state"

static MemoryContext shared_cxt_parent = NULL;
static MemoryContext shared_cxt = NULL;

/* The aggregate context was reset or deleted: forget its shared context. */
static void
dp_state_forget_cxt(void *arg)
{
	if (shared_cxt_parent == (MemoryContext) arg)
	{
		shared_cxt_parent = NULL;
		shared_cxt = NULL;
	}
}

/* The shared context of the expanded states of aggcxt. */
static MemoryContext
dp_state_shared_cxt(MemoryContext aggcxt)
{
	MemoryContext c;
	MemoryContextCallback *cb;

	if (shared_cxt_parent == aggcxt)
		return shared_cxt;
	for (c = aggcxt->firstchild; c != NULL; c = c->nextchild)
		if (strcmp(c->name, DP_STATE_CXT_NAME) == 0)
			break;
	if (c == NULL)
		c = AllocSetContextCreate(aggcxt, DP_STATE_CXT_NAME, ALLOCSET_DEFAULT_SIZES);
	cb = (MemoryContextCallback *) MemoryContextAlloc(aggcxt, sizeof(MemoryContextCallback));
	cb->func = dp_state_forget_cxt;
	cb->arg = aggcxt;
	MemoryContextRegisterResetCallback(aggcxt, cb);
	shared_cxt_parent = aggcxt;
	shared_cxt = c;
	return c;
}

/* A new read/write expanded state wrapping inner, under aggcxt. */
static DpStateExpanded *
dp_state_wrap(const DpStateFamily *family, void *inner, MemoryContext aggcxt)
{
	MemoryContext objcxt = dp_state_shared_cxt(aggcxt);
	DpStateExpanded *e;

	e = (DpStateExpanded *) MemoryContextAllocZero(objcxt, sizeof(DpStateExpanded));
	EOH_init_header(&e->hdr, &dp_state_methods, objcxt);
	e->family = family;
	e->inner = inner;
	return e;
}

/* Refuse a call outside an aggregate; the aggregate memory context. */
static MemoryContext
dp_state_aggcxt(FunctionCallInfo fcinfo, const char *role)
{
	MemoryContext aggcxt;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("the %s function of a DP aggregate can only be called by the aggregate", role)));
	return aggcxt;
}

/* Refuse a state of another family. */
static void
dp_state_check_family(const DpStateFamily *family, int id)
{
	if (id != family->id)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("a dp_state of %s cannot be used by %s",
						(id >= 1 && id <= lengthof(dp_state_families)) ?
						FAMILY(id)->name : "an unknown aggregate",
						family->name)));
}

/*
 * The family's C state held by a flat dp_state, built by its deserial
 * function in the aggregate context of the caller.
 */
static void *
dp_state_deserialize(FunctionCallInfo fcinfo, const DpStateFamily *family,
					 Datum flatdatum)
{
	DpStateFlat *flat = (DpStateFlat *) PG_DETOAST_DATUM(flatdatum);
	Size		len;
	bytea	   *serial;
	Datum		result;

	LOCAL_FCINFO(dfcinfo, 2);

	if (VARSIZE(flat) < DP_STATE_HDRSZ || flat->magic != DP_STATE_MAGIC ||
		flat->version != DP_STATE_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("corrupt dp_state value")));
	dp_state_check_family(family, flat->family);
	len = VARSIZE(flat) - DP_STATE_HDRSZ;
	serial = (bytea *) palloc(VARHDRSZ + len);
	SET_VARSIZE(serial, VARHDRSZ + len);
	memcpy(VARDATA(serial), flat->payload, len);

	InitFunctionCallInfoData(*dfcinfo, NULL, 2, InvalidOid, fcinfo->context, NULL);
	dfcinfo->args[0].value = PointerGetDatum(serial);
	dfcinfo->args[0].isnull = false;
	dfcinfo->args[1].value = (Datum) 0;
	dfcinfo->args[1].isnull = true;
	result = family->deserial(dfcinfo);
	if (dfcinfo->isnull)
		elog(ERROR, "civic: %s deserial function returned null", family->name);
	pfree(serial);
	return DatumGetPointer(result);
}

/* The C state of argument argno (read only), or NULL if the argument is. */
static void *
dp_state_inner(FunctionCallInfo fcinfo, int argno, const DpStateFamily *family)
{
	Datum		d;

	if (PG_ARGISNULL(argno))
		return NULL;
	d = PG_GETARG_DATUM(argno);
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		DpStateExpanded *e = (DpStateExpanded *) DatumGetEOHP(d);

		if (e->hdr.eoh_methods != &dp_state_methods)
			elog(ERROR, "civic: a dp_state argument is an expanded object of another type");
		dp_state_check_family(family, e->family->id);
		return e->inner;
	}
	return dp_state_deserialize(fcinfo, family, d);
}

/*
 * The state of argument 0 as an expanded object this call may change: the
 * argument itself (a read/write state of this aggregate context), or a new
 * one made from a flat state when flat_ok; NULL if null.
 */
static DpStateExpanded *
dp_state_own(FunctionCallInfo fcinfo, const DpStateFamily *family,
			 MemoryContext aggcxt, bool flat_ok)
{
	Datum		d;
	void	   *inner;

	if (PG_ARGISNULL(0))
		return NULL;
	d = PG_GETARG_DATUM(0);
	if (VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)))
	{
		DpStateExpanded *e = (DpStateExpanded *) DatumGetEOHP(d);

		if (e->hdr.eoh_methods != &dp_state_methods ||
			MemoryContextGetParent(e->hdr.eoh_context) != aggcxt)
			elog(ERROR, "civic: a dp_state transition value of another aggregate context");
		dp_state_check_family(family, e->family->id);
		return e;
	}
	if (!flat_ok)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a DP aggregate's transition cannot start from a given state"),
				 errdetail("Its transition state is made by the aggregate itself.")));
	/* (the executor keeps a transition value read/write, never read-only) */
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
		elog(ERROR, "civic: a read-only dp_state as a transition value");
	inner = dp_state_deserialize(fcinfo, family, d);
	return dp_state_wrap(family, inner, aggcxt);
}

/* ------------------------------------------------------------------------
 * The generic support functions
 * ------------------------------------------------------------------------
 */

/*
 * Transition: run the family's transition function on the wrapped state
 * (the same fcinfo, argument 0 replaced by the C state).
 */
static Datum
dp_state_trans(FunctionCallInfo fcinfo, DpStateFamilyId id, PGFunction trans)
{
	const DpStateFamily *family = FAMILY(id);
	MemoryContext aggcxt = dp_state_aggcxt(fcinfo, "transition");
	DpStateExpanded *e = dp_state_own(fcinfo, family, aggcxt, false);
	NullableDatum saved = fcinfo->args[0];
	Datum		result;

	if (e != NULL)
		fcinfo->args[0].value = PointerGetDatum(e->inner);
	result = trans(fcinfo);
	fcinfo->args[0] = saved;
	if (fcinfo->isnull)
		elog(ERROR, "civic: %s transition returned null", family->name);
	if (e == NULL)
		e = dp_state_wrap(family, DatumGetPointer(result), aggcxt);
	else
	{
		e->inner = DatumGetPointer(result);
		if (e->serial != NULL)
		{
			pfree(e->serial);
			e->serial = NULL;
		}
	}
	return EOHPGetRWDatum(&e->hdr);
}

/* Combine: the family's combine function on the two C states. */
static Datum
dp_state_combine(FunctionCallInfo fcinfo, DpStateFamilyId id)
{
	const DpStateFamily *family = FAMILY(id);
	MemoryContext aggcxt = dp_state_aggcxt(fcinfo, "combine");
	DpStateExpanded *a = dp_state_own(fcinfo, family, aggcxt, true);
	void	   *b = dp_state_inner(fcinfo, 1, family);
	Datum		result;

	LOCAL_FCINFO(cfcinfo, 2);

	InitFunctionCallInfoData(*cfcinfo, NULL, 2, InvalidOid, fcinfo->context, NULL);
	cfcinfo->args[0].value = PointerGetDatum(a ? a->inner : NULL);
	cfcinfo->args[0].isnull = (a == NULL);
	cfcinfo->args[1].value = PointerGetDatum(b);
	cfcinfo->args[1].isnull = (b == NULL);
	result = family->combine(cfcinfo);
	if (cfcinfo->isnull)
		PG_RETURN_NULL();
	if (a == NULL)
		a = dp_state_wrap(family, DatumGetPointer(result), aggcxt);
	else
	{
		a->inner = DatumGetPointer(result);
		if (a->serial != NULL)
		{
			pfree(a->serial);
			a->serial = NULL;
		}
	}
	return EOHPGetRWDatum(&a->hdr);
}

/* Final: the family's final function on the C state (same fcinfo). */
static Datum
dp_state_final(FunctionCallInfo fcinfo, DpStateFamilyId id, PGFunction final)
{
	const DpStateFamily *family = FAMILY(id);
	NullableDatum saved = fcinfo->args[0];
	void	   *inner;
	Datum		result;

	(void) dp_state_aggcxt(fcinfo, "final");
	inner = dp_state_inner(fcinfo, 0, family);
	fcinfo->args[0].value = PointerGetDatum(inner);
	fcinfo->args[0].isnull = (inner == NULL);
	result = final(fcinfo);
	fcinfo->args[0] = saved;
	return result;
}

/* Transition entry points, one per family transition function. */
#define DP_STATE_TRANS(sqlname, family, fn) \
PG_FUNCTION_INFO_V1(sqlname); \
Datum sqlname(PG_FUNCTION_ARGS) { return dp_state_trans(fcinfo, family, fn); }
#define DP_STATE_COMBINE(sqlname, family) \
PG_FUNCTION_INFO_V1(sqlname); \
Datum sqlname(PG_FUNCTION_ARGS) { return dp_state_combine(fcinfo, family); }
#define DP_STATE_FINAL(sqlname, family, fn) \
PG_FUNCTION_INFO_V1(sqlname); \
Datum sqlname(PG_FUNCTION_ARGS) { return dp_state_final(fcinfo, family, fn); }

DP_STATE_TRANS(dp_state_count_trans, DP_STATE_COUNT, dp_count_trans)
DP_STATE_COMBINE(dp_state_count_combine, DP_STATE_COUNT)
DP_STATE_FINAL(dp_state_count_final, DP_STATE_COUNT, dp_count_final)

DP_STATE_TRANS(dp_state_sum_float8_trans, DP_STATE_SUM, dp_sum_float8_trans)
DP_STATE_TRANS(dp_state_avg_float8_trans, DP_STATE_SUM, dp_avg_float8_trans)
DP_STATE_TRANS(dp_state_sum_int8_trans, DP_STATE_SUM, dp_sum_int8_trans)
DP_STATE_TRANS(dp_state_sum_numeric_trans, DP_STATE_SUM, dp_sum_numeric_trans)
DP_STATE_COMBINE(dp_state_sum_combine, DP_STATE_SUM)
DP_STATE_FINAL(dp_state_sum_float8_final, DP_STATE_SUM, dp_sum_float8_final)
DP_STATE_FINAL(dp_state_sum_int8_final, DP_STATE_SUM, dp_sum_int8_final)
DP_STATE_FINAL(dp_state_sum_numeric_final, DP_STATE_SUM, dp_sum_numeric_final)
DP_STATE_FINAL(dp_state_avg_float8_final, DP_STATE_SUM, dp_avg_float8_final)

DP_STATE_TRANS(dp_state_percentile_trans, DP_STATE_PERCENTILE, dp_percentile_trans)
DP_STATE_TRANS(dp_state_median_trans, DP_STATE_PERCENTILE, dp_median_trans)
DP_STATE_COMBINE(dp_state_percentile_combine, DP_STATE_PERCENTILE)
DP_STATE_FINAL(dp_state_percentile_final, DP_STATE_PERCENTILE, dp_percentile_final)
DP_STATE_FINAL(dp_state_median_final, DP_STATE_PERCENTILE, dp_median_final)

DP_STATE_TRANS(dp_state_unit_count_trans, DP_STATE_UNIT, dp_unit_count_trans)
DP_STATE_TRANS(dp_state_unit_value_trans, DP_STATE_UNIT, dp_unit_value_trans)
DP_STATE_COMBINE(dp_state_unit_combine, DP_STATE_UNIT)
DP_STATE_FINAL(dp_state_count_units_final, DP_STATE_UNIT, dp_count_units_final)
DP_STATE_FINAL(dp_state_count_unit_final, DP_STATE_UNIT, dp_count_unit_final)
DP_STATE_FINAL(dp_state_sum_unit_final, DP_STATE_UNIT, dp_sum_unit_final)
DP_STATE_FINAL(dp_state_avg_unit_final, DP_STATE_UNIT, dp_avg_unit_final)

/* ------------------------------------------------------------------------
 * Input and output
 * ------------------------------------------------------------------------
 */

/*
 * Check the bytes of a flat form without its varlena header (from text or
 * binary input); NULL if valid, else why not.
 */
static const char *
dp_state_check_bytes(const char *bytes, Size len)
{
	DpStateFlat hdr;
	const char *why = NULL;

	if (len < DP_STATE_HDRSZ - VARHDRSZ)
		return "The value is shorter than the dp_state header.";
	memcpy(((char *) &hdr) + VARHDRSZ, bytes, DP_STATE_HDRSZ - VARHDRSZ);
	if (hdr.magic != DP_STATE_MAGIC)
		return "The value does not start with the dp_state magic number.";
	if (hdr.version != DP_STATE_VERSION)
		return psprintf("Version %d of the dp_state format is not known to this civic (it reads version %d).",
						hdr.version, DP_STATE_VERSION);
	if (hdr.family < 1 || hdr.family > lengthof(dp_state_families))
		return psprintf("Aggregate family %d is not a family of DP aggregates.", hdr.family);
	if (hdr.reserved != 0)
		return "The reserved bytes of the header are not zero.";
	if (!FAMILY(hdr.family)->check(bytes + DP_STATE_HDRSZ - VARHDRSZ,
								   len - (DP_STATE_HDRSZ - VARHDRSZ), &why))
		return why ? why : "The state is not one civic could have built.";
	return NULL;
}

/* A flat dp_state holding a copy of len checked bytes. */
static DpStateFlat *
dp_state_from_bytes(const char *bytes, Size len)
{
	DpStateFlat *flat = (DpStateFlat *) palloc(VARHDRSZ + len);

	SET_VARSIZE(flat, VARHDRSZ + len);
	memcpy(((char *) flat) + VARHDRSZ, bytes, len);
	return flat;
}

/* The one place that reports bad text input. */
static void
dp_state_bad_input(const char *str, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type dp_state: \"%.40s%s\"",
					str, strlen(str) > 40 ? "..." : ""),
			 errdetail("%s", why),
			 errhint("A dp_state is written by civic's dp_state output function: \"%s\" and the base64 of the state.",
					 DP_STATE_PREFIX)));
}

PG_FUNCTION_INFO_V1(dp_state_in);
/* Text input: "dpstate1:" and base64 of the flat form, checked. */
Datum
dp_state_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	const char *b64;
	int			b64len;
	int			maxlen;
	char	   *bytes;
	int			len;
	const char *why;

	if (strncmp(str, DP_STATE_PREFIX, strlen(DP_STATE_PREFIX)) != 0)
		dp_state_bad_input(str, "The value does not start with \"" DP_STATE_PREFIX "\".");
	b64 = str + strlen(DP_STATE_PREFIX);
	b64len = strlen(b64);
	if (b64len % 4 != 0)
		dp_state_bad_input(str, "The state is not valid base64 (its length is not a multiple of 4).");
	maxlen = pg_b64_dec_len(b64len);
	bytes = palloc(maxlen + 1);
	len = pg_b64_decode(b64, b64len, bytes, maxlen);
	if (len < 0)
		dp_state_bad_input(str, "The state is not valid base64.");
	why = dp_state_check_bytes(bytes, len);
	if (why != NULL)
		dp_state_bad_input(str, why);
	PG_RETURN_POINTER(dp_state_from_bytes(bytes, len));
}

PG_FUNCTION_INFO_V1(dp_state_out);
/* Text output: "dpstate1:" and base64 of the flat form. */
Datum
dp_state_out(PG_FUNCTION_ARGS)
{
	DpStateFlat *flat = (DpStateFlat *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	int			len = VARSIZE(flat) - VARHDRSZ;
	int			enclen = pg_b64_enc_len(len);
	int			plen = strlen(DP_STATE_PREFIX);
	char	   *out = palloc(plen + enclen + 1);
	int			n;

	memcpy(out, DP_STATE_PREFIX, plen);
	n = pg_b64_encode(((char *) flat) + VARHDRSZ, len, out + plen, enclen);
	if (n < 0)
		elog(ERROR, "civic: could not encode a dp_state");
	out[plen + n] = '\0';
	PG_RETURN_CSTRING(out);
}

PG_FUNCTION_INFO_V1(dp_state_recv);
/* Binary input: the flat form's bytes, checked as strictly as text. */
Datum
dp_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			len = buf->len - buf->cursor;
	const char *bytes = pq_getmsgbytes(buf, len);
	const char *why = dp_state_check_bytes(bytes, len);

	if (why != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid external dp_state value"),
				 errdetail("%s", why)));
	PG_RETURN_POINTER(dp_state_from_bytes(bytes, len));
}

PG_FUNCTION_INFO_V1(dp_state_send);
/* Binary output: the flat form's bytes. */
Datum
dp_state_send(PG_FUNCTION_ARGS)
{
	DpStateFlat *flat = (DpStateFlat *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, ((char *) flat) + VARHDRSZ, VARSIZE(flat) - VARHDRSZ);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}
