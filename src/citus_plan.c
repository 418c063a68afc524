/*
 * citus_plan.c
 *	  Distributed DP aggregates (docs/citus.md): civic's planner hook for
 *	  queries whose DP aggregates read Citus tables.
 *
 * Citus computes a custom aggregate in two steps when the aggregate has a
 * combine function and a real state type: worker_partial_agg(aggregate,
 * ROW(arguments)) on every shard, returning the partial state as text, and
 * coord_combine_agg(aggregate, state, NULL::result) on the coordinator,
 * which combines the states and calls the final function once per group.
 * civic's DP aggregates keep an `internal` state, so for a query that reads
 * a Citus table this hook, which runs before Citus's planner:
 *
 *	1. swaps every DP aggregate for its twin (`_dist_<name>`, same arguments,
 *	   same result, state type civic.dp_state: dp_state.c), so that Citus
 *	   splits it; the noise is still drawn once, by the final function, on
 *	   the coordinator;
 *	2. keeps Citus from finalising a DP aggregate on a worker: a GROUP BY on
 *	   the distribution column would push the whole aggregate to the
 *	   workers, so each grouping column of a query level with DP aggregates
 *	   is wrapped in a no-op relabelling that Citus does not read as that
 *	   column; and when the plan still finalises nothing on the coordinator
 *	   (a query routed whole to one shard), the query is planned again with
 *	   Citus's router planner off, and refused (VB020) if that fails too;
 *	3. notes, for each coord_combine_agg of a DP aggregate in the plan, the
 *	   Aggref the query was written with, which carries the privacy
 *	   parameters (plan_notes.h): the meter charges from it before the query
 *	   runs, and the final function reads the same parameters;
 *	4. adds the tables the query reads at any level to the plan's range
 *	   table (Citus moves subqueries into separate plans whose results the
 *	   main plan reads as "intermediate results"), so the meter charges the
 *	   logical tables and views, never a shard or "(no table)";
 *	5. notes the plan as checked: the meter refuses DP aggregates in any
 *	   other plan that has Citus nodes or runs nested inside one (a shard
 *	   query Citus executes locally), and in Citus's connections between
 *	   nodes, so a DP aggregate is never finalised, or charged, on a worker.
 *
 * A hand-written worker_partial_agg or coord_combine_agg over a DP
 * aggregate is refused here; states a role computes itself by other means
 * reach a final function only through a combining Aggref noted above.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/namespace.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/planner.h"
#include "parser/parsetree.h"
#include "optimizer/optimizer.h"
#include "parser/parse_coerce.h"
#include "parser/parse_func.h"
#include "catalog/pg_proc.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "citus_plan.h"
#include "citus_meta.h"
#include "dp_grid.h"
#include "dp_params.h"
#include "errcodes.h"
#include "plan_notes.h"

static planner_hook_type prev_planner = NULL;

/* Plannings ever started in this backend, and DP aggregates civic planned. */
static uint64 plannings = 0;
static uint64 dp_planned = 0;

/* ---------------------------------------------------------------------
 * Citus's two aggregates, by name (nothing of Citus is linked)
 * --------------------------------------------------------------------- */

static bool citus_oids_valid = false;
static Oid	coord_combine_oid = InvalidOid;
static Oid	worker_partial_oid = InvalidOid;

static void
citus_oids_invalidate(Datum arg, int cacheid, uint32 hashvalue)
{
	citus_oids_valid = false;
}

static Oid
lookup_catalog_func(const char *name, int nargs, Oid *argtypes)
{
	return LookupFuncName(list_make2(makeString("pg_catalog"), makeString(pstrdup(name))),
						  nargs, argtypes, true);
}

static void
citus_oids(void)
{
	Oid			cc[3] = {OIDOID, CSTRINGOID, ANYELEMENTOID};
	Oid			wp[2] = {OIDOID, ANYELEMENTOID};

	if (citus_oids_valid)
		return;
	coord_combine_oid = lookup_catalog_func("coord_combine_agg", 3, cc);
	worker_partial_oid = lookup_catalog_func("worker_partial_agg", 2, wp);
	citus_oids_valid = true;
}

/* ---------------------------------------------------------------------
 * What a query computes and reads
 * --------------------------------------------------------------------- */

typedef struct QueryScan
{
	List	   *dp_aggrefs;		/* civic DP Aggrefs, any level, in order */
	List	   *relations;		/* RTE_RELATION entries, any level */
	bool		reads_citus;
	bool		forged;			/* Citus's aggregates over a DP aggregate,
								 * written by hand */
	bool		releases;		/* civic's release functions, written by
								 * hand (dp_release.c) */
} QueryScan;

/* Whether an Aggref of Citus's names a DP aggregate (or may, at run time). */
static bool
citus_agg_over_dp(Aggref *aggref)
{
	TargetEntry *first;
	Const	   *c;

	if (aggref->args == NIL)
		return false;
	first = linitial_node(TargetEntry, aggref->args);
	if (!IsA(first->expr, Const))
		return true;
	c = (Const *) first->expr;
	if (c->constisnull)
		return false;
	return civic_dp_agg_info(DatumGetObjectId(c->constvalue))->is_dp;
}

static bool
scan_walker(Node *node, QueryScan *scan)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, scan_walker, (void *) scan,
								 QTW_EXAMINE_RTES_BEFORE);
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind == RTE_RELATION)
		{
			scan->relations = lappend(scan->relations, rte);
			/* a logical Citus table: a shard read directly is a local table */
			if (civic_citus_is_table(rte->relid))
				scan->reads_citus = true;
		}
		return false;
	}
	if (IsA(node, Aggref))
	{
		Aggref	   *aggref = (Aggref *) node;

		if (civic_dp_agg_info(aggref->aggfnoid)->is_dp)
			scan->dp_aggrefs = lappend(scan->dp_aggrefs, aggref);
		else if (OidIsValid(aggref->aggfnoid) &&
				 (aggref->aggfnoid == coord_combine_oid ||
				  aggref->aggfnoid == worker_partial_oid) &&
				 citus_agg_over_dp(aggref))
			scan->forged = true;
	}
	if (IsA(node, FuncExpr) && civic_dp_agg_info(((FuncExpr *) node)->funcid)->release)
		scan->releases = true;
	return expression_tree_walker(node, scan_walker, (void *) scan);
}

