-- Privacy ledger administration: verify the ledger file, accept damage to
-- it explicitly, compact it.  (The ledger itself -- shared memory, the file
-- $PGDATA/pg_civic/ledger and civic's WAL resource manager -- needs no SQL
-- object; see docs/budget.md, "The ledger".)

CREATE FUNCTION civic.ledger_verify(
    OUT status pg_catalog.text, OUT file_bytes pg_catalog.int8,
    OUT records pg_catalog.int8, OUT damage_offset pg_catalog.int8,
    OUT problem pg_catalog.text, OUT records_after_damage pg_catalog.int8,
    OUT resync_offset pg_catalog.int8, OUT pending_bytes pg_catalog.int8,
    OUT dropped_records pg_catalog.int8)
AS 'MODULE_PATHNAME', 'civic_ledger_verify'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
REVOKE ALL ON FUNCTION civic.ledger_verify() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION civic.ledger_verify() TO civic_budget_admin;
COMMENT ON FUNCTION civic.ledger_verify() IS
'read the privacy ledger file now and report its status (ok, torn tail, damaged), size, good records, the offset and nature of any damage and the good records after it; budget administrators only';

CREATE FUNCTION civic.ledger_accept_damage(damage_offset pg_catalog.int8)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'civic_ledger_accept_damage'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
REVOKE ALL ON FUNCTION civic.ledger_accept_damage(pg_catalog.int8) FROM PUBLIC;
COMMENT ON FUNCTION civic.ledger_accept_damage(pg_catalog.int8) IS
'accept the damage civic.ledger_verify() reports at this offset: keep every readable record, record the acceptance in the ledger and the server log, and let charges resume; charges in the unreadable bytes are lost; superusers only';

CREATE FUNCTION civic.ledger_compact()
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'civic_ledger_compact'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
REVOKE ALL ON FUNCTION civic.ledger_compact() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION civic.ledger_compact() TO civic_budget_admin;
COMMENT ON FUNCTION civic.ledger_compact() IS
'compact the privacy ledger file now into one record per account and dataset (spending, limits and the sums of the charges stay; the detail of each charge goes); budget administrators only';
