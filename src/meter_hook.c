/*
 * meter_hook.c
 *	  Metering of differential-privacy aggregates.
 *
 * Two halves meet here:
 *
 * 1. An ExecutorStart hook (installed only when civic is preloaded) looks at
 *    every plan about to run.  It finds the civic DP aggregates in it (an
 *    aggregate of extension civic with an argument named "epsilon"), reads
 *    their epsilon and delta (constants or query parameters), works out the
 *    cost of the whole query by composition, and charges it to the session
 *    role's budget on every dataset the query reads -- before any row can
 *    be returned.  The aggregates it charged for are registered for the
 *    lifetime of the query's executor state.
 *
 * 2. civic_privacy_account(), called by every DP final function once per
 *    evaluation before noise is drawn, refuses to let the aggregate produce
 *    anything unless it was registered by the hook for the running query
 *    with at least the epsilon and delta it is about to spend.  So a DP
 *    aggregate never runs unmetered: not without the preload, not as a
 *    window function, not through a path the hook did not see.
 *
 * Around them, the hook also makes sure that reading private data costs
 * something and shows nothing else: a read of a privacy-safe view is
 * charged the view's full price even when the planner dropped its
 * aggregates, and refused where the plan may re-evaluate it; a plan that
 * runs nothing (constant LIMIT 0, constant-false filter) costs nothing;
 * plans of queries over tables the session user cannot read do not reach
 * the client through auto_explain; DP aggregates in distributed (Citus)
 * plans are refused until civic meters them.
 *
 * Accounting (see docs/budget.md): basic composition over the aggregates of
 * a query; a GROUP BY releases disjoint groups, which costs one epsilon per
 * aggregate when each person reaches one group (parallel composition), and
 * k times that when a dataset declares that one person can reach up to k
 * groups (max_groups_per_unit).  Grouping sets multiply by their number.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/relation.h"
#include "catalog/dependency.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "libpq/libpq-be.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/nodeFuncs.h"
#include "nodes/plannodes.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "parser/parse_agg.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "rewrite/rewriteManip.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/guc.h"
#include "utils/queryjumble.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/syscache.h"

#include "dataset.h"
#include "dp_params.h"
#include "ledger.h"
#include "meter.h"
#include "plan_notes.h"
#include "relcache.h"

static HTAB *view_cache = NULL;

/* pg_proc changed: whether a view computes DP aggregates depends on them. */
static void
view_cache_proc_invalidate(Datum arg, int cacheid, uint32 hashvalue)
{
	if (view_cache)
	{
		hash_destroy(view_cache);
		view_cache = NULL;
	}
}

/* ---------------------------------------------------------------------
 * Registry of metered aggregates of the running queries
 * --------------------------------------------------------------------- */

typedef struct MeteredAgg
{
	const void *key;			/* the plan's node, as the executor sees it:
								 * an Aggref, or the FuncExpr of a release
								 * function (dp_release.c) */
	double		epsilon;		/* as written in the query */
	double		delta;
	const char *mechanism;		/* as recorded in the ledger */
	bool		grouped;
	int			nsets;
	int64		evaluations;
} MeteredAgg;

typedef struct MeteredQuery
{
	MemoryContextCallback cb;
	struct MeteredQuery *prev;
	struct MeteredQuery *next;
	int			n;
	MeteredAgg	aggs[FLEXIBLE_ARRAY_MEMBER];
} MeteredQuery;

static MeteredQuery *metered_head = NULL;

/* The executor state of a query is going away: forget its aggregates. */
static void
metered_query_forget(void *arg)
{
	MeteredQuery *mq = (MeteredQuery *) arg;

	if (mq->prev)
		mq->prev->next = mq->next;
	else
		metered_head = mq->next;
	if (mq->next)
		mq->next->prev = mq->prev;
}

static MeteredAgg *
metered_lookup(const void *key)
{
	MeteredQuery *mq;
	int			i;

	for (mq = metered_head; mq; mq = mq->next)
		for (i = 0; i < mq->n; i++)
			if (mq->aggs[i].key == key)
				return &mq->aggs[i];
	return NULL;
}

/* ---------------------------------------------------------------------
 * Charges for a task Citus finalises locally (citus_plan.c)
 *
 * When Citus runs the part of a query holding its DP aggregates as one
 * task over intermediate results on this node, the query's plan has no DP
 * aggregate: it is charged for the aggregates civic noted, before it runs,
 * and the task Citus then plans and executes inside it may finalise those
 * aggregates, each once, with the same parameters -- nothing else.
 * --------------------------------------------------------------------- */

typedef struct LocalTaskCharge
{
	MemoryContextCallback cb;
	struct LocalTaskCharge *prev;
	struct LocalTaskCharge *next;
	List	   *pending;		/* DpFound: charged, not yet finalised */
	List	   *datasets;		/* CivicDatasetKey: what the query reads */
} LocalTaskCharge;

static LocalTaskCharge *local_tasks = NULL;

static void
local_task_forget(void *arg)
{
	LocalTaskCharge *lt = (LocalTaskCharge *) arg;

	if (lt->prev)
		lt->prev->next = lt->next;
	else
		local_tasks = lt->next;
	if (lt->next)
		lt->next->prev = lt->prev;
}

/* ---------------------------------------------------------------------
 * Walking a plan for DP aggregates
 * --------------------------------------------------------------------- */

typedef struct DpFound
{
	Node	   *key;			/* the plan's node the executor evaluates */
	Aggref	   *aggref;			/* the Aggref with the parameters */
	Agg		   *agg;			/* the Agg node evaluating it, if known */
	const CivicDpAggInfo *info;
	double		epsilon;
	double		delta;
	bool		valid;			/* parameters valid: charge them */
	bool		grouped;
	int			nsets;
	Query	   *owner;			/* of a view's aggregate: its query level */
} DpFound;

typedef struct WalkState
{
	PlannedStmt *pstmt;
	EState	   *estate;
	bool		rescan;			/* current node may run more than once */
	bool		copies;			/* current node may run in several parallel
								 * participants at once */
	Agg		   *cur_agg;
	bool	   *seen_subplan;
	List	   *found;
	bool		citus;			/* the plan has a Citus scan or reads a Citus
								 * intermediate result */
	List	   *rescanned_groupings;	/* Agg and Group nodes that may run
										 * more than once */
} WalkState;

static void walk_plan(Plan *plan, WalkState *ws, bool rescan);

/* ---------------------------------------------------------------------
 * Citus (distributed PostgreSQL) is not supported yet: fail closed
 *
 * A distributed plan computes parts of the query on worker nodes (each with
 * its own civic and its own accounts) and feeds them to the coordinator as
 * "intermediate results", so neither side sees the whole of what the other
 * releases.  Until civic meters distributed plans, a DP aggregate is refused
 * in any plan that has a Citus custom scan or reads a Citus intermediate
 * result, in any query that runs nested inside such a plan (Citus's local
 * execution of shard queries), and in any session that Citus opened between
 * its nodes.  Everything is matched by name, so the check works whether or
 * not Citus is installed.
 * --------------------------------------------------------------------- */

/* Citus names all its distributed custom scans "Citus ..." */
static bool
is_citus_custom_scan(CustomScan *cscan)
{
	return cscan->methods != NULL && cscan->methods->CustomName != NULL &&
		strncmp(cscan->methods->CustomName, "Citus", 5) == 0;
}

/* read_intermediate_result(s): how plans read a Citus subplan's rows */
static bool
is_citus_result_reader(Oid funcid)
{
	char	   *name = get_func_name(funcid);

	return name != NULL &&
		(strcmp(name, "read_intermediate_result") == 0 ||
		 strcmp(name, "read_intermediate_results") == 0);
}

/*
 * Whether this session is a connection Citus opened from another node: its
 * application_name is "citus" (Citus before 11) or begins with "citus_"
 * ("citus_internal gpid=...", "citus_rebalancer gpid=...",
 * "citus_run_command gpid=...", "citus_shard_...").  The name Citus sent
 * in the startup packet counts, not only the setting now: a role's
 * set_config('application_name', ...) in a WHERE clause that Citus pushes
 * to the workers renames the connection, which Citus then reuses, and must
 * not turn the checks of a connection between nodes off.  A client may set
 * such a name itself; it only loses the DP aggregates by doing so.
 */
static int	active_citus = 0;	/* Citus plans running in this backend */

static bool
citus_name(const char *name)
{
	return name != NULL &&
		(strcmp(name, "citus") == 0 || strncmp(name, "citus_", 6) == 0);
}

static bool
is_citus_internal_session(void)
{
	return citus_name(application_name) ||
		(MyProcPort != NULL && citus_name(MyProcPort->application_name));
}

/*
 * Whether the running query is one between Citus nodes: this session is a
 * connection Citus opened, or the query runs inside a distributed plan (a
 * task Citus executes locally).  (citus_names.c)
 */
bool
civic_in_citus_query(void)
{
	return is_citus_internal_session() || active_citus > 0;
}

static bool walk_expr(Node *node, WalkState *ws);

/* Number of grouping sets an Agg node (and its chain) evaluates. */
static int
agg_nsets(Agg *agg)
{
	int			n;
	ListCell   *lc;

	if (agg->groupingSets == NIL)
		return 1;
	n = list_length(agg->groupingSets);
	foreach(lc, agg->chain)
	{
		Agg		   *c = lfirst_node(Agg, lc);

		n += Max(list_length(c->groupingSets), 1);
	}
	return n;
}

typedef enum ArgKind
{
	ARG_VALUE,					/* known before execution: value set */
	ARG_REJECTED,				/* varies by row: the aggregate rejects it */
	ARG_UNKNOWN					/* cannot be known before execution */
} ArgKind;

static bool
has_exec_param(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param) && ((Param *) node)->paramkind != PARAM_EXTERN)
		return true;
	return expression_tree_walker(node, has_exec_param, context);
}

/*
 * An epsilon/delta argument that is a float8 literal: ARG_VALUE and its
 * value; anything else (not float8, or not a constant): ARG_UNKNOWN.
 */
