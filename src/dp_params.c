/*
 * dp_params.c
 *	  The privacy parameters of civic's differential-privacy aggregates, in
 *	  one place (see dp_params.h).
 *
 * An aggregate is a civic DP aggregate when it belongs to extension civic
 * and has an argument named "epsilon".  Its parameters are found by
 * argument name (the positions follow from pg_proc.proargnames, so an
 * overload with a unit first or a p second is read the same way), and its
 * mechanism comes from the table below, keyed by the aggregate's name: a
 * DP aggregate missing from the table is refused rather than charged under
 * a guessed mechanism.
 *
 * Parameters are fixed for the whole query: the budget is charged before
 * the query runs, so what is charged must be known then, and an empty
 * group (no transition call) must still be answered with noise.  A
 * parameter may be a literal, a query parameter, or any expression of them
 * free of columns, volatile functions, subqueries and aggregates.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/dependency.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "parser/parse_func.h"
#include "utils/lsyscache.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "dp_noise.h"
#include "dp_params.h"
#include "plan_notes.h"

const char *const civic_dp_param_names[CIVIC_DP_NPARAMS] = {
	"epsilon", "delta", "lower", "upper", "p", "max_rows"
};

/*
 * The mechanism of each DP aggregate, by SQL name (all overloads of a name
 * share it).  Adding an aggregate means adding its line here.
 */
static const struct
{
	const char *name;
	CivicDpFamily family;
	int			parts;			/* noise draws, each at (epsilon/parts,
								 * delta/parts) */
}			dp_aggregates[] = {
	{"dp_count", CIVIC_DP_ADDITIVE, 1},
	{"dp_count_units", CIVIC_DP_ADDITIVE, 1},
	{"dp_sum", CIVIC_DP_ADDITIVE, 1},
	{"dp_avg", CIVIC_DP_ADDITIVE, 2},	/* a noisy sum over a noisy count */
	{"dp_sum_per_unit", CIVIC_DP_ADDITIVE, 1},
	{"dp_avg_per_unit", CIVIC_DP_ADDITIVE, 2},
	{"dp_percentile", CIVIC_DP_EXPONENTIAL, 1},
	{"dp_median", CIVIC_DP_EXPONENTIAL, 1},
};

/* The name of the twin of DP aggregate <name> is _dist_<name>. */
#define DP_TWIN_PREFIX "_dist_"

/* Longest chain of plan nodes between a combining and a partial aggregate. */
#define DP_PARTIAL_MAX_STEPS 64

/*
 * The cache's entries are never freed: the meter and the final functions
 * keep pointers to them for a whole query, during which an invalidation
 * may arrive (another session's CREATE FUNCTION, read at the next lock).
 * An invalidation marks every entry stale; a stale entry is rebuilt in
 * place, from pg_proc, at its next lookup.
 */
typedef struct InfoCacheEntry
{
	CivicDpAggInfo info;		/* first: the key is info.aggfnoid */
	bool		stale;
} InfoCacheEntry;

static HTAB *info_cache = NULL;
static bool info_cache_stale = false;

/* pg_proc changed: what was learnt of aggregates must be read again. */
static void
info_cache_invalidate(Datum arg, int cacheid, uint32 hashvalue)
{
	info_cache_stale = true;
}

/* Register the cache's invalidation (from _PG_init). */
void
civic_dp_params_init(void)
{
	CacheRegisterSyscacheCallback(PROCOID, info_cache_invalidate, (Datum) 0);
}

/*
 * The twin of a DP aggregate, or the original of a twin: the aggregate of
 * civic in the same schema, with the same argument types, named
 * _dist_<name> or <name>.
 */
static Oid
info_counterpart(const CivicDpAggInfo *info, Form_pg_proc proc, Oid civic_ext)
{
	char		name[NAMEDATALEN];
	HeapTuple	tup;
	Oid			oid = InvalidOid;

	if (info->twin)
		strlcpy(name, info->name, NAMEDATALEN);
	else
		snprintf(name, NAMEDATALEN, "%s%s", DP_TWIN_PREFIX, info->name);
	tup = SearchSysCache3(PROCNAMEARGSNSP, CStringGetDatum(name),
						  PointerGetDatum(&proc->proargtypes),
						  ObjectIdGetDatum(proc->pronamespace));
	if (!HeapTupleIsValid(tup))
		return InvalidOid;
	if (((Form_pg_proc) GETSTRUCT(tup))->prokind == PROKIND_AGGREGATE)
		oid = ((Form_pg_proc) GETSTRUCT(tup))->oid;
	ReleaseSysCache(tup);
	if (OidIsValid(oid) && getExtensionOfObject(ProcedureRelationId, oid) != civic_ext)
		oid = InvalidOid;
	return oid;
}

