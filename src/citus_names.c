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
 * function, aggregate, operator, type, collation or relation (the last as
 * a regclass constant) that is named like one of pg_catalog but is not
 * pg_catalog's, unless an extension's script made it: it belongs to an
 * extension and a superuser owns it (the script of a trusted extension runs
 * as the bootstrap superuser, so citext's = and max, installed by a
 * database owner, stay usable; an object a role adds to an extension it
 * installed stays the role's) (a role
 * that installs a trusted extension owns it and may add its own objects to
 * it).  Types are checked wherever an expression has one (a cast function's
 * result, a constant, a CASE), since a role may declare a cast to its own
 * type; operators because Citus writes some unqualified (IS DISTINCT FROM,
 * NULLIF, CASE x WHEN) and ORDER BY ... USING names them; reg* constants
 * because their text named an object through the same search path.
 *
 * Which sessions are Citus's is decided by the application_name Citus sent
 * at connection (meter_hook.c): a role can rename a connection Citus then
 * reuses, with a set_config() that Citus pushes to the workers.  Citus's own text never names
 * such an object: whatever is not pg_catalog's it writes qualified, and a
 * qualified name of another schema that matches a pg_catalog name is
 * refused too, since the text alone cannot tell the two apart.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_ts_config.h"
#include "catalog/pg_ts_dict.h"
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "parser/analyze.h"
#include "miscadmin.h"
#include "utils/catcache.h"
#include "utils/fmgroids.h"
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

/*
 * Whether an extension's script made the object: it belongs to an extension
 * and a superuser owns it.  (A role that installs a trusted extension owns
 * the extension, not the objects its script creates, which the bootstrap
 * superuser owns; what the role adds to it with ALTER EXTENSION ... ADD is
 * its own.)
 */
static bool
trusted_extension_member(Oid classid, Oid objid, Oid owner)
{
	return OidIsValid(getExtensionOfObject(classid, objid)) && superuser_arg(owner);
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
	Oid			owner;

	if (!OidIsValid(funcid))
		return;
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	if (!HeapTupleIsValid(tup))
		return;
	p = (Form_pg_proc) GETSTRUCT(tup);
	nsp = p->pronamespace;
	name = pstrdup(NameStr(p->proname));
	owner = p->proowner;
	ReleaseSysCache(tup);
	if (nsp == PG_CATALOG_NAMESPACE)
		return;
	if (!catalog_has_function(name))
		return;
	if (trusted_extension_member(ProcedureRelationId, funcid, owner))
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
	Oid			owner;

	if (!OidIsValid(typid))
		return;
	tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tup))
		return;
	t = (Form_pg_type) GETSTRUCT(tup);
	nsp = t->typnamespace;
	name = pstrdup(NameStr(t->typname));
	owner = t->typowner;
	ReleaseSysCache(tup);
	if (nsp == PG_CATALOG_NAMESPACE)
		return;
	if (!OidIsValid(GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum(name),
									ObjectIdGetDatum(PG_CATALOG_NAMESPACE))))
		return;
	if (trusted_extension_member(TypeRelationId, typid, owner))
		return;
	refuse("the type", nsp, name);
}

static void
check_operator(Oid opno)
{
	HeapTuple	tup;
	Form_pg_operator o;
	Oid			nsp;
	char	   *name;
	CatCList   *list;
	bool		shadows = false;
	Oid			owner;
	int			i;

	if (!OidIsValid(opno))
		return;
	tup = SearchSysCache1(OPEROID, ObjectIdGetDatum(opno));
	if (!HeapTupleIsValid(tup))
		return;
	o = (Form_pg_operator) GETSTRUCT(tup);
	nsp = o->oprnamespace;
	name = pstrdup(NameStr(o->oprname));
	owner = o->oprowner;
	ReleaseSysCache(tup);
	if (nsp == PG_CATALOG_NAMESPACE)
		return;
	list = SearchSysCacheList1(OPERNAMENSP, CStringGetDatum(name));
	for (i = 0; i < list->n_members && !shadows; i++)
		shadows = ((Form_pg_operator) GETSTRUCT(&list->members[i]->tuple))->oprnamespace ==
			PG_CATALOG_NAMESPACE;
	ReleaseSysCacheList(list);
	if (shadows && !trusted_extension_member(OperatorRelationId, opno, owner))
		refuse("the operator", nsp, name);
}

static void
check_collation(Oid collid)
{
	HeapTuple	tup;
	char	   *name;
	Oid			nsp;
	Oid			owner;

	if (!OidIsValid(collid))
		return;
	tup = SearchSysCache1(COLLOID, ObjectIdGetDatum(collid));
	if (!HeapTupleIsValid(tup))
		return;
	nsp = ((Form_pg_collation) GETSTRUCT(tup))->collnamespace;
	name = pstrdup(NameStr(((Form_pg_collation) GETSTRUCT(tup))->collname));
	owner = ((Form_pg_collation) GETSTRUCT(tup))->collowner;
	ReleaseSysCache(tup);
	if (nsp == PG_CATALOG_NAMESPACE)
		return;
	if (!OidIsValid(get_collation_oid(list_make2(makeString("pg_catalog"), makeString(name)), true)))
		return;
	if (trusted_extension_member(CollationRelationId, collid, owner))
		return;
	refuse("the collation", nsp, name);
}

