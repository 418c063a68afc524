/*
 * citus_meta.c
 *	  What civic needs to know of Citus's metadata, read from Citus's own
 *	  catalogue tables (pg_dist_shard, pg_dist_partition,
 *	  pg_dist_local_group) by name, so that civic neither links with Citus
 *	  nor needs it installed: which distributed (or reference) table a
 *	  shard belongs to, whether a table is a Citus table, and whether this
 *	  node is the coordinator.  Without Citus in the database every
 *	  function answers "no" (InvalidOid, false) and the coordinator test
 *	  answers "yes".
 *
 * A shard of table T has id S (a row of pg_dist_shard naming T as its
 * logicalrelid) and is a table in T's schema named T_S, or, when that
 * would not fit in NAMEDATALEN, T clipped, "_", eight hex digits of a hash
 * of T's name, "_S" (Citus's shard-name convention).  The name is checked
 * as well as the id, so that a table that merely ends in a shard's number
 * is not taken for it.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "common/hashfn.h"
#include "mb/pg_wchar.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "citus_meta.h"

/* A Citus catalogue table of this database, or InvalidOid. */
static Oid
citus_catalog(const char *name)
{
	return get_relname_relid(name, PG_CATALOG_NAMESPACE);
}

/*
 * The first row of a Citus catalogue table whose column COLUMN equals
 * VALUE (compared with PROC), copied out; NULL if none or no such table.
 */
static HeapTuple
citus_catalog_row(const char *table, const char *column, RegProcedure proc,
				  Datum value, TupleDesc *desc, Relation *rel_out)
{
	Oid			relid = citus_catalog(table);
	Relation	rel;
	AttrNumber	att;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	*rel_out = NULL;
	if (!OidIsValid(relid))
		return NULL;
	att = get_attnum(relid, column);
	if (att == InvalidAttrNumber)
		return NULL;
	rel = table_open(relid, AccessShareLock);
	ScanKeyInit(&key, att, BTEqualStrategyNumber, proc, value);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (HeapTupleIsValid(tup))
		tup = heap_copytuple(tup);
	systable_endscan(scan);
	*desc = RelationGetDescr(rel);
	*rel_out = rel;
	return tup;
}

/* Whether RELNAME is the shard-name of LOGICAL_NAME for shard SHARDID. */
static bool
is_shard_name(const char *relname, const char *logical_name, int64 shardid)
{
	char		suffix[NAMEDATALEN];
	char		expect[NAMEDATALEN];
	int			len = strlen(logical_name);
	int			slen;

	snprintf(suffix, sizeof(suffix), "_" INT64_FORMAT, shardid);
	slen = strlen(suffix);
	if (len < NAMEDATALEN - slen)
		snprintf(expect, sizeof(expect), "%s%s", logical_name, suffix);
	else
	{
		uint32		h = DatumGetUInt32(hash_any((const unsigned char *) logical_name, len));
		int			clip = pg_mbcliplen(logical_name, len, NAMEDATALEN - slen - 10);

		snprintf(expect, sizeof(expect), "%.*s_%.8x%s", clip, logical_name, h, suffix);
	}
	return strcmp(relname, expect) == 0;
}

/*
 * The distributed, reference or Citus-local table a shard belongs to, or
 * InvalidOid if RELID is not a Citus shard (or Citus is not here).
 */
Oid
civic_citus_shard_table(Oid relid)
{
	char	   *relname = get_rel_name(relid);
	char	   *p,
			   *end;
	int64		shardid;
	HeapTuple	tup;
	TupleDesc	desc;
	Relation	rel;
	Oid			logical = InvalidOid;

	if (relname == NULL || !OidIsValid(citus_catalog("pg_dist_shard")))
		return InvalidOid;
	p = strrchr(relname, '_');
	if (p == NULL || p[1] == '\0')
		return InvalidOid;
	errno = 0;
	shardid = strtoi64(p + 1, &end, 10);
	if (*end != '\0' || errno != 0 || shardid <= 0 || !isdigit((unsigned char) p[1]))
		return InvalidOid;

	tup = citus_catalog_row("pg_dist_shard", "shardid", F_INT8EQ,
							Int64GetDatum(shardid), &desc, &rel);
	if (tup != NULL)
	{
		bool		isnull;
		AttrNumber	att = get_attnum(RelationGetRelid(rel), "logicalrelid");
		Datum		d = att != InvalidAttrNumber ? heap_getattr(tup, att, desc, &isnull) : (Datum) 0;

		if (att != InvalidAttrNumber && !isnull)
		{
			Oid			cand = DatumGetObjectId(d);
			char	   *cname = get_rel_name(cand);

			if (cname != NULL && cand != relid &&
				get_rel_namespace(cand) == get_rel_namespace(relid) &&
				is_shard_name(relname, cname, shardid))
				logical = cand;
		}
	}
	if (rel != NULL)
		table_close(rel, AccessShareLock);
	return logical;
}

/* Whether RELID is a Citus table (distributed, reference or Citus-local). */
bool
civic_citus_is_table(Oid relid)
{
	HeapTuple	tup;
	TupleDesc	desc;
	Relation	rel;

	tup = citus_catalog_row("pg_dist_partition", "logicalrelid", F_OIDEQ,
							ObjectIdGetDatum(relid), &desc, &rel);
	if (rel != NULL)
		table_close(rel, AccessShareLock);
	return tup != NULL;
}

/* The distribution column of a Citus table (citus_meta.h). */
AttrNumber
civic_citus_distribution_column(Oid relid)
{
	HeapTuple	tup;
	TupleDesc	desc;
	Relation	rel;
	AttrNumber	result = -1;

	tup = citus_catalog_row("pg_dist_partition", "logicalrelid", F_OIDEQ,
							ObjectIdGetDatum(relid), &desc, &rel);
	if (tup != NULL)
	{
		AttrNumber	att = get_attnum(RelationGetRelid(rel), "partkey");
		bool		isnull = true;
		Datum		d = att != InvalidAttrNumber ? heap_getattr(tup, att, desc, &isnull) : (Datum) 0;

		if (att == InvalidAttrNumber)
			result = -1;
		else if (isnull)
			result = 0;
		else
		{
			/* the column as Citus stores it: a Var in node-string form */
			Node	   *key = stringToNode(TextDatumGetCString(d));

			if (key != NULL && IsA(key, Var) && ((Var *) key)->varattno > 0)
				result = ((Var *) key)->varattno;
		}
	}
	if (rel != NULL)
		table_close(rel, AccessShareLock);
	return result;
}

/*
 * Whether this node is the coordinator: Citus's local group is 0 (the
 * coordinator's group), or Citus is not installed in this database.
 */
bool
civic_citus_is_coordinator(void)
{
	Oid			relid = citus_catalog("pg_dist_local_group");
	Relation	rel;
	AttrNumber	att;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		coordinator = true;

	if (!OidIsValid(relid) || (att = get_attnum(relid, "groupid")) == InvalidAttrNumber)
		return true;
	rel = table_open(relid, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		bool		isnull;
		Datum		d = heap_getattr(tup, att, RelationGetDescr(rel), &isnull);

		if (!isnull && DatumGetInt32(d) != 0)
			coordinator = false;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return coordinator;
}
