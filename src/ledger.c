/*
 * ledger.c
 *	  The privacy-budget ledger: authoritative spend totals in shared memory,
 *	  made durable by an append-only file $PGDATA/pg_civic/ledger.
 *
 * Every charge, budget change and dataset declaration is a record appended
 * to a shared-memory buffer while holding civic's LWLock in exclusive mode,
 * together with the change of the shared totals, and then written to the
 * file and fsync'ed (one write and fsync for all concurrent sessions: group
 * commit, as for WAL) before the query that caused it can return a row.  The file is not part of any transaction, so
 * no ROLLBACK, savepoint, cancel or backend exit can take a charge back; at
 * server start (and after every crash-restart) the postmaster replays the
 * file into shared memory, so a charge also survives a crash.  A record torn
 * by a crash in the middle of its write fails its CRC and is cut off at
 * replay: its query had not returned anything yet.
 *
 * The check-and-spend runs under the exclusive lock: concurrent sessions see
 * each other's spend and can never overspend.
 */
#include "postgres.h"

#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/xact.h"
#include "common/file_perm.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "port/pg_crc32c.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/float.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "budget.h"
#include "civic.h"

#define LEDGER_DIR		"pg_civic"
#define LEDGER_FILE		"pg_civic/ledger"
#define LEDGER_MAGIC	0x31564C43	/* "CLV1" */
#define LEDGER_MAX_TEXT 1024
#define LOCK_TRANCHE	"civic_budget"
#define LEDGER_BUFSZ	(1024 * 1024)

/* Record types */
#define REC_CHARGE		'C'
#define REC_BUDGET		'B'
#define REC_RESET		'R'
#define REC_MAP			'M'		/* a table joins a named dataset */
#define REC_CLEAR		'X'		/* a named dataset loses all its tables */

/* On-disk record header; query text (textlen bytes) follows. */
typedef struct LedgerRecord
{
	uint32		magic;
	uint32		length;			/* whole record, text included */
	pg_crc32c	crc;			/* of everything after this field */
	int32		type;
	TimestampTz time;
	Oid			roleid;			/* account holder */
	Oid			actor;			/* who made the record */
	CivicDatasetKey ds;
	Oid			member_relid;	/* REC_MAP */
	int32		k;				/* REC_MAP: max groups per unit */
	double		epsilon;
	double		delta;
	int64		eps_units;
	int64		delta_units;
	uint64		queryid;
	char		aggregate[NAMEDATALEN];
	char		mechanism[32];
	uint32		textlen;
} LedgerRecord;

typedef struct LedgerShared
{
	LWLock	   *lock;			/* accounts, datasets, the buffer */
	LWLock	   *flush_lock;		/* held by the one process writing the file */
	uint64		end;			/* logical end: file plus buffered records */
	uint64		written;		/* bytes handed to the file (maybe in flight) */
	pg_atomic_uint64 flushed;	/* bytes known to be on disk (fsync'ed) */
	Size		buflen;			/* records buffered, not yet written */
	uint64		nrecords;
	char		buf[FLEXIBLE_ARRAY_MEMBER];	/* LEDGER_BUFSZ bytes */
} LedgerShared;

typedef struct AccountKey
{
	CivicDatasetKey ds;
	Oid			roleid;
} AccountKey;

typedef struct Account
{
	AccountKey	key;
	CivicBudgetState st;
} Account;

typedef struct RelMapKey
{
	Oid			dbid;
	Oid			relid;
} RelMapKey;

typedef struct RelMapEntry
{
	RelMapKey	key;
	char		name[NAMEDATALEN];
} RelMapEntry;

typedef struct DatasetKey
{
	Oid			dbid;
	char		name[NAMEDATALEN];
} DatasetKey;

typedef struct DatasetEntry
{
	DatasetKey	key;
	int32		k;
} DatasetEntry;

static LedgerShared *ledger = NULL;
static HTAB *accounts = NULL;
static HTAB *relmap = NULL;
static HTAB *datasets = NULL;
static bool ledger_preloaded = false;
static int	ledger_fd = -1;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/* True when civic was preloaded and its shared state exists. */
bool
civic_ledger_enabled(void)
{
	return ledger_preloaded && ledger != NULL;
}

/* Round a cost up to accounting units (values within 1e-3 unit snap). */
static int64
cost_units(double value, double scale)
{
	double		v = value * scale;
	double		r = rint(v);

	if (fabs(v - r) <= 1e-3)
		v = r;
	else
		v = ceil(v);
	if (v >= (double) PG_INT64_MAX)
		return CIVIC_UNLIMITED;
	return (int64) v;
}

/* Units of epsilon charged for a cost epsilon. */
int64
civic_eps_units(double epsilon)
{
	return cost_units(epsilon, CIVIC_EPS_SCALE);
}