/* Fill an entry from pg_proc. */
static void
info_build(Oid aggfnoid, CivicDpAggInfo *info)
{
	HeapTuple	tup;
	Form_pg_proc proc;
	Oid			civic_ext;
	bool		isnull;
	Datum		names;
	int			i;

	memset(info, 0, sizeof(*info));
	info->aggfnoid = aggfnoid;
	for (i = 0; i < CIVIC_DP_NPARAMS; i++)
		info->arg[i] = -1;
	tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(aggfnoid));
	if (!HeapTupleIsValid(tup))
		return;
	proc = (Form_pg_proc) GETSTRUCT(tup);
	civic_ext = get_extension_oid("civic", true);
	/* civic's release functions (dp_release.c) */
	if (proc->prokind == PROKIND_FUNCTION && OidIsValid(civic_ext) &&
		(strcmp(NameStr(proc->proname), "_dp_count_release") == 0 ||
		 strcmp(NameStr(proc->proname), "_dp_sum_release") == 0 ||
		 strcmp(NameStr(proc->proname), "_dp_avg_release") == 0) &&
		getExtensionOfObject(ProcedureRelationId, aggfnoid) == civic_ext)
	{
		info->release = true;
		strlcpy(info->name, NameStr(proc->proname) + 1, NAMEDATALEN);
		*strstr(info->name, "_release") = '\0';
		ReleaseSysCache(tup);
		return;
	}
	if (proc->prokind != PROKIND_AGGREGATE || !OidIsValid(civic_ext) ||
		getExtensionOfObject(ProcedureRelationId, aggfnoid) != civic_ext)
	{
		ReleaseSysCache(tup);
		return;
	}
	/* a twin is the DP aggregate it is the twin of */
	if (strncmp(NameStr(proc->proname), DP_TWIN_PREFIX, strlen(DP_TWIN_PREFIX)) == 0)
	{
		info->twin = true;
		strlcpy(info->name, NameStr(proc->proname) + strlen(DP_TWIN_PREFIX), NAMEDATALEN);
	}
	else
		strlcpy(info->name, NameStr(proc->proname), NAMEDATALEN);
	names = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_proargnames, &isnull);
	if (!isnull)
	{
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		deconstruct_array(DatumGetArrayTypeP(names), TEXTOID, -1,
						  false, TYPALIGN_INT, &elems, &nulls, &n);
		for (i = 0; i < n; i++)
		{
			char	   *s;
			int			j;

			if (nulls[i])
				continue;
			s = TextDatumGetCString(elems[i]);
			if (strcmp(s, "unit") == 0)
				info->per_unit = true;
			for (j = 0; j < CIVIC_DP_NPARAMS; j++)
				if (strcmp(s, civic_dp_param_names[j]) == 0)
					info->arg[j] = i;
		}
	}
	info->is_dp = info->arg[CIVIC_DP_EPSILON] >= 0;
	if (info->is_dp)
		info->counterpart = info_counterpart(info, proc, civic_ext);
	ReleaseSysCache(tup);
	if (info->is_dp)
	{
		for (i = 0; i < lengthof(dp_aggregates); i++)
			if (strcmp(dp_aggregates[i].name, info->name) == 0)
				break;
		/* fail closed: never charge under a guessed mechanism */
		if (i == lengthof(dp_aggregates))
			elog(ERROR, "civic: aggregate %s has an epsilon but no entry in the table of DP aggregates",
				 info->name);
		info->family = dp_aggregates[i].family;
		info->parts = dp_aggregates[i].parts;
	}
}