/*
 * The DP Aggrefs of the query's own level (select list, HAVING), in order,
 * without those of its subqueries: Citus's coord_combine_agg calls stand
 * for these, while a subquery (a SubLink in WHERE, a CTE) that Citus plans
 * on its own has its own plan and notes.
 */
static bool
top_level_walker(Node *node, List **found)
{
	if (node == NULL || IsA(node, Query))
		return false;
	if (IsA(node, Aggref) && civic_dp_agg_info(((Aggref *) node)->aggfnoid)->is_dp)
		*found = lappend(*found, node);
	return expression_tree_walker(node, top_level_walker, (void *) found);
}

/* ---------------------------------------------------------------------
 * Shaping the query for Citus
 * --------------------------------------------------------------------- */

/*
 * Citus pushes an aggregate whole to the workers when its query level is
 * grouped by the distribution column (a bare column in GROUP BY), and a DP
 * aggregate must be finalised on the coordinator.  So each bare-column
 * grouping key of a level with aggregates becomes COALESCE(col, col): the
 * same values and groups, which Citus does not read as the column, and
 * which no planner folds away.  Outside aggregate arguments, the level's
 * other references to the column (select list, HAVING) are rewritten the
 * same way, so they stay "grouped" in the workers' SQL too.
 */
typedef struct RegroupContext
{
	Var		   *column;
	Expr	   *replacement;
} RegroupContext;

static Node *
regroup_mutator(Node *node, RegroupContext *ctx)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Aggref) || IsA(node, Query))
		return node;			/* per-row arguments; other levels */
	if (IsA(node, Var) && equal(node, ctx->column))
		return (Node *) copyObject(ctx->replacement);
	return expression_tree_mutator(node, regroup_mutator, (void *) ctx);
}

static bool
regroup_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *query = (Query *) node;
		ListCell   *lc;

		if (query->hasAggs)
			foreach(lc, query->groupClause)
			{
				SortGroupClause *sgc = lfirst_node(SortGroupClause, lc);
				TargetEntry *tle = get_sortgroupclause_tle(sgc, query->targetList);
				RegroupContext ctx;
				CoalesceExpr *ce;
				ListCell   *lc2;

				if (!IsA(tle->expr, Var) || ((Var *) tle->expr)->varlevelsup != 0)
					continue;
				ce = makeNode(CoalesceExpr);
				ce->coalescetype = exprType((Node *) tle->expr);
				ce->coalescecollid = exprCollation((Node *) tle->expr);
				ce->args = list_make2(copyObject(tle->expr), copyObject(tle->expr));
				ce->location = -1;
				ctx.column = (Var *) copyObject(tle->expr);
				ctx.replacement = (Expr *) ce;
				foreach(lc2, query->targetList)
				{
					TargetEntry *t = lfirst_node(TargetEntry, lc2);

					t->expr = (Expr *) regroup_mutator((Node *) t->expr, &ctx);
				}
				query->havingQual = regroup_mutator(query->havingQual, &ctx);
			}
		return query_tree_walker(query, regroup_walker, context, 0);
	}
	return expression_tree_walker(node, regroup_walker, context);
}

/* ---------------------------------------------------------------------
 * Twins of the per-unit aggregates
 *
 * Citus distributes an aggregate only when its arguments have exactly the
 * declared types, so a per-unit aggregate (unit anyelement) gets a twin per
 * unit type: bigint, text, uuid (control/install/44-dp-state-units.sql).
 * The unit is cast to one of them by a cast that keeps equality -- two
 * units are the same person after the cast exactly when they were before,
 * or one person's rows would be capped as several people's -- and any other
 * unit type is refused.
 * --------------------------------------------------------------------- */

static Oid
unit_twin(Aggref *aggref, const CivicDpAggInfo *info)
{
	HeapTuple	tup;
	Form_pg_proc proc;
	TargetEntry *unit;
	Oid			utype,
				target;
	Oid			argtypes[FUNC_MAX_ARGS];
	char		name[NAMEDATALEN + 8];
	Oid			twin;
	int			nargs;

	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(aggref->aggfnoid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for function %u", aggref->aggfnoid);
	proc = (Form_pg_proc) GETSTRUCT(tup);
	nargs = proc->pronargs;
	memcpy(argtypes, proc->proargtypes.values, nargs * sizeof(Oid));
	/* the unit-first dp_sum and dp_avg of 0.1.0 are the per-unit ones */
	if (strcmp(NameStr(proc->proname), "dp_sum") == 0 ||
		strcmp(NameStr(proc->proname), "dp_avg") == 0)
		snprintf(name, sizeof(name), "_dist_%s_per_unit", NameStr(proc->proname));
	else
		snprintf(name, sizeof(name), "_dist_%s", NameStr(proc->proname));
	ReleaseSysCache(tup);
	if (nargs < 1 || argtypes[0] != ANYELEMENTOID || aggref->args == NIL)
		elog(ERROR, "civic: %s has no unit as its first argument", info->name);

	unit = linitial_node(TargetEntry, aggref->args);
	utype = exprType((Node *) unit->expr);
	switch (utype)
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
			target = INT8OID;
			break;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			target = TEXTOID;
			break;
		case UUIDOID:
			target = UUIDOID;
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_CIVIC_DISTRIBUTED),
					 errmsg("the unit of %s over a Citus table must be an integer, text or uuid, not %s",
							info->name, format_type_be(utype)),
					 errdetail("Citus distributes an aggregate only for the argument types it declares; civic declares its per-unit aggregates for those three."),
					 errhint("Cast the unit, e.g. unit::bigint or unit::text.")));
			target = InvalidOid;	/* keep the compiler quiet */
	}
	/* (workers compare text units under a deterministic collation) */
	if (target == TEXTOID && OidIsValid(aggref->inputcollid) &&
		!get_collation_isdeterministic(aggref->inputcollid))
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_DISTRIBUTED),
				 errmsg("the unit of %s over a Citus table must not use a nondeterministic collation",
						info->name),
				 errhint("Write the unit with a deterministic collation, e.g. lower(unit) COLLATE \"C\".")));
	argtypes[0] = target;
	twin = LookupFuncName(list_make2(makeString("civic"), makeString(name)),
						  nargs, argtypes, true);
	if (OidIsValid(twin) && utype != target)
	{
		unit->expr = (Expr *) coerce_to_target_type(NULL, (Node *) unit->expr, utype,
													target, -1, COERCION_IMPLICIT,
													COERCE_IMPLICIT_CAST, -1);
		if (unit->expr == NULL)
			elog(ERROR, "civic: no cast from %s to %s", format_type_be(utype),
				 format_type_be(target));
		linitial_oid(aggref->aggargtypes) = target;
	}
	return twin;
}

