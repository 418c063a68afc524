/*
 * ledger.c
 *	  The privacy-budget ledger: authoritative spend totals in shared memory,
 *	  made durable twice -- by WAL records of civic's own resource manager
 *	  and by the append-only file $PGDATA/pg_civic/ledger.
 *
 * Writing.  Every charge, budget change and dataset declaration is a batch
 * of records.  Under civic's LWLock in exclusive mode the batch is checked
 * (budgets), given consecutive sequence numbers, WAL-logged (XLogInsert),
 * copied into a shared-memory buffer and applied to the shared totals, so
 * concurrent sessions can never overspend.  Before the query that caused it
 * can return a row, the WAL record is flushed (XLogFlush, and with
 * synchronous replication the synchronous standbys have it too) and the
 * buffer is written to the file and fsync'ed (one write and fsync for all
 * concurrent sessions: group commit).  Neither is part of a transaction, so
 * no ROLLBACK, savepoint, cancel or backend exit can take a charge back.
 *
 * WAL and file.  WAL carries each record to crash recovery, to streaming
 * standbys, into base backups and through point-in-time recovery; the file
 * keeps everything older than the last checkpoint (PostgreSQL 15 gives an
 * extension no checkpoint hook, so the file is written synchronously rather
 * than at checkpoints).  At start the postmaster replays the file into
 * shared memory; recovery (crash recovery, a standby, PITR) then replays WAL
 * from the checkpoint, and each WAL record whose sequence number the file
 * already holds is skipped, the others are applied and appended to the
 * file.  A charge is thus lost only if it is in neither -- possible only for
 * a query that had not returned anything.
 *
 * Damage.  Replay accepts a torn tail (an incomplete last record, or zeros:
 * a crash in the middle of a write, or preallocated space) and cuts it off.
 * Any other damage -- a record failing its checksum with data after it, a
 * bad record header, an unknown format, a record whose checksum holds but
 * whose content no civic writes (negative spending or limits: crafted by
 * someone who can write $PGDATA, and never a torn tail, even at the end
 * of the file) -- is not cut: the ledger is marked
 * damaged, every write (and so every DP query) refuses with SQLSTATE VB010
 * naming the file and offset, civic.ledger_verify() reports it, and only a
 * superuser's civic.ledger_accept_damage() -- which keeps every readable
 * record after the damage and records the acceptance -- lifts it.
 *
 * Failures.  A file that cannot be opened for writing and a disk without
 * room for the records are found before anything is charged (the file is
 * preallocated in 1 MB steps): the query fails with an ERROR.  A failed
 * write or fsync after the charge leaves the records in the buffer (they
 * are also in WAL): that query fails with an ERROR, having released
 * nothing; every later write retries them first.  Nothing in this file
 * raises PANIC or FATAL: startup and recovery go on with a damaged or
 * unwritable ledger, and it is DP queries that refuse.  (The one exception
 * is a ledger with more accounts than civic.budget_max_entries, which
 * cannot be loaded: the start fails until the setting is raised.)
 *
 * Growth.  Past civic.ledger_compact_size the file is compacted: rewritten
 * as one state record per account (limit, spending, and the sum, count and
 * last time of its charges) and dataset declaration, so it stays bounded
 * by the number of accounts; civic.privacy_ledger then shows one
 * "(compacted)" row per account for the folded charges.
 */
#include "postgres.h"

#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "access/xlog_internal.h"
#include "access/xloginsert.h"
#include "access/xlogreader.h"
#include "common/file_perm.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "port/pg_crc32c.h"
#include "replication/syncrep.h"
#include "replication/walsender.h"
#include "replication/walsender_private.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "guc.h"
#include "ledger.h"

#define LEDGER_DIR		"pg_civic"
#define LEDGER_FILE		"pg_civic/ledger"
#define LEDGER_TMP		"pg_civic/ledger.new"
#define LEDGER_MARK		"pg_civic/ledger.mark"
#define LEDGER_MARK_MAGIC 0x314D4C43	/* "CLM1" */
#define LEDGER_MAGIC_V1 0x31564C43	/* "CLV1": civic 0.1.0 records */
#define LEDGER_MAGIC	0x32564C43	/* "CLV2" */
#define LEDGER_MAX_TEXT 1024
#define LOCK_TRANCHE	"civic_budget"
#define LEDGER_BUFSZ	(1024 * 1024)
#define LEDGER_PREALLOC (1024 * 1024)
#define READ_CHUNK		(4 * 1024 * 1024)

/* WAL record info: a batch of ledger records */
#define XLOG_CIVIC_LEDGER_RECORDS	0x10

/* Record types */
#define REC_CHARGE		'C'
#define REC_BUDGET		'B'
#define REC_RESET		'R'
#define REC_MAP			'M'		/* a table joins a named dataset */
#define REC_CLEAR		'X'		/* a named dataset loses all its tables */
#define REC_STATE		'S'		/* compaction: an account's whole state */
#define REC_DAMAGE		'D'		/* an administrator accepted damage here */

/* Record flags */
#define RECF_SAME_TEXT	0x01	/* query text of the previous record */
#define RECF_HAS_LIMIT	0x02	/* REC_STATE: the account has a limit */
#define RECF_ZCDP		0x04	/* REC_BUDGET, REC_STATE: zCDP accounting */

/*
 * On-disk format.  Every record starts with a header whose magic number
 * names the format version of the record: "CLV1" (civic 0.1.0, still read,
 * never written) or "CLV2" (written since 0.2.0); a reader refuses any other
 * as damage.  A record names its dataset in the ledger's own on-disk form
 * below, never as the in-memory hash key (CivicDatasetKey): changing the
 * key changes no file.  The layout is that of 0.1.0's records, fixed.
 */
typedef struct LedgerDataset
{
	Oid			dbid;
	int32		kind;			/* CivicDatasetKind */
	Oid			relid;			/* CIVIC_DS_TABLE */
	char		name[64];		/* CIVIC_DS_NAMED */
} LedgerDataset;

StaticAssertDecl(NAMEDATALEN <= 64, "dataset names must fit the ledger's on-disk field");

/* On-disk record of civic 0.1.0; still read, never written. */
typedef struct LedgerRecordV1
{
	uint32		magic;
	uint32		length;
	pg_crc32c	crc;
	int32		type;
	TimestampTz time;
	Oid			roleid;
	Oid			actor;
	LedgerDataset ds;
	Oid			member_relid;
	int32		k;
	double		epsilon;
	double		delta;
	int64		eps_units;
	int64		delta_units;
	uint64		queryid;
	char		aggregate[NAMEDATALEN];
	char		mechanism[32];
	uint32		textlen;
} LedgerRecordV1;

/*
 * On-disk record (also the payload of WAL records); query text (textlen
 * bytes) follows.  The checksum covers everything after it, length
 * included; length must equal the header size plus textlen.
 */
typedef struct LedgerRecord
{
	uint32		magic;
	pg_crc32c	crc;			/* of everything after this field */
	uint32		length;			/* whole record, text included */
	int32		type;
	uint64		seq;			/* position in the ledger's history */
	TimestampTz time;
	Oid			roleid;			/* account holder */
	Oid			actor;			/* who made the record */
	LedgerDataset ds;
	Oid			member_relid;	/* REC_MAP */
	int32		k;				/* REC_MAP: max groups per unit */
	double		epsilon;		/* REC_STATE: sum of the charges folded */
	double		delta;
	int64		eps_units;		/* REC_STATE: spent */
	int64		delta_units;
	int64		limit_eps;		/* REC_STATE */
	int64		limit_delta;
	uint64		queryid;		/* REC_STATE: number of charges folded */
	int32		flags;
	char		aggregate[NAMEDATALEN];
	char		mechanism[32];
	double		rho;			/* REC_CHARGE: zCDP cost; REC_STATE: sum */
	int64		rho_units;		/* REC_CHARGE; REC_STATE: spent */
	int64		limit_rho;		/* REC_BUDGET, REC_STATE */
	uint32		textlen;
} LedgerRecord;

