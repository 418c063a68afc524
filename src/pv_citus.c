/*
 * pv_citus.c
 *	  Privacy-safe views over Citus tables, for analysts with no rights on
 *	  the tables or their shards.
 *
 * A view reads its tables with its owner's rights, but Citus runs the shard
 * queries on the workers over connections opened as the *current* user: an
 * analyst who reads a privacy-safe view over a distributed table fails on
 * the worker (42501), and must not be given rights on the shards, which
 * would let them read the private rows directly.
 *
 * So a planner hook (installed last by _PG_init, so that it runs before
 * civic's other planner hooks and before Citus's) replaces every reference
 * to a civic DP view that reads a Citus table -- at any level of the query:
 * subqueries in FROM, sublinks, CTEs -- by a call of
 * civic._private_view_rows(view) with the view's columns (names, types,
 * typmods, collations) as its column definition list.  That function checks
 * the view again, switches to the view's owner (SECURITY_LOCAL_USERID_CHANGE
 * | SECURITY_RESTRICTED_OPERATION, search_path pg_catalog, pg_temp) and runs
 * `SELECT * FROM view` through SPI: the view is read as any read of it is --
 * the private-view re-check (private_view.c) and the meter (meter_hook.c)
 * see it and charge the *session* user, the analyst, the view's full price
 * with the analyst's budget -- and Citus opens its worker connections as the
 * owner, who may read the shards.  While it runs, the hook substitutes
 * nothing (the query it runs is the view's own).
 *
 * Why the analyst gains nothing from running the view as its owner: the
 * function boundary is opaque.  The query run as the owner is fixed text,
 * `SELECT * FROM <the view>`, with a fixed search_path; the analyst's own
 * expressions (WHERE on the view's columns, joins, functions, ORDER BY,
 * LIMIT) stay in the outer query, are evaluated over the function's output
 * as the analyst, and the planner can never push them into the owner's
 * query, as it can push quals into a view's subquery.  What runs as the
 * owner is only what the view's definition contains, and the function
 * refuses (42P17) a view whose functions, domains or tables are owned by
 * anyone but a superuser or a role with the owner's rights, so no third
 * party's code runs with the owner's identity because an analyst read the
 * view.  A security_barrier view gives the same guarantee for quals; the
 * function gives it for the identity as well.
 *
 * The permission check on the view stays in the outer query: the view's
 * own range-table entry (which carries its SELECT check, as the reader or,
 * through another view, as that view's owner) is kept, unreferenced, in the
 * query.  The call the hook makes is marked (funcformat COERCE_SQL_SYNTAX,
 * which the parser never gives this function), so the function knows the
 * executor checked the reader's right, and the meter (through
 * civic_meter_served_views) does not charge the kept entry a second time.
 * A call written by hand is unmarked: the function checks that the current
 * user may SELECT the view, and the meter charges every view the query
 * reads besides.  Each call runs the view once and is charged once: two
 * references cost twice.
 *
 * EXPLAIN of a query that reads such a view through the function (served or
 * called by hand) is refused to a user who cannot read the view's tables
 * (meter_hook.c, check_explain): the function scan's counters (buffers, WAL)
 * include the view's reads, which EXPLAIN must not show.
 *
 * Not served: a reference inside a SQL function the planner inlines, which
 * it expands after this hook has run (Citus refuses such functions over
 * distributed tables itself, 0A000).
 *
 * The function is for privacy-safe views only (42P17 for any other
 * relation): running an arbitrary view as its owner would run its functions
 * with the owner's rights, which reading a view does not.
 */
#include "postgres.h"

#include <dlfcn.h>

#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/planner.h"
#include "parser/parse_func.h"
#include "parser/parsetree.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "citus_meta.h"
#include "errcodes.h"
#include "meter.h"
#include "private_view.h"
#include "pv_citus.h"

PG_FUNCTION_INFO_V1(civic_private_view_rows);

static planner_hook_type prev_planner = NULL;
static ProcessUtility_hook_type prev_ProcessUtility = NULL;

/* >0 while civic._private_view_rows() runs its view: substitute nothing. */
static int	pv_serving = 0;

/*
 * While a view is served as its owner: the role that asked for it (the
 * current user when _private_view_rows was called), whom civic charges as
 * if it had read the view itself (meter_hook.c, civic_accountable_role).
 */
Oid			civic_pv_caller = InvalidOid;