static ArgKind
arg_literal(Expr *expr, double *value, bool *isnull)
{
	*isnull = false;
	*value = 0;
	if (expr == NULL || exprType((Node *) expr) != FLOAT8OID || !IsA(expr, Const))
		return ARG_UNKNOWN;
	*isnull = ((Const *) expr)->constisnull;
	*value = *isnull ? 0 : DatumGetFloat8(((Const *) expr)->constvalue);
	return ARG_VALUE;
}

/* Evaluate a float8 argument free of columns, parameters and subqueries. */
static void
arg_evaluate(Expr *expr, EState *estate, double *value, bool *isnull)
{
	ExprState  *es = ExecPrepareExpr(expr, estate);
	Datum		d = ExecEvalExprSwitchContext(es, GetPerTupleExprContext(estate), isnull);

	*value = *isnull ? 0 : DatumGetFloat8(d);
}

/*
 * Value of an epsilon/delta argument before execution.  Constants and query
 * parameters are read; any other expression free of columns, volatile
 * functions and subqueries is stable for the query and is evaluated once
 * here.  An argument with columns, volatile functions or subqueries is not
 * a privacy parameter the aggregate accepts (it raises 22023 before any
 * noise): such an aggregate is not charged, and cannot release anything.
 */
static ArgKind
arg_value(Expr *expr, EState *estate, double *value, bool *isnull)
{
	ArgKind		kind = arg_literal(expr, value, isnull);

	if (kind != ARG_UNKNOWN || expr == NULL || exprType((Node *) expr) != FLOAT8OID)
		return kind;
	/* the rule the aggregates apply (dp_params.c) */
	switch (civic_dp_arg_kind(expr))
	{
		case CIVIC_DP_ARG_ROWWISE:
			return ARG_REJECTED;
		case CIVIC_DP_ARG_RUNTIME:
			return ARG_UNKNOWN;
		case CIVIC_DP_ARG_FIXED:
			break;
	}
	arg_evaluate(expr, estate, value, isnull);
	return ARG_VALUE;
}

/*
 * Record one DP aggregate found in the plan: KEY, the node the executor
 * evaluates, is the Aggref itself, or the call of a release function
 * (dp_release.c) that the planner hook put in place of the Aggref it was
 * written as (RELEASE).
 */
static void
found_dp(Node *key, Aggref *aggref, const CivicDpAggInfo *info, WalkState *ws,
		 bool release)
{
	DpFound    *f = palloc0(sizeof(DpFound));
	bool		eps_null = false,
				delta_null = false;
	ArgKind		eps_kind,
				delta_kind = ARG_VALUE;
	bool		rowwise = false;

	if (ws->copies)
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_UNMETERABLE),
				 errmsg("%s cannot be used where parallel workers may each evaluate it", info->name),
				 errdetail("The plan runs the aggregate below a Gather node in every participating process; each process would release its own noisy answer."),
				 errhint("Compute the differentially-private aggregate in a WITH query (CTE), or SET max_parallel_workers_per_gather = 0 for the query.")));
	if (ws->rescan)
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_UNMETERABLE),
				 errmsg("%s cannot be used where the plan may evaluate it more than once",
						info->name),
				 errdetail("The aggregate is inside a correlated subquery, a LATERAL subquery, the inner side of a nested loop or a recursive query; each re-evaluation would release a new noisy answer."),
				 errhint("Compute the differentially-private aggregate in a WITH query (CTE) or a plain subquery in FROM, and join to its result.")));

	f->key = key;
	f->aggref = aggref;
	/* (a release call is no aggregate of the Agg node: no aggno) */
	f->agg = release ? NULL : ws->cur_agg;
	f->info = info;
	if (release && ws->cur_agg == NULL)
		civic_privacy_unmetered(info->name);
	if (ws->cur_agg)
	{
		f->grouped = ws->cur_agg->numCols > 0 || ws->cur_agg->groupingSets != NIL;
		f->nsets = agg_nsets(ws->cur_agg);
	}
	else
	{
		/* not below an Agg node: cannot tell, assume the costlier case */
		f->grouped = true;
		f->nsets = 1;
	}

	/*
	 * A combining (Finalize) aggregate of a parallel plan reads the partial
	 * states below; its parameters are those of the partial aggregate.
	 */
	aggref = civic_dp_source_aggref((Plan *) ws->cur_agg, aggref);
	if (aggref != NULL)
	{
		CivicDpParam j;

		/*
		 * The aggregate's own checks, in its order (dp_agg.c): the call's
		 * shape, then every parameter (bounds, p, max_rows too) fixed for
		 * the query.  A parameter computed while the query runs cannot be
		 * charged first: refused here, as the aggregate would.  One that
		 * varies by row is refused by the aggregate (22023) before any
		 * noise: not charged.
		 */
		civic_dp_check_call_shape(aggref, info->name);
		for (j = 0; j < CIVIC_DP_NPARAMS; j++)
		{
			CivicDpArgKind kind = civic_dp_arg_kind(civic_dp_arg(info, aggref, j));

			if (kind == CIVIC_DP_ARG_RUNTIME)
				civic_dp_report_arg(kind, civic_dp_param_names[j], info->name);
			if (kind == CIVIC_DP_ARG_ROWWISE)
				rowwise = true;
		}
	}
	eps_kind = aggref == NULL ? ARG_UNKNOWN :
		arg_value(civic_dp_arg(info, aggref, CIVIC_DP_EPSILON), ws->estate,
				  &f->epsilon, &eps_null);
	if (eps_kind == ARG_UNKNOWN)
		civic_dp_report_arg(CIVIC_DP_ARG_RUNTIME, "epsilon", info->name);
	f->delta = 0;
	if (info->arg[CIVIC_DP_DELTA] >= 0 && aggref != NULL)
	{
		delta_kind = arg_value(civic_dp_arg(info, aggref, CIVIC_DP_DELTA), ws->estate,
							   &f->delta, &delta_null);
		if (delta_kind == ARG_UNKNOWN)
			civic_dp_report_arg(CIVIC_DP_ARG_RUNTIME, "delta", info->name);
	}

	/*
	 * Invalid parameters are not charged: the aggregate itself rejects them
	 * (SQLSTATE 22023) before it draws any noise, and the registry below
	 * will not match them either.
	 */
	f->valid = eps_kind == ARG_VALUE && delta_kind == ARG_VALUE &&
		!eps_null && !delta_null && !rowwise &&
		civic_dp_privacy_valid(f->epsilon, f->delta);
	if (!f->valid)
	{
		f->epsilon = get_float8_nan();
		f->delta = get_float8_nan();
	}
	ws->found = lappend(ws->found, f);
}

static void
found_dp_aggref(Aggref *aggref, const CivicDpAggInfo *info, WalkState *ws)
{
	found_dp((Node *) aggref, aggref, info, ws, false);
}

static bool
walk_expr(Node *node, WalkState *ws)
{
	if (node == NULL)
		return false;
	if (IsA(node, Aggref))
	{
		Aggref	   *aggref = (Aggref *) node;
		const CivicDpAggInfo *info = civic_dp_aggref_info(aggref);

		if (info->is_dp && !DO_AGGSPLIT_SKIPFINAL(aggref->aggsplit))
			found_dp_aggref(aggref, info, ws);
	}
	else if (IsA(node, WindowFunc))
	{
		const CivicDpAggInfo *info = civic_dp_agg_info(((WindowFunc *) node)->winfnoid);

		/* same SQLSTATE as the aggregate's own check (dp_agg.c) */
		if (info->is_dp)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("%s cannot be used as a window function", info->name),
					 errdetail("A window aggregate is finalised once per row or peer group, each time releasing a new noisy answer."),
					 errhint("Use it as an ordinary aggregate with GROUP BY.")));
	}
	else if (IsA(node, FuncExpr))
	{
		FuncExpr   *fe = (FuncExpr *) node;

		if (fe->funcretset && is_citus_result_reader(fe->funcid))
			ws->citus = true;
		else if (civic_dp_agg_info(fe->funcid)->release)
		{
			/*
			 * A release function (dp_release.c) releases only where the
			 * planner hook put it, in an Agg node's projection or HAVING,
			 * for the DP aggregate it noted: charged as that aggregate.
			 * Any other call is refused before anything is charged.
			 */
			Aggref	   *source = civic_noted_release(node);

			if (source == NULL)
				civic_privacy_unmetered(civic_dp_agg_info(fe->funcid)->name);
			found_dp(node, source, civic_dp_agg_info(source->aggfnoid), ws, true);
		}
	}
	else if (IsA(node, SubPlan))
	{
		SubPlan    *sp = (SubPlan *) node;

		/* executed once per evaluation of the enclosing expression */
		if (sp->plan_id > 0 && sp->plan_id <= list_length(ws->pstmt->subplans))
		{
			Agg		   *save = ws->cur_agg;

			ws->seen_subplan[sp->plan_id - 1] = true;
			ws->cur_agg = NULL;
			walk_plan(list_nth(ws->pstmt->subplans, sp->plan_id - 1), ws, true);
			ws->cur_agg = save;
		}
	}
	return expression_tree_walker(node, walk_expr, (void *) ws);
}

static void
walk_exprs(Node *node, WalkState *ws, Agg *agg)
{
	Agg		   *save = ws->cur_agg;

	ws->cur_agg = agg;
	(void) walk_expr(node, ws);
	ws->cur_agg = save;
}

static void
walk_plans(List *plans, WalkState *ws, bool rescan)
{
	ListCell   *lc;

	foreach(lc, plans)
		walk_plan((Plan *) lfirst(lc), ws, rescan);
}

/*
 * Visit a plan node, its expressions, initplans and children; `rescan`
 * says whether this node can be executed more than once in the query.
 */