/* Units of delta charged for a cost delta. */
int64
civic_delta_units(double delta)
{
	return cost_units(delta, CIVIC_DELTA_SCALE);
}

/* A budget limit in units, rounded down; infinity means unlimited. */
int64
civic_limit_units(double value, double scale)
{
	double		v = value * scale;
	double		r = rint(v);

	if (isinf(value) || v >= (double) PG_INT64_MAX)
		return CIVIC_UNLIMITED;
	if (fabs(v - r) <= 1e-3)
		return (int64) r;
	return (int64) floor(v);
}

/* Back from units to a float8 for display. */
double
civic_units_value(int64 units, double scale)
{
	if (units == CIVIC_UNLIMITED)
		return get_float8_infinity();
	return (double) units / scale;
}

static int64
add_sat(int64 a, int64 b)
{
	if (a == CIVIC_UNLIMITED || b == CIVIC_UNLIMITED || a > PG_INT64_MAX - b)
		return CIVIC_UNLIMITED;
	return a + b;
}

/* ---------------------------------------------------------------------
 * Shared memory
 * --------------------------------------------------------------------- */

static Size
ledger_shmem_size(void)
{
	Size		sz = MAXALIGN(offsetof(LedgerShared, buf) + LEDGER_BUFSZ);

	sz = add_size(sz, hash_estimate_size(civic_budget_max_entries, sizeof(Account)));
	sz = add_size(sz, hash_estimate_size(civic_budget_max_entries, sizeof(RelMapEntry)));
	sz = add_size(sz, hash_estimate_size(civic_budget_max_entries, sizeof(DatasetEntry)));
	return sz;
}

static void
ledger_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(ledger_shmem_size());
	RequestNamedLWLockTranche(LOCK_TRANCHE, 2);
}

static Account *
account_enter(const AccountKey *key, bool create)
{
	Account    *a;
	bool		found;

	a = hash_search(accounts, key, HASH_FIND, &found);
	if (a == NULL && create &&
		hash_get_num_entries(accounts) < civic_budget_max_entries)
	{
		/*
		 * A shared hash table can grow past its size into the spare shared
		 * memory that PostgreSQL's own tables (locks) rely on: any role able
		 * to charge new tables (temporary ones will do) could exhaust it.
		 * Stay within the configured number.
		 */
		a = hash_search(accounts, key, HASH_ENTER_NULL, &found);
	}
	if (a == NULL)
	{
		if (!create)
			return NULL;
		ereport(ERROR,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("too many privacy budget accounts"),
				 errdetail("civic keeps at most %d budget accounts in shared memory.",
						   civic_budget_max_entries),
				 errhint("Raise civic.budget_max_entries and restart the server.")));
	}
	if (!found)
	{
		a->st.has_limit = false;
		a->st.limit_eps = 0;
		a->st.limit_delta = 0;
		a->st.spent_eps = 0;
		a->st.spent_delta = 0;
	}
	return a;
}

static void
make_account_key(AccountKey *key, Oid roleid, const CivicDatasetKey *ds)
{
	memset(key, 0, sizeof(*key));
	memcpy(&key->ds, ds, sizeof(CivicDatasetKey));
	key->roleid = roleid;
}

/* Apply one record to the shared tables (replay and live path). */
static void
apply_record(const LedgerRecord *rec)
{
	AccountKey	key;
	Account    *a;

	switch (rec->type)
	{
		case REC_CHARGE:
			make_account_key(&key, rec->roleid, &rec->ds);
			a = account_enter(&key, true);
			a->st.spent_eps = add_sat(a->st.spent_eps, rec->eps_units);
			a->st.spent_delta = add_sat(a->st.spent_delta, rec->delta_units);
			break;
		case REC_BUDGET:
			make_account_key(&key, rec->roleid, &rec->ds);
			a = account_enter(&key, true);
			a->st.has_limit = true;
			a->st.limit_eps = rec->eps_units;
			a->st.limit_delta = rec->delta_units;
			break;
		case REC_RESET:
			make_account_key(&key, rec->roleid, &rec->ds);
			a = account_enter(&key, true);
			a->st.spent_eps = 0;
			a->st.spent_delta = 0;
			break;
		case REC_MAP:
			{
				RelMapKey	rk;
				RelMapEntry *re;
				DatasetKey	dk;
				DatasetEntry *de;

				memset(&rk, 0, sizeof(rk));
				rk.dbid = rec->ds.dbid;
				rk.relid = rec->member_relid;
				memset(&dk, 0, sizeof(dk));
				dk.dbid = rec->ds.dbid;
				strlcpy(dk.name, rec->ds.name, NAMEDATALEN);
				de = hash_search(datasets, &dk, HASH_ENTER_NULL, NULL);
				if (de == NULL)
					ereport(ERROR,
							(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
							 errmsg("too many privacy datasets"),
							 errhint("Raise civic.budget_max_entries and restart the server.")));
				de->k = rec->k;
				if (OidIsValid(rec->member_relid))
				{
					re = hash_search(relmap, &rk, HASH_ENTER_NULL, NULL);
					if (re == NULL)
						ereport(ERROR,
								(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
								 errmsg("too many tables in privacy datasets"),
								 errhint("Raise civic.budget_max_entries and restart the server.")));
					strlcpy(re->name, rec->ds.name, NAMEDATALEN);
				}
				break;
			}
		case REC_CLEAR:
			{
				HASH_SEQ_STATUS seq;
				RelMapEntry *re;
				DatasetKey	dk;

				hash_seq_init(&seq, relmap);
				while ((re = hash_seq_search(&seq)) != NULL)
				{
					if (re->key.dbid == rec->ds.dbid &&
						strcmp(re->name, rec->ds.name) == 0)
						hash_search(relmap, &re->key, HASH_REMOVE, NULL);
				}
				memset(&dk, 0, sizeof(dk));
				dk.dbid = rec->ds.dbid;
				strlcpy(dk.name, rec->ds.name, NAMEDATALEN);
				hash_search(datasets, &dk, HASH_REMOVE, NULL);
				break;
			}
		default:
			elog(ERROR, "civic: unknown ledger record type %d", rec->type);
	}
}

