/*
 * private_view.c
 *	  Privacy-safe views: the check behind civic.check_private_view() and
 *	  civic.create_private_view(), and its re-check when a view is read.
 *
 * An analyst who holds only privacy-safe views must learn nothing about a
 * person beyond what the noise allows.  The noise protects the *values* of
 * the DP aggregates; everything else the view shows must not depend on the
 * private data at all.  So the check proves, from the view's query tree,
 * that the view's set of rows is a function of public data only:
 *
 *  1. Grouped views.  The FROM clause is one *key table* (a table every
 *     analyst may read in full) LEFT JOINed to everything else (RIGHT JOIN
 *     with the key table on the right is the same thing): a LEFT JOIN keeps
 *     every row of its preserved side whatever matches on the nullable side,
 *     and the ON clause cannot remove any.  The GROUP BY keys are plain
 *     columns of the key table, so each key row falls in exactly the group
 *     its own columns name.  WHERE and HAVING may refer to the key table's
 *     columns only (a filter on public data, not on private rows or on
 *     aggregates).  No DISTINCT, LIMIT, OFFSET, grouping sets, set
 *     operations or set-returning functions in the select list; no
 *     TABLESAMPLE of the key table, and no row-level security on it that
 *     applies to the view's owner (the view reads it with the owner's
 *     rights, and a policy may depend on private data).  Then the rows of
 *     the view are exactly the (filtered) distinct key values of the key
 *     table: empty groups appear, noised like the others.
 *  2. Ungrouped views (an aggregate without GROUP BY) return exactly one row
 *     whatever their FROM and WHERE, so only the last list applies, and
 *     HAVING is refused (it would remove the one row).
 *  3. Anywhere in the view (subqueries included): no aggregate but civic's
 *     DP aggregates, no window function, no subquery expression (EXISTS,
 *     IN, scalar subqueries: they let one person's data reach every row),
 *     no WITH, no other view (the check must see every table read), no
 *     SECURITY DEFINER function (it could read private tables with its
 *     owner's rights from anywhere in the view), and no function whose body
 *     is parsed at call time with the reader's search_path (SQL or PL
 *     functions without SET search_path: the reader could put a function of
 *     their own first and receive the private values passed to it).
 *  4. The key table's GROUP BY columns carry a usable unique key: a unique
 *     index (primary key or unique constraint) whose columns are all GROUP BY
 *     keys, NOT NULL (or NULLS NOT DISTINCT), checked immediately (not
 *     deferrable, or an analyst could defer it inside a transaction), with
 *     no expression or predicate; and no inheritance children.  Without it,
 *     whoever can add a row to the key table by any path (an updatable view,
 *     a rule, a trigger, a SECURITY DEFINER function) repeats a group, and
 *     every private row joined to it counts once per copy.
 *  5. Every output column is a DP aggregate or a column of the key table.
 *
 * For each analyst (at creation) or reader (when read): the key table is
 * readable in full; no table of the view is writable by them (a privilege
 * or ownership); no function, domain or table the view uses is owned by
 * them.  The check runs when the view is created, and again by an
 * ExecutorStart hook whenever a role that cannot read all the tables of a
 * view with DP aggregates reads it (the session user, as the meter charges
 * it): a view replaced by hand, a unique key dropped or made deferrable, a
 * write privilege granted later, or a view made without create_private_view
 * is refused before anything runs or is charged.  Verdicts are cached per
 * backend until any relation or function changes; the per-reader parts are
 * re-evaluated at every read.
 *
 * Every refusal is SQLSTATE 42P17 (invalid_object_definition) with a message
 * naming the rule; see docs/budget.md.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pg_list.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/syscache.h"

#include "dataset.h"
#include "dp_params.h"
#include "meter.h"
#include "private_view.h"
#include "relcache.h"

PG_FUNCTION_INFO_V1(civic_check_private_view);

#define PV_ERROR ERRCODE_INVALID_OBJECT_DEFINITION
#define PV_JOIN_HINT "Write FROM key_table LEFT JOIN private_table ON ...; put conditions on private data in the ON clause or in the aggregate's FILTER clause."

/* What the check learns about a view. */
typedef struct PvCheck
{
	Oid			viewid;
	const char *viewname;
	Oid			viewowner;		/* whose rights the view reads tables with */
	Query	   *q;
	bool		grouped;
	int			keyidx;			/* range-table index of the key table */
	Oid			keyrelid;
	Bitmapset  *keyattnos;		/* its GROUP BY columns */
	List	   *owned;			/* PvOwned: what the view uses, and owners */
} PvCheck;

/* ---------------------------------------------------------------------
 * Rule 3: what may appear nowhere in a private view
 * --------------------------------------------------------------------- */

/* An object of the view and its owner, who could change it. */
typedef struct PvOwned
{
	char		kind;			/* 'f' function, 't' type, 'r' relation */
	Oid			objid;
	Oid			owner;
} PvOwned;