/* civic._private_view_rows(regclass), or InvalidOid (civic not here). */
static Oid
pv_rows_funcid(void)
{
	Oid			argtypes[1] = {REGCLASSOID};

	if (!OidIsValid(get_namespace_oid("civic", true)))
		return InvalidOid;
	return LookupFuncName(list_make2(makeString("civic"),
									 makeString("_private_view_rows")),
						  1, argtypes, true);
}

/* ---------------------------------------------------------------------
 * The planner hook
 * --------------------------------------------------------------------- */

static bool
pv_reads_citus_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		return rte->rtekind == RTE_RELATION && rte->relkind != RELKIND_VIEW &&
			civic_citus_is_table(rte->relid);
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, pv_reads_citus_walker, context,
								 QTW_EXAMINE_RTES_BEFORE);
	return expression_tree_walker(node, pv_reads_citus_walker, context);
}

/*
 * The view whose expansion a subquery entry is (the rewriter turns a view's
 * entry into a subquery whose first entry is the view itself, carrying the
 * permission check), or InvalidOid.
 */
static RangeTblEntry *
pv_view_entry(RangeTblEntry *rte)
{
	RangeTblEntry *first;

	if (rte->rtekind != RTE_SUBQUERY || rte->subquery == NULL ||
		rte->subquery->rtable == NIL)
		return NULL;
	first = linitial_node(RangeTblEntry, rte->subquery->rtable);
	if (first->rtekind != RTE_RELATION || first->relkind != RELKIND_VIEW)
		return NULL;
	return first;
}

/*
 * Replace the subquery entry RTE (a DP view over Citus tables) by a call
 * of civic._private_view_rows(); return the view's entry to keep for the
 * permission check, or NULL if RTE is left alone.
 */
static RangeTblEntry *
pv_substitute(Query *q, int rti, RangeTblEntry *rte, Oid *funcid)
{
	RangeTblEntry *view = pv_view_entry(rte);
	Relation	rel;
	TupleDesc	td;
	List	   *names = NIL,
			   *types = NIL,
			   *typmods = NIL,
			   *colls = NIL;
	ListCell   *lc;
	int			i = 0;
	bool		ok = true;
	FuncExpr   *fe;
	RangeTblFunction *rtf;

	if (view == NULL)
		return NULL;
	if (!query_tree_walker(rte->subquery, pv_reads_citus_walker, NULL,
						   QTW_EXAMINE_RTES_BEFORE) ||
		!civic_view_is_dp(view->relid))
		return NULL;
	/* row locks of the view's rows are refused elsewhere: leave it be */
	if (get_parse_rowmark(q, rti) != NULL)
		return NULL;
	if (!OidIsValid(*funcid))
		*funcid = pv_rows_funcid();
	if (!OidIsValid(*funcid))
		return NULL;

	/* the view's columns, as its subquery returns them */
	rel = relation_open(view->relid, AccessShareLock);
	td = RelationGetDescr(rel);
	foreach(lc, rte->subquery->targetList)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);
		Form_pg_attribute att;

		if (tle->resjunk)
			continue;
		if (i >= td->natts)
		{
			ok = false;
			break;
		}
		att = TupleDescAttr(td, i++);
		if (att->attisdropped ||
			exprType((Node *) tle->expr) != att->atttypid ||
			exprTypmod((Node *) tle->expr) != att->atttypmod)
			ok = false;
		names = lappend(names, makeString(pstrdup(NameStr(att->attname))));
		types = lappend_oid(types, att->atttypid);
		typmods = lappend_int(typmods, att->atttypmod);
		colls = lappend_oid(colls, att->attcollation);
	}
	if (i != td->natts)
		ok = false;
	relation_close(rel, NoLock);
	if (!ok)
		return NULL;			/* (a read of it fails closed as before) */

	fe = makeFuncExpr(*funcid, RECORDOID,
					  list_make1(makeConst(REGCLASSOID, -1, InvalidOid,
										   sizeof(Oid),
										   ObjectIdGetDatum(view->relid),
										   false, true)),
					  InvalidOid, InvalidOid, COERCE_SQL_SYNTAX);
	fe->funcretset = true;
	fe->location = -1;
	rtf = makeNode(RangeTblFunction);
	rtf->funcexpr = (Node *) fe;
	rtf->funccolcount = list_length(types);
	rtf->funccolnames = names;
	rtf->funccoltypes = types;
	rtf->funccoltypmods = typmods;
	rtf->funccolcollations = colls;

	view = copyObject(view);
	rte->rtekind = RTE_FUNCTION;
	rte->subquery = NULL;
	rte->security_barrier = false;
	rte->functions = list_make1(rtf);
	rte->funcordinality = false;
	return view;
}