static pg_crc32c
record_crc(const LedgerRecord *rec)
{
	pg_crc32c	crc;
	Size		off = offsetof(LedgerRecord, crc) + sizeof(pg_crc32c);

	INIT_CRC32C(crc);
	COMP_CRC32C(crc, ((const char *) rec) + off, rec->length - off);
	FIN_CRC32C(crc);
	return crc;
}

/* Read the ledger file into the shared tables; cut off a torn tail. */
static void
ledger_replay(void)
{
	int			fd;
	uint64		off = 0;
	char	   *buf;
	Size		bufsize = sizeof(LedgerRecord) + LEDGER_MAX_TEXT + 1;
	struct stat st;

	if (MakePGDirectory(LEDGER_DIR) < 0 && errno != EEXIST)
		ereport(FATAL,
				(errcode_for_file_access(),
				 errmsg("could not create directory \"%s\": %m", LEDGER_DIR)));

	fd = BasicOpenFilePerm(LEDGER_FILE, O_RDWR | O_CREAT | PG_BINARY,
						   pg_file_create_mode);
	if (fd < 0)
		ereport(FATAL,
				(errcode_for_file_access(),
				 errmsg("could not open privacy ledger \"%s\": %m", LEDGER_FILE)));
	if (fstat(fd, &st) < 0)
		ereport(FATAL,
				(errcode_for_file_access(),
				 errmsg("could not stat privacy ledger \"%s\": %m", LEDGER_FILE)));

	buf = palloc(bufsize);
	for (;;)
	{
		LedgerRecord *rec = (LedgerRecord *) buf;
		ssize_t		n;

		n = pg_pread(fd, buf, sizeof(LedgerRecord), off);
		if (n != sizeof(LedgerRecord))
			break;
		if (rec->magic != LEDGER_MAGIC ||
			rec->length < sizeof(LedgerRecord) ||
			rec->length > bufsize ||
			rec->textlen != rec->length - sizeof(LedgerRecord))
			break;
		if (rec->textlen > 0)
		{
			n = pg_pread(fd, buf + sizeof(LedgerRecord), rec->textlen,
						 off + sizeof(LedgerRecord));
			if (n != rec->textlen)
				break;
		}
		if (record_crc(rec) != rec->crc)
			break;
		apply_record(rec);
		ledger->nrecords++;
		off += rec->length;
	}
	pfree(buf);

	if ((off_t) off != st.st_size)
	{
		ereport(LOG,
				(errmsg("privacy ledger \"%s\": discarding %lld bytes of an incomplete record after offset %llu",
						LEDGER_FILE, (long long) (st.st_size - (off_t) off),
						(unsigned long long) off)));
		if (ftruncate(fd, (off_t) off) < 0 || pg_fsync(fd) < 0)
			ereport(FATAL,
					(errcode_for_file_access(),
					 errmsg("could not truncate privacy ledger \"%s\": %m", LEDGER_FILE)));
	}
	ledger->end = off;
	ledger->written = off;
	pg_atomic_write_u64(&ledger->flushed, off);
	ledger->buflen = 0;
	close(fd);
}

