/*
 * dp_unit.c
 *	  Per-unit (per-person) bounded aggregates: the state is a hash table of
 *	  units, each contribution combined and bounded before noise.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "funcapi.h"
#include "nodes/execnodes.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

#include "dp_state.h"
#include "dp_sum.h"

/* ------------------------------------------------------------------------
 * Per-unit (per-person) bounded aggregates
 *
 * The state is a hash table keyed by the unit's value (the type's default
 * hash function and equality, under the aggregate's collation) holding, per
 * unit, its row count and the float8 sum of its values.  Partial states from
 * parallel workers are merged unit by unit, so a person whose rows are
 * spread over several workers is still one entry before bounding.  Bounding
 * happens in the final function, after all rows of a unit are combined:
 *
 *	dp_count_units(unit, epsilon [, delta])	   number of units; sensitivity 1
 *	dp_count(unit, max_rows, epsilon [, delta]) sum over units of
 *		min(rows, max_rows); sensitivity max_rows
 *	dp_sum(unit, value, lower, upper, epsilon [, delta])  sum over units of
 *		the unit's total clamped to [lower, upper]; sensitivity
 *		max(|lower|, |upper|), on the dp_sum grid
 *	dp_avg(unit, value, lower, upper, epsilon [, delta])  mean over units of
 *		the unit's own mean clamped to [lower, upper]; the dp_avg mechanism
 *		with one value per unit
 *
 * Neighbouring datasets differ in all rows of one unit.
 * ------------------------------------------------------------------------
 */

typedef struct DpUnitEntry
{
	Datum		key;
	uint32		hash;
	bool		used;
	int64		rows;
	double		sum;
} DpUnitEntry;

typedef struct DpUnitState
{
	Oid			typid;
	Oid			collation;
	int16		typlen;
	bool		typbyval;
	FmgrInfo   *hashfn;			/* from the type cache */
	FmgrInfo   *eqfn;
	bool		bitwise;		/* by-value type whose = is bitwise equality */
	MemoryContext cxt;			/* the aggregate memory context */
	int64		nused;
	int64		capacity;		/* power of two */
	DpUnitEntry *entries;
} DpUnitState;

#define DP_UNIT_INITIAL_CAPACITY 8

/* Wire header of a serialized unit state. */
typedef struct DpUnitWire
{
	Oid			typid;
	Oid			collation;
	int64		nused;
} DpUnitWire;

/* A new, empty unit table for values of typid. */
static DpUnitState *
dp_unit_state_new(FunctionCallInfo fcinfo, Oid typid, Oid collation, const char *fname)
{
	MemoryContext aggcxt;
	DpUnitState *st;
	TypeCacheEntry *tc;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "civic: %s called in non-aggregate context", fname);
	tc = lookup_type_cache(typid, TYPECACHE_HASH_PROC_FINFO | TYPECACHE_EQ_OPR_FINFO);
	if (!OidIsValid(tc->hash_proc_finfo.fn_oid) || !OidIsValid(tc->eq_opr_finfo.fn_oid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("could not identify a hash function and equality for privacy unit type %s",
						format_type_be(typid)),
				 errhint("Use a unit of a hashable type, such as bigint, text or uuid.")));
	st = MemoryContextAllocZero(aggcxt, sizeof(DpUnitState));
	st->typid = typid;
	st->collation = collation;
	st->typlen = tc->typlen;
	st->typbyval = tc->typbyval;
	st->hashfn = &tc->hash_proc_finfo;
	st->eqfn = &tc->eq_opr_finfo;
	st->bitwise = (typid == INT2OID || typid == INT4OID || typid == INT8OID ||
				   typid == OIDOID || typid == DATEOID || typid == BOOLOID ||
				   typid == TIMESTAMPOID || typid == TIMESTAMPTZOID);
	st->cxt = aggcxt;
	st->capacity = DP_UNIT_INITIAL_CAPACITY;
	st->entries = MemoryContextAllocZero(aggcxt, sizeof(DpUnitEntry) * st->capacity);
	return st;
}

