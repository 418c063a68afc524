/*
 * citus_meta.h
 *	  Citus's metadata as civic reads it (citus_meta.c): a shard's table,
 *	  whether a table is a Citus table, whether this node is the
 *	  coordinator.  Read by name from Citus's catalogue; works (answering
 *	  "not Citus") when Citus is not installed.
 */
#ifndef CIVIC_CITUS_META_H
#define CIVIC_CITUS_META_H

#include "postgres.h"

/* The Citus table a shard belongs to, or InvalidOid if RELID is no shard. */
extern Oid	civic_citus_shard_table(Oid relid);
/* Whether RELID is a Citus table (distributed, reference, Citus-local). */
extern bool civic_citus_is_table(Oid relid);
/*
 * The distribution column of a Citus table: its attribute number, 0 for a
 * table without one (reference, Citus-local), -1 when RELID is no Citus
 * table or its metadata cannot be read.
 */
extern AttrNumber civic_citus_distribution_column(Oid relid);
/* Whether this node is Citus's coordinator (true without Citus). */
extern bool civic_citus_is_coordinator(void);

#endif							/* CIVIC_CITUS_META_H */