static void
ledger_shmem_startup(void)
{
	bool		found;
	HASHCTL		info;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	/* a crash-restart re-creates shared memory: forget the old pointers */
	ledger = NULL;
	accounts = relmap = datasets = NULL;
	if (ledger_fd >= 0)
	{
		close(ledger_fd);
		ledger_fd = -1;
	}

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	ledger = ShmemInitStruct("civic privacy ledger",
							 offsetof(LedgerShared, buf) + LEDGER_BUFSZ, &found);
	if (!found)
	{
		LWLockPadded *locks = GetNamedLWLockTranche(LOCK_TRANCHE);

		ledger->lock = &locks[0].lock;
		ledger->flush_lock = &locks[1].lock;
		ledger->end = 0;
		ledger->written = 0;
		pg_atomic_init_u64(&ledger->flushed, 0);
		ledger->buflen = 0;
		ledger->nrecords = 0;
	}

	memset(&info, 0, sizeof(info));
	info.keysize = sizeof(AccountKey);
	info.entrysize = sizeof(Account);
	accounts = ShmemInitHash("civic privacy accounts",
							 civic_budget_max_entries, civic_budget_max_entries,
							 &info, HASH_ELEM | HASH_BLOBS);
	info.keysize = sizeof(RelMapKey);
	info.entrysize = sizeof(RelMapEntry);
	relmap = ShmemInitHash("civic privacy dataset tables",
						   civic_budget_max_entries, civic_budget_max_entries,
						   &info, HASH_ELEM | HASH_BLOBS);
	info.keysize = sizeof(DatasetKey);
	info.entrysize = sizeof(DatasetEntry);
	datasets = ShmemInitHash("civic privacy datasets",
							 civic_budget_max_entries, civic_budget_max_entries,
							 &info, HASH_ELEM | HASH_BLOBS);

	/* Only the postmaster (or a standalone backend) replays the file. */
	if (!found)
		ledger_replay();
	LWLockRelease(AddinShmemInitLock);
}

/* Install the shared-memory hooks; only when preloaded. */
void
civic_ledger_init(void)
{
	if (!process_shared_preload_libraries_in_progress)
		return;
	ledger_preloaded = true;
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = ledger_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = ledger_shmem_startup;
}

static void
require_ledger(void)
{
	if (!civic_ledger_enabled())
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_NOT_METERED),
				 errmsg("the privacy budget ledger is not available"),
				 errdetail("civic was not loaded through shared_preload_libraries."),
				 errhint("Add civic to shared_preload_libraries in postgresql.conf and restart the server.")));
}

/* ---------------------------------------------------------------------
 * Appending
 * --------------------------------------------------------------------- */

/* Build a zero-filled record with the common fields set. */
static LedgerRecord *
new_record(int type, Oid roleid, const CivicDatasetKey *ds, const char *text)
{
	Size		textlen = text ? strlen(text) : 0;
	LedgerRecord *rec;

	if (textlen > LEDGER_MAX_TEXT)
		textlen = pg_mbcliplen(text, textlen, LEDGER_MAX_TEXT);
	rec = palloc0(sizeof(LedgerRecord) + textlen);
	rec->magic = LEDGER_MAGIC;
	rec->length = sizeof(LedgerRecord) + textlen;
	rec->type = type;
	rec->time = GetCurrentTimestamp();
	rec->roleid = roleid;
	rec->actor = GetUserId();
	if (ds)
		memcpy(&rec->ds, ds, sizeof(CivicDatasetKey));
	rec->textlen = textlen;
	if (textlen)
		memcpy(((char *) rec) + sizeof(LedgerRecord), text, textlen);
	return rec;
}

/* Bytes a batch of records takes, CRCs set. */
static Size
records_size(LedgerRecord **recs, int nrecs)
{
	Size		total = 0;
	int			i;

	for (i = 0; i < nrecs; i++)
	{
		recs[i]->crc = record_crc(recs[i]);
		total += recs[i]->length;
	}
	if (total > LEDGER_BUFSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("privacy ledger entry too large"),
				 errdetail("One query or declaration would write %zu bytes; the limit is %d.",
						   total, LEDGER_BUFSZ)));
	return total;
}

/*
 * Write the buffered records to the file and fsync it, unless the file is
 * durable up to `upto` already.  Group commit: one write and fsync cover
 * every record buffered by any session before it, and only the holder of
 * flush_lock touches the file, so appending sessions never wait for the disk
 * while holding the main lock.  A failed write or fsync is treated as
 * PostgreSQL treats one on WAL: PANIC, and the restart replays what the
 * file holds (charges of queries that had not returned anything may be
 * lost; no returned answer's charge can be).
 */