static void
pv_note_owner(PvCheck *pv, char kind, Oid objid, Oid owner)
{
	ListCell   *lc;
	PvOwned    *o;

	foreach(lc, pv->owned)
	{
		o = lfirst(lc);
		if (o->kind == kind && o->objid == objid)
			return;
	}
	o = palloc(sizeof(PvOwned));
	o->kind = kind;
	o->objid = objid;
	o->owner = owner;
	pv->owned = lappend(pv->owned, o);
}

/*
 * A function called anywhere in the view: noted with its owner; refused if
 * it runs with its owner's rights, or if it resolves names in its body at
 * call time with the reader's search_path (an analyst could then put a
 * function of their own in front and receive private values).
 */
static bool
pv_check_function(Oid funcid, void *context)
{
	PvCheck    *pv = (PvCheck *) context;
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	Form_pg_proc proc;
	bool		secdef,
				pinned = true;

	if (!HeapTupleIsValid(tup))
		return false;
	proc = (Form_pg_proc) GETSTRUCT(tup);
	pv_note_owner(pv, 'f', funcid, proc->proowner);
	secdef = proc->prosecdef;
	if (proc->prolang != INTERNALlanguageId && proc->prolang != ClanguageId)
	{
		bool		isnull;
		Datum		d;

		(void) SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosqlbody, &isnull);
		if (isnull)				/* a body parsed at call time */
		{
			pinned = false;
			d = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_proconfig, &isnull);
			if (!isnull)
			{
				Datum	   *elems;
				bool	   *nulls;
				int			n,
							i;

				deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false,
								  TYPALIGN_INT, &elems, &nulls, &n);
				for (i = 0; i < n; i++)
					if (!nulls[i] &&
						strncmp(TextDatumGetCString(elems[i]), "search_path=", 12) == 0)
						pinned = true;
			}
		}
	}
	ReleaseSysCache(tup);
	if (secdef)
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("a private view may not call SECURITY DEFINER function %s",
						format_procedure_qualified(funcid)),
				 errdetail("It runs with its owner's rights and can read private tables from anywhere in the view, outside the noise.")));
	if (!pinned)
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("a private view may not call function %s, which looks up names with the reader's search_path",
						format_procedure_qualified(funcid)),
				 errdetail("Its body is parsed when it runs, so an analyst could put a function of their own first on search_path and receive the private values passed to it."),
				 errhint("Give the function a fixed search_path (ALTER FUNCTION ... SET search_path = pg_catalog, pg_temp), or write its body with BEGIN ATOMIC.")));
	return false;
}

static Oid
pv_owner_of(int cacheid, Oid objid)
{
	HeapTuple	tup = SearchSysCache1(cacheid, ObjectIdGetDatum(objid));
	Oid			owner = InvalidOid;

	if (HeapTupleIsValid(tup))
	{
		if (cacheid == RELOID)
			owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
		else
			owner = ((Form_pg_type) GETSTRUCT(tup))->typowner;
		ReleaseSysCache(tup);
	}
	return owner;
}

static bool
pv_anywhere_walker(Node *node, void *context)
{
	PvCheck    *pv = (PvCheck *) context;

	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		Query	   *sub = (Query *) node;

		if (sub->cteList != NIL)
			ereport(ERROR,
					(errcode(PV_ERROR),
					 errmsg("a private view may not use WITH queries"),
					 errdetail("The check proves the shape of the view's own FROM clause; write the query without WITH.")));
		return query_tree_walker(sub, pv_anywhere_walker, context,
								 QTW_EXAMINE_RTES_BEFORE);
	}
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		/* (a view's own query names the view twice, as OLD and NEW) */
		if (rte->rtekind == RTE_RELATION && rte->relkind == RELKIND_VIEW &&
			rte->relid != pv->viewid)
			ereport(ERROR,
					(errcode(PV_ERROR),
					 errmsg("a private view may not read another view (\"%s\")",
							get_rel_name(rte->relid)),
					 errdetail("The check must see every table and condition the view reads, and another view can be replaced after the check."),
					 errhint("Read the tables directly, with the other view's conditions written out.")));
		if (rte->rtekind == RTE_RELATION && rte->relid != pv->viewid)
			pv_note_owner(pv, 'r', rte->relid, pv_owner_of(RELOID, rte->relid));
		return false;
	}
	if (IsA(node, Aggref))
	{
		Aggref	   *aggref = (Aggref *) node;

		if (!civic_dp_agg_info(aggref->aggfnoid)->is_dp)
			ereport(ERROR,
					(errcode(PV_ERROR),
					 errmsg("a private view may use no aggregate but civic's differentially-private ones"),
					 errdetail("The view uses %s, whose result is not noised.",
							   format_procedure(aggref->aggfnoid))));
	}
	if (IsA(node, WindowFunc))
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("a private view may not use window functions")));
	if (IsA(node, SubLink))
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("a private view may not use subqueries in expressions (EXISTS, IN, ANY, scalar subqueries)"),
				 errdetail("A subquery can carry one person's data into every row or group of the view, outside the noise."),
				 errhint("Join the data with LEFT JOIN, or aggregate it with a DP aggregate.")));
	if (IsA(node, CoerceToDomain))
	{
		Oid			typid = ((CoerceToDomain *) node)->resulttype;

		pv_note_owner(pv, 't', typid, pv_owner_of(TYPEOID, typid));
	}
	(void) check_functions_in_node(node, pv_check_function, context);
	return expression_tree_walker(node, pv_anywhere_walker, context);
}

