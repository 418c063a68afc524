/*
 * dataset.c
 *	  Datasets and who may read them: a table's dataset (its declared
 *	  dataset, or the table itself, partitions counting as their root and
 *	  Citus shards as their distributed table), the
 *	  display name of a dataset, whether a role may read a table directly
 *	  (then it is charged but not limited), and who manages budgets.
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/partition.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rls.h"

#include "citus_meta.h"
#include "dataset.h"

/*
 * Whether a role may SELECT every column of a table directly.  A grant on
 * some columns only does not count: the others may be what DP protects.
 * Nor does a grant on a table whose row-level security policies hide rows
 * from the role: a view owned by another role may aggregate all of them.
 * A table dropped since it was charged is readable by nobody.
 */
bool
civic_role_can_read(Oid roleid, Oid relid)
{
	bool		is_missing = false;

	if (pg_class_aclcheck_ext(relid, roleid, ACL_SELECT, &is_missing) != ACLCHECK_OK)
	{
		if (is_missing ||
			pg_attribute_aclcheck_all(relid, roleid, ACL_SELECT,
									  ACLMASK_ALL) != ACLCHECK_OK)
			return false;
	}
	return check_enable_rls(relid, roleid, true) != RLS_ENABLED;
}

/* The dataset a table belongs to, and its max groups per unit. */
void
civic_table_dataset(Oid relid, CivicDatasetKey *ds, int32 *k)
{
	char		name[NAMEDATALEN];
	Oid			logical = civic_citus_shard_table(relid);

	/* a Citus shard is its distributed (or reference) table */
	if (OidIsValid(logical))
		relid = logical;
	if (get_rel_relispartition(relid))
	{
		List	   *anc = get_partition_ancestors(relid);

		if (anc != NIL)
			relid = llast_oid(anc);
	}
	memset(ds, 0, sizeof(*ds));
	ds->dbid = MyDatabaseId;
	if (civic_ledger_lookup_table(relid, name, k))
	{
		ds->kind = CIVIC_DS_NAMED;
		strlcpy(ds->name, name, NAMEDATALEN);
	}
	else
	{
		ds->kind = CIVIC_DS_TABLE;
		ds->relid = relid;
		*k = 1;
	}
}

/*
 * Whether a table holds Citus-distributed data: a Citus table or one of its
 * shards.  Its only budget is the coordinator's.
 */
bool
civic_table_is_distributed(Oid relid)
{
	return civic_citus_is_table(relid) ||
		OidIsValid(civic_citus_shard_table(relid));
}

/* Whether this node keeps the budgets of Citus tables (the coordinator). */
bool
civic_node_meters_distributed(void)
{
	return civic_citus_is_coordinator();
}

/* How a dataset is shown: its name, the table, or a marker (as the API takes it). */
char *
civic_dataset_display(const CivicDatasetKey *ds)
{
	switch (ds->kind)
	{
		case CIVIC_DS_DEFAULT:
			return pstrdup("(default)");
		case CIVIC_DS_NONE:
			return pstrdup(CIVIC_NO_TABLE_DATASET);
		case CIVIC_DS_NAMED:
			return pstrdup(ds->name);
		case CIVIC_DS_TABLE:
			{
				/*
				 * Always schema-qualified and quoted as needed, whatever the
				 * search_path: the form that resolve_dataset() accepts back.
				 */
				char	   *relname = get_rel_name(ds->relid);
				char	   *nspname = relname ?
					get_namespace_name(get_rel_namespace(ds->relid)) : NULL;

				if (relname == NULL || nspname == NULL)
					return psprintf("%u", ds->relid);	/* dropped since */
				return pstrdup(quote_qualified_identifier(nspname, relname));
			}
	}
	return pstrdup("?");
}

/* Superuser, or a member of civic_budget_admin. */
bool
civic_is_budget_admin(void)
{
	Oid			userid = GetUserId();
	Oid			admin;

	if (superuser_arg(userid))
		return true;
	admin = get_role_oid(CIVIC_ADMIN_ROLE, true);
	return OidIsValid(admin) && has_privs_of_role(userid, admin);
}