static void
flush_ledger(uint64 upto)
{
	/*
	 * As for WAL: while another session is flushing, wait for it without
	 * queueing for the lock, then look again -- its fsync may have covered
	 * our records.
	 */
	for (;;)
	{
		if (pg_atomic_read_u64(&ledger->flushed) >= upto)
			return;
		if (LWLockAcquireOrWait(ledger->flush_lock, LW_EXCLUSIVE))
			break;
	}
	if (pg_atomic_read_u64(&ledger->flushed) < upto)
	{
		uint64		start;
		Size		n;
		char	   *copy;

		if (ledger_fd < 0)
		{
			ledger_fd = BasicOpenFilePerm(LEDGER_FILE, O_WRONLY | O_CREAT | PG_BINARY,
										  pg_file_create_mode);
			if (ledger_fd < 0)
			{
				LWLockRelease(ledger->flush_lock);
				ereport(PANIC,
						(errcode_for_file_access(),
						 errmsg("could not open privacy ledger \"%s\": %m", LEDGER_FILE)));
			}
		}

		/* take what is buffered */
		LWLockAcquire(ledger->lock, LW_EXCLUSIVE);
		start = ledger->written;
		n = ledger->buflen;
		copy = palloc(Max(n, 1));
		memcpy(copy, ledger->buf, n);
		ledger->buflen = 0;
		ledger->written = start + n;
		LWLockRelease(ledger->lock);

		errno = 0;
		if (n > 0 && pg_pwrite(ledger_fd, copy, n, (off_t) start) != (ssize_t) n)
		{
			if (errno == 0)
				errno = ENOSPC;
			ereport(PANIC,
					(errcode_for_file_access(),
					 errmsg("could not write privacy ledger \"%s\": %m", LEDGER_FILE)));
		}
		if (pg_fsync(ledger_fd) != 0)
			ereport(PANIC,
					(errcode_for_file_access(),
					 errmsg("could not fsync privacy ledger \"%s\": %m", LEDGER_FILE)));
		pg_atomic_write_u64(&ledger->flushed, start + n);
		pfree(copy);
	}
	LWLockRelease(ledger->flush_lock);
}

/*
 * Take the main lock exclusively with room in the buffer for `total` bytes
 * (flushing first if needed).  While the lock is held nobody else appends,
 * so the room stays.
 */
static void
lock_for_append(Size total)
{
	for (;;)
	{
		uint64		pending;

		LWLockAcquire(ledger->lock, LW_EXCLUSIVE);
		if (ledger->buflen + total <= LEDGER_BUFSZ)
			return;
		pending = ledger->end;
		LWLockRelease(ledger->lock);
		flush_ledger(pending);
	}
}

/*
 * Append records to the buffer; the caller holds the lock from
 * lock_for_append(), so appends are serial and the shared totals move in
 * the same order.  Returns the end of the records, which flush_ledger() must
 * make durable before the caller's query may return anything.
 */
static uint64
append_records(LedgerRecord **recs, int nrecs)
{
	int			i;

	for (i = 0; i < nrecs; i++)
	{
		memcpy(ledger->buf + ledger->buflen, recs[i], recs[i]->length);
		ledger->buflen += recs[i]->length;
		ledger->end += recs[i]->length;
	}
	ledger->nrecords += nrecs;
	return ledger->end;
}

/* The limit that applies to an account; caller holds the lock. */
static void
effective_budget(Oid roleid, const CivicDatasetKey *ds, bool readable,
				 CivicBudgetState *out)
{
	AccountKey	key;
	Account    *a;

	make_account_key(&key, roleid, ds);
	a = account_enter(&key, false);
	if (a)
		*out = a->st;
	else
		memset(out, 0, sizeof(*out));
	/*
	 * A dataset the role may read in full directly protects nobody from it:
	 * no limit applies, not even a budget or default set for the role
	 * (charges are still recorded).
	 */
	if (readable)
	{
		out->limit_eps = CIVIC_UNLIMITED;
		out->limit_delta = CIVIC_UNLIMITED;
		return;
	}
	if (!out->has_limit)
	{
		CivicDatasetKey dflt;
		Account    *d;

		memset(&dflt, 0, sizeof(dflt));
		dflt.dbid = ds->dbid;
		dflt.kind = CIVIC_DS_DEFAULT;
		make_account_key(&key, roleid, &dflt);
		d = account_enter(&key, false);
		if (d && d->st.has_limit)
		{
			out->limit_eps = d->st.limit_eps;
			out->limit_delta = d->st.limit_delta;
		}
		else if (readable)
		{
			/*
			 * A role that can read the tables directly (superusers, or
			 * owners and grantees of SELECT) is not limited unless a budget
			 * says so: noise protects nothing from it.
			 */
			out->limit_eps = CIVIC_UNLIMITED;
			out->limit_delta = CIVIC_UNLIMITED;
		}
		else
		{
			out->limit_eps = 0;
			out->limit_delta = 0;
		}
	}
}