static void pv_substitute_query(Query *q, Oid *funcid);

static bool
pv_sublink_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		pv_substitute_query((Query *) node, (Oid *) context);
		return false;
	}
	return expression_tree_walker(node, pv_sublink_walker, context);
}

/* Substitute in a query and every query below it. */
static void
pv_substitute_query(Query *q, Oid *funcid)
{
	List	   *kept = NIL;
	ListCell   *lc;
	int			rti = 0;

	check_stack_depth();
	foreach(lc, q->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);
		RangeTblEntry *view;

		rti++;
		if (rte->rtekind != RTE_SUBQUERY)
			continue;
		view = pv_substitute(q, rti, rte, funcid);
		if (view != NULL)
			kept = lappend(kept, view);
		else
			pv_substitute_query(rte->subquery, funcid);
	}
	/* unreferenced entries: only the permission check reads them */
	q->rtable = list_concat(q->rtable, kept);
	/* CTEs, and sublinks anywhere (subqueries in FROM are done above) */
	(void) query_tree_walker(q, pv_sublink_walker, funcid,
							 QTW_IGNORE_RT_SUBQUERIES);
}

static PlannedStmt *
pv_citus_planner(Query *parse, const char *query_string, int cursorOptions,
				 ParamListInfo boundParams)
{
	if (pv_serving == 0)
	{
		Oid			funcid = InvalidOid;

		pv_substitute_query(parse, &funcid);
	}
	if (prev_planner)
		return prev_planner(parse, query_string, cursorOptions, boundParams);
	return standard_planner(parse, query_string, cursorOptions, boundParams);
}

/* ---------------------------------------------------------------------
 * What the meter must not charge twice
 * --------------------------------------------------------------------- */

typedef struct PvServed
{
	Oid			funcid;
	bool		by_hand;		/* also calls written by hand */
	List	   *views;
} PvServed;

static void
pv_served_plan(Plan *plan, PvServed *s)
{
	ListCell   *lc;

	if (plan == NULL)
		return;
	check_stack_depth();
	switch (nodeTag(plan))
	{
		case T_FunctionScan:
			foreach(lc, ((FunctionScan *) plan)->functions)
			{
				RangeTblFunction *rtf = lfirst_node(RangeTblFunction, lc);
				FuncExpr   *fe = (FuncExpr *) rtf->funcexpr;
				Const	   *arg;

				if (fe == NULL || !IsA(fe, FuncExpr) ||
					(fe->funcformat != COERCE_SQL_SYNTAX && !s->by_hand) ||
					list_length(fe->args) != 1 ||
					!IsA(linitial(fe->args), Const))
					continue;
				if (!OidIsValid(s->funcid))
					s->funcid = pv_rows_funcid();
				arg = linitial_node(Const, fe->args);
				if (fe->funcid == s->funcid && !arg->constisnull)
					s->views = lappend_oid(s->views, DatumGetObjectId(arg->constvalue));
			}
			break;
		case T_Append:
			foreach(lc, ((Append *) plan)->appendplans)
				pv_served_plan(lfirst(lc), s);
			break;
		case T_MergeAppend:
			foreach(lc, ((MergeAppend *) plan)->mergeplans)
				pv_served_plan(lfirst(lc), s);
			break;
		case T_SubqueryScan:
			pv_served_plan(((SubqueryScan *) plan)->subplan, s);
			break;
		case T_CustomScan:
			foreach(lc, ((CustomScan *) plan)->custom_plans)
				pv_served_plan(lfirst(lc), s);
			break;
		default:
			break;
	}
	pv_served_plan(plan->lefttree, s);
	pv_served_plan(plan->righttree, s);
}

static List *
pv_citus_served(PlannedStmt *pstmt, bool by_hand)
{
	PvServed	s;
	ListCell   *lc;

	s.funcid = InvalidOid;
	s.by_hand = by_hand;
	s.views = NIL;
	pv_served_plan(pstmt->planTree, &s);
	foreach(lc, pstmt->subplans)
		pv_served_plan(lfirst(lc), &s);
	return s.views;
}

/* ---------------------------------------------------------------------
 * civic._private_view_rows(view regclass) RETURNS SETOF record
 * --------------------------------------------------------------------- */