typedef struct LedgerShared
{
	LWLock	   *lock;			/* accounts, datasets, the buffer, below */
	LWLock	   *flush_lock;		/* held by the one process writing the file */
	uint64		file_end;		/* bytes of records durable in the file */
	uint64		allocated;		/* file size, preallocated space included */
	uint64		next_seq;		/* sequence number of the next record */
	pg_atomic_uint64 flushed_seq;	/* records up to this are in the file */
	uint32		generation;		/* bumped when the file is replaced */
	bool		cut_pending;	/* a torn tail still to cut at file_end */
	bool		write_failed;	/* the last write or fsync failed */
	bool		damaged;
	uint64		damage_off;
	char		damage_problem[256];
	uint64		dropped;		/* records replayed from WAL but not filed */
	uint64		mark_seq;		/* ledger.mark: the file once held records up to this */
	bool		mark_checked;	/* compared with the records, after recovery */
	bool		damage_outside; /* damage found outside the file's bytes (a gap
								 * before WAL's records, ledger.mark): accepted
								 * at the file's end */
	uint64		nrecords;		/* records in the file */
	Size		buflen;			/* records buffered, not yet in the file */
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
	double		charged_eps;	/* all charges ever, for compaction */
	double		charged_delta;
	double		charged_rho;
	uint64		ncharged;
	TimestampTz last_charge;
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

/* What a scan of the file found. */
typedef struct ScanResult
{
	uint64		size;			/* bytes scanned */
	uint64		end;			/* end of the last good record */
	uint64		nrecords;
	uint64		last_seq;
	bool		tail;			/* bytes after `end` that are a torn tail */
	bool		tail_nonzero;	/* ... and not all zeros (must be cut) */
	bool		damaged;
	char		problem[256];
	uint64		resync_off;		/* first good record after the damage, or 0 */
	uint64		records_after;	/* good records from there on */
	bool		gap;			/* the damage: records missing before a good one */
} ScanResult;

typedef void (*ScanCallback) (const LedgerRecord *rec, const char *text,
							  void *arg);

static LedgerShared *ledger = NULL;
static HTAB *accounts = NULL;
static HTAB *relmap = NULL;
static HTAB *datasets = NULL;
static bool ledger_preloaded = false;
static int	ledger_fd = -1;
static uint32 ledger_fd_generation = 0;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void ledger_redo(XLogReaderState *record);
static void ledger_desc(StringInfo buf, XLogReaderState *record);
static const char *ledger_identify(uint8 info);
static bool compact_ledger(int elevel);
static void scan_after(int fd, uint64 off, ScanCallback cb, void *arg,
					   uint64 *last_seq, uint64 *skipped);

static RmgrData ledger_rmgr = {
	.rm_name = CIVIC_RMGR_NAME,
	.rm_redo = ledger_redo,
	.rm_desc = ledger_desc,
	.rm_identify = ledger_identify,
};

/* True when civic was preloaded and its shared state exists. */
bool
civic_ledger_enabled(void)
{
	return ledger_preloaded && ledger != NULL;
}

/*
 * Round a cost up to accounting units (values within 1e-3 unit of a whole
 * number snap to it); a cost above zero is at least one unit, so nothing
 * is free however small its epsilon or delta.
 */
static int64
cost_units(double value, double scale)
{
	double		v = value * scale;
	double		r = rint(v);

	if (fabs(v - r) <= 1e-3)
		v = r;
	else
		v = ceil(v);
	if (value > 0 && v < 1)
		v = 1;
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

/* Units of zCDP rho charged for a cost rho. */
int64
civic_rho_units(double rho)
{
	return cost_units(rho, CIVIC_RHO_SCALE);
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
 * Shared memory and the shared tables
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
		memset(&a->st, 0, sizeof(a->st));
		a->charged_eps = 0;
		a->charged_delta = 0;
		a->ncharged = 0;
		a->last_charge = 0;
	}
	return a;
}

/* A dataset as written in a record. */
static void
ds_to_disk(const CivicDatasetKey *ds, LedgerDataset *out)
{
	memset(out, 0, sizeof(*out));
	out->dbid = ds->dbid;
	out->kind = ds->kind;
	out->relid = ds->relid;
	strlcpy(out->name, ds->name, sizeof(out->name));
}

/* A dataset of a record as the in-memory key (zero-filled). */
static void
ds_from_disk(const LedgerDataset *in, CivicDatasetKey *ds)
{
	memset(ds, 0, sizeof(*ds));
	ds->dbid = in->dbid;
	ds->kind = in->kind;
	ds->relid = in->relid;
	strlcpy(ds->name, in->name, Min(sizeof(ds->name), sizeof(in->name)));
}

static void
make_account_key(AccountKey *key, Oid roleid, const CivicDatasetKey *ds)
{
	memset(key, 0, sizeof(*key));
	memcpy(&key->ds, ds, sizeof(CivicDatasetKey));
	key->roleid = roleid;
}

/* The account a record is about. */
static void
make_record_account_key(AccountKey *key, const LedgerRecord *rec)
{
	CivicDatasetKey ds;

	ds_from_disk(&rec->ds, &ds);
	make_account_key(key, rec->roleid, &ds);
}

/* Apply one record to the shared tables (replay, redo and live path). */
static void
apply_record(const LedgerRecord *rec)
{
	AccountKey	key;
	Account    *a;

	switch (rec->type)
	{
		case REC_CHARGE:
			make_record_account_key(&key, rec);
			a = account_enter(&key, true);
			a->st.spent_eps = add_sat(a->st.spent_eps, rec->eps_units);
			a->st.spent_delta = add_sat(a->st.spent_delta, rec->delta_units);
			a->st.spent_rho = add_sat(a->st.spent_rho, rec->rho_units);
			a->charged_eps += rec->epsilon;
			a->charged_delta += rec->delta;
			a->charged_rho += rec->rho;
			a->ncharged++;
			a->last_charge = Max(a->last_charge, rec->time);
			break;
		case REC_BUDGET:
			make_record_account_key(&key, rec);
			a = account_enter(&key, true);
			a->st.has_limit = true;
			a->st.limit_eps = rec->eps_units;
			a->st.limit_delta = rec->delta_units;
			a->st.zcdp = (rec->flags & RECF_ZCDP) != 0;
			a->st.limit_rho = rec->limit_rho;
			break;
		case REC_RESET:
			make_record_account_key(&key, rec);
			a = account_enter(&key, true);
			a->st.spent_eps = 0;
			a->st.spent_delta = 0;
			a->st.spent_rho = 0;
			break;
		case REC_STATE:
			make_record_account_key(&key, rec);
			a = account_enter(&key, true);
			a->st.has_limit = (rec->flags & RECF_HAS_LIMIT) != 0;
			a->st.limit_eps = rec->limit_eps;
			a->st.limit_delta = rec->limit_delta;
			a->st.spent_eps = rec->eps_units;
			a->st.spent_delta = rec->delta_units;
			a->st.zcdp = (rec->flags & RECF_ZCDP) != 0;
			a->st.limit_rho = rec->limit_rho;
			a->st.spent_rho = rec->rho_units;
			a->charged_eps = rec->epsilon;
			a->charged_delta = rec->delta;
			a->charged_rho = rec->rho;
			a->ncharged = rec->queryid;
			a->last_charge = rec->time;
			break;
		case REC_DAMAGE:
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

/* Forget every account and declaration (before a replay from scratch). */
static void
clear_tables(void)
{
	HASH_SEQ_STATUS seq;
	void	   *e;

	hash_seq_init(&seq, accounts);
	while ((e = hash_seq_search(&seq)) != NULL)
		hash_search(accounts, e, HASH_REMOVE, NULL);
	hash_seq_init(&seq, relmap);
	while ((e = hash_seq_search(&seq)) != NULL)
		hash_search(relmap, e, HASH_REMOVE, NULL);
	hash_seq_init(&seq, datasets);
	while ((e = hash_seq_search(&seq)) != NULL)
		hash_search(datasets, e, HASH_REMOVE, NULL);
}

/* ---------------------------------------------------------------------
 * Reading the file
 * --------------------------------------------------------------------- */

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

/*
 * The zCDP rho of a charge of civic 0.1.0, whose records carry none: an
 * account moving to zCDP accounting must find it spent.  A pure-DP charge
 * (Laplace, exponential) at its composed epsilon is epsilon^2/2-zCDP (Bun
 * and Steinke 2016, Prop. 1.4).  0.1.0's Gaussian noise for (e0, d0) was
 * rho0-zCDP with Bun and Steinke's rho0 = (sqrt(e0 + L) - sqrt(L))^2
 * <= e0^2 / (4 L), L = log(1/d0); its record holds e >= e0 and d >= d0 after
 * composition (k^2 rho for groups), so its rho is at most e^2 / (4 log(1/d)),
 * at most e^2/2 when d <= exp(-1/2).  A Gaussian charge of a larger delta
 * has no bound from its record: it counts as all of any rho budget.
 */
static void
v1_charge_rho(LedgerRecord *rec)
{
	/* the larger of the two epsilons the record holds */
	double		e = Max(rec->epsilon, civic_units_value(rec->eps_units, CIVIC_EPS_SCALE));

	if (!(e >= 0 && e < 1e100) ||
		(strcmp(rec->mechanism, "discrete_gaussian") == 0 && !(rec->delta <= exp(-0.5))))
	{
		rec->rho = get_float8_infinity();
		rec->rho_units = CIVIC_UNLIMITED;
		return;
	}
	rec->rho = e * e / 2.0;
	rec->rho_units = civic_rho_units(rec->rho);
}


static pg_crc32c
record_crc_v1(const LedgerRecordV1 *rec)
{
	pg_crc32c	crc;
	Size		off = offsetof(LedgerRecordV1, crc) + sizeof(pg_crc32c);

	INIT_CRC32C(crc);
	COMP_CRC32C(crc, ((const char *) rec) + off, rec->length - off);
	FIN_CRC32C(crc);
	return crc;
}

/* Sequential reader over a file, in large chunks. */
typedef struct Reader
{
	int			fd;
	uint64		size;
	char	   *buf;
	uint64		start;			/* file offset of buf[0] */
	Size		len;			/* valid bytes in buf */
	bool		failed;
	int			err;
	char	   *scratch;		/* one record, text included */
} Reader;

/* Pointer to `want` bytes at `off` (fewer at the end of the file). */
static const char *
reader_get(Reader *r, uint64 off, Size want, Size *got)
{
	if (off >= r->size)
	{
		*got = 0;
		return NULL;
	}
	if (off + want > r->size)
		want = r->size - off;
	if (off < r->start || off + want > r->start + r->len)
	{
		Size		n = Min((uint64) READ_CHUNK, r->size - off);
		Size		done = 0;

		while (done < n)
		{
			ssize_t		k = pg_pread(r->fd, r->buf + done, n - done, off + done);

			if (k <= 0)
			{
				if (k < 0)
				{
					r->failed = true;
					r->err = errno;
				}
				break;
			}
			done += k;
		}
		r->start = off;
		r->len = done;
		if (done < want)
		{
			/* the file shrank or could not be read: treat as its end */
			r->size = off + done;
			want = done;
		}
	}
	*got = want;
	return r->buf + (off - r->start);
}

/* Whether every byte in [off, size) is zero. */
static bool
zeros_from(Reader *r, uint64 off)
{
	while (off < r->size)
	{
		Size		got,
					i;
		const char *p = reader_get(r, off, 64 * 1024, &got);

		if (got == 0)
			break;
		for (i = 0; i < got; i++)
			if (p[i] != 0)
				return false;
		off += got;
	}
	return true;
}

typedef enum ParseStatus
{
	PARSE_OK,
	PARSE_INCOMPLETE,			/* a well-formed header whose record runs past EOF */
	PARSE_BAD,					/* a bad header or checksum */
	PARSE_INVALID				/* a whole record no civic writes: never a tail */
} ParseStatus;

/*
 * What is wrong with the content of a record whose checksum holds, or NULL.
 * No civic writes a negative cost, spending or limit (units count up from
 * zero; CIVIC_UNLIMITED is positive): read, one would be a refund, so it
 * is damage.  The float8 costs, shown in civic.privacy_ledger, are checked
 * too (NaN included).
 */
static const char *
record_problem(const LedgerRecord *rec)
{
	switch (rec->type)
	{
		case REC_CHARGE:
		case REC_STATE:
			if (rec->eps_units < 0 || rec->delta_units < 0 || rec->rho_units < 0 ||
				!(rec->epsilon >= 0) || !(rec->delta >= 0) || !(rec->rho >= 0))
				return "record with negative spending";
			if (rec->type == REC_STATE &&
				(rec->limit_eps < 0 || rec->limit_delta < 0 || rec->limit_rho < 0))
				return "record with a negative budget";
			break;
		case REC_BUDGET:
			if (rec->eps_units < 0 || rec->delta_units < 0 || rec->limit_rho < 0)
				return "record with a negative budget";
			break;
		default:
			break;
	}
	return NULL;
}

/*
 * Parse the record at `off` into *out (text into textbuf, NUL-terminated).
 * On PARSE_BAD and PARSE_INVALID, *why says what is wrong and *claimed is
 * the length the header claims (0 if unusable).
 */
static ParseStatus
parse_record(Reader *r, uint64 off, LedgerRecord *out, char *textbuf,
			 Size *reclen, const char **why, Size *claimed)
{
	Size		got;
	const char *p;
	uint32		magic;

	*claimed = 0;
	p = reader_get(r, off, sizeof(uint32), &got);
	if (got < sizeof(uint32))
	{
		*why = "incomplete record header";
		return PARSE_INCOMPLETE;
	}
	memcpy(&magic, p, sizeof(uint32));
	if (magic == LEDGER_MAGIC)
	{
		LedgerRecord hdr;
		char	   *whole;

		p = reader_get(r, off, sizeof(LedgerRecord), &got);
		if (got < sizeof(LedgerRecord))
		{
			*why = "incomplete record header";
			return PARSE_INCOMPLETE;
		}
		memcpy(&hdr, p, sizeof(LedgerRecord));
		if (hdr.textlen > LEDGER_MAX_TEXT ||
			hdr.length != sizeof(LedgerRecord) + hdr.textlen)
		{
			*why = "bad record header (length)";
			return PARSE_BAD;
		}
		*claimed = hdr.length;
		p = reader_get(r, off, hdr.length, &got);
		if (got < hdr.length)
		{
			*why = "incomplete record";
			return PARSE_INCOMPLETE;
		}
		whole = r->scratch;
		memcpy(whole, p, hdr.length);
		if (record_crc((LedgerRecord *) whole) != hdr.crc)
		{
			*why = "record checksum mismatch";
			return PARSE_BAD;
		}
		memcpy(out, whole, sizeof(LedgerRecord));
		if ((*why = record_problem(out)) != NULL)
			return PARSE_INVALID;
		memcpy(textbuf, whole + sizeof(LedgerRecord), hdr.textlen);
		textbuf[hdr.textlen] = '\0';
		*reclen = hdr.length;
		return PARSE_OK;
	}
	if (magic == LEDGER_MAGIC_V1)
	{
		LedgerRecordV1 *v1;

		p = reader_get(r, off, sizeof(LedgerRecordV1), &got);
		if (got < sizeof(LedgerRecordV1))
		{
			*why = "incomplete record header";
			return PARSE_INCOMPLETE;
		}
		v1 = (LedgerRecordV1 *) r->scratch;
		memcpy(v1, p, sizeof(LedgerRecordV1));
		if (v1->textlen > LEDGER_MAX_TEXT ||
			v1->length != sizeof(LedgerRecordV1) + v1->textlen)
		{
			*why = "bad record header (length)";
			return PARSE_BAD;
		}
		*claimed = v1->length;
		p = reader_get(r, off, v1->length, &got);
		if (got < v1->length)
		{
			*why = "incomplete record";
			return PARSE_INCOMPLETE;
		}
		memcpy(v1, p, v1->length);
		if (record_crc_v1(v1) != v1->crc)
		{
			*why = "record checksum mismatch";
			return PARSE_BAD;
		}
		memset(out, 0, sizeof(LedgerRecord));
		out->magic = LEDGER_MAGIC;
		out->type = v1->type;
		out->time = v1->time;
		out->roleid = v1->roleid;
		out->actor = v1->actor;
		out->ds = v1->ds;
		out->member_relid = v1->member_relid;
		out->k = v1->k;
		out->epsilon = v1->epsilon;
		out->delta = v1->delta;
		out->eps_units = v1->eps_units;
		out->delta_units = v1->delta_units;
		out->queryid = v1->queryid;
		memcpy(out->aggregate, v1->aggregate, NAMEDATALEN);
		memcpy(out->mechanism, v1->mechanism, sizeof(out->mechanism));
		out->textlen = v1->textlen;
		if ((*why = record_problem(out)) != NULL)
			return PARSE_INVALID;
		if (out->type == REC_CHARGE)
			v1_charge_rho(out);
		out->seq = 0;			/* numbered by the reader */
		memcpy(textbuf, ((char *) v1) + sizeof(LedgerRecordV1), v1->textlen);
		textbuf[v1->textlen] = '\0';
		*reclen = v1->length;
		return PARSE_OK;
	}
	*why = (magic & 0xFFFFFF) == (LEDGER_MAGIC & 0xFFFFFF) ?
		"unknown record format version" : "bad record header (magic)";
	return PARSE_BAD;
}

/*
 * Read the file from its start to `limit` (or its end), calling cb for each
 * good record, and classify what ends it: the end, a torn tail, or damage.
 * Records of 0.1.0 carry no sequence number: they are numbered in order.
 */
static void
scan_file(int fd, uint64 limit, ScanCallback cb, void *arg, ScanResult *res)
{
	Reader		r;
	struct stat st;
	uint64		off = 0;
	LedgerRecord rec;
	char	   *text = palloc(LEDGER_MAX_TEXT + 1);
	char	   *prevtext = palloc0(LEDGER_MAX_TEXT + 1);
	int			prevtype = 0;

	memset(res, 0, sizeof(*res));
	memset(&r, 0, sizeof(r));
	r.fd = fd;
	r.buf = palloc(READ_CHUNK);
	r.scratch = palloc(sizeof(LedgerRecord) + sizeof(LedgerRecordV1) + LEDGER_MAX_TEXT);
	if (fstat(fd, &st) == 0)
		r.size = (uint64) st.st_size;
	if (limit > 0 && limit < r.size)
		r.size = limit;
	res->size = r.size;

	while (off < r.size)
	{
		Size		len,
					claimed;
		const char *why;
		ParseStatus ps = parse_record(&r, off, &rec, text, &len, &why, &claimed);

		if (ps == PARSE_OK)
		{
			if (rec.seq == 0)
				rec.seq = res->last_seq + 1;

			/*
			 * Records are numbered consecutively (compaction keeps the last
			 * number; only an accepted damage may leave a gap at its
			 * marker, which carries the last number of the file): a gap is records lost from the middle of the file --
			 * an older copy of it completed by WAL, or records WAL replay
			 * could not add.  Damage at the record after the gap, which is
			 * itself good.
			 */
			if (res->nrecords > 0 && rec.seq > res->last_seq + 1 &&
				rec.type != REC_DAMAGE && prevtype != REC_DAMAGE)
			{
				res->end = off;
				res->damaged = true;
				res->gap = true;
				snprintf(res->problem, sizeof(res->problem),
						 "record %llu follows record %llu: %llu records are missing",
						 (unsigned long long) rec.seq, (unsigned long long) res->last_seq,
						 (unsigned long long) (rec.seq - res->last_seq - 1));
				break;
			}
			prevtype = rec.type;
			res->last_seq = Max(res->last_seq, rec.seq);
			res->nrecords++;
			if (!(rec.flags & RECF_SAME_TEXT))
				memcpy(prevtext, text, rec.textlen + 1);
			if (cb)
				cb(&rec, prevtext, arg);
			off += len;
			continue;
		}

		/* what ends the good records: a torn tail, or damage? */
		res->end = off;
		if (zeros_from(&r, off))
		{
			res->tail = true;	/* preallocated or never-written space */
			break;
		}
		if (ps == PARSE_INCOMPLETE ||
			(ps == PARSE_BAD && claimed > 0 && zeros_from(&r, off + claimed)))
		{
			/* the last record, cut short or zero-filled by a crash */
			res->tail = true;
			res->tail_nonzero = true;
			break;
		}
		res->damaged = true;
		snprintf(res->problem, sizeof(res->problem), "%s", why);
		break;
	}
	if (!res->tail && !res->damaged)
		res->end = off;
	if (r.failed && !res->damaged)
	{
		res->damaged = true;
		res->end = off;
		snprintf(res->problem, sizeof(res->problem), "read error: %s",
				 strerror(r.err));
	}

	/* After damage: where do good records resume, and how many follow? */
	if (res->damaged && !r.failed)
	{
		uint64		p;

		if (res->gap)
			res->resync_off = res->end; /* the record after the gap is good */
		for (p = res->end + 1; !res->gap && p + sizeof(uint32) <= r.size; p++)
		{
			Size		len,
						claimed;
			const char *why;

			if (parse_record(&r, p, &rec, text, &len, &why, &claimed) == PARSE_OK)
			{
				res->resync_off = p;
				break;
			}
		}
		if (res->resync_off > 0)
		{
			p = res->resync_off;
			while (p < r.size)
			{
				Size		len,
							claimed;
				const char *why;

				if (parse_record(&r, p, &rec, text, &len, &why, &claimed) != PARSE_OK)
					break;
				res->records_after++;
				p += len;
			}
		}
	}
	pfree(r.buf);
	pfree(r.scratch);
	pfree(text);
	pfree(prevtext);
}

/* Replay callback: apply, and count. */
static void
replay_cb(const LedgerRecord *rec, const char *text, void *arg)
{
	apply_record(rec);
}

/*
 * The mark: pg_civic/ledger.mark holds the number of the last record the
 * file held durably (written after each fsync of the file, so never ahead
 * of it; left to the next fsync, so at worst behind).  A file that ends
 * before that record once recovery is over -- cut, zeroed, deleted, or an
 * older copy put back -- lost charges that answered queries: damage, not a
 * torn tail.  (A copy of the whole directory from one moment is consistent
 * and cannot be told apart; docs/budget.md.)
 */
typedef struct LedgerMark
{
	uint32		magic;
	uint32		pad;
	uint64		seq;
	pg_crc32c	crc;
} LedgerMark;

/* Read the mark: 1 and *seq, 0 if there is none, -1 if it is unreadable. */
static int
read_mark(uint64 *seq)
{
	LedgerMark	m;
	pg_crc32c	crc;
	int			fd = BasicOpenFile(LEDGER_MARK, O_RDONLY | PG_BINARY);
	ssize_t		n;

	*seq = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	n = read(fd, &m, sizeof(m));
	close(fd);
	if (n != sizeof(m) || m.magic != LEDGER_MARK_MAGIC)
		return -1;
	INIT_CRC32C(crc);
	COMP_CRC32C(crc, &m, offsetof(LedgerMark, crc));
	FIN_CRC32C(crc);
	if (!EQ_CRC32C(crc, m.crc))
		return -1;
	*seq = m.seq;
	return 1;
}

/* Write the mark (no fsync: the file's next fsync carries it). */
static void
write_mark(uint64 seq)
{
	LedgerMark	m;
	int			fd;

	memset(&m, 0, sizeof(m));
	m.magic = LEDGER_MARK_MAGIC;
	m.seq = seq;
	INIT_CRC32C(m.crc);
	COMP_CRC32C(m.crc, &m, offsetof(LedgerMark, crc));
	FIN_CRC32C(m.crc);
	fd = BasicOpenFilePerm(LEDGER_MARK, O_WRONLY | O_CREAT | PG_BINARY, pg_file_create_mode);
	if (fd < 0)
		return;					/* the mark is a check, not the record */
	if (pg_pwrite(fd, &m, sizeof(m), 0) != sizeof(m))
		ereport(LOG,
				(errcode_for_file_access(),
				 errmsg("could not write \"%s\": %m", LEDGER_MARK)));
	close(fd);
}

/* Mark the ledger damaged by a problem outside the file's bytes; lock held. */
static void
damage_outside_file(int elevel, const char *problem)
{
	ledger->damaged = true;
	ledger->damage_outside = true;
	ledger->damage_off = ledger->file_end;
	strlcpy(ledger->damage_problem, problem, sizeof(ledger->damage_problem));
	ereport(elevel,
			(errcode(ERRCODE_CIVIC_LEDGER_DAMAGED),
			 errmsg("privacy ledger \"%s\": %s", LEDGER_FILE, problem),
			 errdetail("Queries using differential-privacy aggregates will refuse to run."),
			 errhint("See civic.ledger_verify() and civic.ledger_accept_damage() in the documentation of the privacy budget.")));
}

/*
 * Once recovery is over, the records must reach the mark.  Checked at the
 * first write and by civic.ledger_verify().
 */
static void
check_mark(void)
{
	if (ledger->mark_checked || RecoveryInProgress())
		return;
	LWLockAcquire(ledger->lock, LW_EXCLUSIVE);
	if (!ledger->mark_checked)
	{
		if (!ledger->damaged && ledger->next_seq - 1 < ledger->mark_seq)
			damage_outside_file(LOG, psprintf("the ledger ends at record %llu, but the file held records up to %llu (\"%s\"): %llu records are missing (a cut, zeroed, deleted or older copy of the file)",
										 (unsigned long long) (ledger->next_seq - 1),
										 (unsigned long long) ledger->mark_seq, LEDGER_MARK,
										 (unsigned long long) (ledger->mark_seq - (ledger->next_seq - 1))));
		ledger->mark_checked = true;
	}
	LWLockRelease(ledger->lock);
}

/*
 * Read the ledger file into the shared tables (the postmaster at start and
 * after every crash-restart; a superuser's acceptance of damage).  Never
 * fails: a file that cannot be read or is damaged marks the ledger damaged.
 */
static void
ledger_replay(void)
{
	int			fd;
	ScanResult	res;
	bool		writable = true;

	ledger->damaged = false;
	ledger->damage_outside = false;
	ledger->damage_off = 0;
	ledger->damage_problem[0] = '\0';
	ledger->cut_pending = false;
	ledger->mark_checked = false;

	if (MakePGDirectory(LEDGER_DIR) < 0 && errno != EEXIST)
		ereport(WARNING,
				(errcode_for_file_access(),
				 errmsg("could not create directory \"%s\": %m", LEDGER_DIR)));

	fd = BasicOpenFilePerm(LEDGER_FILE, O_RDWR | O_CREAT | PG_BINARY,
						   pg_file_create_mode);
	if (fd < 0)
	{
		writable = false;
		fd = BasicOpenFile(LEDGER_FILE, O_RDONLY | PG_BINARY);
	}
	if (fd < 0)
	{
		if (errno == ENOENT)
		{
			/* no ledger and no way to create it: the first write will say */
			ereport(WARNING,
					(errcode_for_file_access(),
					 errmsg("could not create privacy ledger \"%s\": %m", LEDGER_FILE)));
			return;
		}
		ledger->damaged = true;
		snprintf(ledger->damage_problem, sizeof(ledger->damage_problem),
				 "the file cannot be read: %s", strerror(errno));
		ereport(WARNING,
				(errcode(ERRCODE_CIVIC_LEDGER_DAMAGED),
				 errmsg("privacy ledger \"%s\" cannot be read: %s",
						LEDGER_FILE, ledger->damage_problem),
				 errdetail("Queries using differential-privacy aggregates will refuse to run.")));
		return;
	}

	scan_file(fd, 0, replay_cb, NULL, &res);
	ledger->nrecords = res.nrecords;
	ledger->next_seq = res.last_seq + 1;
	ledger->file_end = res.end;
	if (read_mark(&ledger->mark_seq) < 0 && !res.damaged)
		damage_outside_file(WARNING, psprintf("\"%s\" cannot be read", LEDGER_MARK));
	ledger->allocated = res.size;
	pg_atomic_write_u64(&ledger->flushed_seq, res.last_seq);
	ledger->buflen = 0;

	if (res.damaged)
	{
		uint64		last = res.last_seq,
					skipped = 0;

		/*
		 * The good records after the damage count too (spending must not
		 * look refunded), though nothing is written until an admin acts.
		 */
		if (res.resync_off > 0)
			scan_after(fd, res.resync_off, replay_cb, NULL, &last, &skipped);
		ledger->next_seq = last + 1;
		pg_atomic_write_u64(&ledger->flushed_seq, last);
		ledger->damaged = true;
		ledger->damage_off = res.end;
		strlcpy(ledger->damage_problem, res.problem, sizeof(ledger->damage_problem));
		ereport(WARNING,
				(errcode(ERRCODE_CIVIC_LEDGER_DAMAGED),
				 errmsg("privacy ledger \"%s\" is damaged at offset %llu: %s",
						LEDGER_FILE, (unsigned long long) res.end, res.problem),
				 errdetail("%llu records before the damage were read; %llu bytes follow it. Queries using differential-privacy aggregates will refuse to run.",
						   (unsigned long long) res.nrecords,
						   (unsigned long long) (res.size - res.end)),
				 errhint("See civic.ledger_verify() and civic.ledger_accept_damage() in the documentation of the privacy budget.")));
	}
	else if (res.tail && res.tail_nonzero)
	{
		ereport(LOG,
				(errmsg("privacy ledger \"%s\": discarding %llu bytes of an incomplete record after offset %llu",
						LEDGER_FILE, (unsigned long long) (res.size - res.end),
						(unsigned long long) res.end)));
		if (!writable || ftruncate(fd, (off_t) res.end) < 0 || pg_fsync(fd) < 0)
			ledger->cut_pending = true; /* the first write will cut it */
		else
			ledger->allocated = res.end;
	}
	close(fd);
}

/*
 * When the postmaster exits or resets shared memory (every other process is
 * gone), give back the preallocated space: the file ends with its last
 * record again.  Never on a damaged ledger.
 */
static void
ledger_trim(int code, Datum arg)
{
	int			fd;

	if (ledger == NULL || ledger->damaged || ledger->cut_pending ||
		ledger->allocated <= ledger->file_end)
		return;
	fd = BasicOpenFile(LEDGER_FILE, O_WRONLY | PG_BINARY);
	if (fd < 0)
		return;
	if (ftruncate(fd, (off_t) ledger->file_end) == 0)
		(void) pg_fsync(fd);
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

		memset(ledger, 0, offsetof(LedgerShared, buf));
		ledger->lock = &locks[0].lock;
		ledger->flush_lock = &locks[1].lock;
		ledger->next_seq = 1;
		pg_atomic_init_u64(&ledger->flushed_seq, 0);
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
	{
		ledger_replay();
		on_shmem_exit(ledger_trim, (Datum) 0);
	}
	LWLockRelease(AddinShmemInitLock);
}

/* Install the shared-memory hooks and the WAL resource manager. */
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
	RegisterCustomRmgr(CIVIC_RMGR_ID, &ledger_rmgr);
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
 * Writing
 * --------------------------------------------------------------------- */

/* The ledger is damaged: nothing may be written until an admin acts. */
static void
report_damaged(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_CIVIC_LEDGER_DAMAGED),
			 errmsg("privacy ledger \"%s\" is damaged at offset %llu",
					LEDGER_FILE, (unsigned long long) ledger->damage_off),
			 errdetail("The ledger reports: %s. Until the damage is dealt with nothing is charged, so queries using differential-privacy aggregates and budget changes refuse to run.",
					   ledger->damage_problem),
			 errhint("A budget administrator inspects it with civic.ledger_verify(); a superuser accepts it with civic.ledger_accept_damage(offset) after restoring what can be restored (see \"Damage\" in docs/budget.md).")));
}