/* ---------------------------------------------------------------------
 * Reading the plan Citus made
 * --------------------------------------------------------------------- */

typedef struct PlanScan
{
	List	   *combines;		/* coord_combine_agg Aggrefs over DP twins */
	List	   *locals;			/* DP Aggrefs finalised by this plan */
} PlanScan;

static bool
plan_expr_walker(Node *node, PlanScan *ps)
{
	if (node == NULL)
		return false;
	if (IsA(node, Aggref))
	{
		Aggref	   *aggref = (Aggref *) node;

		if (aggref->aggfnoid == coord_combine_oid && citus_agg_over_dp(aggref))
			ps->combines = lappend(ps->combines, aggref);
		else if (civic_dp_agg_info(aggref->aggfnoid)->is_dp &&
				 !DO_AGGSPLIT_SKIPFINAL(aggref->aggsplit))
			ps->locals = lappend(ps->locals, aggref);
	}
	return expression_tree_walker(node, plan_expr_walker, (void *) ps);
}

static void
plan_walk(Plan *plan, PlanScan *ps)
{
	ListCell   *lc;

	if (plan == NULL)
		return;
	check_stack_depth();
	(void) plan_expr_walker((Node *) plan->targetlist, ps);
	(void) plan_expr_walker((Node *) plan->qual, ps);
	plan_walk(plan->lefttree, ps);
	plan_walk(plan->righttree, ps);
	switch (nodeTag(plan))
	{
		case T_Append:
			foreach(lc, ((Append *) plan)->appendplans)
				plan_walk(lfirst(lc), ps);
			break;
		case T_MergeAppend:
			foreach(lc, ((MergeAppend *) plan)->mergeplans)
				plan_walk(lfirst(lc), ps);
			break;
		case T_SubqueryScan:
			plan_walk(((SubqueryScan *) plan)->subplan, ps);
			break;
		case T_CustomScan:
			foreach(lc, ((CustomScan *) plan)->custom_plans)
				plan_walk(lfirst(lc), ps);
			break;
		default:
			break;
	}
}

static void
pstmt_walk(PlannedStmt *pstmt, PlanScan *ps)
{
	ListCell   *lc;

	memset(ps, 0, sizeof(*ps));
	plan_walk(pstmt->planTree, ps);
	foreach(lc, pstmt->subplans)
		plan_walk(lfirst(lc), ps);
}

static Oid
combine_target(Aggref *combine)
{
	Const	   *c = (Const *) linitial_node(TargetEntry, combine->args)->expr;

	return DatumGetObjectId(c->constvalue);
}

/* The query's DP Aggrefs of aggregates this plan finalises nowhere. */
static List *
plan_missing(PlanScan *ps, List *dp_aggrefs)
{
	List	   *missing = NIL;
	ListCell   *lc,
			   *lc2;

	foreach(lc, dp_aggrefs)
	{
		Oid			oid = ((Aggref *) lfirst(lc))->aggfnoid;
		bool		served = false;

		foreach(lc2, ps->combines)
			if (combine_target(lfirst(lc2)) == oid)
				served = true;
		foreach(lc2, ps->locals)
			if (((Aggref *) lfirst(lc2))->aggfnoid == oid)
				served = true;
		if (!served)
			missing = lappend(missing, lfirst(lc));
	}
	return missing;
}

/* Whether every DP aggregate of the query is finalised in this plan. */
static bool
plan_finalises_all(PlannedStmt *pstmt, List *dp_aggrefs, PlanScan *ps)
{
	pstmt_walk(pstmt, ps);
	return plan_missing(ps, dp_aggrefs) == NIL;
}

/* Whether two DP Aggrefs of one aggregate have the same parameters. */
static bool
same_params(Aggref *a, Aggref *b)
{
	const CivicDpAggInfo *info = civic_dp_agg_info(a->aggfnoid);
	int			j;

	if (a->aggfnoid != b->aggfnoid)
		return false;
	for (j = 0; j < CIVIC_DP_NPARAMS; j++)
		if (!equal(civic_dp_arg(info, a, j), civic_dp_arg(info, b, j)))
			return false;
	return true;
}

/*
 * Note, for each combining Aggref, the Aggref of the query it evaluates:
 * the k-th coord_combine_agg of an aggregate stands for the k-th Aggref of
 * that aggregate in the query (Citus replaces them in order); when all the
 * query's Aggrefs of that aggregate have the same parameters, any of them
 * will do.  Refuse a plan where neither rule tells them apart.
 */
static void
note_combines(MemoryContext owner, PlanScan *ps, List *top_aggrefs, List *dp_aggrefs)
{
	ListCell   *lc;

	foreach(lc, ps->combines)
	{
		Aggref	   *combine = lfirst(lc);
		Oid			oid = combine_target(combine);
		List	   *same = NIL;
		int			k = 0;
		ListCell   *lc2;
		bool		uniform = true;
		Aggref	   *source;
		MemoryContext oldcxt;

		foreach(lc2, ps->combines)
		{
			if (lfirst(lc2) == combine)
				break;
			if (combine_target(lfirst(lc2)) == oid)
				k++;
		}
		/* the query level's own first; others only if it has none */
		foreach(lc2, top_aggrefs)
			if (((Aggref *) lfirst(lc2))->aggfnoid == oid)
				same = lappend(same, lfirst(lc2));
		if (same == NIL)
			foreach(lc2, dp_aggrefs)
				if (((Aggref *) lfirst(lc2))->aggfnoid == oid)
					same = lappend(same, lfirst(lc2));
		foreach(lc2, same)
			if (!same_params(linitial(same), lfirst(lc2)))
				uniform = false;
		if (same == NIL || (!uniform && k >= list_length(same)))
			ereport(ERROR,
					(errcode(ERRCODE_CIVIC_DISTRIBUTED),
					 errmsg("cannot tell which differentially-private aggregate of the query a distributed plan combines"),
					 errhint("Give the aggregates of one kind the same privacy parameters, or compute them in separate queries.")));
		source = uniform ? linitial(same) : list_nth(same, k);
		oldcxt = MemoryContextSwitchTo(owner);
		civic_note_source(owner, combine, copyObject(source));
		MemoryContextSwitchTo(oldcxt);
	}
}

