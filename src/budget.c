/*
 * budget.c
 *	  SQL interface of the privacy budget: set_budget, set_default_budget,
 *	  reset_budget, declare_dataset, budget_remaining, the privacy_ledger and
 *	  privacy_budgets views.  (The check behind create_private_view is in
 *	  private_view.c.)
 *
 * Who is who:
 *  - the account charged for a query is the session user (the login role,
 *    or the target of SET SESSION AUTHORIZATION): neither SET ROLE nor a
 *    SECURITY DEFINER function nor a view's owner changes who pays;
 *  - budget administrators are superusers and members of the role
 *    civic_budget_admin (checked against the current user).
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/tuplestore.h"
#include "utils/varlena.h"

#include "dataset.h"
#include "dp_noise.h"
#include "ledger.h"

#define ADMIN_ROLE CIVIC_ADMIN_ROLE

PG_FUNCTION_INFO_V1(civic_set_budget);
PG_FUNCTION_INFO_V1(civic_set_default_budget);
PG_FUNCTION_INFO_V1(civic_reset_budget);
PG_FUNCTION_INFO_V1(civic_declare_dataset);
PG_FUNCTION_INFO_V1(civic_budget_remaining);
PG_FUNCTION_INFO_V1(civic_privacy_ledger);
PG_FUNCTION_INFO_V1(civic_privacy_budgets);
PG_FUNCTION_INFO_V1(civic_is_budget_admin_sql);
PG_FUNCTION_INFO_V1(civic_ledger_verify);
PG_FUNCTION_INFO_V1(civic_ledger_compact);

static void
require_admin(const char *what)
{
	if (!civic_is_budget_admin())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to %s", what),
				 errdetail("Only superusers and members of role \"%s\" manage privacy budgets.",
						   ADMIN_ROLE)));
}

/* A dataset argument: a declared dataset's name, or a table. */
static void
resolve_dataset(text *arg, CivicDatasetKey *ds)
{
	char	   *name = text_to_cstring(arg);
	Oid			relid;
	int32		k;
	char		relkind;

	memset(ds, 0, sizeof(*ds));
	ds->dbid = MyDatabaseId;
	if (strcmp(name, CIVIC_NO_TABLE_DATASET) == 0)
	{
		ds->kind = CIVIC_DS_NONE;
		return;
	}
	if (strlen(name) < NAMEDATALEN && civic_ledger_dataset_exists(name, NULL))
	{
		ds->kind = CIVIC_DS_NAMED;
		strlcpy(ds->name, name, NAMEDATALEN);
		return;
	}
	relid = RangeVarGetRelid(makeRangeVarFromNameList(stringToQualifiedNameList(name)),
							 NoLock, true);
	relkind = OidIsValid(relid) ? get_rel_relkind(relid) : '\0';
	if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE &&
		relkind != RELKIND_MATVIEW && relkind != RELKIND_FOREIGN_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("dataset \"%s\" does not exist", name),
				 errdetail("A dataset is a table, or a named group of tables declared with civic.declare_dataset()."),
				 errhint("Name a table (schema-qualified if needed) or declare the dataset first.")));
	civic_table_dataset(relid, ds, &k);
}

static void
check_epsilon_delta(double epsilon, double delta)
{
	if (isnan(epsilon) || epsilon < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("budget epsilon must be zero, positive or infinity"),
				 errdetail("The value given was %g.", epsilon)));
	if (isnan(delta) || delta < 0 || (delta > 1 && !isinf(delta)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("budget delta must be between 0 and 1, or infinity"),
				 errdetail("The value given was %g.", delta)));
}

/*
 * The rho a zCDP budget of (epsilon, delta) holds: the largest rho whose
 * rho-zCDP implies (epsilon, delta)-DP (dp_zcdp_budget_rho).  Needs
 * 0 < delta < 1 and a finite epsilon: rho-zCDP gives no pure epsilon-DP.
 */
static int64
zcdp_budget_units(double epsilon, double delta)
{
	if (!(delta > 0 && delta < 1) || isinf(epsilon))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a zCDP budget needs a finite epsilon and a delta between 0 and 1"),
				 errdetail("The values given were epsilon %g, delta %g.", epsilon, delta),
				 errhint("zCDP converts to (epsilon, delta)-DP only for delta > 0; use accounting => 'basic' for a pure epsilon budget.")));
	if (epsilon == 0)
		return 0;
	{
		/* rounded down: the budget never holds more than converts */
		double		units = floor(dp_zcdp_budget_rho(epsilon, delta) * CIVIC_RHO_SCALE);

		if (isnan(units) || units < 0)
			elog(ERROR, "civic: zCDP budget of epsilon %g, delta %g converts to rho %g",
				 epsilon, delta, units / CIVIC_RHO_SCALE);
		/* more than the units can hold (an epsilon of 1e7 and more): unlimited */
		if (units >= (double) PG_INT64_MAX)
			return CIVIC_UNLIMITED;
		return (int64) units;
	}
}