/* This backend's descriptor for writing the current file. */
static bool
open_ledger_fd(int elevel)
{
	uint32		generation = ledger->generation;

	if (ledger_fd >= 0 && ledger_fd_generation == generation)
		return true;
	if (ledger_fd >= 0)
		close(ledger_fd);

	/*
	 * The generation is read before opening: if the file is replaced in
	 * between, this descriptor is found stale (and reopened) under the lock
	 * that writing takes.  Never O_CREAT: a missing file must not silently
	 * restart the ledger.
	 */
	pg_read_barrier();
	ledger_fd = BasicOpenFile(LEDGER_FILE, O_WRONLY | PG_BINARY);
	ledger_fd_generation = generation;
	if (ledger_fd < 0)
	{
		ereport(elevel,
				(errcode(ERRCODE_CIVIC_LEDGER_UNWRITABLE),
				 errmsg("could not open privacy ledger \"%s\" for writing: %m", LEDGER_FILE),
				 errdetail("Nothing was charged and nothing is returned."),
				 errhint("Make the file writable by the server's operating-system user (and the file system writable).")));
		return false;
	}
	return true;
}

/*
 * Write the buffered records to the file and fsync it; the caller holds
 * flush_lock.  On failure the records stay in the buffer (they are in WAL
 * and in the shared totals already) for the next attempt, which rewrites
 * them at the same place -- so a failed fsync is retried safely, with the
 * data at hand, rather than trusted.
 */