/* ---------------------------------------------------------------------
 * Rule 1: the FROM clause, GROUP BY, WHERE and HAVING
 * --------------------------------------------------------------------- */

static const char *
pv_join_name(JoinType t)
{
	switch (t)
	{
		case JOIN_INNER:
			return "an inner join";
		case JOIN_FULL:
			return "a FULL join";
		case JOIN_RIGHT:
			return "a RIGHT join";
		case JOIN_LEFT:
			return "a LEFT join";
		default:
			return "a join";
	}
}

/* The range-table index of the preserved side of the FROM clause. */
static int
pv_key_table(PvCheck *pv, Node *jt)
{
	if (IsA(jt, RangeTblRef))
		return ((RangeTblRef *) jt)->rtindex;
	if (IsA(jt, JoinExpr))
	{
		JoinExpr   *j = (JoinExpr *) jt;

		if (j->jointype == JOIN_LEFT)
			return pv_key_table(pv, j->larg);
		if (j->jointype == JOIN_RIGHT)
			return pv_key_table(pv, j->rarg);
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("the FROM clause of a private view must be its key table LEFT JOINed to the other tables"),
				 errdetail("The view uses %s: an inner join drops the groups that no private row matches, a FULL join adds rows from the private side, so the set of groups would depend on private data.",
						   pv_join_name(j->jointype)),
				 errhint(PV_JOIN_HINT)));
	}
	ereport(ERROR,
			(errcode(PV_ERROR),
			 errmsg("the FROM clause of a private view must be its key table LEFT JOINed to the other tables")));
	return 0;					/* keep compiler quiet */
}

typedef struct PvVarCtx
{
	int			keyidx;
	bool		bad_var;
	bool		bad_agg;
} PvVarCtx;

/* Find Vars of other tables than the key table, and aggregates. */
static bool
pv_key_vars_walker(Node *node, void *context)
{
	PvVarCtx   *ctx = (PvVarCtx *) context;

	if (node == NULL)
		return false;
	if (IsA(node, Var))
	{
		Var		   *var = (Var *) node;

		if (var->varlevelsup == 0 && var->varno != ctx->keyidx)
			ctx->bad_var = true;
		return false;
	}
	if (IsA(node, Aggref))
	{
		ctx->bad_agg = true;
		return false;
	}
	return expression_tree_walker(node, pv_key_vars_walker, context);
}

/* WHERE and HAVING may filter on the key table's columns only. */
static void
pv_check_filter(PvCheck *pv, Node *qual, const char *clause)
{
	PvVarCtx	ctx;

	if (qual == NULL)
		return;
	memset(&ctx, 0, sizeof(ctx));
	ctx.keyidx = pv->keyidx;
	(void) pv_key_vars_walker(flatten_join_alias_vars(pv->q, qual), &ctx);
	if (ctx.bad_var || ctx.bad_agg)
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("the %s clause of a private view may refer only to columns of its key table \"%s\"",
						clause, get_rel_name(pv->keyrelid)),
				 errdetail(ctx.bad_agg ?
						   "It filters on an aggregate, so the set of groups would depend on the data." :
						   "It refers to another table, so the set of groups would depend on private data."),
				 errhint(PV_JOIN_HINT)));
}

/* The Var of the key table that an expression is, or NULL. */
static Var *
pv_key_var(PvCheck *pv, Node *expr)
{
	expr = flatten_join_alias_vars(pv->q, expr);
	if (expr && IsA(expr, Var))
	{
		Var		   *var = (Var *) expr;

		if (var->varlevelsup == 0 && var->varno == pv->keyidx && var->varattno > 0)
			return var;
	}
	return NULL;
}

/* How a GROUP BY key is named in a message: alias.column, or "an expression". */
static const char *
pv_expr_name(PvCheck *pv, Node *expr)
{
	expr = flatten_join_alias_vars(pv->q, expr);
	if (expr && IsA(expr, Var) && ((Var *) expr)->varlevelsup == 0 &&
		((Var *) expr)->varattno > 0)
	{
		Var		   *var = (Var *) expr;
		RangeTblEntry *rte = rt_fetch(var->varno, pv->q->rtable);

		return psprintf("\"%s.%s\"", rte->eref->aliasname,
						get_rte_attribute_name(rte, var->varattno));
	}
	return "an expression";
}