/*
 * Citus records the SET LOCAL commands of a transaction run under
 * citus.propagate_set_commands = 'local' (its exported activeSetStmts) and
 * replays them on every connection it opens in that transaction, those it
 * opens as the view's owner included.  A reader's SET LOCAL search_path
 * would then resolve the names in the owner's shard queries on the workers
 * -- an operator in a domain's CHECK, a function inlined there -- to the
 * reader's own code, run as the owner.  So a privacy-safe view over a
 * Citus table is not read in a transaction that ran SET LOCAL while Citus
 * propagated it (noted by civic's utility hook below, since Citus forgets
 * them at the end of a subtransaction whose remote sessions keep them), nor
 * while Citus holds or propagates such commands (activeSetStmts is looked
 * up, not linked: Citus may not be loaded).
 */
static bool pv_set_local_propagated = false;	/* this transaction */
static bool pv_view_read = false;	/* this transaction read a view here */

static bool
pv_propagating(void)
{
	const char *propagate = GetConfigOption("citus.propagate_set_commands", true, false);

	return propagate != NULL && strcmp(propagate, "none") != 0;
}

/*
 * Note every SET or RESET run while Citus propagates them (and refuse one
 * after a view was read here, below): Citus sends it to
 * the connections it has open and replays it on those it opens later,
 * and after a subtransaction (RELEASE or ROLLBACK TO SAVEPOINT) forgets it
 * while the remote sessions keep it.  The note lasts until the transaction
 * ends.
 */
static void
pv_ProcessUtility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
				  ProcessUtilityContext context, ParamListInfo params,
				  QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *stmt = pstmt->utilityStmt;

	if (IsA(stmt, VariableSetStmt) && pv_propagating())
	{
		/*
		 * Citus sends the whole query string of a propagated SET or RESET to
		 * every connection of the transaction: after a read of a view here,
		 * those include the ones opened as the view's owner, where any
		 * statement following the SET in that string would run as the owner.
		 */
		if (pv_view_read)
			ereport(ERROR,
					(errcode(ERRCODE_CIVIC_DISTRIBUTED),
					 errmsg("SET and RESET cannot be propagated by Citus in a transaction that read a privacy-safe view over a Citus table"),
					 errdetail("Citus would send them to the connections it opened as the view's owner."),
					 errhint("Run them in another transaction, or with citus.propagate_set_commands = 'none'.")));
		pv_set_local_propagated = true;
	}
	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
							queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params,
								queryEnv, dest, qc);
}

static void
pv_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PREPARE || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT)
	{
		pv_set_local_propagated = false;
		pv_view_read = false;
	}
}

static void
pv_refuse_replayed_settings(void)
{
	StringInfo *stmts = (StringInfo *) dlsym(RTLD_DEFAULT, "activeSetStmts");

	if (pv_set_local_propagated || pv_propagating() ||
		(stmts != NULL && *stmts != NULL && (*stmts)->len > 0))
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_DISTRIBUTED),
				 errmsg("a privacy-safe view over a Citus table cannot be read while Citus propagates SET LOCAL commands"),
				 errdetail("Citus replays the transaction's SET LOCAL commands on the connections it opens as the view's owner, where they would change how the owner's queries are read."),
				 errhint("Read the view in a transaction without SET LOCAL under citus.propagate_set_commands = 'local'.")));
}

/* Whether this call is one the planner hook made (see the header). */
static bool
pv_call_is_planned(FunctionCallInfo fcinfo)
{
	Node	   *expr = fcinfo->flinfo ? fcinfo->flinfo->fn_expr : NULL;

	return expr != NULL && IsA(expr, FuncExpr) &&
		((FuncExpr *) expr)->funcformat == COERCE_SQL_SYNTAX;
}