static bool
write_pending(int elevel)
{
	uint64		start,
				last;
	Size		n;
	char	   *copy;
	bool		cut;
	Size		done = 0;
	int			save_errno;

	/* never write over damage: an administrator must see it first */
	if (ledger->damaged)
	{
		ereport(elevel,
				(errcode(ERRCODE_CIVIC_LEDGER_DAMAGED),
				 errmsg("privacy ledger \"%s\" is damaged at offset %llu: nothing is written to it",
						LEDGER_FILE, (unsigned long long) ledger->damage_off)));
		return false;
	}
	if (!open_ledger_fd(DEBUG1))
	{
		ledger->write_failed = true;
		(void) open_ledger_fd(elevel);
		return false;
	}

	LWLockAcquire(ledger->lock, LW_EXCLUSIVE);
	start = ledger->file_end;
	n = ledger->buflen;
	last = ledger->next_seq - 1;
	cut = ledger->cut_pending;
	copy = palloc(Max(n, 1));
	memcpy(copy, ledger->buf, n);
	LWLockRelease(ledger->lock);

	errno = 0;
	if (cut && (ftruncate(ledger_fd, (off_t) start) < 0 || pg_fsync(ledger_fd) < 0))
		goto failed;
	while (done < n)
	{
		ssize_t		k = pg_pwrite(ledger_fd, copy + done, n - done, (off_t) (start + done));

		if (k <= 0)
		{
			if (k == 0 || errno == 0)
				errno = ENOSPC;
			goto failed;
		}
		done += k;
	}
	if (n > 0 && pg_fsync(ledger_fd) != 0)
		goto failed;

	LWLockAcquire(ledger->lock, LW_EXCLUSIVE);
	memmove(ledger->buf, ledger->buf + n, ledger->buflen - n);
	ledger->buflen -= n;
	ledger->file_end += n;
	if (cut)
	{
		ledger->cut_pending = false;
		ledger->allocated = ledger->file_end;
	}
	ledger->allocated = Max(ledger->allocated, ledger->file_end);
	ledger->write_failed = false;
	LWLockRelease(ledger->lock);
	pg_atomic_write_u64(&ledger->flushed_seq, last);
	if (n > 0)
		write_mark(last);
	pfree(copy);
	return true;

failed:
	save_errno = errno;
	/* until the records are written, nobody charges past them */
	ledger->write_failed = true;
	pfree(copy);
	errno = save_errno;
	ereport(elevel,
			(errcode(save_errno == ENOSPC ? ERRCODE_DISK_FULL : ERRCODE_CIVIC_LEDGER_UNWRITABLE),
			 errmsg("could not write privacy ledger \"%s\": %m", LEDGER_FILE),
			 errdetail("The charge is recorded in WAL and in shared memory and will be written with the next one; this query returns nothing."),
			 errhint("Make the file writable, or free disk space.")));
	return false;
}