static PlannedStmt *
call_planner(Query *parse, const char *query_string, int cursorOptions,
			 ParamListInfo boundParams)
{
	if (prev_planner)
		return prev_planner(parse, query_string, cursorOptions, boundParams);
	return standard_planner(parse, query_string, cursorOptions, boundParams);
}

/*
 * The planner hook proper counts plannings, so that civic can tell whether
 * Citus planned parts of a query separately (recursive planning: subqueries,
 * CTEs and tables it reads as intermediate results).
 */
static PlannedStmt *
civic_citus_planner(Query *parse, const char *query_string, int cursorOptions,
					ParamListInfo boundParams);

static PlannedStmt *
counting_planner(Query *parse, const char *query_string, int cursorOptions,
				 ParamListInfo boundParams)
{
	plannings++;
	return civic_citus_planner(parse, query_string, cursorOptions, boundParams);
}

static void
without_router_context(void *arg)
{
	errcontext("planning differentially-private aggregates over Citus tables with Citus's router planner off, so that they are finalised on the coordinator (docs/citus.md)");
}

/* Plan again with Citus's router planner off (whole-shard routing). */
static PlannedStmt *
plan_without_router(Query *parse, const char *query_string, int cursorOptions,
					ParamListInfo boundParams)
{
	PlannedStmt *pstmt;
	int			nest = NewGUCNestLevel();
	ErrorContextCallback errcb;

	errcb.callback = without_router_context;
	errcb.arg = NULL;
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	(void) set_config_option("citus.enable_router_execution", "off",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	(void) set_config_option("citus.enable_fast_path_router_planner", "off",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	pstmt = call_planner(parse, query_string, cursorOptions, boundParams);
	AtEOXact_GUC(true, nest);
	error_context_stack = errcb.previous;
	return pstmt;
}

/* ---------------------------------------------------------------------
 * The fast path: Citus's own count and sum
 *
 * Citus runs a custom aggregate through worker_partial_agg and
 * coord_combine_agg, a generic path that costs about 1.6 times a built-in
 * aggregate before civic does anything (bench/citus.sh).  dp_count and
 * dp_sum(bigint ...) with a grid step of 1 release the exact count, or the
 * exact sum of the clamped values, plus noise: so the hook may write them
 * as civic's release functions over PostgreSQL's count(*) and
 * sum(int8smaller(int8larger(value, lower), upper)), which Citus pushes to the
 * workers and combines natively (dp_release.c).  dp_sum(float8) of an
 * integer column with integral bounds has the same form (its grid units
 * are the integers times 2^-k).  Each call carries its slot: a random
 * 64-bit number of this planning (pg_strong_random) plus the index of the
 * DP Aggref it stands for, which no call written beforehand (in a SQL
 * function the planner inlines) can know.  The plan is kept only if each
 * slot's call appears exactly once, in the projection or HAVING of an Agg
 * node of the coordinator's plan, where it is evaluated once per group,
 * and no other release call appears anywhere; otherwise the query is
 * planned again the general way (twins), where the meter refuses any
 * release call (meter_hook.c).
 * --------------------------------------------------------------------- */

typedef struct FastForm
{
	List	   *sources;		/* the query's DP Aggrefs, by slot */
	uint64		nonce;			/* slot k is nonce + k */
	bool		ok;				/* every DP aggregate has a fast form */
	Oid			count_release;
	Oid			sum_release_numeric;
	Oid			sum_release_int8;
	Oid			sum_float_release_numeric;
	Oid			sum_float_release_int8;
	Oid			avg_release_numeric;
	Oid			avg_release_int8;
} FastForm;

/*
 * EXPR, with its immutable functions folded (the parser leaves a cast of a
 * literal, such as 0.5 to float8, as a call), a non-null Const of TYPE: its
 * value.
 */
static bool
const_of(Expr *expr, Oid type, Datum *value)
{
	Node	   *folded;

	if (expr == NULL)
		return false;
	folded = eval_const_expressions(NULL, (Node *) copyObject(expr));
	if (!IsA(folded, Const) || ((Const *) folded)->consttype != type ||
		((Const *) folded)->constisnull)
		return false;
	*value = ((Const *) folded)->constvalue;
	return true;
}

/* An integral float8 within [min, max]. */
static bool
integral_within(double v, double min, double max)
{
	return !isnan(v) && v >= min && v <= max && floor(v) == v;
}

static Oid
release_oid(const char *name, int nargs, Oid *argtypes)
{
	return LookupFuncName(list_make2(makeString("civic"), makeString(pstrdup(name))),
						  nargs, argtypes, true);
}

static Aggref *
builtin_agg(Oid aggfnoid, Oid result, Expr *arg, Oid argtype)
{
	Aggref	   *a = makeNode(Aggref);

	a->aggfnoid = aggfnoid;
	a->aggtype = result;
	a->aggcollid = InvalidOid;
	a->inputcollid = InvalidOid;
	a->aggtranstype = InvalidOid;
	a->aggkind = AGGKIND_NORMAL;
	a->agglevelsup = 0;
	a->aggsplit = AGGSPLIT_SIMPLE;
	a->aggno = -1;
	a->aggtransno = -1;
	a->location = -1;
	if (arg == NULL)
		a->aggstar = true;
	else
	{
		a->aggargtypes = list_make1_oid(argtype);
		a->args = list_make1(makeTargetEntry(arg, 1, NULL, false));
	}
	return a;
}

/*
 * int4smaller(int4larger(value, lower), upper), or the int8 functions: the
 * value clamped to the bounds, NULL for NULL as the aggregates skip it
 * (LEAST and GREATEST ignore a NULL and would give the bound).
 */
static Expr *
clamp(Expr *value, Oid type, Datum lower, Datum upper)
{
	int			len = type == INT4OID ? 4 : 8;
	Expr	   *lo;

	lo = (Expr *) makeFuncExpr(type == INT4OID ? F_INT4LARGER : F_INT8LARGER, type,
							   list_make2(value, makeConst(type, -1, InvalidOid, len, lower, false, true)),
							   InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
	return (Expr *) makeFuncExpr(type == INT4OID ? F_INT4SMALLER : F_INT8SMALLER, type,
								 list_make2(lo, makeConst(type, -1, InvalidOid, len, upper, false, true)),
								 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
}

static Const *
float8_const(Datum value)
{
	return makeConst(FLOAT8OID, -1, InvalidOid, 8, value, false, FLOAT8PASSBYVAL);
}

/* The fast form of one DP Aggref, or NULL if it has none. */
static Expr *
fast_form_of(Aggref *aggref, FastForm *ff)
{
	const CivicDpAggInfo *info = civic_dp_agg_info(aggref->aggfnoid);
	Oid		   *argtypes;
	int			nargs;
	int			i;
	Datum		eps,
				delta = Float8GetDatum(0.0),
				lower,
				upper;
	Const	   *slot;
	Expr	   *call_arg;
	Oid			release;

	if (!info->is_dp || info->twin || info->per_unit ||
		aggref->aggdistinct != NIL || aggref->aggorder != NIL ||
		aggref->aggfilter != NULL || aggref->agglevelsup != 0 ||
		aggref->aggkind != AGGKIND_NORMAL)
		return NULL;
	get_func_signature(aggref->aggfnoid, &argtypes, &nargs);
	if (!const_of(civic_dp_arg(info, aggref, CIVIC_DP_EPSILON), FLOAT8OID, &eps))
		return NULL;
	if (info->arg[CIVIC_DP_DELTA] >= 0 &&
		!const_of(civic_dp_arg(info, aggref, CIVIC_DP_DELTA), FLOAT8OID, &delta))
		return NULL;
	/* (invalid parameters: the general path reports them) */
	if (!civic_dp_privacy_valid(DatumGetFloat8(eps), DatumGetFloat8(delta)))
		return NULL;
	slot = makeConst(INT8OID, -1, InvalidOid, 8,
					 Int64GetDatum((int64) (ff->nonce + (uint64) list_length(ff->sources))),
					 false, FLOAT8PASSBYVAL);

	if (strcmp(info->name, "dp_count") == 0)
	{
		for (i = 0; i < nargs; i++)
			if (argtypes[i] != FLOAT8OID)
				return NULL;
		call_arg = (Expr *) builtin_agg(F_COUNT_, INT8OID, NULL, InvalidOid);
		release = ff->count_release;
		ff->sources = lappend(ff->sources, copyObject(aggref));
		return (Expr *) makeFuncExpr(release, INT8OID,
									 list_make4(call_arg,
												float8_const(eps),
												float8_const(delta),
												slot),
									 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
	}
	if (strcmp(info->name, "dp_sum") == 0 && (nargs == 4 || nargs == 5) &&
		argtypes[0] == INT8OID && argtypes[1] == INT8OID && argtypes[2] == INT8OID)
	{
		Expr	   *value = linitial_node(TargetEntry, aggref->args)->expr;
		DpGrid		grid;
		int64		lo,
					hi;

		if (!const_of(civic_dp_arg(info, aggref, CIVIC_DP_LOWER), INT8OID, &lower) ||
			!const_of(civic_dp_arg(info, aggref, CIVIC_DP_UPPER), INT8OID, &upper))
			return NULL;
		lo = DatumGetInt64(lower);
		hi = DatumGetInt64(upper);
		if (lo > hi)
			return NULL;
		dp_int_grid(lo, hi, DatumGetFloat8(eps), DatumGetFloat8(delta), &grid);
		if (grid.k != 0)
			return NULL;
		/* an int4 column widened to bigint: clamp and sum it as int4 */
		if (IsA(value, FuncExpr) && ((FuncExpr *) value)->funcid == F_INT8_INT4 &&
			lo >= PG_INT32_MIN && hi <= PG_INT32_MAX)
		{
			call_arg = (Expr *) builtin_agg(F_SUM_INT4, INT8OID,
											clamp(linitial(((FuncExpr *) value)->args), INT4OID,
												  Int32GetDatum((int32) lo), Int32GetDatum((int32) hi)),
											INT4OID);
			release = ff->sum_release_int8;
		}
		else
		{
			call_arg = (Expr *) builtin_agg(F_SUM_INT8, NUMERICOID,
											clamp(value, INT8OID, lower, upper), INT8OID);
			release = ff->sum_release_numeric;
		}
		ff->sources = lappend(ff->sources, copyObject(aggref));
		return (Expr *) makeFuncExpr(release, INT8OID,
									 lappend(list_make5(call_arg,
														makeConst(INT8OID, -1, InvalidOid, 8, lower, false, FLOAT8PASSBYVAL),
														makeConst(INT8OID, -1, InvalidOid, 8, upper, false, FLOAT8PASSBYVAL),
														float8_const(eps),
														float8_const(delta)),
											 slot),
									 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
	}
	if ((strcmp(info->name, "dp_sum") == 0 || strcmp(info->name, "dp_avg") == 0) &&
		(nargs == 4 || nargs == 5) &&
		argtypes[0] == FLOAT8OID && argtypes[1] == FLOAT8OID && argtypes[2] == FLOAT8OID)
	{
		/*
		 * dp_sum(float8) and dp_avg(float8) of an integer column: for
		 * integral bounds and a grid step 2^k <= 1, each row's grid units
		 * are its clamped integer times 2^-k exactly, so the units' sum is
		 * the integers' sum times 2^-k (dp_release.c); dp_avg also needs
		 * the count of its values, count(column).
		 */
		bool		avg = strcmp(info->name, "dp_avg") == 0;
		Expr	   *value = linitial_node(TargetEntry, aggref->args)->expr;
		FuncExpr   *cast = (FuncExpr *) value;
		Expr	   *inner;
		Aggref	   *sum_agg;
		DpGrid		grid;
		double		lo,
					hi;
		bool		wide;
		List	   *args;

		if (!IsA(value, FuncExpr) || list_length(cast->args) != 1 ||
			(cast->funcid != F_FLOAT8_INT2 && cast->funcid != F_FLOAT8_INT4 &&
			 cast->funcid != F_FLOAT8_INT8))
			return NULL;
		if (!const_of(civic_dp_arg(info, aggref, CIVIC_DP_LOWER), FLOAT8OID, &lower) ||
			!const_of(civic_dp_arg(info, aggref, CIVIC_DP_UPPER), FLOAT8OID, &upper))
			return NULL;
		lo = DatumGetFloat8(lower);
		hi = DatumGetFloat8(upper);
		wide = cast->funcid == F_FLOAT8_INT8;
		/* (bounds exact as integers of the column's width, and as float8) */
		if (wide ? !(integral_within(lo, -9007199254740992.0, 9007199254740992.0) &&
					 integral_within(hi, -9007199254740992.0, 9007199254740992.0))
			: !(integral_within(lo, PG_INT32_MIN, PG_INT32_MAX) &&
				integral_within(hi, PG_INT32_MIN, PG_INT32_MAX)))
			return NULL;
		if (lo > hi)
			return NULL;
		/* (dp_avg spends half of epsilon and delta on its sum) */
		dp_float_grid(lo, hi, avg ? DatumGetFloat8(eps) / 2 : DatumGetFloat8(eps),
					  avg ? DatumGetFloat8(delta) / 2 : DatumGetFloat8(delta), &grid);
		if (grid.k > 0 || grid.k < -40)
			return NULL;
		inner = linitial(cast->args);
		/* (dp_avg evaluates the value twice, in its sum and its count) */
		if (avg && contain_volatile_functions((Node *) inner))
			return NULL;
		if (cast->funcid == F_FLOAT8_INT2)
			inner = (Expr *) makeFuncExpr(F_INT4_INT2, INT4OID, list_make1(inner),
										  InvalidOid, InvalidOid, COERCE_IMPLICIT_CAST);
		if (wide)
		{
			sum_agg = builtin_agg(F_SUM_INT8, NUMERICOID,
								  clamp(inner, INT8OID, Int64GetDatum((int64) lo),
										Int64GetDatum((int64) hi)),
								  INT8OID);
			release = avg ? ff->avg_release_numeric : ff->sum_float_release_numeric;
		}
		else
		{
			sum_agg = builtin_agg(F_SUM_INT4, INT8OID,
								  clamp(inner, INT4OID, Int32GetDatum((int32) lo),
										Int32GetDatum((int32) hi)),
								  INT4OID);
			release = avg ? ff->avg_release_int8 : ff->sum_float_release_int8;
		}
		args = list_make1(sum_agg);
		if (avg)
			args = lappend(args, builtin_agg(F_COUNT_ANY, INT8OID, copyObject(inner),
											 exprType((Node *) inner)));
		args = lappend(args, float8_const(lower));
		args = lappend(args, float8_const(upper));
		args = lappend(args, float8_const(eps));
		args = lappend(args, float8_const(delta));
		args = lappend(args, slot);
		ff->sources = lappend(ff->sources, copyObject(aggref));
		return (Expr *) makeFuncExpr(release, FLOAT8OID, args,
									 InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL);
	}
	return NULL;
}

static Node *
fast_mutator(Node *node, FastForm *ff)
{
	if (node == NULL)
		return NULL;
	if (IsA(node, Query))
		return node;			/* (the fast path has no DP aggregate there) */
	if (IsA(node, Aggref) && civic_dp_agg_info(((Aggref *) node)->aggfnoid)->is_dp)
	{
		Expr	   *call = fast_form_of((Aggref *) node, ff);

		if (call == NULL)
		{
			ff->ok = false;
			return node;
		}
		return (Node *) call;
	}
	return expression_tree_mutator(node, fast_mutator, (void *) ff);
}

/*
 * Keep Citus from pushing the whole aggregation to the workers: wrap each
 * grouping column of the query level that may be a distribution column
 * (any column but one of a Citus table known not to be its distribution
 * column) in COALESCE(col, col), as regroup_walker does for every column.
 */
static void
regroup_distribution_columns(Query *query)
{
	ListCell   *lc;

	foreach(lc, query->groupClause)
	{
		SortGroupClause *sgc = lfirst_node(SortGroupClause, lc);
		TargetEntry *tle = get_sortgroupclause_tle(sgc, query->targetList);
		Var		   *var;
		RegroupContext ctx;
		CoalesceExpr *ce;
		ListCell   *lc2;

		if (!IsA(tle->expr, Var) || ((Var *) tle->expr)->varlevelsup != 0)
			continue;
		var = (Var *) tle->expr;
		if (var->varno >= 1 && var->varno <= list_length(query->rtable))
		{
			RangeTblEntry *rte = rt_fetch(var->varno, query->rtable);

			if (rte->rtekind == RTE_RELATION && var->varattno > 0)
			{
				AttrNumber	dist = civic_citus_distribution_column(rte->relid);

				if (dist >= 0 && dist != var->varattno)
					continue;
			}
		}
		ce = makeNode(CoalesceExpr);
		ce->coalescetype = exprType((Node *) var);
		ce->coalescecollid = exprCollation((Node *) var);
		ce->args = list_make2(copyObject(var), copyObject(var));
		ce->location = -1;
		ctx.column = (Var *) copyObject(var);
		ctx.replacement = (Expr *) ce;
		foreach(lc2, query->targetList)
		{
			TargetEntry *t = lfirst_node(TargetEntry, lc2);

			t->expr = (Expr *) regroup_mutator((Node *) t->expr, &ctx);
		}
		query->havingQual = regroup_mutator(query->havingQual, &ctx);
	}
}

/* The release calls of a plan, and whether any is where it may not be. */
typedef struct ReleaseScan
{
	List	   *calls;
	bool		misplaced;
	uint64		nonce;
	int			nslots;
	int		   *seen;
} ReleaseScan;

static bool release_walker_top(Node *node, void *rs);
static bool release_walker_below(Node *node, void *rs);

static bool
release_walker(Node *node, ReleaseScan *rs, bool allowed)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncExpr) && civic_dp_agg_info(((FuncExpr *) node)->funcid)->release)
	{
		FuncExpr   *call = (FuncExpr *) node;
		Const	   *slot = (Const *) llast(call->args);
		uint64		k;

		if (!allowed || !IsA(slot, Const) || slot->consttype != INT8OID ||
			slot->constisnull)
			rs->misplaced = true;
		else
		{
			k = (uint64) DatumGetInt64(slot->constvalue) - rs->nonce;
			if (k >= (uint64) rs->nslots)
				rs->misplaced = true;
			else
			{
				rs->seen[k]++;
				rs->calls = lappend(rs->calls, call);
			}
		}
		/* (its argument is the combined count or sum: nothing to release) */
		allowed = false;
	}
	/* an aggregate's arguments are evaluated once per row */
	if (IsA(node, Aggref))
		allowed = false;
	if (IsA(node, SubPlan))
		allowed = false;
	return expression_tree_walker(node, allowed ? release_walker_top : release_walker_below,
								  (void *) rs);
}

static bool
release_walker_top(Node *node, void *rs)
{
	return release_walker(node, (ReleaseScan *) rs, true);
}

static bool
release_walker_below(Node *node, void *rs)
{
	return release_walker(node, (ReleaseScan *) rs, false);
}

static void
release_plan_walk(Plan *plan, ReleaseScan *rs)
{
	ListCell   *lc;

	if (plan == NULL)
		return;
	check_stack_depth();
	/* an Agg node projects and filters each group once */
	(void) release_walker((Node *) plan->targetlist, rs, IsA(plan, Agg));
	(void) release_walker((Node *) plan->qual, rs, IsA(plan, Agg));
	switch (nodeTag(plan))
	{
		case T_Result:
			(void) release_walker(((Result *) plan)->resconstantqual, rs, false);
			break;
		case T_NestLoop:
		case T_MergeJoin:
		case T_HashJoin:
			(void) release_walker((Node *) ((Join *) plan)->joinqual, rs, false);
			break;
		case T_FunctionScan:
			(void) release_walker((Node *) ((FunctionScan *) plan)->functions, rs, false);
			break;
		case T_Limit:
			(void) release_walker(((Limit *) plan)->limitOffset, rs, false);
			(void) release_walker(((Limit *) plan)->limitCount, rs, false);
			break;
		default:
			break;
	}
	release_plan_walk(plan->lefttree, rs);
	release_plan_walk(plan->righttree, rs);
	switch (nodeTag(plan))
	{
		case T_Append:
			foreach(lc, ((Append *) plan)->appendplans)
				release_plan_walk(lfirst(lc), rs);
			break;
		case T_MergeAppend:
			foreach(lc, ((MergeAppend *) plan)->mergeplans)
				release_plan_walk(lfirst(lc), rs);
			break;
		case T_SubqueryScan:
			release_plan_walk(((SubqueryScan *) plan)->subplan, rs);
			break;
		case T_CustomScan:
			foreach(lc, ((CustomScan *) plan)->custom_plans)
				release_plan_walk(lfirst(lc), rs);
			break;
		default:
			break;
	}
}

/*
 * Plan the query the fast way; NULL (nothing noted) if some DP aggregate
 * has no fast form or the plan does not evaluate each release once per
 * group on the coordinator.
 */
static PlannedStmt *
plan_fast(Query *parse, List *dp_aggrefs, const char *query_string,
		  int cursorOptions, ParamListInfo boundParams)
{
	FastForm	ff;
	Query	   *fast;
	PlannedStmt *pstmt;
	ReleaseScan rs;
	Oid			sum_args[6] = {NUMERICOID, INT8OID, INT8OID, FLOAT8OID, FLOAT8OID, INT8OID};
	Oid			count_args[4] = {INT8OID, FLOAT8OID, FLOAT8OID, INT8OID};
	Oid			avg_args[7] = {NUMERICOID, INT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, FLOAT8OID, INT8OID};
	MemoryContext owner;
	ListCell   *lc;
	int			i;

	if (parse->commandType != CMD_SELECT || parse->groupingSets != NIL ||
		parse->hasWindowFuncs || parse->hasTargetSRFs || parse->rowMarks != NIL)
		return NULL;
	memset(&ff, 0, sizeof(ff));
	ff.ok = true;
	if (!pg_strong_random(&ff.nonce, sizeof(ff.nonce)))
		return NULL;
	ff.count_release = release_oid("_dp_count_release", 4, count_args);
	ff.sum_release_numeric = release_oid("_dp_sum_release", 6, sum_args);
	sum_args[0] = INT8OID;
	ff.sum_release_int8 = release_oid("_dp_sum_release", 6, sum_args);
	sum_args[1] = sum_args[2] = FLOAT8OID;
	ff.sum_float_release_int8 = release_oid("_dp_sum_release", 6, sum_args);
	sum_args[0] = NUMERICOID;
	ff.sum_float_release_numeric = release_oid("_dp_sum_release", 6, sum_args);
	ff.avg_release_numeric = release_oid("_dp_avg_release", 7, avg_args);
	avg_args[0] = INT8OID;
	ff.avg_release_int8 = release_oid("_dp_avg_release", 7, avg_args);
	if (!OidIsValid(ff.count_release) || !OidIsValid(ff.sum_release_numeric) ||
		!OidIsValid(ff.sum_release_int8) || !OidIsValid(ff.sum_float_release_int8) ||
		!OidIsValid(ff.sum_float_release_numeric) || !OidIsValid(ff.avg_release_numeric) ||
		!OidIsValid(ff.avg_release_int8))
		return NULL;			/* (civic not updated on this node) */

	fast = copyObject(parse);
	foreach(lc, fast->targetList)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);

		tle->expr = (Expr *) fast_mutator((Node *) tle->expr, &ff);
	}
	fast->havingQual = fast_mutator(fast->havingQual, &ff);
	/* every DP aggregate of the query, all at its top level, fast */
	if (!ff.ok || list_length(ff.sources) != list_length(dp_aggrefs))
		return NULL;
	regroup_distribution_columns(fast);

	pstmt = call_planner(fast, query_string, cursorOptions, boundParams);

	memset(&rs, 0, sizeof(rs));
	rs.nslots = list_length(ff.sources);
	rs.nonce = ff.nonce;
	rs.seen = palloc0(sizeof(int) * rs.nslots);
	release_plan_walk(pstmt->planTree, &rs);
	foreach(lc, pstmt->subplans)
		release_plan_walk(lfirst(lc), &rs);
	if (rs.misplaced)
		return NULL;
	for (i = 0; i < rs.nslots; i++)
		if (rs.seen[i] != 1)
			return NULL;

	owner = GetMemoryChunkContext(pstmt);
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(owner);
		List	   *sources = copyObject(ff.sources);

		MemoryContextSwitchTo(oldcxt);
		foreach(lc, rs.calls)
		{
			FuncExpr   *call = lfirst(lc);
			int			k = (int) ((uint64) DatumGetInt64(((Const *) llast(call->args))->constvalue) - ff.nonce);

			civic_note_release(owner, call, list_nth(sources, k));
		}
	}
	return pstmt;
}

