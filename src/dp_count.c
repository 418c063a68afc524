/*
 * dp_count.c
 *	  dp_count(epsilon [, delta]): a noisy row count (dp_agg.h).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "fmgr.h"
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

#include "dp_agg.h"
#include "dp_state.h"

/* ------------------------------------------------------------------------
 * dp_count(epsilon [, delta]): rows, each row one person
 * Sensitivity 1 (one row added or removed).
 * ------------------------------------------------------------------------
 */

typedef struct DpCountState
{
	int64		count;
} DpCountState;

PG_FUNCTION_INFO_V1(dp_count_trans);
/* Transition: count the row. */
Datum
dp_count_trans(PG_FUNCTION_ARGS)
{
	DpCountState *st;

	if (PG_ARGISNULL(0))
		st = dp_state_alloc(fcinfo, sizeof(DpCountState), "dp_count_trans");
	else
		st = (DpCountState *) PG_GETARG_POINTER(0);
	st->count++;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(dp_count_combine);
/* Combine two partial counts; either may be absent. */
Datum
dp_count_combine(PG_FUNCTION_ARGS)
{
	DpCountState *a = PG_ARGISNULL(0) ? NULL : (DpCountState *) PG_GETARG_POINTER(0);
	DpCountState *b = PG_ARGISNULL(1) ? NULL : (DpCountState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
		a = dp_state_alloc(fcinfo, sizeof(DpCountState), "dp_count_combine");
	a->count += b->count;
	PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(dp_count_serial);
/* Serialize a count state. */
Datum
dp_count_serial(PG_FUNCTION_ARGS)
{
	DpCountState *st = (DpCountState *) PG_GETARG_POINTER(0);

	PG_RETURN_BYTEA_P(dp_bytes_to_bytea(st, sizeof(DpCountState)));
}

PG_FUNCTION_INFO_V1(dp_count_deserial);
/* Deserialize a count state. */
Datum
dp_count_deserial(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	DpCountState *st;

	dp_check_serial(b, sizeof(DpCountState), "dp_count");
	st = dp_state_alloc(fcinfo, sizeof(DpCountState), "dp_count_deserial");
	memcpy(st, VARDATA_ANY(b), sizeof(DpCountState));
	PG_RETURN_POINTER(st);
}

/* Check serialised count bytes from outside civic (dp_state.h). */
bool
dp_count_state_check(const char *payload, Size len, const char **why)
{
	DpCountState st;

	if (len != sizeof(DpCountState))
	{
		*why = psprintf("A dp_count state has %d bytes, not %d.",
						(int) sizeof(DpCountState), (int) len);
		return false;
	}
	memcpy(&st, payload, sizeof(st));
	if (st.count < 0)
	{
		*why = "A dp_count state's count is negative.";
		return false;
	}
	return true;
}

PG_FUNCTION_INFO_V1(dp_count_final);
/* Final: count + discrete Laplace/Gaussian noise of sensitivity 1. */
Datum
dp_count_final(PG_FUNCTION_ARGS)
{
	DpCountState *st = PG_ARGISNULL(0) ? NULL : (DpCountState *) PG_GETARG_POINTER(0);
	DpParams	params;
	DpNoise		noise;
	dp_int128	result;

	dp_get_params(fcinfo, "dp_count", &params);
	dp_noise_setup(&noise, 1, params.epsilon, params.delta);
	dp_account(fcinfo, &params);
	result = (st ? st->count : 0) + dp_noise_draw(&noise);
	PG_RETURN_INT64(dp_int128_to_int64(result, "dp_count"));
}
