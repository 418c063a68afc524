/*
 * ledger.h
 *	  The privacy ledger's administrative interface (ledger.c): damage
 *	  detection and its explicit acceptance, compaction, and the WAL
 *	  resource manager that carries every ledger record to crash recovery,
 *	  standbys, base backups and point-in-time recovery.
 *
 * The charging interface itself (civic_ledger_charge and friends) is
 * declared in budget.h, next to the types it uses.
 */
#ifndef CIVIC_LEDGER_H
#define CIVIC_LEDGER_H

#include "postgres.h"

#include "access/rmgr.h"

#include "errcodes.h"

/*
 * civic's WAL resource manager.  RM_EXPERIMENTAL_ID (128) is the id the
 * PostgreSQL documentation reserves for extensions that have not registered
 * a permanent one; a cluster must not run another extension using it.
 */
#define CIVIC_RMGR_ID		RM_EXPERIMENTAL_ID
#define CIVIC_RMGR_NAME		"civic_ledger"

/* settings (guc.c) */
extern int	civic_ledger_compact_size;	/* kB; 0 disables automatic compaction */

#endif							/* CIVIC_LEDGER_H */