/* Double the table. */
static void
dp_unit_grow(DpUnitState *st)
{
	int64		newcap = st->capacity * 2;
	DpUnitEntry *old = st->entries;
	DpUnitEntry *ne;
	int64		i;

	ne = MemoryContextAllocExtended(st->cxt, sizeof(DpUnitEntry) * newcap,
									MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	for (i = 0; i < st->capacity; i++)
	{
		uint64		pos;

		if (!old[i].used)
			continue;
		pos = old[i].hash & (newcap - 1);
		while (ne[pos].used)
			pos = (pos + 1) & (newcap - 1);
		ne[pos] = old[i];
	}
	pfree(old);
	st->entries = ne;
	st->capacity = newcap;
}

/* The entry of key, inserted if new (the key is copied unless owned). */
static DpUnitEntry *
dp_unit_find(DpUnitState *st, Datum key, bool key_owned)
{
	uint32		hash;
	uint64		pos;

	if ((st->nused + 1) * 2 > st->capacity)
		dp_unit_grow(st);
	if (st->bitwise)
	{
		/* integer-like units: mix the datum's bits, compare them directly */
		uint64		x = (uint64) key;

		x ^= x >> 33;
		x *= UINT64CONST(0xff51afd7ed558ccd);
		x ^= x >> 33;
		x *= UINT64CONST(0xc4ceb9fe1a85ec53);
		x ^= x >> 33;
		hash = (uint32) x;
		pos = hash & (st->capacity - 1);
		for (;;)
		{
			DpUnitEntry *e = &st->entries[pos];

			if (!e->used)
			{
				e->used = true;
				e->hash = hash;
				e->key = key;
				st->nused++;
				return e;
			}
			if (e->key == key)
				return e;
			pos = (pos + 1) & (st->capacity - 1);
		}
	}
	hash = DatumGetUInt32(FunctionCall1Coll(st->hashfn, st->collation, key));
	pos = hash & (st->capacity - 1);
	for (;;)
	{
		DpUnitEntry *e = &st->entries[pos];

		if (!e->used)
		{
			e->used = true;
			e->hash = hash;
			if (key_owned || st->typbyval)
				e->key = key;
			else
			{
				MemoryContext old = MemoryContextSwitchTo(st->cxt);

				/* kept plain, so that a serialised state stands alone */
				if (st->typlen == -1 && VARATT_IS_EXTENDED(DatumGetPointer(key)))
					e->key = PointerGetDatum(PG_DETOAST_DATUM_COPY(key));
				else
					e->key = datumCopy(key, st->typbyval, st->typlen);
				MemoryContextSwitchTo(old);
			}
			st->nused++;
			return e;
		}
		if (e->hash == hash &&
			DatumGetBool(FunctionCall2Coll(st->eqfn, st->collation, e->key, key)))
			return e;
		pos = (pos + 1) & (st->capacity - 1);
	}
}

/*
 * The unit's type: from the call's expression, or, when the caller gives
 * none (Citus's worker_partial_agg calls the transition function of a
 * per-unit twin itself, naming the twin as its first argument), the type
 * the twin declares for its unit: the twins for Citus declare it
 * concretely (control/install/44-dp-state-units.sql).
 */
static Oid
dp_unit_arg_type(FunctionCallInfo fcinfo)
{
	Oid			typid = get_fn_expr_argtype(fcinfo->flinfo, 1);
	Aggref	   *aggref;
	Const	   *c;
	HeapTuple	tup;

	if (OidIsValid(typid))
		return typid;
	/* worker_partial_agg('civic._dist_...(bigint, ...)'::regprocedure, ...) */
	aggref = AggGetAggref(fcinfo);
	typid = InvalidOid;
	if (aggref != NULL && aggref->args != NIL &&
		IsA(linitial_node(TargetEntry, aggref->args)->expr, Const))
	{
		c = (Const *) linitial_node(TargetEntry, aggref->args)->expr;
		if (!c->constisnull && (c->consttype == OIDOID || c->consttype == REGPROCEDUREOID))
		{
			const CivicDpAggInfo *info = civic_dp_agg_info(DatumGetObjectId(c->constvalue));

			if (info->is_dp && info->twin && info->per_unit)
			{
				tup = SearchSysCache1(PROCOID, c->constvalue);
				if (HeapTupleIsValid(tup))
				{
					Form_pg_proc proc = (Form_pg_proc) GETSTRUCT(tup);

					if (proc->pronargs > 0)
						typid = proc->proargtypes.values[0];
					ReleaseSysCache(tup);
				}
			}
		}
	}
	if (!OidIsValid(typid) || IsPolymorphicType(typid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("could not determine the type of the privacy unit")));
	return typid;
}

/* Get or create the unit state of this call. */
static DpUnitState *
dp_unit_state(FunctionCallInfo fcinfo, const char *fname)
{
	Oid			typid;
	Oid			collation = PG_GET_COLLATION();

	if (!PG_ARGISNULL(0))
		return (DpUnitState *) PG_GETARG_POINTER(0);
	dp_check_trans_params(fcinfo, fname);
	typid = dp_unit_arg_type(fcinfo);
	/*
	 * Citus's worker_partial_agg passes no collation; civic's planner hook
	 * lets only deterministic collations through (citus_plan.c), under
	 * which every collation has the same equality.
	 */
	if (!OidIsValid(collation) && type_is_collatable(typid))
		collation = DEFAULT_COLLATION_OID;
	return dp_unit_state_new(fcinfo, typid, collation, fname);
}

PG_FUNCTION_INFO_V1(dp_unit_count_trans);
/* Transition (unit, ...): count the unit's rows. */
Datum
dp_unit_count_trans(PG_FUNCTION_ARGS)
{
	DpUnitState *st = dp_unit_state(fcinfo, "dp_unit_count_trans");

	if (!PG_ARGISNULL(1))
		dp_unit_find(st, PG_GETARG_DATUM(1), false)->rows++;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(dp_unit_value_trans);
/* Transition (unit, value float8, ...): add the value to the unit's sum. */
Datum
dp_unit_value_trans(PG_FUNCTION_ARGS)
{
	DpUnitState *st = dp_unit_state(fcinfo, "dp_unit_value_trans");
	DpUnitEntry *e;
	double		v;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	v = PG_GETARG_FLOAT8(2);
	if (isnan(v))
		PG_RETURN_POINTER(st);
	e = dp_unit_find(st, PG_GETARG_DATUM(1), false);
	e->rows++;
	e->sum += v;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(dp_unit_combine);
/* Merge two unit tables unit by unit; either may be absent. */
Datum
dp_unit_combine(PG_FUNCTION_ARGS)
{
	DpUnitState *a = PG_ARGISNULL(0) ? NULL : (DpUnitState *) PG_GETARG_POINTER(0);
	DpUnitState *b = PG_ARGISNULL(1) ? NULL : (DpUnitState *) PG_GETARG_POINTER(1);
	int64		i;

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = dp_unit_state_new(fcinfo, b->typid, b->collation, "dp_unit_combine");
	/* (only a state given from outside can differ: dp_state.c) */
	if (a->typid != b->typid || a->collation != b->collation)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("cannot combine per-unit states of different unit types or collations")));
	for (i = 0; i < b->capacity; i++)
	{
		DpUnitEntry *e;

		if (!b->entries[i].used)
			continue;
		e = dp_unit_find(a, b->entries[i].key, false);
		e->rows += b->entries[i].rows;
		e->sum += b->entries[i].sum;
	}
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(dp_unit_serial);
/* Serialize a unit table: header, then (rows, sum, key) per unit. */
Datum
dp_unit_serial(PG_FUNCTION_ARGS)
{
	DpUnitState *st = (DpUnitState *) PG_GETARG_POINTER(0);
	DpUnitWire	wire;
	Size		len = sizeof(DpUnitWire);
	bytea	   *result;
	char	   *p;
	int64		i;

	for (i = 0; i < st->capacity; i++)
		if (st->entries[i].used)
			len += sizeof(int64) + sizeof(double) +
				datumEstimateSpace(st->entries[i].key, false, st->typbyval, st->typlen);
	result = (bytea *) palloc_extended(VARHDRSZ + len, MCXT_ALLOC_HUGE);
	SET_VARSIZE(result, VARHDRSZ + len);
	p = VARDATA(result);
	wire.typid = st->typid;
	wire.collation = st->collation;
	wire.nused = st->nused;
	memcpy(p, &wire, sizeof(wire));
	p += sizeof(wire);
	for (i = 0; i < st->capacity; i++)
	{
		DpUnitEntry *e = &st->entries[i];

		if (!e->used)
			continue;
		memcpy(p, &e->rows, sizeof(int64));
		p += sizeof(int64);
		memcpy(p, &e->sum, sizeof(double));
		p += sizeof(double);
		datumSerialize(e->key, false, st->typbyval, st->typlen, &p);
	}
	Assert(p == VARDATA(result) + len);
	PG_RETURN_BYTEA_P(result);
}

PG_FUNCTION_INFO_V1(dp_unit_deserial);
/* Deserialize a unit table. */
Datum
dp_unit_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	char	   *p = VARDATA_ANY(b);
	char	   *end = p + VARSIZE_ANY_EXHDR(b);
	DpUnitWire	wire;
	DpUnitState *st;
	MemoryContext old;
	int64		i;

	if (VARSIZE_ANY_EXHDR(b) < sizeof(DpUnitWire))
		elog(ERROR, "civic: corrupt serialized unit state");
	memcpy(&wire, p, sizeof(wire));
	p += sizeof(wire);
	st = dp_unit_state_new(fcinfo, wire.typid, wire.collation, "dp_unit_deserial");
	old = MemoryContextSwitchTo(st->cxt);
	for (i = 0; i < wire.nused; i++)
	{
		int64		rows;
		double		sum;
		Datum		key;
		bool		isnull;
		DpUnitEntry *e;

		if (p + sizeof(int64) + sizeof(double) > end)
			elog(ERROR, "civic: corrupt serialized unit state");
		memcpy(&rows, p, sizeof(int64));
		p += sizeof(int64);
		memcpy(&sum, p, sizeof(double));
		p += sizeof(double);
		key = datumRestore(&p, &isnull);
		if (isnull || p > end)
			elog(ERROR, "civic: corrupt serialized unit state");
		e = dp_unit_find(st, key, true);
		e->rows += rows;
		e->sum += sum;
	}
	MemoryContextSwitchTo(old);
	if (p != end)
		elog(ERROR, "civic: corrupt serialized unit state");
	PG_RETURN_POINTER(st);
}

/* Unit types whose every value of the right size is a valid value. */
static bool
dp_unit_type_readable(Oid basetype)
{
	switch (basetype)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case BOOLOID:
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
		case FLOAT4OID:
		case FLOAT8OID:
		case UUIDOID:
		case BYTEAOID:
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			return true;
		default:
			return false;
	}
}