static void
walk_plan(Plan *plan, WalkState *ws, bool rescan)
{
	bool		save = ws->rescan;
	bool		save_copies = ws->copies;
	ListCell   *lc;

	if (plan == NULL)
		return;
	check_stack_depth();
	ws->rescan = rescan;
	if (rescan && (IsA(plan, Agg) || IsA(plan, Group)))
		ws->rescanned_groupings = lappend(ws->rescanned_groupings, plan);

	/* init plans run once per (re)scan of the node they hang from */
	foreach(lc, plan->initPlan)
	{
		SubPlan    *sp = lfirst_node(SubPlan, lc);

		if (sp->plan_id > 0 && sp->plan_id <= list_length(ws->pstmt->subplans))
		{
			ws->seen_subplan[sp->plan_id - 1] = true;
			walk_plan(list_nth(ws->pstmt->subplans, sp->plan_id - 1), ws, rescan);
			ws->rescan = rescan;
		}
	}

	walk_exprs((Node *) plan->targetlist, ws, IsA(plan, Agg) ? (Agg *) plan : NULL);
	walk_exprs((Node *) plan->qual, ws, IsA(plan, Agg) ? (Agg *) plan : NULL);

	switch (nodeTag(plan))
	{
		case T_Result:
			walk_exprs(((Result *) plan)->resconstantqual, ws, NULL);
			break;
		case T_NestLoop:
		case T_MergeJoin:
		case T_HashJoin:
			walk_exprs((Node *) ((Join *) plan)->joinqual, ws, NULL);
			if (IsA(plan, HashJoin))
				walk_exprs((Node *) ((HashJoin *) plan)->hashclauses, ws, NULL);
			if (IsA(plan, MergeJoin))
				walk_exprs((Node *) ((MergeJoin *) plan)->mergeclauses, ws, NULL);
			break;
		case T_FunctionScan:
			/* (walk_expr also notes Citus's intermediate-result readers) */
			walk_exprs((Node *) ((FunctionScan *) plan)->functions, ws, NULL);
			break;
		case T_CustomScan:
			if (is_citus_custom_scan((CustomScan *) plan))
				ws->citus = true;
			break;
		case T_ValuesScan:
			walk_exprs((Node *) ((ValuesScan *) plan)->values_lists, ws, NULL);
			break;
		case T_Limit:
			walk_exprs(((Limit *) plan)->limitOffset, ws, NULL);
			walk_exprs(((Limit *) plan)->limitCount, ws, NULL);
			break;
		case T_IndexScan:
			walk_exprs((Node *) ((IndexScan *) plan)->indexqual, ws, NULL);
			walk_exprs((Node *) ((IndexScan *) plan)->indexorderby, ws, NULL);
			break;
		case T_IndexOnlyScan:
			walk_exprs((Node *) ((IndexOnlyScan *) plan)->indexqual, ws, NULL);
			break;
		case T_BitmapIndexScan:
			walk_exprs((Node *) ((BitmapIndexScan *) plan)->indexqual, ws, NULL);
			break;
		case T_BitmapHeapScan:
			walk_exprs((Node *) ((BitmapHeapScan *) plan)->bitmapqualorig, ws, NULL);
			break;
		case T_WindowAgg:
			walk_exprs(((WindowAgg *) plan)->startOffset, ws, NULL);
			walk_exprs(((WindowAgg *) plan)->endOffset, ws, NULL);
			break;
		default:
			break;
	}

	switch (nodeTag(plan))
	{
		case T_NestLoop:
			walk_plan(plan->lefttree, ws, rescan);
			walk_plan(plan->righttree, ws, true);
			break;
		case T_RecursiveUnion:
			walk_plan(plan->lefttree, ws, rescan);
			walk_plan(plan->righttree, ws, true);
			break;
		case T_Gather:
		case T_GatherMerge:
			/* every participant (workers and leader) runs the plan below */
			ws->copies = true;
			walk_plan(plan->lefttree, ws, rescan);
			break;
		case T_Append:
			if (plan->parallel_aware)
			{
				/* a non-partial child runs in one participant only */
				Append	   *app = (Append *) plan;
				int			i = 0;

				foreach(lc, app->appendplans)
				{
					ws->copies = i++ < app->first_partial_plan ? false : save_copies;
					walk_plan((Plan *) lfirst(lc), ws, rescan);
				}
				ws->copies = save_copies;
			}
			else
				walk_plans(((Append *) plan)->appendplans, ws, rescan);
			break;
		case T_MergeAppend:
			walk_plans(((MergeAppend *) plan)->mergeplans, ws, rescan);
			break;
		case T_BitmapAnd:
			walk_plans(((BitmapAnd *) plan)->bitmapplans, ws, rescan);
			break;
		case T_BitmapOr:
			walk_plans(((BitmapOr *) plan)->bitmapplans, ws, rescan);
			break;
		case T_SubqueryScan:
			walk_plan(((SubqueryScan *) plan)->subplan, ws, rescan);
			break;
		case T_CustomScan:
			walk_plans(((CustomScan *) plan)->custom_plans, ws, rescan);
			break;
		case T_CteScan:
			{
				/* a CTE is computed once per query and read from a store */
				int			id = ((CteScan *) plan)->ctePlanId;

				if (id > 0 && id <= list_length(ws->pstmt->subplans) &&
					!ws->seen_subplan[id - 1])
				{
					ws->seen_subplan[id - 1] = true;
					walk_plan(list_nth(ws->pstmt->subplans, id - 1), ws, false);
				}
			}
			break;
		default:
			walk_plan(plan->lefttree, ws, rescan);
			walk_plan(plan->righttree, ws, rescan);
			break;
	}
	ws->rescan = save;
	ws->copies = save_copies;
}

/* ---------------------------------------------------------------------
 * Datasets a query reads
 * --------------------------------------------------------------------- */

static bool
rte_is_read_table(RangeTblEntry *rte)
{
	return rte->rtekind == RTE_RELATION &&
		(rte->requiredPerms & ACL_SELECT) != 0 &&
		rte->relkind != RELKIND_VIEW;
}

/* ---------------------------------------------------------------------
 * The price of a privacy-safe view
 *
 * The planner removes the aggregates of a view whose results a query does
 * not use: `SELECT count(*) FROM view WHERE key = 'x'` computes no DP
 * aggregate at all, yet still reads the private table behind the view, and
 * what the private rows do to that read (activity counters, timing, errors,
 * locks) is observable.  So a query that reads a view computing civic DP
 * aggregates (a "DP view": every view made by create_private_view) is
 * charged at least the view's full price -- the cost of all the DP
 * aggregates of its definition, as if every column were read -- on every
 * dataset it reads, whichever of the view's columns it uses.
 *
 * Views are found in the plan's range table: PostgreSQL keeps one entry of
 * each view a query reads (directly or through other views, functions
 * inlined or not) for its permission check, also when the planner throws the
 * view's subquery away.
 * --------------------------------------------------------------------- */

typedef struct ViewDpEntry
{
	Oid			relid;			/* hash key */
	bool		is_dp;
} ViewDpEntry;

static void
view_cache_invalidate(Datum arg, Oid relid)
{
	if (view_cache == NULL)
		return;
	if (OidIsValid(relid))
		(void) hash_search(view_cache, &relid, HASH_REMOVE, NULL);
	else
	{
		hash_destroy(view_cache);
		view_cache = NULL;
	}
}

typedef struct ViewPriceCtx
{
	List	   *levels;			/* the Query levels being walked, innermost
								 * first */
	EState	   *estate;			/* NULL: only find whether there is one */
	bool		any;			/* a DP aggregate was found */
	List	   *aggs;			/* DpFound of each distinct DP aggregate */
} ViewPriceCtx;

/* A column, an aggregate or a grouping function, at any query level. */
static bool
has_row_value(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Var) || IsA(node, PlaceHolderVar) || IsA(node, Aggref) ||
		IsA(node, GroupingFunc) || IsA(node, WindowFunc))
		return true;
	return expression_tree_walker(node, has_row_value, context);
}

/*
 * Value of an epsilon/delta argument in a view's definition (not planned):
 * as arg_value() for plans.  A subquery or parameter makes it unknown.
 */
static ArgKind
view_arg_value(Expr *expr, EState *estate, double *value, bool *isnull)
{
	ArgKind		kind = arg_literal(expr, value, isnull);

	if (kind != ARG_UNKNOWN || expr == NULL || exprType((Node *) expr) != FLOAT8OID)
		return kind;
	if (contain_subplans((Node *) expr) ||
		checkExprHasSubLink((Node *) expr) ||
		has_exec_param((Node *) expr, NULL))
		return ARG_UNKNOWN;
	if (has_row_value((Node *) expr, NULL) ||
		contain_volatile_functions((Node *) expr))
		return ARG_REJECTED;
	arg_evaluate((Expr *) copyObject(expr), estate, value, isnull);
	return ARG_VALUE;
}

/* Price one DP aggregate of a view's definition. */
static void
view_agg_price(Aggref *aggref, const CivicDpAggInfo *info, Query *owner, ViewPriceCtx *ctx)
{
	DpFound    *f;
	ListCell   *lc;
	bool		eps_null = false,
				delta_null = false;
	ArgKind		eps_kind,
				delta_kind = ARG_VALUE;

	/* the same call twice in one query level is evaluated once */
	foreach(lc, ctx->aggs)
	{
		DpFound    *g = lfirst(lc);

		if (g->owner == owner && equal(g->aggref, aggref))
			return;
	}
	f = palloc0(sizeof(DpFound));
	f->key = (Node *) aggref;
	f->aggref = aggref;
	f->info = info;
	f->owner = owner;
	f->grouped = owner->groupClause != NIL || owner->groupingSets != NIL;
	f->nsets = owner->groupingSets == NIL ? 1 :
		Max(list_length(expand_grouping_sets(owner->groupingSets,
											 owner->groupDistinct, -1)), 1);
	eps_kind = view_arg_value(civic_dp_arg(info, aggref, CIVIC_DP_EPSILON),
							  ctx->estate, &f->epsilon, &eps_null);
	if (info->arg[CIVIC_DP_DELTA] >= 0)
		delta_kind = view_arg_value(civic_dp_arg(info, aggref, CIVIC_DP_DELTA),
									ctx->estate, &f->delta, &delta_null);
	if (eps_kind == ARG_UNKNOWN || delta_kind == ARG_UNKNOWN)
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_UNMETERABLE),
				 errmsg("the privacy cost of a view read by the query cannot be known before it runs"),
				 errdetail("An aggregate %s of the view has an epsilon or delta computed by a subquery or from a parameter.",
						   info->name),
				 errhint("Write the view's epsilon and delta as literals.")));
	f->valid = eps_kind == ARG_VALUE && delta_kind == ARG_VALUE &&
		!eps_null && !delta_null &&
		civic_dp_privacy_valid(f->epsilon, f->delta);
	/* (a call the aggregate refuses, DISTINCT or ORDER BY, releases nothing) */
	if (f->valid && civic_dp_call_shape_ok(aggref))
		ctx->aggs = lappend(ctx->aggs, f);
}