static void
pv_check_grouping(PvCheck *pv)
{
	Query	   *q = pv->q;
	RangeTblEntry *rte;
	ListCell   *lc;
	int			pos = 0;

	if (list_length(q->jointree->fromlist) != 1)
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("the FROM clause of a private view must be its key table LEFT JOINed to the other tables"),
				 errdetail("A list of tables separated by commas is an inner join: it drops the groups that no private row matches, so the set of groups would depend on private data."),
				 errhint(PV_JOIN_HINT)));
	pv->keyidx = pv_key_table(pv, linitial(q->jointree->fromlist));
	rte = rt_fetch(pv->keyidx, q->rtable);
	if (rte->rtekind != RTE_RELATION ||
		(rte->relkind != RELKIND_RELATION && rte->relkind != RELKIND_PARTITIONED_TABLE &&
		 rte->relkind != RELKIND_MATVIEW))
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("the key of a private view's LEFT JOINs must be a table"),
				 errdetail("Its preserved side is a subquery, a function or another kind of relation, whose rows the check cannot prove to be public."),
				 errhint(PV_JOIN_HINT)));
	if (rte->tablesample)
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("a private view may not sample its key table"),
				 errdetail("The view's rows must be exactly the rows of its key table.")));
	pv->keyrelid = rte->relid;
	/* the view reads the key table with its owner's rights */
	if (check_enable_rls(pv->keyrelid, pv->viewowner, true) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("row-level security of key table \"%s\" applies to the owner of the private view",
						get_rel_name(pv->keyrelid)),
				 errdetail("Its policies decide which key rows the view sees, and a policy can depend on private data."),
				 errhint("Have the view owned by the key table's owner or a role that bypasses row-level security.")));

	foreach(lc, q->groupClause)
	{
		SortGroupClause *sgc = lfirst_node(SortGroupClause, lc);
		TargetEntry *tle = get_sortgroupclause_tle(sgc, q->targetList);
		Var		   *var = pv_key_var(pv, (Node *) tle->expr);

		pos++;
		if (var == NULL)
			ereport(ERROR,
					(errcode(PV_ERROR),
					 errmsg("GROUP BY key %d (%s) of a private view is not a column of its key table \"%s\"",
							pos, pv_expr_name(pv, (Node *) tle->expr), get_rel_name(pv->keyrelid)),
					 errdetail("Grouping by anything else would make the set of rows depend on private data (a ward with one resident has one age group)."),
					 errhint("Group by columns of the key table only; put a finer breakdown in the key table (wards by age band, say).")));
		pv->keyattnos = bms_add_member(pv->keyattnos, var->varattno);
	}
	pv_check_filter(pv, q->jointree->quals, "WHERE");
	pv_check_filter(pv, q->havingQual, "HAVING");
}

/* ---------------------------------------------------------------------
 * Rule 4: a unique key on the key table's GROUP BY columns
 * --------------------------------------------------------------------- */

/*
 * Whether an index of the key table is a usable unique key on the GROUP BY
 * columns; NULL if so, else why not (for a unique index) or "" (not unique).
 */
static const char *
pv_index_unusable(PvCheck *pv, Relation keyrel, Oid indexoid)
{
	HeapTuple	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
	Form_pg_index ix;
	const char *why = NULL;
	char	   *name = get_rel_name(indexoid);
	int			i;

	if (!HeapTupleIsValid(tup))
		return "";
	ix = (Form_pg_index) GETSTRUCT(tup);
	if (!ix->indisunique)
		why = "";
	else if (!ix->indimmediate)
		why = psprintf("Unique key \"%s\" is deferrable, so duplicates may exist until the end of a transaction.", name);
	else if (!ix->indisvalid || !ix->indislive)
		why = psprintf("Unique index \"%s\" is not valid.", name);
	else if (!heap_attisnull(tup, Anum_pg_index_indexprs, NULL))
		why = psprintf("Unique index \"%s\" is on an expression, not on the columns themselves.", name);
	else if (!heap_attisnull(tup, Anum_pg_index_indpred, NULL))
		why = psprintf("Unique index \"%s\" is partial (it has a WHERE clause).", name);
	for (i = 0; why == NULL && i < ix->indnkeyatts; i++)
	{
		AttrNumber	att = ix->indkey.values[i];

		if (att <= 0 || !bms_is_member(att, pv->keyattnos))
			why = psprintf("Unique key \"%s\" has a column that is not a GROUP BY key of the view.", name);
		else if (!ix->indnullsnotdistinct &&
				 !TupleDescAttr(RelationGetDescr(keyrel), att - 1)->attnotnull)
			why = psprintf("Column \"%s\" of unique key \"%s\" may be NULL, and NULLs are not equal to each other.",
						   NameStr(TupleDescAttr(RelationGetDescr(keyrel), att - 1)->attname), name);
	}
	ReleaseSysCache(tup);
	return why;
}