static char *
fmt_units(int64 units, double scale)
{
	if (units == CIVIC_UNLIMITED)
		return "unlimited";
	return psprintf("%.15g", civic_units_value(units, scale));
}

/*
 * Check and spend a query's charge atomically.  Either every line is
 * recorded durably and added to the totals, or an ERROR with SQLSTATE VB001
 * is raised and nothing is charged.
 */
void
civic_ledger_charge(Oid roleid,
					const CivicCharge *charges, int ncharges,
					uint64 queryid, const char *query_text)
{
	LedgerRecord **recs;
	int			i,
				j;
	int			bad = -1;
	CivicBudgetState bad_state;
	int64		bad_eps = 0,
				bad_delta = 0;
	uint64		upto = 0;

	require_ledger();
	if (ncharges == 0)
		return;
	memset(&bad_state, 0, sizeof(bad_state));

	recs = palloc(sizeof(LedgerRecord *) * ncharges);
	for (i = 0; i < ncharges; i++)
	{
		const CivicCharge *c = &charges[i];

		recs[i] = new_record(REC_CHARGE, roleid, &c->ds, query_text);
		recs[i]->epsilon = c->epsilon;
		recs[i]->delta = c->delta;
		recs[i]->eps_units = civic_eps_units(c->epsilon);
		recs[i]->delta_units = civic_delta_units(c->delta);
		recs[i]->queryid = queryid;
		strlcpy(recs[i]->aggregate, c->aggregate, NAMEDATALEN);
		strlcpy(recs[i]->mechanism, c->mechanism, sizeof(recs[i]->mechanism));
	}

	lock_for_append(records_size(recs, ncharges));

	/* Check every dataset touched against its total request. */
	for (i = 0; i < ncharges && bad < 0; i++)
	{
		int64		req_eps = 0,
					req_delta = 0;
		CivicBudgetState st;
		bool		first = true;

		for (j = 0; j < i; j++)
			if (memcmp(&charges[j].ds, &charges[i].ds, sizeof(CivicDatasetKey)) == 0)
				first = false;
		if (!first)
			continue;
		/* the account must exist before its charge is written */
		{
			AccountKey	key;

			make_account_key(&key, roleid, &charges[i].ds);
			(void) account_enter(&key, true);
		}
		for (j = i; j < ncharges; j++)
			if (memcmp(&charges[j].ds, &charges[i].ds, sizeof(CivicDatasetKey)) == 0)
			{
				req_eps = add_sat(req_eps, recs[j]->eps_units);
				req_delta = add_sat(req_delta, recs[j]->delta_units);
			}
		effective_budget(roleid, &charges[i].ds, charges[i].readable, &st);
		if ((st.limit_eps != CIVIC_UNLIMITED &&
			 add_sat(st.spent_eps, req_eps) > st.limit_eps) ||
			(st.limit_delta != CIVIC_UNLIMITED &&
			 add_sat(st.spent_delta, req_delta) > st.limit_delta))
		{
			bad = i;
			bad_state = st;
			bad_eps = req_eps;
			bad_delta = req_delta;
		}
	}

	if (bad < 0)
	{
		upto = append_records(recs, ncharges);
		for (i = 0; i < ncharges; i++)
			apply_record(recs[i]);
	}
	LWLockRelease(ledger->lock);

	/*
	 * The charge is spent (others see it) from here on; it becomes durable
	 * before this query can return anything.  A crash before the fsync
	 * completes loses the charge of a query that had not returned a row.
	 */
	if (bad < 0)
		flush_ledger(upto);

	if (bad >= 0)
	{
		int64		rem_eps,
					rem_delta;

		rem_eps = bad_state.limit_eps == CIVIC_UNLIMITED ? CIVIC_UNLIMITED :
			Max(bad_state.limit_eps - bad_state.spent_eps, 0);
		rem_delta = bad_state.limit_delta == CIVIC_UNLIMITED ? CIVIC_UNLIMITED :
			Max(bad_state.limit_delta - bad_state.spent_delta, 0);
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_BUDGET_EXCEEDED),
				 errmsg("privacy budget exceeded for dataset %s",
						civic_dataset_display(&charges[bad].ds)),
				 errdetail("Spent epsilon %s, delta %s; requested epsilon %s, delta %s; remaining epsilon %s, delta %s.",
						   fmt_units(bad_state.spent_eps, CIVIC_EPS_SCALE),
						   fmt_units(bad_state.spent_delta, CIVIC_DELTA_SCALE),
						   fmt_units(bad_eps, CIVIC_EPS_SCALE),
						   fmt_units(bad_delta, CIVIC_DELTA_SCALE),
						   fmt_units(rem_eps, CIVIC_EPS_SCALE),
						   fmt_units(rem_delta, CIVIC_DELTA_SCALE)),
				 errhint("Ask a budget administrator to raise the budget with civic.set_budget(), or ask for a smaller epsilon.")));
	}
	for (i = 0; i < ncharges; i++)
		pfree(recs[i]);
	pfree(recs);
}

