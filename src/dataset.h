/*
 * dataset.h
 *	  Datasets (dataset.c): which dataset a table belongs to, how a dataset
 *	  is shown, and who may do what -- read a table directly, manage
 *	  budgets.  Used by the meter, the budget SQL interface and private
 *	  views; built on the ledger's declarations of named datasets.
 */
#ifndef CIVIC_DATASET_H
#define CIVIC_DATASET_H

#include "postgres.h"

#include "ledger.h"

/* Members of this role (and superusers) manage privacy budgets. */
#define CIVIC_ADMIN_ROLE "civic_budget_admin"

/* The dataset a table belongs to, and its max groups per unit. */
extern void civic_table_dataset(Oid relid, CivicDatasetKey *ds, int32 *k);
/* Whether a role may SELECT every column and row of a table directly. */
extern bool civic_role_can_read(Oid roleid, Oid relid);
/* A dataset as the API takes it back: name, qualified table or marker. */
extern char *civic_dataset_display(const CivicDatasetKey *ds);
/* Whether a table is a Citus table or shard (its budget is the coordinator's). */
extern bool civic_table_is_distributed(Oid relid);
/* Whether this node charges Citus tables: the coordinator, or no Citus. */
extern bool civic_node_meters_distributed(void);
/* Whether the current user is a budget administrator. */
extern bool civic_is_budget_admin(void);

#endif							/* CIVIC_DATASET_H */