static bool
view_price_walker(Node *node, ViewPriceCtx *ctx)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		bool		result;

		ctx->levels = lcons(node, ctx->levels);
		result = query_tree_walker((Query *) node, view_price_walker, ctx, 0);
		ctx->levels = list_delete_first(ctx->levels);
		return result;
	}
	if (IsA(node, Aggref))
	{
		Aggref	   *aggref = (Aggref *) node;
		const CivicDpAggInfo *info = civic_dp_agg_info(aggref->aggfnoid);

		if (info->is_dp)
		{
			ctx->any = true;
			if (ctx->estate == NULL)
				return true;	/* found one: enough */
			if (aggref->agglevelsup < list_length(ctx->levels))
				view_agg_price(aggref, info,
							   list_nth(ctx->levels, aggref->agglevelsup), ctx);
		}
	}
	return expression_tree_walker(node, view_price_walker, ctx);
}

/*
 * Walk a view's own definition (not the views it reads: they have range
 * table entries of their own).  With an executor state, return the DP
 * aggregates priced; without, only whether there is any.
 */
static List *
view_dp_walk(Oid viewid, EState *estate, bool *is_dp)
{
	Relation	rel;
	ViewPriceCtx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.estate = estate;
	rel = relation_open(viewid, AccessShareLock);
	if (rel->rd_rel->relkind == RELKIND_VIEW && rel->rd_rules != NULL)
		(void) view_price_walker((Node *) get_view_query(rel), &ctx);
	relation_close(rel, AccessShareLock);
	*is_dp = ctx.any;
	return ctx.aggs;
}

/* Whether a view computes civic DP aggregates (cached per backend). */
static bool
view_is_dp(Oid viewid)
{
	ViewDpEntry *ent;
	bool		found;
	bool		is_dp;

	if (view_cache == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(ViewDpEntry);
		ctl.hcxt = CacheMemoryContext;
		view_cache = hash_create("civic dp views", 64, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	ent = hash_search(view_cache, &viewid, HASH_FIND, NULL);
	if (ent)
		return ent->is_dp;
	(void) view_dp_walk(viewid, NULL, &is_dp);
	/* (the walk may have invalidated the cache) */
	if (view_cache != NULL)
	{
		ent = hash_search(view_cache, &viewid, HASH_ENTER, &found);
		ent->is_dp = is_dp;
	}
	return is_dp;
}

/*
 * Whether a plan subtree scans a table the role cannot read directly.  (A
 * CTE below is computed once and read from its store: not followed.)
 */
static bool
plan_scans_protected(Plan *plan, PlannedStmt *pstmt, Oid roleid)
{
	ListCell   *lc;

	if (plan == NULL)
		return false;
	check_stack_depth();
	switch (nodeTag(plan))
	{
		case T_SeqScan:
		case T_SampleScan:
		case T_IndexScan:
		case T_IndexOnlyScan:
		case T_BitmapHeapScan:
		case T_TidScan:
		case T_TidRangeScan:
		case T_ForeignScan:
		case T_CustomScan:
			{
				Index		rti = ((Scan *) plan)->scanrelid;

				if (rti > 0 && rti <= list_length(pstmt->rtable))
				{
					RangeTblEntry *rte = rt_fetch(rti, pstmt->rtable);

					if (rte->rtekind == RTE_RELATION &&
						!civic_role_can_read(roleid, rte->relid))
						return true;
				}
				if (IsA(plan, CustomScan))
					foreach(lc, ((CustomScan *) plan)->custom_plans)
						if (plan_scans_protected(lfirst(lc), pstmt, roleid))
							return true;
			}
			break;
		case T_Append:
			foreach(lc, ((Append *) plan)->appendplans)
				if (plan_scans_protected(lfirst(lc), pstmt, roleid))
					return true;
			break;
		case T_MergeAppend:
			foreach(lc, ((MergeAppend *) plan)->mergeplans)
				if (plan_scans_protected(lfirst(lc), pstmt, roleid))
					return true;
			break;
		case T_SubqueryScan:
			return plan_scans_protected(((SubqueryScan *) plan)->subplan, pstmt, roleid);
		default:
			break;
	}
	return plan_scans_protected(plan->lefttree, pstmt, roleid) ||
		plan_scans_protected(plan->righttree, pstmt, roleid);
}

List	   *(*civic_meter_served_views) (struct PlannedStmt *pstmt, bool by_hand) = NULL;

/* Whether a view computes civic DP aggregates (for src/pv_citus.c). */
bool
civic_view_is_dp(Oid viewid)
{
	return view_is_dp(viewid);
}

/*
 * The DP views a plan reads: one list cell per reference.  A reference that
 * src/pv_citus.c replaced by a call of civic._private_view_rows() (it sets
 * civic_meter_served_views to find them) keeps the
 * view's entry for the permission check, but the view is read (and
 * charged) by the query that function runs: not counted here.
 */
static List *
dp_view_references(PlannedStmt *pstmt)
{
	List	   *views = NIL;
	ListCell   *lc;

	foreach(lc, pstmt->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

		if (rte->rtekind == RTE_RELATION && rte->relkind == RELKIND_VIEW &&
			(rte->requiredPerms & ACL_SELECT) != 0 && view_is_dp(rte->relid))
			views = lappend_oid(views, rte->relid);
	}
	if (views != NIL && civic_meter_served_views != NULL)
		foreach(lc, civic_meter_served_views(pstmt, false))
			views = list_delete_oid(views, lfirst_oid(lc));
	return views;
}

/* ---------------------------------------------------------------------
 * Plans that run nothing
 *
 * `SELECT * FROM view LIMIT 0` (how BI tools learn a view's columns) and
 * `... WHERE false` return no row without reading anything: the executor
 * never asks the node below a constant LIMIT 0 for a row, nor runs anything
 * below a Result whose one-time filter is constant false.  Such a plan is
 * neither charged nor registered (if any of its DP aggregates did run, its
 * final function would find it unmetered and refuse).  Only the nodes on the
 * way down are allowed to be ones that produce rows solely from the node
 * below them; an aggregate over no row still releases an answer.
 * --------------------------------------------------------------------- */

static bool
is_const_false_qual(Node *qual)
{
	Const	   *c;

	if (qual == NULL)
		return false;
	if (IsA(qual, List))
	{
		if (list_length((List *) qual) != 1)
			return false;
		qual = linitial((List *) qual);
	}
	if (!IsA(qual, Const))
		return false;
	c = (Const *) qual;
	return c->consttype == BOOLOID && (c->constisnull || !DatumGetBool(c->constvalue));
}

static bool
plan_runs_nothing(PlannedStmt *pstmt)
{
	Plan	   *plan = pstmt->planTree;

	if (pstmt->commandType != CMD_SELECT || pstmt->hasModifyingCTE)
		return false;
	while (plan != NULL)
	{
		switch (nodeTag(plan))
		{
			case T_Limit:
				{
					Limit	   *limit = (Limit *) plan;

					/* OFFSET and LIMIT are evaluated before anything else */
					if ((limit->limitOffset != NULL && !IsA(limit->limitOffset, Const)) ||
						(limit->limitCount != NULL && !IsA(limit->limitCount, Const)))
						return false;
					if (limit->limitCount != NULL &&
						!((Const *) limit->limitCount)->constisnull &&
						DatumGetInt64(((Const *) limit->limitCount)->constvalue) == 0)
						return true;
					plan = outerPlan(plan);
					break;
				}
			case T_Result:
				if (((Result *) plan)->resconstantqual != NULL)
					return is_const_false_qual(((Result *) plan)->resconstantqual);
				plan = outerPlan(plan);
				break;
			case T_Sort:
			case T_IncrementalSort:
			case T_Material:
			case T_Unique:
				plan = outerPlan(plan);
				break;
			case T_SubqueryScan:
				plan = ((SubqueryScan *) plan)->subplan;
				break;
			default:
				return false;
		}
	}
	return false;
}

/* ---------------------------------------------------------------------
 * Messages of running queries
 *
 * auto_explain (with log_analyze: actual row counts of every node) and the
 * like log plans at the end of a query; with client_min_messages = log, or
 * auto_explain.log_level = notice, they reach the client too -- plan text
 * with the row counts of tables the user may not read, which EXPLAIN
 * refuses to show (VB004).  While a query that reads a table the session
 * user cannot read directly is running (until its executor state is freed,
 * after auto_explain's report), messages at LOG and DEBUG levels and plans
 * logged by auto_explain at any level go to the server log only.
 * --------------------------------------------------------------------- */

typedef struct ActiveQuery
{
	MemoryContextCallback cb;
	bool		protected;		/* reads tables the session user cannot */
	bool		citus;			/* runs a Citus plan */
} ActiveQuery;

static int	active_protected = 0;
static emit_log_hook_type prev_emit_log_hook = NULL;

static void
active_query_end(void *arg)
{
	ActiveQuery *aq = (ActiveQuery *) arg;

	if (aq->protected && active_protected > 0)
		active_protected--;
	if (aq->citus && active_citus > 0)
		active_citus--;
}

/* Whether a plan reads a table the role cannot read directly. */
static bool
reads_table_denied_to(PlannedStmt *pstmt, Oid roleid)
{
	ListCell   *lc;

	/* (a background process without a session user talks to no client) */
	if (!OidIsValid(roleid) || superuser_arg(roleid))
		return false;
	foreach(lc, pstmt->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

		if (rte_is_read_table(rte) && !civic_role_can_read(roleid, rte->relid))
			return true;
	}
	return false;
}

/*
 * The role whose code asks for this query, when it is not the session user:
 * the current user -- or, while civic serves a privacy-safe view as its
 * owner (pv_citus.c), the role that asked for the view.  PostgreSQL runs one
 * role's code in another's session in a few places: maintenance (ANALYZE,
 * VACUUM and autovacuum, CREATE INDEX, REINDEX, CLUSTER, REFRESH
 * MATERIALIZED VIEW evaluate an object's expressions as its owner), a
 * SECURITY DEFINER trigger of the owner's fired by another role's write, a
 * SECURITY DEFINER function, a function's SET role clause, SET ROLE.
 * Where the session user -- a DBA or the autovacuum launcher -- reads the
 * tables directly and so is never limited, it must not be the only one to
 * pay for what that code reads: this role pays first (charge_query).  Where
 * the session user is limited it pays alone, as always, so no caller can
 * spend a function owner's budget.  The privacy rules apply to this role as
 * to the session user.  InvalidOid when it is the session user.
 */
Oid
civic_accountable_role(void)
{
	Oid			r = OidIsValid(civic_pv_caller) ? civic_pv_caller : GetUserId();

	return r == GetSessionUserId() ? InvalidOid : r;
}

/* ... the session user or the accountable role: a query a privacy rule protects */
static bool
reads_protected_table(PlannedStmt *pstmt)
{
	Oid			other = civic_accountable_role();

	return reads_table_denied_to(pstmt, GetSessionUserId()) ||
		(OidIsValid(other) && reads_table_denied_to(pstmt, other));
}

/* Track a query for as long as its executor state lives; true if protected. */
static bool
note_active_query(QueryDesc *qd, bool citus)
{
	bool		protected = reads_protected_table(qd->plannedstmt);
	ActiveQuery *aq;

	if (!protected && !citus)
		return false;
	aq = MemoryContextAllocZero(qd->estate->es_query_cxt, sizeof(ActiveQuery));
	aq->protected = protected;
	aq->citus = citus;
	aq->cb.func = active_query_end;
	aq->cb.arg = aq;
	MemoryContextRegisterResetCallback(qd->estate->es_query_cxt, &aq->cb);
	if (protected)
		active_protected++;
	if (citus)
		active_citus++;
	return protected;
}

/*
 * Whether PostgreSQL sends a message of this level to the server log (as
 * is_log_level_output() in elog.c decides): only then does emit_log_hook
 * see it.
 */
static bool
level_reaches_server_log(int elevel)
{
	if (elevel == LOG)
		return log_min_messages == LOG || log_min_messages <= ERROR;
	if (log_min_messages == LOG)
		return elevel >= FATAL;
	return elevel >= log_min_messages;
}

/* auto_explain.log_level as an elog level; -1 if not known. */
static int
level_from_name(const char *name)
{
	static const struct
	{
		const char *name;
		int			level;
	}			levels[] = {
		{"debug5", DEBUG5}, {"debug4", DEBUG4}, {"debug3", DEBUG3},
		{"debug2", DEBUG2}, {"debug1", DEBUG1}, {"debug", DEBUG2},
		{"info", INFO}, {"notice", NOTICE}, {"warning", WARNING}, {"log", LOG}
	};
	int			i;

	for (i = 0; i < lengthof(levels); i++)
		if (pg_strcasecmp(name, levels[i].name) == 0)
			return levels[i].level;
	return -1;
}

/*
 * emit_log_hook sees only messages that also go to the server log.  When
 * auto_explain is active at a level that reaches the client alone (INFO,
 * NOTICE, or DEBUG below log_min_messages), its plans of a protected query
 * could not be held back: refuse the query instead.
 */
static void
check_plan_reports(void)
{
	const char *duration = GetConfigOption("auto_explain.log_min_duration", true, false);
	const char *level_name;
	int			level;

	if (duration == NULL || strcmp(duration, "-1") == 0)
		return;
	level_name = GetConfigOption("auto_explain.log_level", true, false);
	level = level_name ? level_from_name(level_name) : LOG;
	if (level >= 0 && level_reaches_server_log(level))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_CIVIC_EXPLAIN_REFUSED),
			 errmsg("auto_explain would send the plan of a query that reads tables you cannot read directly to your session"),
			 errdetail("auto_explain.log_level is \"%s\", which does not go to the server log; plans show row counts of the underlying tables.",
					   level_name ? level_name : "?"),
			 errhint("Ask an administrator to set auto_explain.log_level to log (plans then go to the server log only).")));
}

