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
 * database owner, stay usable; an object a role adds with ALTER EXTENSION
 * ... ADD to an extension it installed stays the role's).  Types are checked wherever an expression has one (a cast function's
 * result, a constant, a CASE), since a role may declare a cast to its own
 * type; operators because Citus writes some unqualified (IS DISTINCT FROM,
 * NULLIF, CASE x WHEN) and ORDER BY ... USING names them; reg* constants
 * because their text named an object through the same search path.
 *
 * Which sessions are Citus's is decided by the application_name Citus sent
 * at connection, as well as the current one (meter_hook.c): a role can
 * rename a connection Citus then reuses, with a set_config() that Citus
 * pushes to the workers.  Citus's own text never names such an object: whatever is not pg_catalog's it writes qualified, and a
 * qualified name of another schema that matches a pg_catalog name is
 * refused too, since the text alone cannot tell the two apart.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
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

/* Whether any object of the catalog of the list cache, so named, is pg_catalog's. */
static bool
catalog_list_has(int listcache, AttrNumber nspattr, const char *name)
{
	CatCList   *list = SearchSysCacheList1(listcache, CStringGetDatum(name));
	bool		found = false;
	int			i;

	for (i = 0; i < list->n_members && !found; i++)
	{
		bool		isnull;
		Datum		nsp = SysCacheGetAttr(listcache, &list->members[i]->tuple, nspattr, &isnull);

		found = !isnull && DatumGetObjectId(nsp) == PG_CATALOG_NAMESPACE;
	}
	ReleaseSysCacheList(list);
	return found;
}

/* Whether pg_catalog has an object of the class named `name`. */
static bool
catalog_has_namesake(Oid classid, const char *name)
{
	switch (classid)
	{
		case ProcedureRelationId:
			return catalog_list_has(PROCNAMEARGSNSP, Anum_pg_proc_pronamespace, name);
		case OperatorRelationId:
			return catalog_list_has(OPERNAMENSP, Anum_pg_operator_oprnamespace, name);
		case TypeRelationId:
			return OidIsValid(GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid, CStringGetDatum(name),
											  ObjectIdGetDatum(PG_CATALOG_NAMESPACE)));
		case CollationRelationId:
			return OidIsValid(get_collation_oid(list_make2(makeString("pg_catalog"),
														   makeString(pstrdup(name))), true));
		case TSConfigRelationId:
			return SearchSysCacheExists2(TSCONFIGNAMENSP, CStringGetDatum(name),
										 ObjectIdGetDatum(PG_CATALOG_NAMESPACE));
		case TSDictionaryRelationId:
			return SearchSysCacheExists2(TSDICTNAMENSP, CStringGetDatum(name),
										 ObjectIdGetDatum(PG_CATALOG_NAMESPACE));
		case RelationRelationId:
			return OidIsValid(get_relname_relid(name, PG_CATALOG_NAMESPACE));
	}
	elog(ERROR, "civic: no name check for catalog %u", classid);
	return false;				/* keep compiler quiet */
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

/*
 * Refuse the object objid of catalog classid if it is named like one of
 * pg_catalog's, is not pg_catalog's, and no extension's script made it.
 * Its name, namespace and owner are read through the catalog's columns as
 * objectaddress.c describes them, so one reading serves every class.  kind
 * names the class in the message; NULL for a function or an aggregate.
 */
static void
check_named(Oid classid, Oid objid, const char *kind)
{
	int			cache = get_object_catcache_oid(classid);
	HeapTuple	tup;
	bool		isnull;
	char	   *name;
	Oid			nsp;
	Oid			owner;

	if (!OidIsValid(objid))
		return;
	tup = SearchSysCache1(cache, ObjectIdGetDatum(objid));
	if (!HeapTupleIsValid(tup))
		return;
	name = pstrdup(NameStr(*DatumGetName(SysCacheGetAttr(cache, tup,
														 get_object_attnum_name(classid),
														 &isnull))));
	nsp = DatumGetObjectId(SysCacheGetAttr(cache, tup, get_object_attnum_namespace(classid),
										   &isnull));
	owner = DatumGetObjectId(SysCacheGetAttr(cache, tup, get_object_attnum_owner(classid),
											 &isnull));
	ReleaseSysCache(tup);
	if (nsp == PG_CATALOG_NAMESPACE || !catalog_has_namesake(classid, name) ||
		trusted_extension_member(classid, objid, owner))
		return;
	if (kind == NULL)
		kind = get_func_prokind(objid) == PROKIND_AGGREGATE ? "the aggregate" : "the function";
	ereport(ERROR,
			(errcode(ERRCODE_CIVIC_DISTRIBUTED),
			 errmsg("a query between Citus nodes names %s %s.%s, which shadows PostgreSQL's own %s",
					kind, get_namespace_name_or_temp(nsp), name, name),
			 errdetail("Citus writes PostgreSQL's own functions and types unqualified in the queries it sends between nodes; a schema before pg_catalog in the search path would replace them with other code."),
			 errhint("Keep pg_catalog first in search_path (it is, unless listed later), or rename %s.%s.",
					 get_namespace_name_or_temp(nsp), name)));
}

#define check_function(oid)		check_named(ProcedureRelationId, (oid), NULL)
#define check_type(oid)			check_named(TypeRelationId, (oid), "the type")
#define check_operator(oid)		check_named(OperatorRelationId, (oid), "the operator")
#define check_collation(oid)	check_named(CollationRelationId, (oid), "the collation")

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
			check_named(TSConfigRelationId, DatumGetObjectId(c->constvalue),
						"the text search configuration");
			break;
		case REGDICTIONARYOID:
			check_named(TSDictionaryRelationId, DatumGetObjectId(c->constvalue),
						"the text search dictionary");
			break;
		case REGCLASSOID:
			check_named(RelationRelationId, DatumGetObjectId(c->constvalue), "the relation");
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