/* The aggregate's entry; never NULL (is_dp false for any other function). */
const CivicDpAggInfo *
civic_dp_agg_info(Oid aggfnoid)
{
	InfoCacheEntry *entry;
	CivicDpAggInfo tmp;
	bool		found;

	if (info_cache == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(InfoCacheEntry);
		ctl.hcxt = CacheMemoryContext;
		info_cache = hash_create("civic dp aggregates", 64, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	if (info_cache_stale)
	{
		HASH_SEQ_STATUS seq;
		InfoCacheEntry *e;

		info_cache_stale = false;
		hash_seq_init(&seq, info_cache);
		while ((e = hash_seq_search(&seq)) != NULL)
			e->stale = true;
	}
	entry = hash_search(info_cache, &aggfnoid, HASH_FIND, NULL);
	if (entry && !entry->stale)
		return &entry->info;
	/* (building may run an invalidation: it only marks entries stale) */
	info_build(aggfnoid, &tmp);
	entry = hash_search(info_cache, &aggfnoid, HASH_ENTER, &found);
	memcpy(&entry->info, &tmp, sizeof(tmp));
	entry->stale = false;
	return &entry->info;
}

/* The twin of a DP aggregate (dp_params.h). */
Oid
civic_dp_twin(Oid aggfnoid)
{
	const CivicDpAggInfo *info = civic_dp_agg_info(aggfnoid);

	return (info->is_dp && !info->twin) ? info->counterpart : InvalidOid;
}

/*
 * What civic knows of the aggregate an Aggref evaluates: its own, or for
 * Citus's coord_combine_agg in a plan civic's planner hook checked, that
 * of the DP aggregate it combines (plan_notes.h).
 */
const CivicDpAggInfo *
civic_dp_aggref_info(Aggref *aggref)
{
	Aggref	   *noted = civic_noted_source(aggref);

	return civic_dp_agg_info(noted != NULL ? noted->aggfnoid : aggref->aggfnoid);
}

/* The mechanism name recorded in the ledger and used by the aggregate. */
const char *
civic_dp_mechanism(const CivicDpAggInfo *info, double delta)
{
	if (info->family == CIVIC_DP_EXPONENTIAL)
		return "exponential";
	return delta > 0.0 ? "discrete_gaussian" : "discrete_laplace";
}

/*
 * The zCDP cost rho of one evaluation at (epsilon, delta).  Gaussian noise
 * (delta > 0): each of the aggregate's draws is a discrete Gaussian
 * calibrated for (epsilon/parts, delta/parts), which is
 * rho_i-zCDP with rho_i = 1 / (2 m^2) (Canonne, Kamath, Steinke 2020);
 * draws compose by adding rho (Bun and Steinke 2016, Lemma 2.3).  Pure
 * epsilon-DP mechanisms (Laplace, exponential) are epsilon^2/2-zCDP (Bun
 * and Steinke 2016, Proposition 1.4).
 */
double
civic_dp_rho(const CivicDpAggInfo *info, double epsilon, double delta)
{
	if (info->family == CIVIC_DP_ADDITIVE && delta > 0.0)
		return info->parts * dp_gaussian_rho(epsilon / info->parts, delta / info->parts);
	return epsilon * epsilon / 2.0;
}

/* epsilon in (0, 1e6], delta in [0, 1) (NaN and infinities excluded). */
bool
civic_dp_privacy_valid(double epsilon, double delta)
{
	return epsilon > 0.0 && epsilon <= 1e6 && delta >= 0.0 && delta < 1.0;
}

/* Validate epsilon and delta, raising 22023 for the aggregate named. */
void
civic_dp_check_privacy(const char *aggname, double epsilon, double delta)
{
	if (isnan(epsilon) || isinf(epsilon) || epsilon <= 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("epsilon must be positive and finite"),
				 errdetail("%s was called with epsilon = %g.", aggname, epsilon),
				 errhint("Typical values are between 0.1 and 2.")));
	if (epsilon > 1e6)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("epsilon must be at most 1e6"),
				 errdetail("%s was called with epsilon = %g.", aggname, epsilon),
				 errhint("Typical values are between 0.1 and 2.")));
	if (isnan(delta) || delta < 0.0 || delta >= 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("delta must be in [0, 1)"),
				 errdetail("%s was called with delta = %g.", aggname, delta),
				 errhint("Use delta = 0 for pure epsilon-DP, or a value well below 1/(number of people).")));
	Assert(civic_dp_privacy_valid(epsilon, delta));
}

/* A Param computed while the query runs (not a query parameter). */
static bool
has_exec_param(Node *node, void *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Param) && ((Param *) node)->paramkind != PARAM_EXTERN)
		return true;
	return expression_tree_walker(node, has_exec_param, context);
}

/* What a parameter's (planned) expression is. */
CivicDpArgKind
civic_dp_arg_kind(Expr *expr)
{
	if (expr == NULL || IsA(expr, Const))
		return CIVIC_DP_ARG_FIXED;
	if (contain_var_clause((Node *) expr) ||
		contain_volatile_functions((Node *) expr) ||
		contain_subplans((Node *) expr) ||
		contain_agg_clause((Node *) expr))
		return CIVIC_DP_ARG_ROWWISE;
	if (has_exec_param((Node *) expr, NULL))
		return CIVIC_DP_ARG_RUNTIME;
	return CIVIC_DP_ARG_FIXED;
}