/* A plan reported by auto_explain (or a module that reports like it). */
static bool
is_plan_report(ErrorData *edata)
{
	if (edata->filename != NULL && strcmp(edata->filename, "auto_explain.c") == 0)
		return true;
	return edata->message_id != NULL &&
		strncmp(edata->message_id, "duration: ", 10) == 0 &&
		strstr(edata->message_id, "plan:") != NULL;
}

/* emit_log_hook: keep plans of protected queries away from the client. */
static void
civic_emit_log(ErrorData *edata)
{
	if (active_protected > 0 && edata->output_to_client &&
		(edata->elevel <= LOG || is_plan_report(edata)))
		edata->output_to_client = false;
	if (prev_emit_log_hook)
		prev_emit_log_hook(edata);
}

/* ---------------------------------------------------------------------
 * The executor hook
 * --------------------------------------------------------------------- */

static ExecutorStart_hook_type prev_ExecutorStart = NULL;
static ProcessUtility_hook_type prev_ProcessUtility = NULL;

/* Depth of EXPLAIN statements being run by this backend. */
static int	explain_depth = 0;

/*
 * Note when an EXPLAIN statement runs, so that its plans (whose output goes
 * to the user) can be told from plans instrumented for the server log
 * (auto_explain).
 */
static void
civic_ProcessUtility(PlannedStmt *pstmt, const char *queryString,
					 bool readOnlyTree, ProcessUtilityContext context,
					 ParamListInfo params, QueryEnvironment *queryEnv,
					 DestReceiver *dest, QueryCompletion *qc)
{
	bool		is_explain = IsA(pstmt->utilityStmt, ExplainStmt);

	if (is_explain)
		explain_depth++;
	PG_TRY();
	{
		if (prev_ProcessUtility)
			prev_ProcessUtility(pstmt, queryString, readOnlyTree, context,
								params, queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
									params, queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		if (is_explain)
			explain_depth--;
	}
	PG_END_TRY();
}

typedef struct UnreadableCtx
{
	Oid			viewid;
	Oid			roleid;
} UnreadableCtx;

/* A table the role cannot read directly, or another view, in a view. */
static bool
view_reads_unreadable_walker(Node *node, void *context)
{
	UnreadableCtx *ctx = (UnreadableCtx *) context;

	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind != RTE_RELATION || rte->relid == ctx->viewid)
			return false;
		return rte->relkind == RELKIND_VIEW ||
			!civic_role_can_read(ctx->roleid, rte->relid);
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, view_reads_unreadable_walker,
								 context, QTW_EXAMINE_RTES_BEFORE);
	return expression_tree_walker(node, view_reads_unreadable_walker, context);
}

/*
 * Whether a view served through civic._private_view_rows() (src/pv_citus.c)
 * reads a table the role cannot read directly: its plan is not in the
 * EXPLAIN, but the function scan's counters (buffers, WAL) would include
 * the view's reads.
 */
static bool
served_view_reads_unreadable(Oid viewid, Oid roleid)
{
	Relation	rel = relation_open(viewid, AccessShareLock);
	UnreadableCtx ctx;
	bool		result = true;

	ctx.viewid = viewid;
	ctx.roleid = roleid;
	if (rel->rd_rel->relkind == RELKIND_VIEW && rel->rd_rules != NULL)
		result = query_tree_walker(get_view_query(rel), view_reads_unreadable_walker,
								   &ctx, QTW_EXAMINE_RTES_BEFORE);
	relation_close(rel, AccessShareLock);
	return result;
}

/* Refuse EXPLAIN over tables the current user cannot read directly. */
static void
check_explain(QueryDesc *qd)
{
	Oid			userid = GetUserId();
	ListCell   *lc;
	List	   *views = NIL;
	bool		refuse = false;

	if (superuser_arg(userid) || !OidIsValid(get_extension_oid("civic", true)))
		return;
	/* (views read through civic._private_view_rows(), also by hand) */
	if (civic_meter_served_views)
		views = civic_meter_served_views(qd->plannedstmt, true);
	foreach(lc, qd->plannedstmt->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

		if (rte_is_read_table(rte) && !civic_role_can_read(userid, rte->relid))
			refuse = true;
	}
	foreach(lc, views)
		if (!refuse)
			refuse = served_view_reads_unreadable(lfirst_oid(lc), userid);
	if (refuse)
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_EXPLAIN_REFUSED),
				 errmsg("EXPLAIN is not allowed on a query that reads tables you cannot read directly"),
				 errdetail("Plans show row counts and estimates of the underlying tables, which are not differentially private."),
				 errhint("Ask a budget administrator to explain the query.")));
}

/*
 * Cost of one aggregate against a dataset whose units reach k groups, in
 * (epsilon, delta) by basic composition and in zCDP rho (composition adds
 * rho; a group of k rows costs k^2 rho: Bun and Steinke 2016, Lemma 2.3 and
 * Proposition 1.9).
 */
static void
aggregate_cost(DpFound *f, int32 k, double *eps, double *delta, double *rho)
{
	double		e = f->epsilon,
				d = f->delta,
				r = civic_dp_rho(f->info, f->epsilon, f->delta);

	if (k <= 1)
	{
		*eps = e * (f->grouped ? f->nsets : 1);
		*delta = d * (f->grouped ? f->nsets : 1);
		*rho = r * (f->grouped ? f->nsets : 1);
	}
	else if (f->info->per_unit)
	{
		/* a unit is bounded to one contribution per group: k groups */
		int			m = f->grouped ? k * f->nsets : 1;

		*eps = e * m;
		*delta = d * m;
		*rho = r * m;
	}
	else
	{
		/* row-level aggregate: group privacy over up to k rows of a unit */
		int			m = f->grouped ? f->nsets : 1;

		*eps = k * e * m;
		*delta = d > 0 ? k * exp((k - 1) * e) * d * m : 0;
		*rho = (double) k * k * r * m;
	}
}