/* rho left of a zCDP budget, in units; CIVIC_UNLIMITED if unlimited. */
static int64
rho_left_units(const CivicBudgetState *st)
{
	if (st->limit_rho == CIVIC_UNLIMITED)
		return CIVIC_UNLIMITED;
	if (st->spent_rho == CIVIC_UNLIMITED)
		return 0;
	return Max(st->limit_rho - st->spent_rho, 0);
}

/* 'basic' or 'zcdp' */
static bool
parse_accounting(text *arg)
{
	char	   *s = text_to_cstring(arg);

	if (strcmp(s, "zcdp") == 0)
		return true;
	if (strcmp(s, "basic") == 0)
		return false;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown privacy accounting \"%s\"", s),
			 errhint("Use 'basic' (epsilon and delta add up) or 'zcdp' (zero-concentrated DP: rho adds up).")));
	return false;				/* keep the compiler quiet */
}

/* civic.set_budget(role, dataset, epsilon, delta [, accounting]) */
Datum
civic_set_budget(PG_FUNCTION_ARGS)
{
	Oid			roleid = PG_GETARG_OID(0);
	CivicDatasetKey ds;
	double		epsilon = PG_GETARG_FLOAT8(2);
	double		delta = PG_GETARG_FLOAT8(3);
	bool		zcdp;
	int64		limit_rho = 0;

	require_admin("set privacy budgets");
	zcdp = PG_NARGS() > 4 && parse_accounting(PG_GETARG_TEXT_PP(4));
	check_epsilon_delta(epsilon, delta);
	if (zcdp)
		limit_rho = zcdp_budget_units(epsilon, delta);
	resolve_dataset(PG_GETARG_TEXT_PP(1), &ds);
	civic_ledger_set_budget(roleid, &ds, epsilon, delta, zcdp, limit_rho);
	PG_RETURN_VOID();
}

/*
 * epsilon and delta still to spend.  Under zCDP accounting: what the rho
 * left is worth at the budget's delta by Bun and Steinke's conversion
 * (epsilon = rho + 2 sqrt(rho log(1/delta)), TCC 2016, Proposition 1.3),
 * at most the budget's epsilon.
 */
static void
budget_left(const CivicBudgetState *st, double *eps, double *delta)
{
	if (st->zcdp)
	{
		double		d = civic_units_value(st->limit_delta, CIVIC_DELTA_SCALE);
		double		r = civic_units_value(rho_left_units(st), CIVIC_RHO_SCALE);

		*eps = Min(r + 2 * sqrt(r * log(1 / d)),
				   civic_units_value(st->limit_eps, CIVIC_EPS_SCALE));
		*delta = r > 0 ? d : 0;
		return;
	}
	*eps = st->limit_eps == CIVIC_UNLIMITED ? get_float8_infinity() :
		civic_units_value(Max(st->limit_eps - st->spent_eps, 0), CIVIC_EPS_SCALE);
	*delta = st->limit_delta == CIVIC_UNLIMITED ? get_float8_infinity() :
		civic_units_value(Max(st->limit_delta - st->spent_delta, 0), CIVIC_DELTA_SCALE);
}

/*
 * civic.set_default_budget(role, epsilon, delta [, accounting]): checked as
 * set_budget checks, in the same order; each dataset without a budget of
 * its own is spent separately under this accounting.
 */
Datum
civic_set_default_budget(PG_FUNCTION_ARGS)
{
	Oid			roleid = PG_GETARG_OID(0);
	CivicDatasetKey ds;
	double		epsilon = PG_GETARG_FLOAT8(1);
	double		delta = PG_GETARG_FLOAT8(2);
	bool		zcdp;
	int64		limit_rho = 0;

	require_admin("set privacy budgets");
	zcdp = PG_NARGS() > 3 && parse_accounting(PG_GETARG_TEXT_PP(3));
	check_epsilon_delta(epsilon, delta);
	if (zcdp)
		limit_rho = zcdp_budget_units(epsilon, delta);
	memset(&ds, 0, sizeof(ds));
	ds.dbid = MyDatabaseId;
	ds.kind = CIVIC_DS_DEFAULT;
	civic_ledger_set_budget(roleid, &ds, epsilon, delta, zcdp, limit_rho);
	PG_RETURN_VOID();
}