/*
 * Make the file durable up to record `upto` (a sequence number) unless it
 * is already.  Group commit, as for WAL: while another process is writing,
 * wait for it without queueing for the lock, then look again -- its write
 * may have covered our records.  Compacts the file once it is large.
 */
static bool
flush_ledger(uint64 upto, int elevel)
{
	bool		ok = true;
	bool		compact;

	for (;;)
	{
		if (pg_atomic_read_u64(&ledger->flushed_seq) >= upto)
			return true;
		if (LWLockAcquireOrWait(ledger->flush_lock, LW_EXCLUSIVE))
			break;
	}
	if (pg_atomic_read_u64(&ledger->flushed_seq) < upto)
		ok = write_pending(elevel);
	compact = ok && civic_ledger_compact_size > 0 &&
		ledger->file_end > (uint64) civic_ledger_compact_size * 1024;
	LWLockRelease(ledger->flush_lock);
	if (compact)
		(void) compact_ledger(WARNING);
	return ok;
}

/*
 * Checks before anything is charged: not a standby, not damaged, the file
 * can be opened for writing, and records a failed write left behind are
 * written first.
 */
static void
require_writable(void)
{
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_LEDGER_READ_ONLY),
				 errmsg("cannot charge or change privacy budgets during recovery"),
				 errdetail("Charges, budgets and dataset declarations are recorded on the primary and reach standbys through WAL."),
				 errhint("Run queries using differential-privacy aggregates on the primary.")));
	check_mark();
	if (ledger->damaged)
		report_damaged();
	(void) open_ledger_fd(ERROR);
	if (ledger->write_failed)
	{
		uint64		upto;

		LWLockAcquire(ledger->lock, LW_SHARED);
		upto = ledger->next_seq - 1;
		LWLockRelease(ledger->lock);
		(void) flush_ledger(upto, ERROR);
	}
}

/*
 * Take the main lock exclusively with room in the buffer for `total` bytes
 * (flushing first if needed) and room on disk for them (preallocating the
 * file in steps, so that a full disk refuses a query before it is charged
 * rather than after).  While the lock is held nobody else appends, so the
 * room stays.
 */
static void
lock_for_append(Size total)
{
	uint64		need;

	for (;;)
	{
		uint64		pending;

		LWLockAcquire(ledger->lock, LW_EXCLUSIVE);
		if (ledger->damaged)
		{
			LWLockRelease(ledger->lock);
			report_damaged();
		}
		if (ledger->buflen + total <= LEDGER_BUFSZ)
			break;
		pending = ledger->next_seq - 1;
		LWLockRelease(ledger->lock);
		(void) flush_ledger(pending, ERROR);
	}

	need = ledger->file_end + ledger->buflen + total;
	if (!ledger->cut_pending && need > ledger->allocated)
	{
		uint64		grow = TYPEALIGN(LEDGER_PREALLOC, need - ledger->allocated);
		int			rc;

		/* the file is only replaced under this lock: the descriptor holds */
		if (!open_ledger_fd(DEBUG1))
		{
			LWLockRelease(ledger->lock);
			(void) open_ledger_fd(ERROR);
			/* it opened after all: start again */
			lock_for_append(total);
			return;
		}
		rc = posix_fallocate(ledger_fd, (off_t) ledger->allocated, (off_t) grow);
		if (rc != 0)
		{
			LWLockRelease(ledger->lock);
			errno = rc;
			ereport(ERROR,
					(errcode(rc == ENOSPC ? ERRCODE_DISK_FULL : ERRCODE_CIVIC_LEDGER_UNWRITABLE),
					 errmsg("could not extend privacy ledger \"%s\": %m", LEDGER_FILE),
					 errdetail("Nothing was charged and nothing is returned."),
					 errhint("Free disk space on the file system of the data directory.")));
		}
		ledger->allocated += grow;
	}
}

/* Bytes a batch of records takes. */
static Size
records_size(LedgerRecord **recs, int nrecs)
{
	Size		total = 0;
	int			i;

	for (i = 0; i < nrecs; i++)
		total += recs[i]->length;
	if (total > LEDGER_BUFSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("privacy ledger entry too large"),
				 errdetail("One query or declaration would write %zu bytes; the limit is %d.",
						   total, LEDGER_BUFSZ)));
	return total;
}

/*
 * Number, WAL-log, buffer and apply a batch of records; the caller holds
 * the lock from lock_for_append(), so batches are numbered, logged and
 * applied in one order.  Returns the last sequence number, which
 * flush_ledger() must make durable (after XLogFlush(*lsn)) before the
 * caller's query may return anything.
 */
static uint64
append_records(LedgerRecord **recs, int nrecs, XLogRecPtr *lsn)
{
	int			i;
	Size		pos = ledger->buflen;
	Size		total = 0;

	for (i = 0; i < nrecs; i++)
	{
		recs[i]->seq = ledger->next_seq + i;
		recs[i]->crc = record_crc(recs[i]);
		memcpy(ledger->buf + pos + total, recs[i], recs[i]->length);
		total += recs[i]->length;
	}
	/* an error here leaves everything as it was */
	XLogBeginInsert();
	XLogRegisterData(ledger->buf + pos, (int) total);
	*lsn = XLogInsert(CIVIC_RMGR_ID, XLOG_CIVIC_LEDGER_RECORDS);

	ledger->buflen += total;
	ledger->next_seq += nrecs;
	ledger->nrecords += nrecs;
	for (i = 0; i < nrecs; i++)
		apply_record(recs[i]);
	return ledger->next_seq - 1;
}

/* WAL first (and synchronous standbys), then the file. */
/*
 * With synchronous replication, wait until the synchronous standbys have
 * flushed the ledger's WAL up to lsn, whatever the session's
 * synchronous_commit says (a role may set it to 'local' or 'off': a failover
 * would then lose charges for answers already returned).  PostgreSQL turns a
 * cancel or a termination during the wait into a WARNING and returns, the
 * standbys not having confirmed: the query then fails here, the charge
 * standing on this server, and returns nothing.
 */
static void
wait_for_sync_standbys(XLogRecPtr lsn)
{
	int			nest;
	XLogRecPtr	confirmed;

	if (max_wal_senders == 0 || SyncRepStandbyNames == NULL || SyncRepStandbyNames[0] == '\0' ||
		RecoveryInProgress())
		return;
	nest = NewGUCNestLevel();
	if (synchronous_commit < SYNCHRONOUS_COMMIT_REMOTE_FLUSH)
		(void) set_config_option("synchronous_commit", "on", PGC_SUSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	SyncRepWaitForLSN(lsn, false);
	AtEOXact_GUC(true, nest);
	LWLockAcquire(SyncRepLock, LW_SHARED);
	confirmed = WalSndCtl->lsn[SYNC_REP_WAIT_FLUSH];
	LWLockRelease(SyncRepLock);
	if (confirmed < lsn)
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_LEDGER_UNWRITABLE),
				 errmsg("the synchronous standbys did not confirm the privacy charge"),
				 errdetail("The charge is recorded on this server, which waited for the standbys named by synchronous_standby_names until the wait was cancelled; this query returns nothing."),
				 errhint("Bring a synchronous standby back, or change synchronous_standby_names.")));
}

static void
make_durable(XLogRecPtr lsn, uint64 upto)
{
	XLogFlush(lsn);
	wait_for_sync_standbys(lsn);
	(void) flush_ledger(upto, ERROR);
}

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
		ds_to_disk(ds, &rec->ds);
	rec->textlen = textlen;
	if (textlen)
		memcpy(((char *) rec) + sizeof(LedgerRecord), text, textlen);
	return rec;
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
		out->zcdp = false;
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
			out->zcdp = d->st.zcdp;
			out->limit_rho = d->st.limit_rho;
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

/*
 * Check and spend a query's charge atomically.  Either every line is
 * recorded durably (WAL and file) and added to the totals, or nothing is
 * charged: false (and *refusal) when a budget is too small, an ERROR when
 * the ledger cannot be written.
 */