static void
pv_check_unique_key(PvCheck *pv)
{
	Relation	keyrel = table_open(pv->keyrelid, AccessShareLock);
	RangeTblEntry *rte = rt_fetch(pv->keyidx, pv->q->rtable);
	List	   *indexes;
	ListCell   *lc;
	bool		found = false;
	const char *why = NULL;

	if (keyrel->rd_rel->relkind == RELKIND_RELATION && rte->inh &&
		find_inheritance_children(pv->keyrelid, NoLock) != NIL)
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("key table \"%s\" of a private view has inheritance children",
						RelationGetRelationName(keyrel)),
				 errdetail("Its unique key does not cover its children's rows, which could repeat its groups."),
				 errhint("Read it with FROM ONLY, or make it a partitioned table.")));
	indexes = RelationGetIndexList(keyrel);
	foreach(lc, indexes)
	{
		const char *w = pv_index_unusable(pv, keyrel, lfirst_oid(lc));

		if (w == NULL)
		{
			found = true;
			break;
		}
		if (why == NULL && w[0] != '\0')
			why = w;
	}
	list_free(indexes);
	if (!found)
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("key table \"%s\" of a private view has no unique key on its GROUP BY columns",
						RelationGetRelationName(keyrel)),
				 errdetail("%s%sA row repeated in the key table repeats every private row joined to it, so that one person counts many times; anyone who can add rows by any path (an updatable view, a rule, a trigger, a function) could do it.",
						   why ? why : "", why ? " " : ""),
				 errhint("Add a primary key or a unique constraint (NOT NULL, not deferrable, on plain columns) whose columns are all GROUP BY keys.")));
	table_close(keyrel, AccessShareLock);
}

/* ---------------------------------------------------------------------
 * The whole check of a view's query (rules 1-5)
 * --------------------------------------------------------------------- */

static void
pv_check_view(Relation rel, PvCheck *pv)
{
	Query	   *q;
	ListCell   *lc;

	memset(pv, 0, sizeof(*pv));
	pv->viewid = RelationGetRelid(rel);
	pv->viewname = RelationGetRelationName(rel);
	pv->viewowner = rel->rd_rel->relowner;
	if (rel->rd_rel->relkind != RELKIND_VIEW)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a view", pv->viewname)));
	if (!RelationIsSecurityView(rel))
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("private view \"%s\" must be a security_barrier view", pv->viewname),
				 errdetail("Otherwise a leaky function in an analyst's WHERE clause could run on the raw rows."),
				 errhint("Create it WITH (security_barrier).")));
	q = pv->q = copyObject(get_view_query(rel));

	if (q->setOperations)
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("a private view may not use UNION, INTERSECT or EXCEPT"),
				 errdetail("The view's rows must be exactly the rows of one key table.")));
	if (!q->hasAggs)
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("a private view must aggregate with civic's differentially-private aggregates"),
				 errdetail("The view returns rows without aggregating them.")));
	(void) pv_anywhere_walker((Node *) q, pv);
	if (q->hasTargetSRFs)
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("a private view may not call set-returning functions in its select list"),
				 errdetail("They would repeat or remove the view's rows.")));
	if (q->distinctClause != NIL)
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("a private view may not use DISTINCT"),
				 errdetail("The view's rows must be exactly the rows of its key table; DISTINCT would merge rows whose noised values agree.")));
	if (q->limitCount || q->limitOffset)
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("a private view may not use LIMIT, OFFSET or FETCH"),
				 errdetail("The view's rows must be exactly the rows of its key table."),
				 errhint("Let the analyst's query limit the rows it reads.")));
	if (q->groupingSets != NIL)
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("a private view may not use GROUPING SETS, ROLLUP or CUBE"),
				 errhint("Create one private view per grouping.")));

	pv->grouped = q->groupClause != NIL;
	if (pv->grouped)
		pv_check_grouping(pv);
	else if (q->havingQual)
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("the HAVING clause of a private view may refer only to columns of its key table"),
				 errdetail("Without GROUP BY the view returns one row, which HAVING could remove depending on the data.")));

	foreach(lc, q->targetList)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);
		bool		ok;

		if (tle->resjunk)
			continue;
		if (IsA(tle->expr, Aggref))
			ok = civic_dp_agg_info(((Aggref *) tle->expr)->aggfnoid)->is_dp;
		else
			ok = pv->grouped && pv_key_var(pv, (Node *) tle->expr) != NULL;
		if (!ok)
			ereport(ERROR,
					(errcode(PV_ERROR),
					 errmsg("column \"%s\" of a private view must be a differentially-private aggregate",
							tle->resname ? tle->resname : "?"),
					 errdetail("Other columns are allowed only as columns of the key table, which every analyst of the view can read."),
					 errhint("Group by the key column of a public reference table (for example a list of wards LEFT JOINed to the private table), so that the set of groups reveals nothing.")));
	}
	/* rule 4 (pv_check_unique_key) is left to the callers */
}

/* The key table must be public to the role: every column, every row. */
static void
pv_check_key_readable(PvCheck *pv, Oid roleid, const char *who)
{
	if (pv->grouped && !civic_role_can_read(roleid, pv->keyrelid))
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("key table \"%s\" of private view \"%s\" must be readable by %s \"%s\"",
						get_rel_name(pv->keyrelid), pv->viewname, who,
						GetUserNameFromId(roleid, false)),
				 errdetail("The groups of a private view are shown without noise, so they must come from a table the reader may already read in full (every column, no row-level security)."),
				 errhint("Grant SELECT on the key table, or group by a public table.")));
}

/*
 * No object of the view may be owned by the role (or a role whose rights it
 * has): its owner could replace a function or a domain's checks to receive
 * the private values the view passes them, or change a table.
 */
