/*
 * ledger.h
 *	  The privacy ledger's administrative interface (ledger.c): damage
 *	  detection and its explicit acceptance, compaction, and the WAL
 *	  resource manager that carries every ledger record to crash recovery,
 *	  standbys, base backups and point-in-time recovery.
 *
 * It also declares the charging interface (civic_ledger_charge and friends)
 * and the types it uses.  The ledger depends on nothing of civic above it:
 * it returns what it found (a refused charge, the rows of the file) and its
 * callers word the messages.
 */
#ifndef CIVIC_LEDGER_H
#define CIVIC_LEDGER_H

#include "postgres.h"

#include "access/rmgr.h"
#include "fmgr.h"
#include "nodes/pg_list.h"
#include "utils/timestamp.h"

#include "errcodes.h"

/*
 * civic's WAL resource manager.  RM_EXPERIMENTAL_ID (128) is the id the
 * PostgreSQL documentation reserves for extensions that have not registered
 * a permanent one; a cluster must not run another extension using it.
 */
#define CIVIC_RMGR_ID		RM_EXPERIMENTAL_ID
#define CIVIC_RMGR_NAME		"civic_ledger"

/* Fixed-point units of the accounting: costs are rounded up to these. */
#define CIVIC_EPS_SCALE		1e9
#define CIVIC_DELTA_SCALE	1e18
#define CIVIC_RHO_SCALE		1e12	/* zCDP rho */
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
	double		rho;			/* its zCDP cost, after composition */
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
	bool		zcdp;			/* limited by rho (zCDP accounting) */
	int64		limit_rho;		/* units; the (epsilon, delta) limit as rho */
	int64		spent_rho;		/* every charge's rho, whatever the mode */
} CivicBudgetState;

extern bool civic_ledger_enabled(void);
extern void civic_ledger_init(void);
extern int64 civic_eps_units(double epsilon);
extern int64 civic_delta_units(double delta);
extern int64 civic_limit_units(double value, double scale);
extern double civic_units_value(int64 units, double scale);
/* Why a charge was refused: the first dataset whose budget is too small. */
typedef struct CivicLedgerRefusal
{
	int			charge;			/* index of its first charge line */
	CivicBudgetState state;		/* its budget before the query */
	int64		req_eps;		/* units the query asked of it */
	int64		req_delta;
	int64		req_rho;
} CivicLedgerRefusal;

/*
 * Check and spend a query's charge atomically: true when every line was
 * recorded durably; false, with nothing charged and *refusal filled in,
 * when a budget is too small (the caller reports it).
 */
extern bool civic_ledger_charge(Oid roleid,
								const CivicCharge *charges, int ncharges,
								uint64 queryid, const char *query_text,
								CivicLedgerRefusal *refusal);
/*
 * A budget of (epsilon, delta); with zcdp, kept as the rho that converts
 * to it (computed by the caller, in units): Gaussian charges then compose
 * by adding rho.
 */
extern void civic_ledger_set_budget(Oid roleid, const CivicDatasetKey *ds,
									double epsilon, double delta,
									bool zcdp, int64 limit_rho);
extern int64 civic_rho_units(double rho);
extern void civic_ledger_reset(Oid roleid, const CivicDatasetKey *ds);
extern void civic_ledger_declare_dataset(const char *name, Oid *relids,
										 int nrels, int32 k);
extern bool civic_ledger_lookup_table(Oid relid, char *name, int32 *k);
extern bool civic_ledger_dataset_exists(const char *name, int32 *k);
extern void civic_ledger_budget(Oid roleid, const CivicDatasetKey *ds,
								bool readable, CivicBudgetState *state);
extern List *civic_ledger_dataset_tables(const char *name);

/* Charges of the ledger file, for the privacy_ledger view. */
typedef struct CivicLedgerRow
{
	TimestampTz time;
	Oid			roleid;
	CivicDatasetKey ds;
	double		epsilon;
	double		delta;
	double		rho;
	uint64		queryid;
	char	   *aggregate;
	char	   *mechanism;
	char	   *query;
} CivicLedgerRow;
typedef void (*CivicLedgerRowCallback) (const CivicLedgerRow *row, void *arg);
extern void civic_ledger_charges(CivicLedgerRowCallback cb, void *arg);

/*
 * The work of civic.ledger_verify() and civic.ledger_compact(), whose SQL
 * entry points (budget.c) check that the caller is a budget administrator.
 */
extern Datum civic_ledger_verify_rows(FunctionCallInfo fcinfo);
extern char *civic_ledger_compact_now(void);

/* Accounts of this database, for the privacy_budgets view. */
typedef void (*CivicAccountCallback) (Oid roleid, const CivicDatasetKey *ds,
									  const CivicBudgetState *state,
									  void *arg);
extern void civic_ledger_accounts(CivicAccountCallback cb, void *arg);

#endif							/* CIVIC_LEDGER_H */