/* civic.reset_budget(role, dataset): forget the spending so far */
Datum
civic_reset_budget(PG_FUNCTION_ARGS)
{
	Oid			roleid = PG_GETARG_OID(0);
	CivicDatasetKey ds;

	require_admin("reset privacy budgets");
	resolve_dataset(PG_GETARG_TEXT_PP(1), &ds);
	civic_ledger_reset(roleid, &ds);
	PG_RETURN_VOID();
}

/* civic.declare_dataset(name, tables, max_groups_per_unit) */
Datum
civic_declare_dataset(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	int32		k = PG_GETARG_INT32(2);
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				i;
	Oid		   *relids;

	require_admin("declare datasets");
	if (name[0] == '\0' || strlen(name) >= NAMEDATALEN ||
		strcmp(name, CIVIC_NO_TABLE_DATASET) == 0 || strcmp(name, "(default)") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid dataset name \"%s\"", name),
				 errdetail("A dataset name has 1 to %d bytes and is not a reserved marker.",
						   NAMEDATALEN - 1)));
	if (k < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_groups_per_unit must be at least 1"),
				 errdetail("The value given was %d.", k)));
	deconstruct_array(arr, REGCLASSOID, sizeof(Oid), true, TYPALIGN_INT,
					  &elems, &nulls, &n);
	relids = palloc(sizeof(Oid) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		Oid			relid;
		char		relkind;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("tables of a dataset must not be null")));
		relid = DatumGetObjectId(elems[i]);
		relkind = get_rel_relkind(relid);
		if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE &&
			relkind != RELKIND_MATVIEW && relkind != RELKIND_FOREIGN_TABLE)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is not a table", get_rel_name(relid)),
					 errdetail("Datasets group tables, materialized views and foreign tables; a view's tables are charged directly.")));
		if (get_rel_relispartition(relid))
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is a partition", get_rel_name(relid)),
					 errdetail("Partitions are charged as their partitioned table."),
					 errhint("Declare the partitioned table instead.")));
		relids[i] = relid;
	}
	civic_ledger_declare_dataset(name, relids, n, k);
	PG_RETURN_VOID();
}

/* Account holder named by an optional role argument. */
static Oid
account_role(FunctionCallInfo fcinfo, int argno)
{
	Oid			self = GetSessionUserId();
	Oid			roleid;

	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return self;
	roleid = PG_GETARG_OID(argno);
	if (roleid != self && !civic_is_budget_admin())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to see the privacy budget of another role"),
				 errdetail("Only superusers and members of role \"%s\" see other roles' budgets.",
						   ADMIN_ROLE)));
	return roleid;
}

/* Whether a role may read every table of a dataset directly. */
static bool
dataset_readable(Oid roleid, const CivicDatasetKey *ds)
{
	ListCell   *lc;
	List	   *tables;

	switch (ds->kind)
	{
		case CIVIC_DS_TABLE:
			return civic_role_can_read(roleid, ds->relid);
		case CIVIC_DS_NONE:
			return true;
		case CIVIC_DS_NAMED:
			tables = civic_ledger_dataset_tables(ds->name);
			foreach(lc, tables)
				if (!civic_role_can_read(roleid, lfirst_oid(lc)))
					return false;
			return tables != NIL;
		default:
			return false;
	}
}

/* civic.budget_remaining(dataset [, role]) -> (epsilon, delta) */
Datum
civic_budget_remaining(PG_FUNCTION_ARGS)
{
	Oid			roleid;
	CivicDatasetKey ds;
	CivicBudgetState st;
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	roleid = account_role(fcinfo, 1);
	resolve_dataset(PG_GETARG_TEXT_PP(0), &ds);
	civic_ledger_budget(roleid, &ds, dataset_readable(roleid, &ds), &st);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "civic: return type must be a row type");
	{
		double		e,
					d;

		budget_left(&st, &e, &d);
		values[0] = Float8GetDatum(e);
		values[1] = Float8GetDatum(d);
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}

typedef struct LedgerScanCtx
{
	ReturnSetInfo *rsinfo;
	bool		all;
	Oid			self;
} LedgerScanCtx;