static void
pv_check_owners(PvCheck *pv, Oid roleid, const char *who)
{
	ListCell   *lc;

	if (superuser_arg(roleid))
		return;
	foreach(lc, pv->owned)
	{
		PvOwned    *o = lfirst(lc);
		char	   *what;

		if (!OidIsValid(o->owner) || !has_privs_of_role(roleid, o->owner))
			continue;
		if (o->kind == 'f')
			what = psprintf("function %s", format_procedure_qualified(o->objid));
		else if (o->kind == 't')
			what = psprintf("type %s", format_type_be_qualified(o->objid));
		else
			what = psprintf("table \"%s\"", get_rel_name(o->objid));
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("private view \"%s\" uses %s, which %s \"%s\" owns",
						pv->viewname, what, who, GetUserNameFromId(roleid, false)),
				 errdetail("Its owner can change it, for example to receive the private values the view passes to it."),
				 errhint("Use only objects that the analysts do not own.")));
	}
}

/* Whether a role owns a table or may change its rows by a privilege on it. */
static bool
pv_role_can_write(Oid roleid, Oid relid)
{
	AclMode		write = ACL_INSERT | ACL_UPDATE | ACL_DELETE | ACL_TRUNCATE;

	return pg_class_ownercheck(relid, roleid) ||
		pg_class_aclcheck(relid, roleid, write) == ACLCHECK_OK ||
		pg_attribute_aclcheck_all(relid, roleid, ACL_INSERT | ACL_UPDATE,
								  ACLMASK_ANY) == ACLCHECK_OK;
}

typedef struct WritableCtx
{
	Datum	   *analysts;
	bool	   *nulls;
	int			nanalysts;
} WritableCtx;

/*
 * Refuse a view that reads a table an analyst can change: rows an analyst
 * adds to (or edits in) a table can repeat or move the private rows joined
 * to them.  (The unique key of rule 4 stops repetition by any path; this
 * catches the direct ones early, with a clearer message.)
 */
static bool
no_writable_tables_walker(Node *node, void *context)
{
	WritableCtx *ctx = (WritableCtx *) context;

	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;
		int			i;

		if (rte->rtekind != RTE_RELATION)
			return false;
		for (i = 0; i < ctx->nanalysts; i++)
		{
			Oid			analyst = DatumGetObjectId(ctx->analysts[i]);

			if (ctx->nulls[i])
				continue;
			if (pv_role_can_write(analyst, rte->relid))
				ereport(ERROR,
						(errcode(PV_ERROR),
						 errmsg("a private view may not read table \"%s\", which analyst %s can change",
								get_rel_name(rte->relid),
								GetUserNameFromId(analyst, false)),
						 errdetail("Rows an analyst adds or edits can repeat the private rows they join to, so that one person counts many times."),
						 errhint("Revoke INSERT, UPDATE, DELETE and TRUNCATE on the table from the analyst, or read a copy the analyst cannot change.")));
		}
		return false;
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, no_writable_tables_walker,
								 context, QTW_EXAMINE_RTES_BEFORE);
	return expression_tree_walker(node, no_writable_tables_walker, context);
}

/*
 * civic.check_private_view(view, analysts): refuse a view that could show
 * an analyst anything but differentially-private aggregates over a set of
 * rows fixed by public data (rules 1-5 above), whose key table some analyst
 * cannot read, or which reads a table some analyst can change.
 */
Datum
civic_check_private_view(PG_FUNCTION_ARGS)
{
	Oid			viewid = PG_GETARG_OID(0);
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	Relation	rel;
	PvCheck		pv;
	Datum	   *elems;
	bool	   *nulls;
	int			nanalysts,
				i;
	WritableCtx wctx;

	if (!civic_is_budget_admin())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to check private views"),
				 errdetail("Only superusers and members of role \"civic_budget_admin\" manage privacy budgets.")));
	rel = relation_open(viewid, AccessShareLock);
	pv_check_view(rel, &pv);

	deconstruct_array(arr, REGROLEOID, sizeof(Oid), true, TYPALIGN_INT,
					  &elems, &nulls, &nanalysts);
	for (i = 0; i < nanalysts; i++)
		if (!nulls[i])
		{
			pv_check_key_readable(&pv, DatumGetObjectId(elems[i]), "analyst");
			pv_check_owners(&pv, DatumGetObjectId(elems[i]), "analyst");
		}
	wctx.analysts = elems;
	wctx.nulls = nulls;
	wctx.nanalysts = nanalysts;
	(void) query_tree_walker(pv.q, no_writable_tables_walker, &wctx,
							 QTW_EXAMINE_RTES_BEFORE);
	if (pv.grouped)
		pv_check_unique_key(&pv);
	relation_close(rel, AccessShareLock);
	PG_RETURN_VOID();
}

/*
 * civic_private_view_verify(view, runas): raise 42P17 unless VIEW passes
 * rules 1-5 (what check_private_view() proves, without the per-analyst
 * parts), and unless everything it uses -- functions, domains, tables -- is
 * owned by a superuser or by a role that has RUNAS's rights: the view is
 * about to run with RUNAS's identity (src/pv_citus.c), so a function, a
 * domain's check or a table's row-level security policy owned by anyone
 * else would run its owner's code as RUNAS.
 */