/*
 * The query's relation entries to add to a plan's range table for the
 * meter.  A view's entry with a SELECT check counts there as one read of
 * the view (its full price: meter_hook.c), and Citus's plan usually keeps
 * the original entries already: add a view's entry only as many times as
 * the plan lacks it, so that each reference is charged once.
 */
static List *
relations_missing(List *rtable, List *relations)
{
	List	   *have = NIL;
	List	   *add = NIL;
	ListCell   *lc;

	foreach(lc, rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

		if (rte->rtekind == RTE_RELATION && rte->relkind == RELKIND_VIEW &&
			(rte->requiredPerms & ACL_SELECT) != 0)
			have = lappend_oid(have, rte->relid);
	}
	foreach(lc, relations)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

		if (rte->rtekind == RTE_RELATION && rte->relkind == RELKIND_VIEW &&
			(rte->requiredPerms & ACL_SELECT) != 0 &&
			list_member_oid(have, rte->relid))
		{
			have = list_delete_oid(have, rte->relid);
			continue;
		}
		add = lappend(add, rte);
	}
	return add;
}

static PlannedStmt *
civic_citus_planner(Query *parse, const char *query_string, int cursorOptions,
					ParamListInfo boundParams)
{
	QueryScan	scan;
	PlanScan	ps;
	PlannedStmt *pstmt;
	Query	   *again;
	uint64		before;
	uint64		planned_before;
	List	   *local_task = NIL;
	List	   *relations;
	List	   *top_aggrefs = NIL;
	MemoryContext owner;
	ListCell   *lc;

	citus_oids();
	if (!OidIsValid(coord_combine_oid))
		return call_planner(parse, query_string, cursorOptions, boundParams);

	memset(&scan, 0, sizeof(scan));
	(void) scan_walker((Node *) parse, &scan);
	/* (not in Citus's own shard queries: they read shards, not Citus tables) */
	if (scan.forged && scan.reads_citus)
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_DISTRIBUTED),
				 errmsg("Citus's worker_partial_agg and coord_combine_agg cannot be called over a differentially-private aggregate"),
				 errdetail("civic plans distributed DP aggregates itself, so that each is charged once and noised once on the coordinator."),
				 errhint("Call the DP aggregate itself.")));
	if (scan.releases)
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_NOT_METERED),
				 errmsg("civic's release functions cannot be called directly"),
				 errdetail("civic._dp_count_release, civic._dp_sum_release and civic._dp_avg_release are written by civic's planner in place of dp_count, dp_sum and dp_avg over Citus tables, where they are charged as those aggregates."),
				 errhint("Call civic.dp_count, civic.dp_sum or civic.dp_avg.")));
	if (scan.dp_aggrefs == NIL || !scan.reads_citus)
		return call_planner(parse, query_string, cursorOptions, boundParams);

	/* 0. the fast path, where every DP aggregate has a fast form */
	pstmt = plan_fast(parse, scan.dp_aggrefs, query_string, cursorOptions, boundParams);
	if (pstmt != NULL)
	{
		owner = GetMemoryChunkContext(pstmt);
		{
			MemoryContext oldcxt = MemoryContextSwitchTo(owner);

			pstmt->rtable = list_concat(pstmt->rtable,
										copyObject(relations_missing(pstmt->rtable,
																	 scan.relations)));
			MemoryContextSwitchTo(oldcxt);
		}
		civic_note_plan(owner, pstmt, NIL);
		dp_planned += list_length(scan.dp_aggrefs);
		return pstmt;
	}

	/* 1. the twins, whose state Citus can ship */
	foreach(lc, scan.dp_aggrefs)
	{
		Aggref	   *aggref = lfirst(lc);
		const CivicDpAggInfo *info = civic_dp_agg_info(aggref->aggfnoid);
		Oid			twin;

		if (info->twin)
			continue;
		twin = info->per_unit ? unit_twin(aggref, info) : civic_dp_twin(aggref->aggfnoid);
		if (!OidIsValid(twin))
			ereport(ERROR,
					(errcode(ERRCODE_CIVIC_DISTRIBUTED),
					 errmsg("%s has no distributed form in this version of civic", info->name),
					 errhint("ALTER EXTENSION civic UPDATE on every node.")));
		aggref->aggfnoid = twin;
	}
	(void) top_level_walker((Node *) parse->targetList, &top_aggrefs);
	(void) top_level_walker(parse->havingQual, &top_aggrefs);
	/* 2. no whole-aggregate pushdown through GROUP BY */
	(void) regroup_walker((Node *) parse, NULL);
	relations = copyObject(scan.relations);

	again = copyObject(parse);
	before = plannings;
	planned_before = dp_planned;
	pstmt = call_planner(parse, query_string, cursorOptions, boundParams);
	if (!plan_finalises_all(pstmt, scan.dp_aggrefs, &ps))
	{
		/*
		 * Citus planned parts of the query separately (a subquery, a CTE,
		 * an outer join with a reference table on its outer side) and runs
		 * the rest, with the DP aggregates, as one task over their results.
		 * Its plans of such queries without the router planner can be wrong
		 * (no task, so no row), so civic keeps this plan: the task runs on
		 * the coordinator, which holds every reference table (Citus
		 * executes it locally, inside this plan), where the meter lets it
		 * finalise exactly the aggregates this plan was charged for
		 * (meter_hook.c); on a worker it would be refused.
		 */
		if (plannings != before)
		{
			List	   *missing = plan_missing(&ps, scan.dp_aggrefs);

			/*
			 * (aggregates of subqueries and CTEs Citus planned separately
			 * went through this hook there, and are charged there)
			 */
			if (dp_planned - planned_before < (uint64) list_length(missing))
				local_task = missing;
		}
		else
		{
			pstmt = plan_without_router(again, query_string, cursorOptions, boundParams);
			if (!plan_finalises_all(pstmt, scan.dp_aggrefs, &ps))
				ereport(ERROR,
						(errcode(ERRCODE_CIVIC_DISTRIBUTED),
						 errmsg("this distributed plan would finalise a differentially-private aggregate on a worker"),
						 errdetail("Citus sends the whole aggregate to the workers; each would draw its own noise and none can charge the coordinator's budget."),
						 errhint("Compute the DP aggregate in a simpler query over the distributed table, or over a local copy.")));
		}
	}

	/* 3-5. notes that live as long as the plan */
	owner = GetMemoryChunkContext(pstmt);
	note_combines(owner, &ps, top_aggrefs, scan.dp_aggrefs);
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(owner);

		pstmt->rtable = list_concat(pstmt->rtable,
									copyObject(relations_missing(pstmt->rtable, relations)));
		local_task = copyObject(local_task);
		MemoryContextSwitchTo(oldcxt);
	}
	civic_note_plan(owner, pstmt, local_task);
	dp_planned += list_length(scan.dp_aggrefs);
	return pstmt;
}

/* Install the planner hook (from _PG_init). */
void
civic_citus_plan_init(void)
{
	CacheRegisterSyscacheCallback(PROCOID, citus_oids_invalidate, (Datum) 0);
	prev_planner = planner_hook;
	planner_hook = counting_planner;
}