/*
 * Check serialised unit-table bytes from outside civic (dp_state.h): a unit
 * type whose values need no further check (integers, dates, timestamps,
 * floats, uuid, bytea and text in the database encoding), each key of its
 * type's size (plain varlena: not compressed, not a TOAST pointer), each
 * unit with at least one row, and nothing after the last unit.
 */
bool
dp_unit_state_check(const char *payload, Size len, const char **why)
{
	DpUnitWire	wire;
	const char *p = payload;
	const char *end = payload + len;
	Oid			basetype;
	int16		typlen;
	bool		typbyval;
	bool		is_text;
	int64		i;

	if (len < sizeof(DpUnitWire))
	{
		*why = "A per-unit state is shorter than its header.";
		return false;
	}
	memcpy(&wire, p, sizeof(wire));
	p += sizeof(wire);
	if (!SearchSysCacheExists1(TYPEOID, ObjectIdGetDatum(wire.typid)))
	{
		*why = psprintf("The unit type %u of a per-unit state does not exist.", wire.typid);
		return false;
	}
	basetype = getBaseType(wire.typid);
	if (!dp_unit_type_readable(basetype))
	{
		*why = psprintf("A per-unit state with units of type %s cannot be read from outside its query.",
						format_type_be(wire.typid));
		return false;
	}
	if (OidIsValid(wire.collation) &&
		!SearchSysCacheExists1(COLLOID, ObjectIdGetDatum(wire.collation)))
	{
		*why = psprintf("The collation %u of a per-unit state does not exist.", wire.collation);
		return false;
	}
	get_typlenbyval(basetype, &typlen, &typbyval);
	is_text = (basetype == TEXTOID || basetype == VARCHAROID || basetype == BPCHAROID);
	if (wire.nused < 0)
		goto bad;
	for (i = 0; i < wire.nused; i++)
	{
		int64		rows;
		int			header;

		if (end - p < (ptrdiff_t) (sizeof(int64) + sizeof(double) + sizeof(int)))
			goto bad;
		memcpy(&rows, p, sizeof(int64));
		p += sizeof(int64) + sizeof(double);	/* any sum: values may be infinite */
		if (rows < 1)
		{
			*why = "A unit of a per-unit state has no rows.";
			return false;
		}
		memcpy(&header, p, sizeof(int));
		p += sizeof(int);
		if (typbyval)
		{
			if (header != -1 || end - p < (ptrdiff_t) sizeof(Datum))
				goto bad;
			p += sizeof(Datum);
			continue;
		}
		if (header <= 0 || end - p < header ||
			(typlen > 0 && header != typlen))
			goto bad;
		if (typlen == -1)
		{
			/* the varlena header, read from an aligned copy */
			union
			{
				varattrib_4b align;
				char		bytes[sizeof(varattrib_4b)];
			}			h;
			const char *v = (const char *) &h;

			memset(&h, 0, sizeof(h));
			memcpy(h.bytes, p, Min(header, VARHDRSZ));
			if (VARATT_IS_EXTERNAL(v) || VARATT_IS_COMPRESSED(v) ||
				(VARATT_IS_1B(v) ? header < VARHDRSZ_SHORT : header < VARHDRSZ) ||
				VARSIZE_ANY(v) != header)
				goto bad;
			if (is_text &&
				!pg_verifymbstr(p + (VARATT_IS_1B(v) ? VARHDRSZ_SHORT : VARHDRSZ),
								header - (VARATT_IS_1B(v) ? VARHDRSZ_SHORT : VARHDRSZ), true))
			{
				*why = "A unit of a per-unit state is not text in the database encoding.";
				return false;
			}
		}
		p += header;
	}
	if (p != end)
		goto bad;
	return true;

bad:
	*why = "A per-unit state's units are not laid out as civic writes them.";
	return false;
}