void
civic_private_view_verify(Oid viewid, Oid runas)
{
	Relation	rel = relation_open(viewid, AccessShareLock);
	PvCheck		pv;
	ListCell   *lc;

	pv_check_view(rel, &pv);
	if (pv.grouped)
		pv_check_unique_key(&pv);
	foreach(lc, pv.owned)
	{
		PvOwned    *o = lfirst(lc);
		char	   *what;

		if (!OidIsValid(o->owner) || superuser_arg(o->owner) ||
			has_privs_of_role(o->owner, runas))
			continue;
		if (o->kind == 'f')
			what = psprintf("function %s", format_procedure_qualified(o->objid));
		else if (o->kind == 't')
			what = psprintf("type %s", format_type_be_qualified(o->objid));
		else
			what = psprintf("table \"%s\"", get_rel_name(o->objid));
		ereport(ERROR,
				(errcode(PV_ERROR),
				 errmsg("private view \"%s\" uses %s, owned by role \"%s\", which cannot act as the view's owner \"%s\"",
						pv.viewname, what, GetUserNameFromId(o->owner, false),
						GetUserNameFromId(runas, false)),
				 errdetail("Over distributed tables the view runs with its owner's identity, so code its other owners control would run with the view owner's rights."),
				 errhint("Use only objects owned by the view's owner (or roles it belongs to), or by a superuser.")));
	}
	relation_close(rel, AccessShareLock);
}

/* ---------------------------------------------------------------------
 * The re-check when a view is read
 * --------------------------------------------------------------------- */

typedef struct PvCacheEntry
{
	Oid			viewid;			/* hash key */
	bool		is_dp;			/* uses a civic DP aggregate */
	bool		checked;		/* passed rules 1-5 */
	bool		grouped;
	Oid			keyrelid;
	int			ntables;
	Oid		   *tables;			/* every table it reads; InvalidOid for a view
								 * or a SECURITY DEFINER function */
	int			nowners;
	Oid		   *owners;			/* owners of what it uses, once checked */
} PvCacheEntry;

static ExecutorStart_hook_type prev_ExecutorStart = NULL;
static MemoryContext pv_cxt = NULL;
static HTAB *pv_cache = NULL;
static bool pv_cache_valid = false;

/* Any change to a relation or function may change a verdict. */
static void
pv_invalidate(Datum arg, Oid relid)
{
	pv_cache_valid = false;
}

static void
pv_invalidate_proc(Datum arg, int cacheid, uint32 hashvalue)
{
	pv_cache_valid = false;
}

typedef struct PvScan
{
	bool		is_dp;
	List	   *tables;
	Oid			viewid;
} PvScan;

static bool
pv_scan_secdef(Oid funcid, void *context)
{
	HeapTuple	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	bool		secdef = false;

	if (HeapTupleIsValid(tup))
	{
		secdef = ((Form_pg_proc) GETSTRUCT(tup))->prosecdef;
		ReleaseSysCache(tup);
	}
	return secdef;
}

static bool
pv_scan_walker(Node *node, void *context)
{
	PvScan	   *s = (PvScan *) context;

	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		if (rte->rtekind == RTE_RELATION && rte->relid != s->viewid)
			s->tables = lappend_oid(s->tables,
									rte->relkind == RELKIND_VIEW ? InvalidOid : rte->relid);
		return false;
	}
	if (IsA(node, Aggref) && civic_dp_agg_info(((Aggref *) node)->aggfnoid)->is_dp)
		s->is_dp = true;
	/* a SECURITY DEFINER function may read what the reader cannot */
	if (check_functions_in_node(node, pv_scan_secdef, NULL))
		s->tables = lappend_oid(s->tables, InvalidOid);
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, pv_scan_walker, context,
								 QTW_EXAMINE_RTES_BEFORE);
	return expression_tree_walker(node, pv_scan_walker, context);
}

