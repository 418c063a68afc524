/*
 * budget.h
 *	  The privacy budget: per-role, per-dataset spend totals kept in shared
 *	  memory and made durable by an append-only ledger file in the data
 *	  directory (ledger.c), the executor hook that meters every query using
 *	  a differential-privacy aggregate (privacy_cost.c), and the SQL
 *	  interface (budget.c).
 */
#ifndef CIVIC_BUDGET_H
#define CIVIC_BUDGET_H

#include "postgres.h"

#include "utils/timestamp.h"

#include "errcodes.h"

/* Fixed-point units of the accounting: costs are rounded up to these. */
#define CIVIC_EPS_SCALE		1e9
#define CIVIC_DELTA_SCALE	1e18
#define CIVIC_UNLIMITED		PG_INT64_MAX

/* Name shown for queries that read no table at all. */
#define CIVIC_NO_TABLE_DATASET "(no table)"

typedef enum CivicDatasetKind
{
	CIVIC_DS_DEFAULT = 0,		/* a role's default, for every dataset */
	CIVIC_DS_TABLE = 1,			/* one table not in any declared dataset */
	CIVIC_DS_NAMED = 2,			/* a named group of tables */
	CIVIC_DS_NONE = 3			/* queries that read no table */
} CivicDatasetKind;

/* Identifies a dataset; always zero-filled before use (it is a hash key). */
typedef struct CivicDatasetKey
{
	Oid			dbid;
	int32		kind;			/* CivicDatasetKind */
	Oid			relid;			/* CIVIC_DS_TABLE */
	char		name[NAMEDATALEN];	/* CIVIC_DS_NAMED */
} CivicDatasetKey;

/* One line of a query's charge: one aggregate against one dataset. */
typedef struct CivicCharge
{
	CivicDatasetKey ds;
	char		aggregate[NAMEDATALEN];
	char		mechanism[32];
	double		epsilon;		/* charged, after composition */
	double		delta;
	bool		readable;		/* the role may read every table of it read
								 * by the query directly */
} CivicCharge;

/* A budget as seen by an account holder. */
typedef struct CivicBudgetState
{
	bool		has_limit;		/* false: the role's default applies */
	int64		limit_eps;		/* units; CIVIC_UNLIMITED for none */
	int64		limit_delta;
	int64		spent_eps;
	int64		spent_delta;
} CivicBudgetState;

/* ledger.c */
extern bool civic_ledger_enabled(void);
extern void civic_ledger_init(void);
extern int64 civic_eps_units(double epsilon);
extern int64 civic_delta_units(double delta);
extern int64 civic_limit_units(double value, double scale);
extern double civic_units_value(int64 units, double scale);
extern void civic_ledger_charge(Oid roleid,
								const CivicCharge *charges, int ncharges,
								uint64 queryid, const char *query_text);
extern void civic_ledger_set_budget(Oid roleid, const CivicDatasetKey *ds,
									double epsilon, double delta);
extern void civic_ledger_reset(Oid roleid, const CivicDatasetKey *ds);
extern void civic_ledger_declare_dataset(const char *name, Oid *relids,
										 int nrels, int32 k);
extern bool civic_ledger_lookup_table(Oid relid, char *name, int32 *k);
extern bool civic_ledger_dataset_exists(const char *name, int32 *k);
extern void civic_ledger_budget(Oid roleid, const CivicDatasetKey *ds,
								bool readable, CivicBudgetState *state);
extern List *civic_ledger_dataset_tables(const char *name);

/* Rows of the ledger file, for the privacy_ledger view. */
typedef struct CivicLedgerRow
{
	char		type;
	TimestampTz time;
	Oid			roleid;
	CivicDatasetKey ds;
	double		epsilon;
	double		delta;
	uint64		queryid;
	char	   *aggregate;
	char	   *mechanism;
	char	   *query;
} CivicLedgerRow;
typedef void (*CivicLedgerRowCallback) (const CivicLedgerRow *row, void *arg);
extern void civic_ledger_scan(CivicLedgerRowCallback cb, void *arg);

/* Accounts of this database, for the privacy_budgets view. */
typedef void (*CivicAccountCallback) (Oid roleid, const CivicDatasetKey *ds,
									  const CivicBudgetState *state,
									  void *arg);
extern void civic_ledger_accounts(CivicAccountCallback cb, void *arg);

/* privacy_cost.c */
extern void civic_meter_init(void);
extern void civic_table_dataset(Oid relid, CivicDatasetKey *ds, int32 *k);
extern bool civic_role_can_read(Oid roleid, Oid relid);

/* budget.c */
extern bool civic_is_budget_admin(void);
extern char *civic_dataset_display(const CivicDatasetKey *ds);

#endif							/* CIVIC_BUDGET_H */