static void
ledger_row(const CivicLedgerRow *row, void *arg)
{
	LedgerScanCtx *ctx = (LedgerScanCtx *) arg;
	Datum		values[10];
	bool		nulls[10];

	if (!ctx->all && row->roleid != ctx->self)
		return;
	memset(nulls, 0, sizeof(nulls));
	values[0] = ObjectIdGetDatum(row->roleid);
	values[1] = CStringGetTextDatum(civic_dataset_display(&row->ds));
	values[2] = TimestampTzGetDatum(row->time);
	values[3] = Float8GetDatum(row->epsilon);
	values[4] = Float8GetDatum(row->delta);
	values[5] = CStringGetTextDatum(row->mechanism);
	values[6] = CStringGetTextDatum(row->aggregate);
	values[7] = Int64GetDatum((int64) row->queryid);
	nulls[7] = row->queryid == 0;
	values[8] = CStringGetTextDatum(row->query);
	values[9] = Float8GetDatum(row->rho);
	tuplestore_putvalues(ctx->rsinfo->setResult, ctx->rsinfo->setDesc, values, nulls);
}

/* Rows of the ledger: the caller's own charges, or all for an admin. */
Datum
civic_privacy_ledger(PG_FUNCTION_ARGS)
{
	LedgerScanCtx ctx;

	InitMaterializedSRF(fcinfo, 0);
	ctx.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ctx.all = civic_is_budget_admin();
	ctx.self = GetSessionUserId();
	civic_ledger_charges(ledger_row, &ctx);
	return (Datum) 0;
}

static void
budget_row(Oid roleid, const CivicDatasetKey *ds, const CivicBudgetState *raw,
		   void *arg)
{
	LedgerScanCtx *ctx = (LedgerScanCtx *) arg;
	CivicBudgetState st;
	Datum		values[12];
	bool		nulls[12];
	double		e,
				d;

	if (!ctx->all && roleid != ctx->self)
		return;
	if (ds->kind == CIVIC_DS_DEFAULT)
		st = *raw;
	else
		civic_ledger_budget(roleid, ds, dataset_readable(roleid, ds), &st);
	memset(nulls, 0, sizeof(nulls));
	values[0] = ObjectIdGetDatum(roleid);
	values[1] = CStringGetTextDatum(civic_dataset_display(ds));
	values[2] = Float8GetDatum(civic_units_value(st.limit_eps, CIVIC_EPS_SCALE));
	values[3] = Float8GetDatum(civic_units_value(st.limit_delta, CIVIC_DELTA_SCALE));
	values[4] = Float8GetDatum(civic_units_value(st.spent_eps, CIVIC_EPS_SCALE));
	values[5] = Float8GetDatum(civic_units_value(st.spent_delta, CIVIC_DELTA_SCALE));
	budget_left(&st, &e, &d);
	values[6] = Float8GetDatum(e);
	values[7] = Float8GetDatum(d);
	values[8] = CStringGetTextDatum(st.zcdp ? "zcdp" : "basic");
	values[9] = Float8GetDatum(civic_units_value(st.limit_rho, CIVIC_RHO_SCALE));
	nulls[9] = !st.zcdp;
	values[10] = Float8GetDatum(civic_units_value(st.spent_rho, CIVIC_RHO_SCALE));
	values[11] = Float8GetDatum(civic_units_value(rho_left_units(&st), CIVIC_RHO_SCALE));
	nulls[11] = !st.zcdp;
	tuplestore_putvalues(ctx->rsinfo->setResult, ctx->rsinfo->setDesc, values, nulls);
}

/* Accounts: the caller's own, or all for an admin. */
Datum
civic_privacy_budgets(PG_FUNCTION_ARGS)
{
	LedgerScanCtx ctx;

	InitMaterializedSRF(fcinfo, 0);
	ctx.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ctx.all = civic_is_budget_admin();
	ctx.self = GetSessionUserId();
	civic_ledger_accounts(budget_row, &ctx);
	return (Datum) 0;
}

/* civic.is_budget_admin() */
Datum
civic_is_budget_admin_sql(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(civic_is_budget_admin());
}

/* civic.ledger_verify(): what the ledger file holds (budget administrators). */
Datum
civic_ledger_verify(PG_FUNCTION_ARGS)
{
	if (!civic_is_budget_admin())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to verify the privacy ledger"),
				 errdetail("Only superusers and members of role \"%s\" verify the ledger.",
						   ADMIN_ROLE)));
	return civic_ledger_verify_rows(fcinfo);
}

/* civic.ledger_compact(): compact the file now (budget administrators). */
Datum
civic_ledger_compact(PG_FUNCTION_ARGS)
{
	if (!civic_is_budget_admin())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to compact the privacy ledger"),
				 errdetail("Only superusers and members of role \"%s\" compact the ledger.",
						   ADMIN_ROLE)));
	PG_RETURN_TEXT_P(cstring_to_text(civic_ledger_compact_now()));
}
