/*
 * errcodes.h
 *	  civic's own SQLSTATEs, one list for every module.
 *
 * Class "VB" lies in the implementation-defined range of the SQL standard
 * (classes beginning with I-Z), so it cannot clash with a standard
 * condition.  A leaf header: it includes nothing of civic.
 */
#ifndef CIVIC_ERRCODES_H
#define CIVIC_ERRCODES_H

#include "postgres.h"

/* the remaining budget is smaller than the query's cost */
#define ERRCODE_CIVIC_BUDGET_EXCEEDED	MAKE_SQLSTATE('V','B','0','0','1')
/* a DP aggregate would run unmetered (no preload, or a path not metered) */
#define ERRCODE_CIVIC_NOT_METERED		MAKE_SQLSTATE('V','B','0','0','2')
/* the query uses a DP aggregate in a way whose cost cannot be bounded */
#define ERRCODE_CIVIC_UNMETERABLE		MAKE_SQLSTATE('V','B','0','0','3')
/* EXPLAIN of a query over tables the user cannot read directly */
#define ERRCODE_CIVIC_EXPLAIN_REFUSED	MAKE_SQLSTATE('V','B','0','0','4')

/* the ledger file is damaged: every write refuses until an admin acts */
#define ERRCODE_CIVIC_LEDGER_DAMAGED	MAKE_SQLSTATE('V','B','0','1','0')
/* the ledger file cannot be written (permissions, read-only, I/O error) */
#define ERRCODE_CIVIC_LEDGER_UNWRITABLE	MAKE_SQLSTATE('V','B','0','1','1')
/* a charge or budget change on a standby (WAL comes from the primary only) */
#define ERRCODE_CIVIC_LEDGER_READ_ONLY	MAKE_SQLSTATE('V','B','0','1','2')

/*
 * A DP aggregate in a distributed (Citus) query: refused until civic meters
 * distributed plans.
 */
#define ERRCODE_CIVIC_DISTRIBUTED		MAKE_SQLSTATE('V','B','0','2','0')

#endif							/* CIVIC_ERRCODES_H */