bool
civic_ledger_charge(Oid roleid,
					const CivicCharge *charges, int ncharges,
					uint64 queryid, const char *query_text,
					CivicLedgerRefusal *refusal)
{
	LedgerRecord **recs;
	int			i,
				j;
	int			bad = -1;
	CivicBudgetState bad_state;
	int64		bad_eps = 0,
				bad_delta = 0,
				bad_rho = 0;
	uint64		upto = 0;
	XLogRecPtr	lsn = InvalidXLogRecPtr;

	require_ledger();
	if (ncharges == 0)
		return true;
	require_writable();
	memset(&bad_state, 0, sizeof(bad_state));

	recs = palloc(sizeof(LedgerRecord *) * ncharges);
	for (i = 0; i < ncharges; i++)
	{
		const CivicCharge *c = &charges[i];

		/* the query text once per query: later lines refer back to it */
		recs[i] = new_record(REC_CHARGE, roleid, &c->ds, i == 0 ? query_text : NULL);
		if (i > 0)
			recs[i]->flags |= RECF_SAME_TEXT;
		recs[i]->epsilon = c->epsilon;
		recs[i]->delta = c->delta;
		recs[i]->eps_units = civic_eps_units(c->epsilon);
		recs[i]->delta_units = civic_delta_units(c->delta);
		recs[i]->rho = c->rho;
		recs[i]->rho_units = civic_rho_units(c->rho);
		recs[i]->queryid = queryid;
		strlcpy(recs[i]->aggregate, c->aggregate, NAMEDATALEN);
		strlcpy(recs[i]->mechanism, c->mechanism, sizeof(recs[i]->mechanism));
	}

	lock_for_append(records_size(recs, ncharges));

	/* Check every dataset touched against its total request. */
	for (i = 0; i < ncharges && bad < 0; i++)
	{
		int64		req_eps = 0,
					req_delta = 0,
					req_rho = 0;
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
				req_rho = add_sat(req_rho, recs[j]->rho_units);
			}
		effective_budget(roleid, &charges[i].ds, charges[i].readable, &st);
		/*
		 * zCDP accounting: charges compose by adding rho, and the budget is
		 * the rho that converts to its (epsilon, delta); otherwise basic
		 * composition of epsilon and delta.
		 */
		if (st.zcdp ?
			(st.limit_rho != CIVIC_UNLIMITED &&
			 add_sat(st.spent_rho, req_rho) > st.limit_rho) :
			((st.limit_eps != CIVIC_UNLIMITED &&
			  add_sat(st.spent_eps, req_eps) > st.limit_eps) ||
			 (st.limit_delta != CIVIC_UNLIMITED &&
			  add_sat(st.spent_delta, req_delta) > st.limit_delta)))
		{
			bad = i;
			bad_state = st;
			bad_eps = req_eps;
			bad_delta = req_delta;
			bad_rho = req_rho;
		}
	}

	if (bad < 0)
		upto = append_records(recs, ncharges, &lsn);
	LWLockRelease(ledger->lock);

	/*
	 * The charge is spent (others see it) from here on; it becomes durable
	 * before this query can return anything.  A crash before then loses the
	 * charge of a query that had not returned a row.
	 */
	if (bad < 0)
		make_durable(lsn, upto);

	for (i = 0; i < ncharges; i++)
		pfree(recs[i]);
	pfree(recs);
	if (bad >= 0)
	{
		refusal->charge = bad;
		refusal->state = bad_state;
		refusal->req_eps = bad_eps;
		refusal->req_delta = bad_delta;
		refusal->req_rho = bad_rho;
		return false;
	}
	return true;
}

/*
 * Append one record about an account (a budget or a reset) and make it
 * durable; the account's slot is made before the record is written, so a
 * full account table refuses the call with nothing written.  Frees rec.
 */
static void
append_account_record(LedgerRecord *rec, Oid roleid, const CivicDatasetKey *ds)
{
	AccountKey	key;
	uint64		upto;
	XLogRecPtr	lsn;

	lock_for_append(records_size(&rec, 1));
	make_account_key(&key, roleid, ds);
	(void) account_enter(&key, true);
	upto = append_records(&rec, 1, &lsn);
	LWLockRelease(ledger->lock);
	make_durable(lsn, upto);
	pfree(rec);
}

/* Record a new limit for an account (or a role's default). */
void
civic_ledger_set_budget(Oid roleid, const CivicDatasetKey *ds,
						double epsilon, double delta,
						bool zcdp, int64 limit_rho)
{
	LedgerRecord *rec;

	require_ledger();
	require_writable();
	rec = new_record(REC_BUDGET, roleid, ds, NULL);
	rec->epsilon = epsilon;
	rec->delta = delta;
	rec->eps_units = civic_limit_units(epsilon, CIVIC_EPS_SCALE);
	rec->delta_units = civic_limit_units(delta, CIVIC_DELTA_SCALE);
	if (zcdp)
	{
		rec->flags |= RECF_ZCDP;
		rec->limit_rho = limit_rho;
	}
	append_account_record(rec, roleid, ds);
}

/* Forget an account's spending. */
void
civic_ledger_reset(Oid roleid, const CivicDatasetKey *ds)
{
	LedgerRecord *rec;

	require_ledger();
	require_writable();
	rec = new_record(REC_RESET, roleid, ds, NULL);
	append_account_record(rec, roleid, ds);
}

/* (Re)declare a named dataset of this database as the given tables. */
void
civic_ledger_declare_dataset(const char *name, Oid *relids, int nrels, int32 k)
{
	LedgerRecord **recs;
	CivicDatasetKey ds;
	int			i;
	uint64		upto;
	XLogRecPtr	lsn;

	require_ledger();
	require_writable();
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
	upto = append_records(recs, nrels + 2, &lsn);
	LWLockRelease(ledger->lock);
	make_durable(lsn, upto);
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

/* ---------------------------------------------------------------------
 * The privacy_ledger view
 * --------------------------------------------------------------------- */

typedef struct ViewScan
{
	CivicLedgerRowCallback cb;
	void	   *arg;
	MemoryContext rowcxt;		/* reset after each row */
} ViewScan;

static void
view_cb(const LedgerRecord *rec, const char *text, void *arg)
{
	ViewScan   *vs = (ViewScan *) arg;
	CivicLedgerRow row;
	MemoryContext old;

	if (rec->ds.dbid != MyDatabaseId)
		return;
	old = MemoryContextSwitchTo(vs->rowcxt);
	if (rec->type == REC_CHARGE)
	{
		row.time = rec->time;
		row.roleid = rec->roleid;
		ds_from_disk(&rec->ds, &row.ds);
		row.epsilon = rec->epsilon;
		row.delta = rec->delta;
		row.rho = rec->rho;
		row.queryid = rec->queryid;
		row.aggregate = (char *) rec->aggregate;
		row.mechanism = (char *) rec->mechanism;
		row.query = (char *) text;
		vs->cb(&row, vs->arg);
	}
	else if (rec->type == REC_STATE && rec->queryid > 0)
	{
		/* charges folded by compaction: one row with their sums */
		row.time = rec->time;
		row.roleid = rec->roleid;
		ds_from_disk(&rec->ds, &row.ds);
		row.epsilon = rec->epsilon;
		row.delta = rec->delta;
		row.rho = rec->rho;
		row.queryid = 0;
		row.aggregate = "(compacted)";
		row.mechanism = "(compacted)";
		row.query = psprintf("%llu charges compacted", (unsigned long long) rec->queryid);
		vs->cb(&row, vs->arg);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(vs->rowcxt);
}

/* Visit every charge of this database in the file, up to its durable end. */
void
civic_ledger_charges(CivicLedgerRowCallback cb, void *arg)
{
	uint64		end;
	int			fd;
	ScanResult	res;
	ViewScan	vs;

	require_ledger();
	LWLockAcquire(ledger->lock, LW_SHARED);
	end = ledger->file_end;
	LWLockRelease(ledger->lock);

	/* a compaction may replace the file: the descriptor keeps this one */
	fd = OpenTransientFile(LEDGER_FILE, O_RDONLY | PG_BINARY);
	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open privacy ledger \"%s\": %m", LEDGER_FILE)));
	vs.cb = cb;
	vs.arg = arg;
	vs.rowcxt = AllocSetContextCreate(CurrentMemoryContext, "civic ledger row",
									  ALLOCSET_SMALL_SIZES);
	if (end > 0)
		scan_file(fd, end, view_cb, &vs, &res);
	MemoryContextDelete(vs.rowcxt);
	CloseTransientFile(fd);
}

/* ---------------------------------------------------------------------
 * WAL: redo on crash recovery, standbys and point-in-time recovery
 * --------------------------------------------------------------------- */

/*
 * Apply a batch of records from WAL: each one the ledger already holds (its
 * sequence number is below next_seq: the file had it) is skipped, the
 * others are applied to the shared totals and appended to the file.  Runs
 * in the startup process, where an ERROR would stop the server: problems
 * with the file are WARNINGs and the records wait in the buffer.
 */
static void
ledger_redo(XLogReaderState *record)
{
	uint8		info = XLogRecGetInfo(record) & ~XLR_INFO_MASK;
	char	   *data = XLogRecGetData(record);
	Size		len = XLogRecGetDataLen(record);
	Size		off = 0;
	uint64		upto = 0;

	if (info != XLOG_CIVIC_LEDGER_RECORDS)
	{
		LWLockAcquire(ledger->lock, LW_EXCLUSIVE);
		ledger->damaged = true;
		snprintf(ledger->damage_problem, sizeof(ledger->damage_problem),
				 "WAL holds a ledger record of unknown kind %u (written by a newer civic?)", info);
		LWLockRelease(ledger->lock);
		ereport(WARNING,
				(errcode(ERRCODE_CIVIC_LEDGER_DAMAGED),
				 errmsg("privacy ledger: %s", ledger->damage_problem)));
		return;
	}

	LWLockAcquire(ledger->lock, LW_EXCLUSIVE);
	while (off + sizeof(LedgerRecord) <= len)
	{
		LedgerRecord hdr;

		memcpy(&hdr, data + off, sizeof(LedgerRecord));
		if (hdr.magic != LEDGER_MAGIC || hdr.length != sizeof(LedgerRecord) + hdr.textlen ||
			off + hdr.length > len || record_problem(&hdr) != NULL)
		{
			/*
			 * The charges in the rest of this WAL record cannot be read:
			 * skipping them would forget them, so the ledger fails closed
			 * (VB010) until an administrator acts, as for damage in the file.
			 */
			ledger->damaged = true;
			snprintf(ledger->damage_problem, sizeof(ledger->damage_problem),
					 "malformed ledger record in WAL at %X/%X",
					 LSN_FORMAT_ARGS(record->ReadRecPtr));
			ereport(WARNING,
					(errcode(ERRCODE_CIVIC_LEDGER_DAMAGED),
					 errmsg("privacy ledger: %s", ledger->damage_problem),
					 errhint("DP queries are refused until an administrator checks civic.ledger_verify().")));
			break;
		}
		if (hdr.seq > ledger->next_seq && !ledger->damaged)
		{
			/*
			 * Records between the ledger's last and this one are in neither
			 * the file nor the WAL replayed: the file is an older or cut
			 * copy (or lost records WAL could not add before).  Fail closed;
			 * this and later records stay in the buffer, for an acceptance
			 * to keep.
			 */
			damage_outside_file(WARNING, psprintf("WAL holds ledger record %llu, but the ledger ends at record %llu: %llu records are missing from the file",
										 (unsigned long long) hdr.seq,
										 (unsigned long long) (ledger->next_seq - 1),
										 (unsigned long long) (hdr.seq - ledger->next_seq)));
		}
		if (hdr.seq >= ledger->next_seq)
		{
			if (ledger->buflen + hdr.length > LEDGER_BUFSZ && !ledger->damaged)
			{
				uint64		pending = ledger->next_seq - 1;

				LWLockRelease(ledger->lock);
				(void) flush_ledger(pending, WARNING);
				LWLockAcquire(ledger->lock, LW_EXCLUSIVE);
			}
			if (ledger->buflen + hdr.length <= LEDGER_BUFSZ)
			{
				memcpy(ledger->buf + ledger->buflen, data + off, hdr.length);
				ledger->buflen += hdr.length;
				ledger->nrecords++;
			}
			else
			{
				/* in shared memory, but the file cannot take it */
				ledger->dropped++;
				ereport(WARNING,
						(errcode(ERRCODE_CIVIC_LEDGER_UNWRITABLE),
						 errmsg("privacy ledger record %llu replayed from WAL could not be added to \"%s\"",
								(unsigned long long) hdr.seq, LEDGER_FILE)));
			}
			apply_record(&hdr);
			ledger->next_seq = hdr.seq + 1;
			upto = hdr.seq;
		}
		off += hdr.length;
	}
	LWLockRelease(ledger->lock);
	if (upto > 0 && !ledger->damaged)
		(void) flush_ledger(upto, WARNING);
}