PG_FUNCTION_INFO_V1(dp_count_units_final);
/* Final of dp_count_units: number of distinct units + noise (sensitivity 1). */
Datum
dp_count_units_final(PG_FUNCTION_ARGS)
{
	DpUnitState *st = PG_ARGISNULL(0) ? NULL : (DpUnitState *) PG_GETARG_POINTER(0);
	DpParams	params;
	DpNoise		noise;
	dp_int128	result;

	dp_get_params(fcinfo, "dp_count_units", &params);
	dp_noise_setup(&noise, 1, params.epsilon, params.delta);
	dp_account(fcinfo, &params);
	result = (st ? st->nused : 0) + dp_noise_draw(&noise);
	PG_RETURN_INT64(dp_int128_to_int64(result, "dp_count_units"));
}

PG_FUNCTION_INFO_V1(dp_count_unit_final);
/* Final of dp_count(unit, max_rows, ...): capped rows per unit + noise. */
Datum
dp_count_unit_final(PG_FUNCTION_ARGS)
{
	DpUnitState *st = PG_ARGISNULL(0) ? NULL : (DpUnitState *) PG_GETARG_POINTER(0);
	DpParams	params;
	DpGrid		grid;
	DpNoise		noise;
	dp_int128	units = 0;
	int32		max_rows;
	int64		i;

	dp_get_params(fcinfo, "dp_count", &params);
	max_rows = DatumGetInt32(params.value[DP_PARAM_MAX_ROWS]);
	if (max_rows < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_rows must be at least 1"),
				 errdetail("dp_count was called with max_rows = %d.", max_rows)));
	dp_int_grid(0, max_rows, params.epsilon, params.delta, &grid);
	dp_noise_setup(&noise, grid.delta_units, params.epsilon, params.delta);
	dp_account(fcinfo, &params);
	for (i = 0; st != NULL && i < st->capacity; i++)
		if (st->entries[i].used)
			units += dp_int_to_grid(Min(st->entries[i].rows, (int64) max_rows), grid.k);
	units += dp_noise_draw(&noise);
	if (units > (((dp_int128) PG_INT64_MAX) >> grid.k) ||
		units < (((dp_int128) PG_INT64_MIN) >> grid.k))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("result of dp_count is out of range for type bigint")));
	PG_RETURN_INT64((int64) (units * (((dp_int128) 1) << grid.k)));
}