/* Whether an aggregate found in a plan is one already counted. */
static bool
found_is_dup(DpFound *f, List *found)
{
	ListCell   *lc;

	foreach(lc, found)
	{
		DpFound    *g = lfirst(lc);

		if (g == f)
			break;
		if (g->agg == f->agg && g->agg != NULL &&
			g->aggref->aggno == f->aggref->aggno)
			return true;
	}
	return false;
}

/* Total cost of a list of aggregates against a dataset. */
static void
aggregates_cost(List *aggs, bool dedup, int32 k, double *eps, double *delta,
				double *rho)
{
	ListCell   *lc;

	*eps = *delta = *rho = 0;
	foreach(lc, aggs)
	{
		DpFound    *f = lfirst(lc);
		double		e,
					d,
					r;

		if (!f->valid || (dedup && found_is_dup(f, aggs)))
			continue;
		aggregate_cost(f, k, &e, &d, &r);
		*eps += e;
		*delta += d;
		*rho += r;
	}
}

/*
 * Append a charge of rho alone (no epsilon, no delta): what the full price
 * of the DP views read exceeds the plan's aggregates by in zCDP rho when
 * those cover it in epsilon and delta (or the other way round).  A budget
 * kept in zCDP limits rho, so it must be charged the larger rho too.
 */
static void
add_rho_topup(CivicCharge *charges, int *ncharges, CivicDatasetKey *ds,
			  bool readable, double rho)
{
	CivicCharge *c = &charges[(*ncharges)++];

	memcpy(&c->ds, ds, sizeof(CivicDatasetKey));
	c->readable = readable;
	strlcpy(c->aggregate, "(view price)", NAMEDATALEN);
	strlcpy(c->mechanism, "rho", sizeof(c->mechanism));
	c->epsilon = 0;
	c->delta = 0;
	c->rho = rho;
}

/* Append one charge line per aggregate of a list against a dataset. */
static void
add_charge_lines(CivicCharge *charges, int *ncharges, List *aggs, bool dedup,
				 CivicDatasetKey *ds, int32 k, bool readable)
{
	ListCell   *lc;

	foreach(lc, aggs)
	{
		DpFound    *f = lfirst(lc);
		CivicCharge *c;

		if (!f->valid || (dedup && found_is_dup(f, aggs)))
			continue;
		c = &charges[(*ncharges)++];
		memcpy(&c->ds, ds, sizeof(CivicDatasetKey));
		c->readable = readable;
		strlcpy(c->aggregate, f->info->name, NAMEDATALEN);
		strlcpy(c->mechanism, civic_dp_mechanism(f->info, f->delta), sizeof(c->mechanism));
		aggregate_cost(f, k, &c->epsilon, &c->delta, &c->rho);
	}
}

/* A budget as a number, or "unlimited". */
static char *
fmt_units(int64 units, double scale)
{
	if (units == CIVIC_UNLIMITED)
		return "unlimited";
	return psprintf("%.15g", civic_units_value(units, scale));
}

/* The ledger refused a charge: a budget is too small (VB001). */
static void
report_refusal(const CivicCharge *charges, const CivicLedgerRefusal *r)
{
	const CivicBudgetState *st = &r->state;
	int64		rem_eps,
				rem_delta;

	if (st->zcdp)
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_BUDGET_EXCEEDED),
				 errmsg("privacy budget exceeded for dataset %s",
						civic_dataset_display(&charges[r->charge].ds)),
				 errdetail("The budget is kept in zCDP: spent rho %s; requested rho %s; remaining rho %s of %s.",
						   fmt_units(st->spent_rho, CIVIC_RHO_SCALE),
						   fmt_units(r->req_rho, CIVIC_RHO_SCALE),
						   fmt_units(Max(st->limit_rho - st->spent_rho, 0), CIVIC_RHO_SCALE),
						   fmt_units(st->limit_rho, CIVIC_RHO_SCALE)),
				 errhint("Ask a budget administrator to raise the budget with civic.set_budget(), or ask for a smaller epsilon.")));
	rem_eps = st->limit_eps == CIVIC_UNLIMITED ? CIVIC_UNLIMITED :
		Max(st->limit_eps - st->spent_eps, 0);
	rem_delta = st->limit_delta == CIVIC_UNLIMITED ? CIVIC_UNLIMITED :
		Max(st->limit_delta - st->spent_delta, 0);
	ereport(ERROR,
			(errcode(ERRCODE_CIVIC_BUDGET_EXCEEDED),
			 errmsg("privacy budget exceeded for dataset %s",
					civic_dataset_display(&charges[r->charge].ds)),
			 errdetail("Spent epsilon %s, delta %s; requested epsilon %s, delta %s; remaining epsilon %s, delta %s.",
					   fmt_units(st->spent_eps, CIVIC_EPS_SCALE),
					   fmt_units(st->spent_delta, CIVIC_DELTA_SCALE),
					   fmt_units(r->req_eps, CIVIC_EPS_SCALE),
					   fmt_units(r->req_delta, CIVIC_DELTA_SCALE),
					   fmt_units(rem_eps, CIVIC_EPS_SCALE),
					   fmt_units(rem_delta, CIVIC_DELTA_SCALE)),
			 errhint("Ask a budget administrator to raise the budget with civic.set_budget(), or ask for a smaller epsilon.")));
}

/*
 * Charge a query to the session user: on every dataset it reads, the cost
 * of the DP aggregates in its plan or the full price of the DP views it
 * reads, whichever is larger in epsilon and delta (both, in the rare case
 * where neither covers the other's epsilon and delta), and in zCDP rho at
 * least the larger rho of the two (a charge of the difference in rho alone).
 */
static void
charge_query(QueryDesc *qd, List *found, List *dp_views, Oid roleid, Oid bystander)
{
	List	   *dss = NIL;		/* datasets read */
	List	   *ks = NIL;		/* their max groups per unit */
	List	   *readable = NIL; /* whether the role reads them directly */
	List	   *by_reads = NIL; /* ... whether the bystander does */
	List	   *view_aggs = NIL;
	CivicCharge *charges;
	CivicLedgerRefusal refusal;
	int			ncharges = 0;
	const char *text;
	ListCell   *lc,
			   *lc2,
			   *lck,
			   *lcr;

	foreach(lc, qd->plannedstmt->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);
		CivicDatasetKey *ds;
		int32		k;
		int			pos = 0;
		bool		dup = false;
		bool		can_read;
		bool		by_read;

		if (!rte_is_read_table(rte))
			continue;
		ds = palloc(sizeof(CivicDatasetKey));
		civic_table_dataset(rte->relid, ds, &k);
		can_read = civic_role_can_read(roleid, rte->relid);
		by_read = OidIsValid(bystander) && civic_role_can_read(bystander, rte->relid);
		foreach(lc2, dss)
		{
			if (memcmp(lfirst(lc2), ds, sizeof(CivicDatasetKey)) == 0)
			{
				dup = true;
				if (!can_read)
					list_nth_cell(readable, pos)->int_value = 0;
				if (!by_read)
					list_nth_cell(by_reads, pos)->int_value = 0;
			}
			pos++;
		}
		if (!dup)
		{
			dss = lappend(dss, ds);
			ks = lappend_int(ks, k);
			readable = lappend_int(readable, can_read ? 1 : 0);
			by_reads = lappend_int(by_reads, by_read ? 1 : 0);
		}
	}

	/*
	 * Charging the role whose code runs in a bystander's session: only the
	 * datasets the bystander reads directly (it is never limited there) and
	 * this role does not (it is); the bystander pays the others itself.
	 */
	if (OidIsValid(bystander))
	{
		List	   *keep_ds = NIL,
				   *keep_k = NIL,
				   *keep_r = NIL;

		forthree(lc2, dss, lck, ks, lcr, readable)
		{
			if (lfirst_int(lcr) == 0 && list_nth_int(by_reads, foreach_current_index(lc2)) != 0)
			{
				keep_ds = lappend(keep_ds, lfirst(lc2));
				keep_k = lappend_int(keep_k, lfirst_int(lck));
				keep_r = lappend_int(keep_r, 0);
			}
		}
		if (keep_ds == NIL)
			return;
		dss = keep_ds;
		ks = keep_k;
		readable = keep_r;
	}
	if (dss == NIL)
	{
		CivicDatasetKey *ds = palloc0(sizeof(CivicDatasetKey));

		ds->dbid = MyDatabaseId;
		ds->kind = CIVIC_DS_NONE;
		dss = lappend(dss, ds);
		ks = lappend_int(ks, 1);
		readable = lappend_int(readable, 1);
	}

	foreach(lc, dp_views)
	{
		Oid			viewid = lfirst_oid(lc);
		bool		is_dp;
		List	   *aggs = view_dp_walk(viewid, qd->estate, &is_dp);

		/* a view whose price is nothing would make its reads free */
		if (is_dp && aggs == NIL)
			ereport(ERROR,
					(errcode(ERRCODE_CIVIC_UNMETERABLE),
					 errmsg("view %s has no differentially-private aggregate with valid privacy parameters",
							quote_qualified_identifier(get_namespace_name(get_rel_namespace(viewid)),
													   get_rel_name(viewid))),
					 errdetail("Reading a view of DP aggregates is charged the cost of its aggregates, which cannot be zero."),
					 errhint("Ask its owner to give the view's aggregates a valid epsilon and delta.")));
		view_aggs = list_concat(view_aggs, aggs);
	}

	charges = palloc0(sizeof(CivicCharge) * list_length(dss) *
					  (list_length(found) + list_length(view_aggs) + 2));
	forthree(lc2, dss, lck, ks, lcr, readable)
	{
		CivicDatasetKey *ds = lfirst(lc2);
		int32		k = lfirst_int(lck);
		bool		can_read = lfirst_int(lcr) != 0;
		double		pe,
					pd,
					pr,
					ve,
					vd,
					vr;

		aggregates_cost(found, true, k, &pe, &pd, &pr);
		aggregates_cost(view_aggs, false, k, &ve, &vd, &vr);
		/*
		 * The larger in epsilon and delta (basic accounting) and in rho
		 * (zCDP accounting): an analyst's own aggregate of large epsilon
		 * and delta but small rho must not stand in for a view's price.
		 */
		if (pe >= ve && pd >= vd)
		{
			add_charge_lines(charges, &ncharges, found, true, ds, k, can_read);
			if (vr > pr)
				add_rho_topup(charges, &ncharges, ds, can_read, vr - pr);
		}
		else if (ve >= pe && vd >= pd)
		{
			add_charge_lines(charges, &ncharges, view_aggs, false, ds, k, can_read);
			if (pr > vr)
				add_rho_topup(charges, &ncharges, ds, can_read, pr - vr);
		}
		else
		{
			add_charge_lines(charges, &ncharges, found, true, ds, k, can_read);
			add_charge_lines(charges, &ncharges, view_aggs, false, ds, k, can_read);
		}
	}
	/*
	 * The ledger row's text is the statement's own; a plan run under another
	 * (a Citus subplan of a CTE or UNION, whose QueryDesc has an empty text)
	 * records the client's statement that caused it.
	 */
	text = qd->sourceText;
	if ((text == NULL || text[0] == '\0') && debug_query_string != NULL)
		text = debug_query_string;
	if (!civic_ledger_charge(roleid, charges, ncharges,
							 qd->plannedstmt->queryId, text, &refusal))
		report_refusal(charges, &refusal);
}