static PvCacheEntry *
pv_lookup(Oid viewid)
{
	PvCacheEntry *e;
	bool		found;

	if (!pv_cache_valid || pv_cache == NULL)
	{
		HASHCTL		ctl;

		if (pv_cxt == NULL)
			pv_cxt = AllocSetContextCreate(CacheMemoryContext, "civic private views",
										   ALLOCSET_SMALL_SIZES);
		MemoryContextReset(pv_cxt);
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(PvCacheEntry);
		ctl.hcxt = pv_cxt;
		pv_cache = hash_create("civic private views", 32, &ctl,
							   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		pv_cache_valid = true;
	}
	e = hash_search(pv_cache, &viewid, HASH_FIND, NULL);
	if (e)
		return e;

	{
		Relation	rel = relation_open(viewid, AccessShareLock);
		PvScan		s;
		ListCell   *lc;
		int			i = 0;

		memset(&s, 0, sizeof(s));
		s.viewid = viewid;
		(void) query_tree_walker(get_view_query(rel), pv_scan_walker, &s,
								 QTW_EXAMINE_RTES_BEFORE);
		relation_close(rel, AccessShareLock);
		/* (an invalidation meanwhile only marks the cache for the next query) */
		e = hash_search(pv_cache, &viewid, HASH_ENTER, &found);
		e->is_dp = s.is_dp;
		e->checked = false;
		e->ntables = list_length(s.tables);
		e->tables = MemoryContextAlloc(pv_cxt, sizeof(Oid) * (e->ntables + 1));
		foreach(lc, s.tables)
			e->tables[i++] = lfirst_oid(lc);
	}
	return e;
}

typedef struct PvErrCtx
{
	const char *view;
	const char *role;
} PvErrCtx;

static void
pv_error_context(void *arg)
{
	PvErrCtx   *c = (PvErrCtx *) arg;

	errcontext("private view \"%s\" read by role \"%s\"", c->view, c->role);
}

/* Whether a view that passed the check is refused to this reader. */
static bool
pv_reader_fails(PvCacheEntry *e, Oid roleid)
{
	int			i;

	if (e->grouped && !civic_role_can_read(roleid, e->keyrelid))
		return true;
	if (superuser_arg(roleid))
		return false;
	for (i = 0; i < e->nowners; i++)
		if (OidIsValid(e->owners[i]) && has_privs_of_role(roleid, e->owners[i]))
			return true;
	for (i = 0; i < e->ntables; i++)
		if (OidIsValid(e->tables[i]) && pv_role_can_write(roleid, e->tables[i]))
			return true;
	return false;
}

/* Check one view of a plan about to run, for the session user. */
static void
pv_check_read(Oid viewid, Oid roleid)
{
	PvCacheEntry *e = pv_lookup(viewid);
	int			i;
	bool		all_readable = true;

	if (!e->is_dp)
		return;
	for (i = 0; i < e->ntables && all_readable; i++)
		if (!OidIsValid(e->tables[i]) || !civic_role_can_read(roleid, e->tables[i]))
			all_readable = false;
	if (all_readable)
		return;					/* nothing here is private to the reader */

	if (!e->checked || pv_reader_fails(e, roleid))
	{
		Relation	rel = relation_open(viewid, AccessShareLock);
		PvCheck		pv;
		ListCell   *lc;
		Datum		reader = ObjectIdGetDatum(roleid);
		bool		reader_null = false;
		WritableCtx wctx;
		ErrorContextCallback errcb;
		PvErrCtx	ectx;

		ectx.view = pstrdup(RelationGetRelationName(rel));
		ectx.role = GetUserNameFromId(roleid, false);
		errcb.callback = pv_error_context;
		errcb.arg = &ectx;
		errcb.previous = error_context_stack;
		error_context_stack = &errcb;
		pv_check_view(rel, &pv);
		pv_check_key_readable(&pv, roleid, "role");
		pv_check_owners(&pv, roleid, "role");
		wctx.analysts = &reader;
		wctx.nulls = &reader_null;
		wctx.nanalysts = 1;
		(void) query_tree_walker(pv.q, no_writable_tables_walker, &wctx,
								 QTW_EXAMINE_RTES_BEFORE);
		if (pv.grouped)
			pv_check_unique_key(&pv);
		relation_close(rel, AccessShareLock);
		e->grouped = pv.grouped;
		e->keyrelid = pv.keyrelid;
		e->owners = MemoryContextAlloc(pv_cxt, sizeof(Oid) * (list_length(pv.owned) + 1));
		e->nowners = 0;
		foreach(lc, pv.owned)
			e->owners[e->nowners++] = ((PvOwned *) lfirst(lc))->owner;
		e->checked = true;
		error_context_stack = errcb.previous;
	}
}

static void
pv_ExecutorStart(QueryDesc *queryDesc, int eflags)
{
	if (!(eflags & EXEC_FLAG_EXPLAIN_ONLY) && !civic_parallel_share(queryDesc))
	{
		List	   *seen = NIL;
		ListCell   *lc;
		Oid			roleid = GetSessionUserId();

		foreach(lc, queryDesc->plannedstmt->rtable)
		{
			RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

			if (rte->rtekind != RTE_RELATION || rte->relkind != RELKIND_VIEW ||
				list_member_oid(seen, rte->relid))
				continue;
			seen = lappend_oid(seen, rte->relid);
			pv_check_read(rte->relid, roleid);
			/* the rules hold for whose code reads the view, too */
			if (OidIsValid(civic_accountable_role()))
				pv_check_read(rte->relid, civic_accountable_role());
		}
		list_free(seen);
	}
	if (prev_ExecutorStart)
		prev_ExecutorStart(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

/*
 * Install the read-time check.  Called from _PG_init after the metering
 * hook is installed, so that it runs first: a refused view is refused
 * before anything is charged.
 */
void
civic_private_view_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	prev_ExecutorStart = ExecutorStart_hook;
	ExecutorStart_hook = pv_ExecutorStart;
	civic_register_relcache_callback(pv_invalidate, (Datum) 0);
	CacheRegisterSyscacheCallback(PROCOID, pv_invalidate_proc, (Datum) 0);
}