/* A unit's float8 contribution, clamped and in grid units. */
static inline int64
dp_unit_clamped_units(double v, double lower, double upper, const DpGrid *grid)
{
	if (isnan(v) || v < lower)
		v = lower;
	else if (v > upper)
		v = upper;
	return (int64) rint(v * ldexp(1.0, -grid->k));
}

PG_FUNCTION_INFO_V1(dp_sum_unit_final);
/* Final of dp_sum(unit, value, ...): clamped per-unit totals + noise. */
Datum
dp_sum_unit_final(PG_FUNCTION_ARGS)
{
	DpUnitState *st = PG_ARGISNULL(0) ? NULL : (DpUnitState *) PG_GETARG_POINTER(0);
	DpParams	params;
	DpGrid		grid;
	DpNoise		noise;
	dp_int128	units = 0;
	double		lower,
				upper;
	int64		i;

	dp_get_params(fcinfo, "dp_sum", &params);
	dp_warn_deprecated_name(fcinfo, &params, "dp_sum_per_unit");
	dp_params_float_grid(&params, false, &grid);
	lower = DatumGetFloat8(params.value[DP_PARAM_LOWER]);
	upper = DatumGetFloat8(params.value[DP_PARAM_UPPER]);
	dp_noise_setup(&noise, grid.delta_units, params.epsilon, params.delta);
	dp_account(fcinfo, &params);
	for (i = 0; st != NULL && i < st->capacity; i++)
		if (st->entries[i].used)
			units += dp_unit_clamped_units(st->entries[i].sum, lower, upper, &grid);
	units += dp_noise_draw(&noise);
	PG_RETURN_FLOAT8(ldexp((double) units, grid.k));
}