/*
 * Whether a plan reads a Citus table or shard (docs/citus.md): on a node
 * other than the coordinator (a worker, or a Citus MX node) such a read is
 * not metered against the cluster's one budget, so DP over it is refused.
 */
static bool
reads_distributed(PlannedStmt *pstmt)
{
	ListCell   *lc;

	foreach(lc, pstmt->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

		if (rte_is_read_table(rte) && civic_table_is_distributed(rte->relid))
			return true;
	}
	return false;
}

/* Whether two DP aggregates of one kind have the same parameters. */
static bool
same_dp_call(DpFound *a, DpFound *b)
{
	Aggref	   *x = civic_dp_source_aggref((Plan *) a->agg, a->aggref);
	Aggref	   *y = civic_dp_source_aggref((Plan *) b->agg, b->aggref);
	int			j;

	if (x == NULL || y == NULL || x->aggfnoid != y->aggfnoid || !a->valid || !b->valid ||
		a->epsilon != b->epsilon || a->delta != b->delta)
		return false;
	for (j = 0; j < CIVIC_DP_NPARAMS; j++)
	{
		Expr	   *ex = civic_dp_arg(a->info, x, j);
		Expr	   *ey = civic_dp_arg(b->info, y, j);

		if (ex == NULL && ey == NULL)
			continue;
		if (ex == NULL || ey == NULL ||
			!equal(eval_const_expressions(NULL, (Node *) ex),
				   eval_const_expressions(NULL, (Node *) ey)))
			return false;
	}
	return true;
}

/*
 * A query run inside a Citus plan whose DP aggregates are all among those a
 * running query was charged for, for a task Citus finalises locally
 * (citus_plan.c): claim them (each serves once) and say so.
 */
static List *
plan_datasets(PlannedStmt *pstmt)
{
	List	   *dss = NIL;
	ListCell   *lc;

	foreach(lc, pstmt->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);
		CivicDatasetKey *ds;
		int32		k;

		if (!rte_is_read_table(rte))
			continue;
		ds = palloc(sizeof(CivicDatasetKey));
		civic_table_dataset(rte->relid, ds, &k);
		dss = lappend(dss, ds);
	}
	return dss;
}

static bool
datasets_within(List *inner, List *outer)
{
	ListCell   *lc,
			   *lc2;

	foreach(lc, inner)
	{
		bool		found = false;

		foreach(lc2, outer)
			if (memcmp(lfirst(lc), lfirst(lc2), sizeof(CivicDatasetKey)) == 0)
				found = true;
		if (!found)
			return false;
	}
	return true;
}

static bool
local_task_claim(PlannedStmt *pstmt, List *found)
{
	LocalTaskCharge *lt;
	ListCell   *lc,
			   *lc2;
	List	   *claimed = NIL;
	List	   *reads;

	if (!civic_node_meters_distributed() || is_citus_internal_session())
		return false;
	reads = plan_datasets(pstmt);
	for (lt = local_tasks; lt != NULL; lt = lt->next)
	{
		/* a task of that query reads (shards of) its tables, nothing else */
		if (!datasets_within(reads, lt->datasets))
			continue;
		claimed = NIL;
		foreach(lc, found)
		{
			DpFound    *f = lfirst(lc);
			DpFound    *match = NULL;

			foreach(lc2, lt->pending)
				if (!list_member_ptr(claimed, lfirst(lc2)) && same_dp_call(lfirst(lc2), f))
				{
					match = lfirst(lc2);
					break;
				}
			if (match == NULL)
				break;
			claimed = lappend(claimed, match);
		}
		if (list_length(claimed) == list_length(found))
		{
			foreach(lc, claimed)
				lt->pending = list_delete_ptr(lt->pending, lfirst(lc));
			return true;
		}
	}
	return false;
}

/*
 * Whether qd is a parallel worker's share of its leader's plan: the one
 * executor ParallelQueryMain starts in the worker, sending its rows to the
 * leader through a tuple queue.  The leader checked and charged that plan as
 * a whole.  Any other query a worker runs -- started through SPI by a
 * function marked PARALLEL SAFE, from the worker's share -- is a query of
 * its own, which no leader saw.
 */
bool
civic_parallel_share(QueryDesc *qd)
{
	static QueryDesc *share = NULL;

	if (!IsParallelWorker())
		return false;
	if (share == NULL && qd->dest != NULL && qd->dest->mydest == DestTupleQueue)
		share = qd;
	return qd == share;
}