static void
ledger_desc(StringInfo buf, XLogReaderState *record)
{
	char	   *data = XLogRecGetData(record);
	Size		len = XLogRecGetDataLen(record);
	Size		off = 0;
	int			n = 0;
	uint64		first = 0,
				last = 0;

	while (off + sizeof(LedgerRecord) <= len)
	{
		LedgerRecord hdr;

		memcpy(&hdr, data + off, sizeof(LedgerRecord));
		if (hdr.length < sizeof(LedgerRecord))
			break;
		if (n++ == 0)
			first = hdr.seq;
		last = hdr.seq;
		off += hdr.length;
	}
	appendStringInfo(buf, "%d ledger records, seq %llu..%llu", n,
					 (unsigned long long) first, (unsigned long long) last);
}

static const char *
ledger_identify(uint8 info)
{
	if ((info & ~XLR_INFO_MASK) == XLOG_CIVIC_LEDGER_RECORDS)
		return "RECORDS";
	return NULL;
}

/* ---------------------------------------------------------------------
 * Compaction, damage
 * --------------------------------------------------------------------- */

/* Append a record (CRC set) to a buffer. */
static void
emit_record(StringInfo out, LedgerRecord *rec, const char *text)
{
	Size		textlen = text ? strlen(text) : 0;
	LedgerRecord *r;

	if (textlen > LEDGER_MAX_TEXT)
		textlen = pg_mbcliplen(text, textlen, LEDGER_MAX_TEXT);
	r = palloc(sizeof(LedgerRecord) + textlen);
	memcpy(r, rec, sizeof(LedgerRecord));
	r->magic = LEDGER_MAGIC;
	r->flags &= ~RECF_SAME_TEXT;
	r->textlen = textlen;
	r->length = sizeof(LedgerRecord) + textlen;
	if (textlen)
		memcpy(((char *) r) + sizeof(LedgerRecord), text, textlen);
	r->crc = record_crc(r);
	appendBinaryStringInfo(out, (char *) r, r->length);
	pfree(r);
}

/*
 * Replace the file with `data` (write a new file, fsync, rename over: a
 * crash leaves the old or the new one).  Caller holds both locks.
 */
static bool
replace_file(StringInfo data, int elevel)
{
	int			fd;
	Size		done = 0;

	fd = BasicOpenFilePerm(LEDGER_TMP, O_WRONLY | O_CREAT | O_TRUNC | PG_BINARY,
						   pg_file_create_mode);
	if (fd < 0)
	{
		ereport(elevel,
				(errcode_for_file_access(),
				 errmsg("could not create \"%s\": %m", LEDGER_TMP)));
		return false;
	}
	while (done < data->len)
	{
		ssize_t		k = pg_pwrite(fd, data->data + done, data->len - done, done);

		if (k <= 0)
		{
			int			save = (k == 0 || errno == 0) ? ENOSPC : errno;

			close(fd);
			unlink(LEDGER_TMP);
			errno = save;
			ereport(elevel,
					(errcode_for_file_access(),
					 errmsg("could not write \"%s\": %m", LEDGER_TMP)));
			return false;
		}
		done += k;
	}
	if (pg_fsync(fd) != 0)
	{
		int			save = errno;

		close(fd);
		unlink(LEDGER_TMP);
		errno = save;
		ereport(elevel,
				(errcode_for_file_access(),
				 errmsg("could not fsync \"%s\": %m", LEDGER_TMP)));
		return false;
	}
	close(fd);
	if (durable_rename(LEDGER_TMP, LEDGER_FILE, elevel) != 0)
	{
		unlink(LEDGER_TMP);
		return false;
	}
	ledger->generation++;
	return true;
}

/* Both locks, with every buffered record in the file. */
static bool
lock_for_rewrite(int elevel)
{
	LWLockAcquire(ledger->flush_lock, LW_EXCLUSIVE);
	for (;;)
	{
		LWLockAcquire(ledger->lock, LW_EXCLUSIVE);
		if (ledger->buflen == 0 || ledger->damaged)
			return true;
		LWLockRelease(ledger->lock);
		if (!write_pending(elevel))
		{
			LWLockRelease(ledger->flush_lock);
			return false;
		}
	}
}

/*
 * Rewrite the file as the current state: one record per account (limit,
 * spending, and the sum, count and last time of all its charges) and per
 * dataset declaration.  The charges' detail is dropped; their sums stay.
 */
static bool
compact_ledger(int elevel)
{
	StringInfoData out;
	HASH_SEQ_STATUS seq;
	Account    *a;
	DatasetEntry *de;
	RelMapEntry *re;
	LedgerRecord rec;
	uint64		before,
				n = 0,
				last;

	if (!lock_for_rewrite(elevel))
		return false;
	if (ledger->damaged)
	{
		LWLockRelease(ledger->lock);
		LWLockRelease(ledger->flush_lock);
		ereport(elevel,
				(errcode(ERRCODE_CIVIC_LEDGER_DAMAGED),
				 errmsg("a damaged privacy ledger cannot be compacted")));
		return false;
	}
	before = ledger->file_end;
	last = ledger->next_seq - 1;
	initStringInfo(&out);

	hash_seq_init(&seq, datasets);
	while ((de = hash_seq_search(&seq)) != NULL)
	{
		memset(&rec, 0, sizeof(rec));
		rec.type = REC_MAP;
		rec.seq = last;
		rec.time = GetCurrentTimestamp();
		rec.ds.dbid = de->key.dbid;
		rec.ds.kind = CIVIC_DS_NAMED;
		strlcpy(rec.ds.name, de->key.name, NAMEDATALEN);
		rec.k = de->k;
		emit_record(&out, &rec, NULL);
		n++;
	}
	hash_seq_init(&seq, relmap);
	while ((re = hash_seq_search(&seq)) != NULL)
	{
		DatasetKey	dk;
		DatasetEntry *d;

		memset(&rec, 0, sizeof(rec));
		memset(&dk, 0, sizeof(dk));
		dk.dbid = re->key.dbid;
		strlcpy(dk.name, re->name, NAMEDATALEN);
		d = hash_search(datasets, &dk, HASH_FIND, NULL);
		rec.type = REC_MAP;
		rec.seq = last;
		rec.time = GetCurrentTimestamp();
		rec.ds.dbid = re->key.dbid;
		rec.ds.kind = CIVIC_DS_NAMED;
		strlcpy(rec.ds.name, re->name, NAMEDATALEN);
		rec.member_relid = re->key.relid;
		rec.k = d ? d->k : 1;
		emit_record(&out, &rec, NULL);
		n++;
	}
	hash_seq_init(&seq, accounts);
	while ((a = hash_seq_search(&seq)) != NULL)
	{
		memset(&rec, 0, sizeof(rec));
		rec.type = REC_STATE;
		rec.seq = last;
		rec.time = a->last_charge;
		rec.roleid = a->key.roleid;
		ds_to_disk(&a->key.ds, &rec.ds);
		rec.flags = (a->st.has_limit ? RECF_HAS_LIMIT : 0) |
			(a->st.zcdp ? RECF_ZCDP : 0);
		rec.limit_eps = a->st.limit_eps;
		rec.limit_delta = a->st.limit_delta;
		rec.limit_rho = a->st.limit_rho;
		rec.rho_units = a->st.spent_rho;
		rec.rho = a->charged_rho;
		rec.eps_units = a->st.spent_eps;
		rec.delta_units = a->st.spent_delta;
		rec.epsilon = a->charged_eps;
		rec.delta = a->charged_delta;
		rec.queryid = a->ncharged;
		emit_record(&out, &rec, NULL);
		n++;
	}

	/* nothing to keep: the file stays as it is (its records carry the numbering) */
	if (n == 0)
	{
		LWLockRelease(ledger->lock);
		LWLockRelease(ledger->flush_lock);
		pfree(out.data);
		return true;
	}
	if (!replace_file(&out, elevel))
	{
		LWLockRelease(ledger->lock);
		LWLockRelease(ledger->flush_lock);
		pfree(out.data);
		return false;
	}
	ledger->file_end = out.len;
	ledger->allocated = out.len;
	ledger->cut_pending = false;
	ledger->nrecords = n;
	LWLockRelease(ledger->lock);
	LWLockRelease(ledger->flush_lock);
	ereport(LOG,
			(errmsg("privacy ledger \"%s\" compacted from %llu to %llu bytes (%llu records)",
					LEDGER_FILE, (unsigned long long) before,
					(unsigned long long) out.len, (unsigned long long) n)));
	pfree(out.data);
	return true;
}

/* Collects good records, re-serialised, for a rewrite. */
typedef struct CollectCtx
{
	StringInfo	out;
	uint64		last_seq;
	uint64		n;
} CollectCtx;

static void
collect_cb(const LedgerRecord *rec, const char *text, void *arg)
{
	CollectCtx *cc = (CollectCtx *) arg;

	emit_record(cc->out, (LedgerRecord *) rec, text);
	cc->last_seq = Max(cc->last_seq, rec->seq);
	cc->n++;
}

/*
 * Visit good records from `off` to the end of the file, skipping further
 * damage (each time to the next good record); adds the bytes skipped.
 * Records of 0.1.0 are numbered on from *last_seq.
 */