PG_FUNCTION_INFO_V1(dp_avg_unit_final);
/* Final of dp_avg(unit, value, ...): mean of clamped per-unit means. */
Datum
dp_avg_unit_final(PG_FUNCTION_ARGS)
{
	DpUnitState *st = PG_ARGISNULL(0) ? NULL : (DpUnitState *) PG_GETARG_POINTER(0);
	DpParams	params;
	DpGrid		grid;
	DpNoise		check;
	dp_int128	units = 0;
	double		lower,
				upper;
	int64		i;

	dp_get_params(fcinfo, "dp_avg", &params);
	dp_warn_deprecated_name(fcinfo, &params, "dp_avg_per_unit");
	dp_params_float_grid(&params, true, &grid);
	lower = DatumGetFloat8(params.value[DP_PARAM_LOWER]);
	upper = DatumGetFloat8(params.value[DP_PARAM_UPPER]);
	dp_noise_setup(&check, Max(grid.hi_u - grid.lo_u, 1), params.epsilon / 2, params.delta / 2);
	dp_account(fcinfo, &params);
	for (i = 0; st != NULL && i < st->capacity; i++)
		if (st->entries[i].used)
			units += dp_unit_clamped_units(st->entries[i].sum / (double) st->entries[i].rows,
										   lower, upper, &grid);
	PG_RETURN_FLOAT8(dp_avg_release(units, st ? st->nused : 0, &grid, lower, upper,
									params.epsilon, params.delta));
}