static void
meter_query(QueryDesc *qd, int eflags)
{
	WalkState	ws;
	ListCell   *lc;
	int			nsub,
				i,
				n;
	bool		explain_only = (eflags & EXEC_FLAG_EXPLAIN_ONLY) != 0;
	bool		nested_in_citus = active_citus > 0;
	List	   *dp_views = NIL;
	List	   *local_found = NIL;
	bool		task_of_local = false;
	bool		share = civic_parallel_share(qd);
	MeteredQuery *mq;

	/* a plan shown to the user by EXPLAIN (with or without ANALYZE) */
	if (!share &&
		(explain_only || (explain_depth > 0 && qd->instrument_options != 0)))
		check_explain(qd);
	if (explain_only)
		return;

	memset(&ws, 0, sizeof(ws));
	ws.pstmt = qd->plannedstmt;
	ws.estate = qd->estate;
	nsub = list_length(qd->plannedstmt->subplans);
	ws.seen_subplan = palloc0(sizeof(bool) * (nsub + 1));
	walk_plan(qd->plannedstmt->planTree, &ws, false);
	/*
	 * Subplans reached by no path we know of: assume they can re-run.  A
	 * parallel worker's plan is the part below Gather; the other subplans it
	 * carries (CTEs, init plans) run in the leader, which checked them.
	 */
	for (i = 0; i < nsub && !share; i++)
		if (!ws.seen_subplan[i])
		{
			ws.seen_subplan[i] = true;
			walk_plan(list_nth(qd->plannedstmt->subplans, i), &ws, true);
		}

	/* a task Citus will finalise locally: charge its noted aggregates */
	foreach(lc, civic_noted_local_task(qd->plannedstmt))
	{
		Aggref	   *orig = lfirst_node(Aggref, lc);

		ws.cur_agg = NULL;		/* (taken as grouped: the costlier case) */
		found_dp_aggref(orig, civic_dp_agg_info(orig->aggfnoid), &ws);
		local_found = lappend(local_found, llast(ws.found));
	}
	/*
	 * ... and the task itself: only those aggregates, each once, in a plan
	 * that reads Citus's intermediate results as the task does (not a DP
	 * query of a function run meanwhile, in a CTE's task, over other data)
	 */
	if (nested_in_citus && ws.citus && ws.found != NIL &&
		!civic_plan_noted(qd->plannedstmt))
		task_of_local = local_task_claim(qd->plannedstmt, ws.found);

	if (note_active_query(qd, ws.citus) && !share)
		check_plan_reports();
	/* (the leader charges for the whole plan; its workers only register) */
	if (!share)
		dp_views = dp_view_references(qd->plannedstmt);
	if (ws.found == NIL && dp_views == NIL)
		return;

	/*
	 * A query a parallel worker starts of its own (a PARALLEL SAFE function
	 * running SQL): a worker cannot write the ledger, and no leader charged
	 * it.  Refused, or every call of the function would be a free answer.
	 */
	if (IsParallelWorker() && !share)
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_UNMETERABLE),
				 errmsg("differentially-private aggregates and privacy-safe views cannot be used in a query run inside a parallel worker"),
				 errdetail("A function marked PARALLEL SAFE ran the query in a parallel worker, which cannot charge the privacy budget."),
				 errhint("Mark the function PARALLEL RESTRICTED or PARALLEL UNSAFE.")));


	/*
	 * Distributed plans are metered when civic's planner hook shaped and
	 * checked them (citus_plan.c): partial states on the workers, noise and
	 * charge on the coordinator.  Any other plan with Citus nodes, a query
	 * run nested inside a Citus plan (a shard query Citus executes locally)
	 * and every connection between Citus nodes are refused.
	 */
	if (is_citus_internal_session() ||
		((ws.citus || nested_in_citus) && !civic_plan_noted(qd->plannedstmt) &&
		 !task_of_local))
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_DISTRIBUTED),
				 errmsg("differentially-private aggregates are not supported in this distributed (Citus) query"),
				 errdetail(ws.citus ?
						   "The plan has a Citus distributed scan or reads a Citus intermediate result; its parts would be charged on different nodes, to the wrong accounts." :
						   nested_in_citus ?
						   "The query runs inside a distributed (Citus) plan; its parts would be charged on different nodes, to the wrong accounts." :
						   "The session is a connection between Citus nodes (its application_name is Citus's); a worker cannot charge the coordinator's session user."),
				 errhint("Compute the aggregate over tables that are not distributed, for instance a local copy.")));
	if (!civic_node_meters_distributed() && reads_distributed(qd->plannedstmt))
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_DISTRIBUTED),
				 errmsg("differentially-private aggregates over distributed (Citus) data run on the coordinator only"),
				 errdetail("The query reads a Citus table or shard on a node that is not the Citus coordinator; the budgets of distributed tables are kept on the coordinator alone."),
				 errhint("Connect to the coordinator.")));

	/*
	 * Citus reads a distributed table's shards on the workers as the
	 * current user: a privacy-safe view over one, read by a role without
	 * rights on its tables, would fail there after being charged.  Refuse
	 * it before.  (pv_citus.c serves such a view as its owner, so this
	 * stops only a read that bypasses it.)
	 */
	if (dp_views != NIL && (ws.citus || civic_plan_noted(qd->plannedstmt)) &&
		reads_table_denied_to(qd->plannedstmt, GetUserId()))
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_DISTRIBUTED),
				 errmsg("a privacy-safe view over a distributed (Citus) table cannot be read by a role without rights on its tables"),
				 errdetail("Citus reads the shards on the workers as the current user; the query would fail there after being charged."),
				 errhint("Read the view as a role that can read its tables, or over a local copy.")));

	/* a plan that returns no row without reading anything costs nothing */
	if (plan_runs_nothing(qd->plannedstmt))
		return;

	/*
	 * The full price covers one evaluation of each view.  A privacy-safe
	 * view (it always aggregates) whose aggregates were dropped may still be
	 * re-evaluated by the plan -- in a LATERAL or correlated subquery, on
	 * the inner side of a nested loop -- each time reading its private
	 * table again for one charge: refused, as its aggregates would be.
	 */
	if (dp_views != NIL)
	{
		Oid			roleid = GetSessionUserId();
		Oid			other = civic_accountable_role();

		foreach(lc, ws.rescanned_groupings)
			if (plan_scans_protected(lfirst(lc), qd->plannedstmt, roleid) ||
				(OidIsValid(other) &&
				 plan_scans_protected(lfirst(lc), qd->plannedstmt, other)))
				ereport(ERROR,
						(errcode(ERRCODE_CIVIC_UNMETERABLE),
						 errmsg("a privacy-safe view cannot be read where the plan may evaluate it more than once"),
						 errdetail("The view is inside a correlated subquery, a LATERAL subquery, the inner side of a nested loop or a recursive query; each evaluation would read its private tables again."),
						 errhint("Read the view in a WITH query (CTE) or a plain subquery in FROM, and join to its result.")));
	}

	/* (a local task's aggregates were charged with the query it is part of) */
	if (!share && !task_of_local)
	{
		Oid			other = civic_accountable_role();

		/* the role whose code runs first: its refusal charges nobody */
		if (OidIsValid(other))
			charge_query(qd, ws.found, dp_views, other, GetSessionUserId());
		charge_query(qd, ws.found, dp_views, GetSessionUserId(), InvalidOid);
	}
	if (local_found != NIL)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(qd->estate->es_query_cxt);
		LocalTaskCharge *lt = palloc0(sizeof(LocalTaskCharge));

		foreach(lc, local_found)
		{
			DpFound    *copy = palloc(sizeof(DpFound));

			memcpy(copy, lfirst(lc), sizeof(DpFound));
			lt->pending = lappend(lt->pending, copy);
		}
		lt->datasets = plan_datasets(qd->plannedstmt);
		MemoryContextSwitchTo(oldcxt);
		lt->cb.func = local_task_forget;
		lt->cb.arg = lt;
		lt->next = local_tasks;
		if (local_tasks)
			local_tasks->prev = lt;
		local_tasks = lt;
		MemoryContextRegisterResetCallback(qd->estate->es_query_cxt, &lt->cb);
		foreach(lc, local_found)
			ws.found = list_delete_ptr(ws.found, lfirst(lc));
	}
	if (ws.found == NIL)
		return;

	/* register what was charged for, for the lifetime of the executor */
	n = list_length(ws.found);
	mq = MemoryContextAllocZero(qd->estate->es_query_cxt,
								offsetof(MeteredQuery, aggs) + sizeof(MeteredAgg) * n);
	i = 0;
	foreach(lc, ws.found)
	{
		DpFound    *f = lfirst(lc);
		MeteredAgg *m = &mq->aggs[i++];

		m->key = f->key;
		m->epsilon = f->epsilon;
		m->delta = f->delta;
		m->mechanism = civic_dp_mechanism(f->info, f->delta);
		m->grouped = f->grouped;
		m->nsets = f->nsets;
	}
	mq->n = n;
	mq->cb.func = metered_query_forget;
	mq->cb.arg = mq;
	mq->next = metered_head;
	if (metered_head)
		metered_head->prev = mq;
	metered_head = mq;
	MemoryContextRegisterResetCallback(qd->estate->es_query_cxt, &mq->cb);
}

static void
civic_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	if (prev_ExecutorStart)
		prev_ExecutorStart(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
	meter_query(queryDesc, eflags);
}

/* Install the metering hook; only when civic is preloaded. */
void
civic_meter_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_ExecutorStart = ExecutorStart_hook;
	ExecutorStart_hook = civic_ExecutorStart;
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = civic_ProcessUtility;
	prev_emit_log_hook = emit_log_hook;
	emit_log_hook = civic_emit_log;
	EnableQueryId();
	CacheRegisterSyscacheCallback(PROCOID, view_cache_proc_invalidate, (Datum) 0);
	civic_register_relcache_callback(view_cache_invalidate, (Datum) 0);
}

/* ---------------------------------------------------------------------
 * The call made by every DP final function
 * --------------------------------------------------------------------- */

/*
 * Account for one evaluation of a DP aggregate: allow it only if the
 * running query was metered for this aggregate at this cost.  Raises an
 * ERROR otherwise, in which case no noise is drawn and nothing returned.
 */
static void account_metered(const void *key, const CivicPrivacyCost *cost);

void
civic_privacy_account(FunctionCallInfo fcinfo, const CivicPrivacyCost *cost)
{
	Aggref	   *aggref;

	/* (the final function validated them with the same rule) */
	if (!civic_dp_privacy_valid(cost->epsilon, cost->delta))
		elog(ERROR, "civic: invalid privacy cost epsilon %g, delta %g for %s",
			 cost->epsilon, cost->delta, cost->aggregate);

	if (!civic_ledger_enabled())
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_NOT_METERED),
				 errmsg("%s needs civic in shared_preload_libraries", cost->aggregate),
				 errdetail("Differential-privacy aggregates refuse to run unless every evaluation is charged to a privacy budget, which needs civic preloaded."),
				 errhint("Add civic to shared_preload_libraries in postgresql.conf and restart the server.")));

	aggref = AggGetAggref(fcinfo);
	if (aggref == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_NOT_METERED),
				 errmsg("%s can only be evaluated as an ordinary aggregate", cost->aggregate),
				 errdetail("It was called as a window function or directly, where its privacy cost cannot be metered.")));
	account_metered(aggref, cost);
}

/*
 * The same for one evaluation of a release function (dp_release.c): allow
 * it only where the meter charged its call, the plan's node, as the DP
 * aggregate the planner hook put it in place of.
 */
void
civic_privacy_account_release(FunctionCallInfo fcinfo, const CivicPrivacyCost *cost)
{
	if (!civic_dp_privacy_valid(cost->epsilon, cost->delta))
		elog(ERROR, "civic: invalid privacy cost epsilon %g, delta %g for %s",
			 cost->epsilon, cost->delta, cost->aggregate);
	if (!civic_ledger_enabled())
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_NOT_METERED),
				 errmsg("%s needs civic in shared_preload_libraries", cost->aggregate),
				 errdetail("Differential-privacy aggregates refuse to run unless every evaluation is charged to a privacy budget, which needs civic preloaded.")));
	if (fcinfo->flinfo == NULL || fcinfo->flinfo->fn_expr == NULL)
		civic_privacy_unmetered(cost->aggregate);
	account_metered(fcinfo->flinfo->fn_expr, cost);
}

/* Check an evaluation against what the meter charged for KEY, and count it. */
static void
account_metered(const void *key, const CivicPrivacyCost *cost)
{
	MeteredAgg *m = metered_lookup(key);

	if (m == NULL)
		civic_privacy_unmetered(cost->aggregate);
	if (!(cost->epsilon <= m->epsilon * (1.0 + 1e-12)) ||
		!(cost->delta <= m->delta * (1.0 + 1e-12)))
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_NOT_METERED),
				 errmsg("evaluation of %s costs more than was charged", cost->aggregate),
				 errdetail("Charged epsilon %g, delta %g; the evaluation needs epsilon %g, delta %g.",
						   m->epsilon, m->delta, cost->epsilon, cost->delta)));
	/* both sides take it from dp_params.c: a mismatch is a bug */
	if (strcmp(cost->mechanism, m->mechanism) != 0)
		elog(ERROR, "civic: %s uses mechanism %s but was charged as %s",
			 cost->aggregate, cost->mechanism, m->mechanism);
	m->evaluations++;
	if (!m->grouped && m->evaluations > m->nsets)
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_UNMETERABLE),
				 errmsg("%s was evaluated more than once in one query", cost->aggregate),
				 errdetail("Each re-evaluation would release a new noisy answer that was not charged.")));
}

/* Refuse an evaluation the meter did not charge for (VB002). */
void
civic_privacy_unmetered(const char *aggregate)
{
	ereport(ERROR,
			(errcode(ERRCODE_CIVIC_NOT_METERED),
			 errmsg("evaluation of %s was not metered", aggregate),
			 errdetail("The aggregate runs in a query whose privacy cost was not charged to a budget."),
			 errhint("Call civic's aggregates by their own names, in an ordinary query.")));
}
