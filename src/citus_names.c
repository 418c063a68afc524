/*
 * citus_names.c
 *	  Names in the queries Citus sends between nodes (docs/citus.md,
 *	  "Names between nodes").
 *
 * Citus writes the queries it sends to the workers (and the tasks it runs
 * locally) as SQL text, deparsed with an empty search path: PostgreSQL's
 * own functions and types appear unqualified (count(*), sum(x),
 * worker_partial_agg(...), '...'::regprocedure), everything else
 * schema-qualified.  The node that runs the text resolves those names
 * again, with the search path of the connection -- which a role may set
 * (ALTER ROLE ... SET search_path, or SET LOCAL with
 * citus.propagate_set_commands = 'local', which Citus replays on every
 * connection of the transaction, including those it opens as the owner of
 * a privacy-safe view).  A schema listed before pg_catalog then shadows
 * PostgreSQL's functions: a role's own count(*) or worker_partial_agg
 * would compute the partial counts and sums that civic's DP aggregates
 * noise on the coordinator -- any function of the rows, released with the
 * noise of a count -- or run as the view's owner.
 *
 * So in a query between Citus nodes (a session whose application_name is
 * Citus's, or a task Citus runs locally inside a distributed plan) civic
 * refuses, right after parse analysis and before anything runs, every
 * function, aggregate or type that is named like one of pg_catalog but is
 * not pg_catalog's, unless an extension installed it (an extension's
 * objects are not a role's to replace).  Citus's own text never names
 * such an object: whatever is not pg_catalog's it writes qualified, and a
 * qualified name of another schema that matches a pg_catalog name is
 * refused too, since the text alone cannot tell the two apart.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "parser/analyze.h"
#include "miscadmin.h"
#include "utils/catcache.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "citus_names.h"
#include "errcodes.h"
#include "meter.h"

static post_parse_analyze_hook_type prev_post_parse_analyze = NULL;

/* Whether a function of that name exists in pg_catalog. */
static bool
catalog_has_function(const char *name)
{
	CatCList   *list = SearchSysCacheList1(PROCNAMEARGSNSP, CStringGetDatum(name));
	bool		found = false;
	int			i;

	for (i = 0; i < list->n_members && !found; i++)
	{
		Form_pg_proc p = (Form_pg_proc) GETSTRUCT(&list->members[i]->tuple);

		found = p->pronamespace == PG_CATALOG_NAMESPACE;
	}
	ReleaseSysCacheList(list);
	return found;
}

static void
refuse(const char *kind, Oid nsp, const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_CIVIC_DISTRIBUTED),
			 errmsg("a query between Citus nodes names %s %s.%s, which shadows PostgreSQL's own %s",
					kind, get_namespace_name_or_temp(nsp), name, name),
			 errdetail("Citus writes PostgreSQL's own functions and types unqualified in the queries it sends between nodes; a schema before pg_catalog in the search path would replace them with other code."),
			 errhint("Keep pg_catalog first in search_path (it is, unless listed later), or rename %s.%s.",
					 get_namespace_name_or_temp(nsp), name)));
}

static void
check_function(Oid funcid)
{
	HeapTuple	tup;
	Form_pg_proc p;
	Oid			nsp;
	char	   *name;

	if (!OidIsValid(funcid))
		return;
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	if (!HeapTupleIsValid(tup))
		return;
	p = (Form_pg_proc) GETSTRUCT(tup);
	nsp = p->pronamespace;
	name = pstrdup(NameStr(p->proname));
	ReleaseSysCache(tup);
	if (nsp == PG_CATALOG_NAMESPACE)
		return;
	if (!catalog_has_function(name))
		return;
	if (OidIsValid(getExtensionOfObject(ProcedureRelationId, funcid)))
		return;
	refuse(get_func_prokind(funcid) == PROKIND_AGGREGATE ? "the aggregate" : "the function",
		   nsp, name);
}

static void
check_type(Oid typid)
{
	HeapTuple	tup;
	Form_pg_type t;
	Oid			nsp;
	char	   *name;

	if (!OidIsValid(typid))
		return;
	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tup))
		return;
	t = (Form_pg_type) GETSTRUCT(tup);
	nsp = t->typnamespace;
	name = pstrdup(NameStr(t->typname));
	ReleaseSysCache(tup);
	if (nsp == PG_CATALOG_NAMESPACE)
		return;
	if (!OidIsValid(GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum(name),
									ObjectIdGetDatum(PG_CATALOG_NAMESPACE))))
		return;
	if (OidIsValid(getExtensionOfObject(TypeRelationId, typid)))
		return;
	refuse("the type", nsp, name);
}

static bool
names_walker(Node *node, void *context)
{
	if (node == NULL)
		return false;
	check_stack_depth();
	switch (nodeTag(node))
	{
		case T_Query:
			{
				Query	   *query = (Query *) node;
				ListCell   *lc;

				/* column definition lists of functions in FROM */
				foreach(lc, query->rtable)
				{
					RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);
					ListCell   *lc2;

					if (rte->rtekind != RTE_FUNCTION)
						continue;
					foreach(lc2, rte->functions)
					{
						RangeTblFunction *rtf = lfirst_node(RangeTblFunction, lc2);
						ListCell   *lc3;

						foreach(lc3, rtf->funccoltypes)
							check_type(lfirst_oid(lc3));
					}
				}
				return query_tree_walker(query, names_walker, context, 0);
			}
		case T_FuncExpr:
			check_function(((FuncExpr *) node)->funcid);
			break;
		case T_Aggref:
			check_function(((Aggref *) node)->aggfnoid);
			break;
		case T_WindowFunc:
			check_function(((WindowFunc *) node)->winfnoid);
			break;
		case T_Const:
			check_type(((Const *) node)->consttype);
			break;
		case T_RelabelType:
			check_type(((RelabelType *) node)->resulttype);
			break;
		case T_CoerceViaIO:
			check_type(((CoerceViaIO *) node)->resulttype);
			break;
		case T_ArrayCoerceExpr:
			check_type(((ArrayCoerceExpr *) node)->resulttype);
			break;
		case T_CoerceToDomain:
			check_type(((CoerceToDomain *) node)->resulttype);
			break;
		default:
			break;
	}
	return expression_tree_walker(node, names_walker, context);
}

static void
civic_citus_names_check(ParseState *pstate, Query *query, JumbleState *jstate)
{
	if (prev_post_parse_analyze)
		prev_post_parse_analyze(pstate, query, jstate);
	if (query != NULL && civic_in_citus_query())
		(void) names_walker((Node *) query, NULL);
}

/* Install the hook (from _PG_init). */
void
civic_citus_names_init(void)
{
	prev_post_parse_analyze = post_parse_analyze_hook;
	post_parse_analyze_hook = civic_citus_names_check;
}