/* Raise the error for a parameter that is not CIVIC_DP_ARG_FIXED. */
void
civic_dp_report_arg(CivicDpArgKind kind, const char *pname, const char *aggname)
{
	if (kind == CIVIC_DP_ARG_ROWWISE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s of %s must be a constant", pname, aggname),
				 errdetail("Privacy parameters and bounds are fixed for the whole query: no column reference, volatile function or subquery."),
				 errhint("Write the value as a literal or a query parameter.  To bound each person's contribution, use the per-unit aggregates (dp_sum_per_unit, dp_avg_per_unit).")));
	ereport(ERROR,
			(errcode(ERRCODE_CIVIC_UNMETERABLE),
			 errmsg("%s of %s must be a constant or a query parameter", pname, aggname),
			 errdetail("The privacy cost of a query is charged before it runs, so it must be known then."),
			 errhint("Write %s as a literal or pass it as a parameter.", pname)));
}

/* Argument expression of a DP parameter of an Aggref; NULL if none. */
Expr *
civic_dp_arg(const CivicDpAggInfo *info, Aggref *aggref, CivicDpParam param)
{
	int			argno = info->arg[param];

	if (aggref == NULL || argno < 0 || argno >= list_length(aggref->args))
		return NULL;
	return ((TargetEntry *) list_nth(aggref->args, argno))->expr;
}

/* Whether the call is of a shape the aggregates accept. */
bool
civic_dp_call_shape_ok(Aggref *aggref)
{
	return aggref->aggorder == NIL && aggref->aggdistinct == NIL;
}

/* Refuse DISTINCT and ORDER BY in a DP aggregate's arguments. */
void
civic_dp_check_call_shape(Aggref *aggref, const char *aggname)
{
	if (!civic_dp_call_shape_ok(aggref))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s does not support DISTINCT or ORDER BY in its arguments", aggname),
				 errhint("Use dp_count_units() to count distinct privacy units.")));
}

/*
 * The Aggref carrying the arguments of `aggref`, evaluated by Agg node
 * `agg`.  Under partial aggregation the combining Aggref's only argument is
 * a Var pointing at the partial aggregate's output: follow it down the plan
 * (through the first child of an Append or MergeAppend: every child
 * computes the same partial aggregate) to the partial Aggref of the same
 * aggregate, which carries the original arguments.
 */
Aggref *
civic_dp_source_aggref(Plan *agg, Aggref *aggref)
{
	Plan	   *plan = agg;
	Expr	   *expr;
	int			steps;
	Aggref	   *noted = civic_noted_source(aggref);

	/* Citus's coord_combine_agg in a plan civic's planner hook checked */
	if (noted != NULL)
		return noted;
	if (!DO_AGGSPLIT_COMBINE(aggref->aggsplit))
		return aggref;
	if (plan == NULL || list_length(aggref->args) != 1)
		return NULL;
	expr = ((TargetEntry *) linitial(aggref->args))->expr;
	for (steps = 0; steps < DP_PARTIAL_MAX_STEPS && expr != NULL; steps++)
	{
		Var		   *var;
		Plan	   *below;

		if (IsA(expr, Aggref))
			return ((Aggref *) expr)->aggfnoid == aggref->aggfnoid ?
				(Aggref *) expr : NULL;
		if (!IsA(expr, Var))
			return NULL;
		var = (Var *) expr;
		if (var->varno == OUTER_VAR)
		{
			if (IsA(plan, Append))
				below = ((Append *) plan)->appendplans != NIL ?
					linitial(((Append *) plan)->appendplans) : NULL;
			else if (IsA(plan, MergeAppend))
				below = ((MergeAppend *) plan)->mergeplans != NIL ?
					linitial(((MergeAppend *) plan)->mergeplans) : NULL;
			else
				below = outerPlan(plan);
		}
		else if (var->varno == INNER_VAR)
			below = innerPlan(plan);
		else
			return NULL;
		if (below == NULL || var->varattno < 1 ||
			var->varattno > list_length(below->targetlist))
			return NULL;
		plan = below;
		expr = ((TargetEntry *) list_nth(plan->targetlist, var->varattno - 1))->expr;
	}
	return NULL;
}