/* Record a new limit for an account (or a role's default). */
void
civic_ledger_set_budget(Oid roleid, const CivicDatasetKey *ds,
						double epsilon, double delta)
{
	LedgerRecord *rec;
	uint64		upto;

	require_ledger();
	rec = new_record(REC_BUDGET, roleid, ds, NULL);
	rec->epsilon = epsilon;
	rec->delta = delta;
	rec->eps_units = civic_limit_units(epsilon, CIVIC_EPS_SCALE);
	rec->delta_units = civic_limit_units(delta, CIVIC_DELTA_SCALE);
	lock_for_append(records_size(&rec, 1));
	/* make sure the account fits before the record is written */
	{
		AccountKey	key;

		make_account_key(&key, roleid, ds);
		(void) account_enter(&key, true);
	}
	upto = append_records(&rec, 1);
	apply_record(rec);
	LWLockRelease(ledger->lock);
	flush_ledger(upto);
	pfree(rec);
}

/* Forget an account's spending. */
void
civic_ledger_reset(Oid roleid, const CivicDatasetKey *ds)
{
	LedgerRecord *rec;
	uint64		upto;

	require_ledger();
	rec = new_record(REC_RESET, roleid, ds, NULL);
	lock_for_append(records_size(&rec, 1));
	{
		AccountKey	key;

		make_account_key(&key, roleid, ds);
		(void) account_enter(&key, true);
	}
	upto = append_records(&rec, 1);
	apply_record(rec);
	LWLockRelease(ledger->lock);
	flush_ledger(upto);
	pfree(rec);
}

/* (Re)declare a named dataset of this database as the given tables. */
void
civic_ledger_declare_dataset(const char *name, Oid *relids, int nrels, int32 k)
{
	LedgerRecord **recs;
	CivicDatasetKey ds;
	int			i;
	uint64		upto;

	require_ledger();
	memset(&ds, 0, sizeof(ds));
	ds.dbid = MyDatabaseId;
	ds.kind = CIVIC_DS_NAMED;
	strlcpy(ds.name, name, NAMEDATALEN);

	recs = palloc(sizeof(LedgerRecord *) * (nrels + 2));
	recs[0] = new_record(REC_CLEAR, InvalidOid, &ds, NULL);
	recs[1] = new_record(REC_MAP, InvalidOid, &ds, NULL);
	recs[1]->k = k;
	for (i = 0; i < nrels; i++)
	{
		recs[i + 2] = new_record(REC_MAP, InvalidOid, &ds, NULL);
		recs[i + 2]->member_relid = relids[i];
		recs[i + 2]->k = k;
	}

	lock_for_append(records_size(recs, nrels + 2));
	for (i = 0; i < nrels; i++)
	{
		RelMapKey	rk;
		RelMapEntry *re;

		memset(&rk, 0, sizeof(rk));
		rk.dbid = MyDatabaseId;
		rk.relid = relids[i];
		re = hash_search(relmap, &rk, HASH_FIND, NULL);
		if (re && strcmp(re->name, name) != 0)
		{
			char		other[NAMEDATALEN];

			strlcpy(other, re->name, NAMEDATALEN);
			LWLockRelease(ledger->lock);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("table \"%s\" already belongs to dataset \"%s\"",
							get_rel_name(relids[i]), other),
					 errdetail("A table can belong to one dataset only."),
					 errhint("Declare dataset \"%s\" without that table first.", other)));
		}
	}
	upto = append_records(recs, nrels + 2);
	for (i = 0; i < nrels + 2; i++)
		apply_record(recs[i]);
	LWLockRelease(ledger->lock);
	flush_ledger(upto);
}

/* Which named dataset of this database a table belongs to, if any. */
bool
civic_ledger_lookup_table(Oid relid, char *name, int32 *k)
{
	RelMapKey	rk;
	RelMapEntry *re;
	bool		found = false;

	require_ledger();
	memset(&rk, 0, sizeof(rk));
	rk.dbid = MyDatabaseId;
	rk.relid = relid;
	LWLockAcquire(ledger->lock, LW_SHARED);
	re = hash_search(relmap, &rk, HASH_FIND, NULL);
	if (re)
	{
		DatasetKey	dk;
		DatasetEntry *de;

		found = true;
		strlcpy(name, re->name, NAMEDATALEN);
		memset(&dk, 0, sizeof(dk));
		dk.dbid = MyDatabaseId;
		strlcpy(dk.name, re->name, NAMEDATALEN);
		de = hash_search(datasets, &dk, HASH_FIND, NULL);
		*k = de ? de->k : 1;
	}
	LWLockRelease(ledger->lock);
	return found;
}