static void
scan_after(int fd, uint64 off, ScanCallback cb, void *arg, uint64 *last_seq,
		   uint64 *skipped)
{
	Reader		r;
	struct stat st;
	LedgerRecord rec;
	char	   *text = palloc(LEDGER_MAX_TEXT + 1);
	char	   *prevtext = palloc0(LEDGER_MAX_TEXT + 1);

	memset(&r, 0, sizeof(r));
	r.fd = fd;
	r.buf = palloc(READ_CHUNK);
	r.scratch = palloc(sizeof(LedgerRecord) + sizeof(LedgerRecordV1) + LEDGER_MAX_TEXT);
	if (fstat(fd, &st) == 0)
		r.size = (uint64) st.st_size;

	while (off < r.size)
	{
		Size		len,
					claimed;
		const char *why;
		ParseStatus ps = parse_record(&r, off, &rec, text, &len, &why, &claimed);

		if (ps == PARSE_OK)
		{
			if (rec.seq == 0)
				rec.seq = *last_seq + 1;
			*last_seq = Max(*last_seq, rec.seq);
			if (!(rec.flags & RECF_SAME_TEXT))
				memcpy(prevtext, text, rec.textlen + 1);
			cb(&rec, prevtext, arg);
			off += len;
			continue;
		}
		if (zeros_from(&r, off) || ps == PARSE_INCOMPLETE ||
			(ps == PARSE_BAD && claimed > 0 && zeros_from(&r, off + claimed)))
			break;				/* a tail */
		/* more damage: on to the next good record */
		{
			uint64		p;

			for (p = off + 1; p < r.size; p++)
				if (parse_record(&r, p, &rec, text, &len, &why, &claimed) == PARSE_OK)
					break;
			*skipped += p - off;
			off = p;
		}
	}
	pfree(r.buf);
	pfree(r.scratch);
	pfree(text);
	pfree(prevtext);
}

PG_FUNCTION_INFO_V1(civic_ledger_accept_damage);

/*
 * civic.ledger_verify(): read the whole file now and report what it holds:
 * status ('ok', 'torn tail', 'damaged'), bytes, good records, the offset and
 * nature of any damage, and how many good records follow it.
 */
Datum
civic_ledger_verify_rows(FunctionCallInfo fcinfo)
{
	TupleDesc	tupdesc;
	Datum		values[9];
	bool		nulls[9];
	int			fd;
	ScanResult	res;
	uint64		pending,
				dropped;
	bool		damaged;

	require_ledger();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "civic: return type must be a row type");

	check_mark();
	memset(nulls, 0, sizeof(nulls));
	LWLockAcquire(ledger->lock, LW_SHARED);
	pending = ledger->buflen;
	dropped = ledger->dropped;
	damaged = ledger->damaged;
	LWLockRelease(ledger->lock);

	fd = OpenTransientFile(LEDGER_FILE, O_RDONLY | PG_BINARY);
	if (fd < 0)
	{
		values[0] = CStringGetTextDatum("unreadable");
		nulls[1] = nulls[2] = nulls[3] = nulls[5] = nulls[6] = true;
		values[4] = CStringGetTextDatum(psprintf("could not open \"%s\": %m", LEDGER_FILE));
	}
	else
	{
		scan_file(fd, 0, NULL, NULL, &res);
		CloseTransientFile(fd);
		values[0] = CStringGetTextDatum(res.damaged ? "damaged" :
										(res.tail && res.tail_nonzero) ? "torn tail" :
										damaged ? "damaged" : "ok");
		values[1] = Int64GetDatum((int64) res.size);
		values[2] = Int64GetDatum((int64) res.nrecords);
		values[3] = Int64GetDatum((int64) res.end);
		nulls[3] = !res.damaged && !(res.tail && res.tail_nonzero);
		/* damage outside the file's bytes: accepted at the end of its records */
		if (!res.damaged && damaged && ledger->damage_outside)
		{
			values[3] = Int64GetDatum((int64) ledger->damage_off);
			nulls[3] = false;
		}
		if (res.damaged)
			values[4] = CStringGetTextDatum(res.problem);
		else if (res.tail && res.tail_nonzero)
			values[4] = CStringGetTextDatum("incomplete last record (cut at the next start)");
		else if (damaged)
			values[4] = CStringGetTextDatum(ledger->damage_problem);
		else
			nulls[4] = true;
		values[5] = Int64GetDatum((int64) res.records_after);
		nulls[5] = !res.damaged;
		values[6] = Int64GetDatum((int64) res.resync_off);
		nulls[6] = !res.damaged || res.resync_off == 0;
	}
	values[7] = Int64GetDatum((int64) pending);
	values[8] = Int64GetDatum((int64) dropped);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc),
													  values, nulls)));
}

/*
 * civic.ledger_accept_damage(damage_offset): a superuser accepts the damage
 * that civic.ledger_verify() reported at that offset.  The file is rewritten
 * as the good records before the damage, a record of the acceptance (who,
 * when, where, how many bytes were lost), and every good record after the
 * damage; shared memory is replayed from it and writes resume.  Charges in
 * the unreadable bytes are lost: restore the file from a backup first if one
 * holds them.
 */
Datum
civic_ledger_accept_damage(PG_FUNCTION_ARGS)
{
	int64		offset = PG_GETARG_INT64(0);
	int			fd;
	ScanResult	res;
	StringInfoData out;
	CollectCtx	cc;
	LedgerRecord marker;
	uint64		skipped = 0,
				kept_before,
				kept_after;
	char	   *note;
	Size		pos;
	bool		outside;

	require_ledger();
	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied to accept damage to the privacy ledger"),
				 errdetail("Only superusers may accept damage: charges in the damaged bytes are lost.")));

	if (!lock_for_rewrite(ERROR))
		elog(ERROR, "civic: could not lock the privacy ledger");
	if (!ledger->damaged)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the privacy ledger is not damaged")));

	fd = OpenTransientFile(LEDGER_FILE, O_RDONLY | PG_BINARY);
	if (fd < 0)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open privacy ledger \"%s\": %m", LEDGER_FILE),
				 errhint("Make the file readable by the server first.")));
	scan_file(fd, 0, NULL, NULL, &res);
	/* damage outside the file's bytes: accepted at the end of its records */
	outside = !res.damaged && ledger->damage_outside && (int64) res.end == offset;
	if (outside)
	{
		strlcpy(res.problem, ledger->damage_problem, sizeof(res.problem));
		res.size = res.end;		/* (preallocated zeros are not lost bytes) */
	}
	else if (!res.damaged || (int64) res.end != offset)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the privacy ledger is not damaged at offset %lld", (long long) offset),
				 res.damaged ?
				 errdetail("The damage is at offset %llu.", (unsigned long long) res.end) :
				 errdetail("The file reads without damage now; restart the server to use it."),
				 errhint("Run civic.ledger_verify() and pass the offset it reports.")));

	/* the good records before the damage */
	initStringInfo(&out);
	memset(&cc, 0, sizeof(cc));
	cc.out = &out;
	scan_file(fd, 0, collect_cb, &cc, &res);
	kept_before = cc.n;
	if (outside)
	{
		strlcpy(res.problem, ledger->damage_problem, sizeof(res.problem));
		res.size = res.end;
	}

	/* the marker: who accepted what */
	pos = out.len;
	if (res.resync_off > 0)
	{
		uint64		last = cc.last_seq;

		scan_after(fd, res.resync_off, collect_cb, &cc, &last, &skipped);
	}
	CloseTransientFile(fd);
	skipped += (res.resync_off > 0 ? res.resync_off : res.size) - res.end;
	kept_after = cc.n - kept_before;
	{
		/* insert the marker between the two parts */
		StringInfoData m;

		memset(&marker, 0, sizeof(marker));
		marker.type = REC_DAMAGE;
		marker.seq = cc.last_seq;
		marker.time = GetCurrentTimestamp();
		marker.actor = GetUserId();
		note = psprintf("damage accepted by %s: %s at offset %llu; %llu bytes unreadable, %llu records kept before and %llu after",
						GetUserNameFromId(GetUserId(), false), res.problem,
						(unsigned long long) res.end, (unsigned long long) skipped,
						(unsigned long long) kept_before, (unsigned long long) kept_after);
		initStringInfo(&m);
		appendBinaryStringInfo(&m, out.data, pos);
		emit_record(&m, &marker, note);
		appendBinaryStringInfo(&m, out.data + pos, out.len - pos);
		pfree(out.data);
		out = m;
	}

	/* records replayed from WAL that the file did not take */
	{
		Size		off = 0;

		while (off + sizeof(LedgerRecord) <= ledger->buflen)
		{
			LedgerRecord hdr;

			memcpy(&hdr, ledger->buf + off, sizeof(LedgerRecord));
			if (hdr.seq > cc.last_seq)
				appendBinaryStringInfo(&out, ledger->buf + off, hdr.length);
			off += hdr.length;
		}
	}

	if (!replace_file(&out, ERROR))
		elog(ERROR, "civic: could not rewrite the privacy ledger");
	{
		uint64		last = cc.last_seq;
		Size		off = 0;

		/* the mark follows the new file (its last record) */
		while (off + sizeof(LedgerRecord) <= ledger->buflen)
		{
			LedgerRecord hdr;

			memcpy(&hdr, ledger->buf + off, sizeof(LedgerRecord));
			last = Max(last, hdr.seq);
			off += hdr.length;
		}
		write_mark(last);
	}

	/* start again from the new file */
	clear_tables();
	ledger->buflen = 0;
	ledger->write_failed = false;
	ledger_replay();
	LWLockRelease(ledger->lock);
	LWLockRelease(ledger->flush_lock);
	ereport(WARNING,
			(errmsg("privacy ledger \"%s\": %s", LEDGER_FILE, note)));
	PG_RETURN_TEXT_P(cstring_to_text(note));
}

/* civic.ledger_compact(): compact the file now; returns a report. */
char *
civic_ledger_compact_now(void)
{
	uint64		before,
				after;

	require_ledger();
	if (RecoveryInProgress())
		ereport(ERROR,
				(errcode(ERRCODE_CIVIC_LEDGER_READ_ONLY),
				 errmsg("cannot compact the privacy ledger during recovery")));
	if (ledger->damaged)
		report_damaged();
	before = ledger->file_end;
	(void) compact_ledger(ERROR);
	after = ledger->file_end;
	return psprintf("%llu bytes before, %llu after",
					(unsigned long long) before, (unsigned long long) after);
}

/* ---------------------------------------------------------------------
 * Reading the shared tables
 * --------------------------------------------------------------------- */

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