static void
check_relation(Oid relid)
{
	Oid			nsp = get_rel_namespace(relid);
	char	   *name;

	if (!OidIsValid(nsp) || nsp == PG_CATALOG_NAMESPACE)
		return;
	name = get_rel_name(relid);
	if (name == NULL || !OidIsValid(get_relname_relid(name, PG_CATALOG_NAMESPACE)))
		return;
	refuse("the relation", nsp, name);
}

/* A text search configuration or dictionary (same layout: name, namespace). */
static void
check_catalog_named(int oidcache, int namecache, Oid oid, const char *kind)
{
	HeapTuple	tup;
	char	   *name;
	Oid			nsp;

	if (!OidIsValid(oid))
		return;
	tup = SearchSysCache1(oidcache, ObjectIdGetDatum(oid));
	if (!HeapTupleIsValid(tup))
		return;
	if (oidcache == TSCONFIGOID)
	{
		name = pstrdup(NameStr(((Form_pg_ts_config) GETSTRUCT(tup))->cfgname));
		nsp = ((Form_pg_ts_config) GETSTRUCT(tup))->cfgnamespace;
	}
	else
	{
		name = pstrdup(NameStr(((Form_pg_ts_dict) GETSTRUCT(tup))->dictname));
		nsp = ((Form_pg_ts_dict) GETSTRUCT(tup))->dictnamespace;
	}
	ReleaseSysCache(tup);
	if (nsp == PG_CATALOG_NAMESPACE)
		return;
	if (!SearchSysCacheExists2(namecache, CStringGetDatum(name),
							   ObjectIdGetDatum(PG_CATALOG_NAMESPACE)))
		return;
	refuse(kind, nsp, name);
}

/* The operators of a query's GROUP BY, ORDER BY, DISTINCT or window. */
static void
check_sort_group(List *clauses)
{
	ListCell   *lc;

	foreach(lc, clauses)
	{
		SortGroupClause *sgc = lfirst_node(SortGroupClause, lc);

		check_operator(sgc->eqop);
		check_operator(sgc->sortop);
	}
}

/*
 * A constant of a reg* type names an object, resolved by the same search
 * path when the text was read: check that object too.
 */
static void
check_reg_const(Const *c)
{
	Oid			oid;

	if (c->constisnull)
		return;
	switch (c->consttype)
	{
		case REGPROCOID:
		case REGPROCEDUREOID:
			check_function(DatumGetObjectId(c->constvalue));
			break;
		case REGOPEROID:
		case REGOPERATOROID:
			check_operator(DatumGetObjectId(c->constvalue));
			break;
		case REGTYPEOID:
			check_type(DatumGetObjectId(c->constvalue));
			break;
		case REGCOLLATIONOID:
			check_collation(DatumGetObjectId(c->constvalue));
			break;
		case REGCONFIGOID:
			check_catalog_named(TSCONFIGOID, TSCONFIGNAMENSP,
								DatumGetObjectId(c->constvalue), "the text search configuration");
			break;
		case REGDICTIONARYOID:
			check_catalog_named(TSDICTOID, TSDICTNAMENSP,
								DatumGetObjectId(c->constvalue), "the text search dictionary");
			break;
		case REGCLASSOID:
			oid = DatumGetObjectId(c->constvalue);
			if (OidIsValid(oid))
				check_relation(oid);
			break;
		default:
			break;
	}
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
				check_sort_group(query->sortClause);
				check_sort_group(query->groupClause);
				check_sort_group(query->distinctClause);
				foreach(lc, query->windowClause)
				{
					WindowClause *wc = lfirst_node(WindowClause, lc);

					check_sort_group(wc->partitionClause);
					check_sort_group(wc->orderClause);
				}
				return query_tree_walker(query, names_walker, context, 0);
			}
		case T_FuncExpr:
			check_function(((FuncExpr *) node)->funcid);
			check_type(((FuncExpr *) node)->funcresulttype);
			break;
		case T_OpExpr:
		case T_DistinctExpr:
		case T_NullIfExpr:
			check_operator(((OpExpr *) node)->opno);
			check_type(((OpExpr *) node)->opresulttype);
			break;
		case T_ScalarArrayOpExpr:
			check_operator(((ScalarArrayOpExpr *) node)->opno);
			break;
		case T_RowCompareExpr:
			{
				ListCell   *lc;

				foreach(lc, ((RowCompareExpr *) node)->opnos)
					check_operator(lfirst_oid(lc));
			}
			break;
		case T_CollateExpr:
			check_collation(((CollateExpr *) node)->collOid);
			break;
		case T_CaseExpr:
			check_type(((CaseExpr *) node)->casetype);
			break;
		case T_CoalesceExpr:
			check_type(((CoalesceExpr *) node)->coalescetype);
			break;
		case T_MinMaxExpr:
			check_type(((MinMaxExpr *) node)->minmaxtype);
			break;
		case T_ArrayExpr:
			check_type(((ArrayExpr *) node)->array_typeid);
			break;
		case T_RowExpr:
			check_type(((RowExpr *) node)->row_typeid);
			break;
		case T_Aggref:
			check_function(((Aggref *) node)->aggfnoid);
			check_type(((Aggref *) node)->aggtype);
			break;
		case T_WindowFunc:
			check_function(((WindowFunc *) node)->winfnoid);
			check_type(((WindowFunc *) node)->wintype);
			break;
		case T_Const:
			check_type(((Const *) node)->consttype);
			check_reg_const((Const *) node);
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