Datum
civic_private_view_rows(PG_FUNCTION_ARGS)
{
	Oid			viewid = PG_GETARG_OID(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			userid = GetUserId();
	Relation	rel;
	TupleDesc	td;
	Oid			owner;
	char	   *query;
	Oid			save_userid;
	Oid			save_caller;
	int			save_sec;
	int			save_nestlevel;
	int			i;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize) ||
		rsinfo->expectedDesc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SYNTAX_ERROR),
				 errmsg("civic._private_view_rows() must be called in FROM with a column definition list")));

	/* the reader's right (a call the planner made was checked already) */
	if (!pv_call_is_planned(fcinfo) &&
		pg_class_aclcheck(viewid, userid, ACL_SELECT) != ACLCHECK_OK &&
		pg_attribute_aclcheck_all(viewid, userid, ACL_SELECT, ACLMASK_ALL) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV,
					   get_relkind_objtype(get_rel_relkind(viewid)),
					   get_rel_name(viewid));

	rel = relation_open(viewid, AccessShareLock);
	if (rel->rd_rel->relkind != RELKIND_VIEW || !civic_view_is_dp(viewid))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("\"%s\" is not a privacy-safe view", RelationGetRelationName(rel)),
				 errdetail("civic._private_view_rows() reads only views of civic's differentially-private aggregates.")));
	owner = rel->rd_rel->relowner;
	civic_private_view_verify(viewid, owner);
	pv_refuse_replayed_settings();
	pv_view_read = true;

	td = RelationGetDescr(rel);
	if (rsinfo->expectedDesc->natts != td->natts)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the column definition list does not match view \"%s\"",
						RelationGetRelationName(rel)),
				 errdetail("The view has %d columns, the list %d.",
						   td->natts, rsinfo->expectedDesc->natts)));
	for (i = 0; i < td->natts; i++)
	{
		Form_pg_attribute va = TupleDescAttr(td, i);
		Form_pg_attribute ea = TupleDescAttr(rsinfo->expectedDesc, i);

		if (va->attisdropped || va->atttypid != ea->atttypid ||
			va->atttypmod != ea->atttypmod)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("the column definition list does not match view \"%s\"",
							RelationGetRelationName(rel)),
					 errdetail("Column %d of the view is %s, of the list %s.", i + 1,
							   format_type_with_typemod(va->atttypid, va->atttypmod),
							   format_type_with_typemod(ea->atttypid, ea->atttypmod))));
	}
	query = psprintf("SELECT * FROM %s",
					 quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
												RelationGetRelationName(rel)));
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);

	/* run the view as its owner, with a search_path the reader cannot set */
	GetUserIdAndSecContext(&save_userid, &save_sec);
	save_nestlevel = NewGUCNestLevel();
	SetUserIdAndSecContext(owner, save_sec | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);

	/*
	 * Citus's limit on intermediate results fails the query when the rows it
	 * ships exceed the reader's setting: an exact answer about the size of
	 * private data, one bit per read.  The view runs without it.
	 */
	if (GetConfigOption("citus.max_intermediate_result_size", true, false) != NULL)
		(void) set_config_option("citus.max_intermediate_result_size", "-1",
								 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
								 true, 0, false);
	pv_serving++;
	save_caller = civic_pv_caller;
	civic_pv_caller = save_userid;
	PG_TRY();
	{
		uint64		n;
		int			ret;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "civic: SPI_connect failed");
		ret = SPI_execute(query, false, 0);
		if (ret != SPI_OK_SELECT)
			elog(ERROR, "civic: reading view \"%s\" returned %d",
				 RelationGetRelationName(rel), ret);
		if (SPI_tuptable->tupdesc->natts != td->natts)
			elog(ERROR, "civic: view \"%s\" changed while read",
				 RelationGetRelationName(rel));
		for (i = 0; i < td->natts; i++)
			if (TupleDescAttr(SPI_tuptable->tupdesc, i)->atttypid !=
				TupleDescAttr(td, i)->atttypid)
				elog(ERROR, "civic: view \"%s\" changed while read",
					 RelationGetRelationName(rel));
		for (n = 0; n < SPI_processed; n++)
			tuplestore_puttuple(rsinfo->setResult, SPI_tuptable->vals[n]);
		SPI_finish();
	}
	PG_CATCH();
	{
		pv_serving--;
		civic_pv_caller = save_caller;
		SetUserIdAndSecContext(save_userid, save_sec);
		PG_RE_THROW();
	}
	PG_END_TRY();
	pv_serving--;
	civic_pv_caller = save_caller;
	AtEOXact_GUC(false, save_nestlevel);
	SetUserIdAndSecContext(save_userid, save_sec);
	relation_close(rel, NoLock);
	return (Datum) 0;
}

/*
 * Install the planner hook.  Called from _PG_init after every other hook of
 * civic (and after Citus, preloaded first), so that it runs first.
 */
void
civic_pv_citus_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_planner = planner_hook;
	planner_hook = pv_citus_planner;
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = pv_ProcessUtility;
	RegisterXactCallback(pv_xact_callback, NULL);
	civic_meter_served_views = pv_citus_served;
}