/* Whether a named dataset exists in this database. */
bool
civic_ledger_dataset_exists(const char *name, int32 *k)
{
	DatasetKey	dk;
	DatasetEntry *de;

	require_ledger();
	memset(&dk, 0, sizeof(dk));
	dk.dbid = MyDatabaseId;
	strlcpy(dk.name, name, NAMEDATALEN);
	LWLockAcquire(ledger->lock, LW_SHARED);
	de = hash_search(datasets, &dk, HASH_FIND, NULL);
	if (de && k)
		*k = de->k;
	LWLockRelease(ledger->lock);
	return de != NULL;
}

/* The budget and spending of one account, as its holder sees it. */
void
civic_ledger_budget(Oid roleid, const CivicDatasetKey *ds, bool readable,
					CivicBudgetState *state)
{
	require_ledger();
	LWLockAcquire(ledger->lock, LW_SHARED);
	effective_budget(roleid, ds, readable, state);
	LWLockRelease(ledger->lock);
}

/* The tables of a named dataset of this database. */
List *
civic_ledger_dataset_tables(const char *name)
{
	HASH_SEQ_STATUS seq;
	RelMapEntry *re;
	List	   *result = NIL;

	require_ledger();
	LWLockAcquire(ledger->lock, LW_SHARED);
	hash_seq_init(&seq, relmap);
	while ((re = hash_seq_search(&seq)) != NULL)
	{
		if (re->key.dbid == MyDatabaseId && strcmp(re->name, name) == 0)
			result = lappend_oid(result, re->key.relid);
	}
	LWLockRelease(ledger->lock);
	return result;
}

/* Visit every charge record of the file, up to its current end. */
void
civic_ledger_scan(CivicLedgerRowCallback cb, void *arg)
{
	uint64		end,
				off = 0;
	int			fd;
	char	   *buf;
	Size		bufsize = sizeof(LedgerRecord) + LEDGER_MAX_TEXT + 1;

	require_ledger();
	/* what is on disk; the last batch may still be being written */
	end = pg_atomic_read_u64(&ledger->flushed);

	fd = OpenTransientFile(LEDGER_FILE, O_RDONLY | PG_BINARY);
	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open privacy ledger \"%s\": %m", LEDGER_FILE)));
	buf = palloc(bufsize);
	while (off + sizeof(LedgerRecord) <= end)
	{
		LedgerRecord *rec = (LedgerRecord *) buf;
		CivicLedgerRow row;

		if (pg_pread(fd, buf, sizeof(LedgerRecord), off) != sizeof(LedgerRecord) ||
			rec->magic != LEDGER_MAGIC ||
			rec->length < sizeof(LedgerRecord) || rec->length > bufsize ||
			(rec->textlen > 0 &&
			 pg_pread(fd, buf + sizeof(LedgerRecord), rec->textlen,
					  off + sizeof(LedgerRecord)) != rec->textlen))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("privacy ledger \"%s\" is corrupt at offset %llu",
							LEDGER_FILE, (unsigned long long) off)));
		off += rec->length;
		if (rec->ds.dbid != MyDatabaseId)
			continue;
		row.type = (char) rec->type;
		row.time = rec->time;
		row.roleid = rec->roleid;
		row.ds = rec->ds;
		row.epsilon = rec->epsilon;
		row.delta = rec->delta;
		row.queryid = rec->queryid;
		row.aggregate = rec->aggregate;
		row.mechanism = rec->mechanism;
		buf[sizeof(LedgerRecord) + rec->textlen] = '\0';
		row.query = buf + sizeof(LedgerRecord);
		cb(&row, arg);
	}
	pfree(buf);
	CloseTransientFile(fd);
}

/* Visit every account of this database (copied out under the lock). */
void
civic_ledger_accounts(CivicAccountCallback cb, void *arg)
{
	HASH_SEQ_STATUS seq;
	Account    *a;
	List	   *copies = NIL;
	ListCell   *lc;

	require_ledger();
	LWLockAcquire(ledger->lock, LW_SHARED);
	hash_seq_init(&seq, accounts);
	while ((a = hash_seq_search(&seq)) != NULL)
	{
		if (a->key.ds.dbid == MyDatabaseId)
		{
			Account    *c = palloc(sizeof(Account));

			memcpy(c, a, sizeof(Account));
			copies = lappend(copies, c);
		}
	}
	LWLockRelease(ledger->lock);
	foreach(lc, copies)
	{
		Account    *c = lfirst(lc);

		cb(c->key.roleid, &c->key.ds, &c->st, arg);
	}
	list_free_deep(copies);
}
