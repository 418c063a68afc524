-- Statistical disclosure control by the UK conventions (docs/sdc.md):
-- rounding, small-count suppression and the cell key method (C in src/sdc.c).

CREATE FUNCTION civic.sdc_round(value pg_catalog.int8, base pg_catalog.int4 DEFAULT 5)
    RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'civic_sdc_round'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.sdc_round(pg_catalog.int8, pg_catalog.int4) IS
    'a count rounded to the nearest multiple of base (default 5), halves away from zero';

CREATE FUNCTION civic.sdc_suppress(value pg_catalog.int8, threshold pg_catalog.int4 DEFAULT 10)
    RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'civic_sdc_suppress'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.sdc_suppress(pg_catalog.int8, pg_catalog.int4) IS
    'NULL (suppressed) for a count below threshold (default 10) other than 0, else the count';

-- Cell key method ----------------------------------------------------------

CREATE FUNCTION civic.ckm_record_key(key_range pg_catalog.int4 DEFAULT 256)
    RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'civic_ckm_record_key'
    LANGUAGE C VOLATILE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.ckm_record_key(pg_catalog.int4) IS
    'a record key for the cell key method: uniform on [0, key_range) from the secure random source';

CREATE FUNCTION civic.ckm_ptable_rows(max_perturbation pg_catalog.int4 DEFAULT 5,
                                      variance pg_catalog.float8 DEFAULT 3,
                                      small_count pg_catalog.int4 DEFAULT 2,
                                      key_range pg_catalog.int4 DEFAULT 256)
    RETURNS TABLE (original pg_catalog.int4, published pg_catalog.int4,
                   key_low pg_catalog.int4, key_high pg_catalog.int4,
                   probability pg_catalog.float8)
    AS 'MODULE_PATHNAME', 'civic_ckm_ptable'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 40;
COMMENT ON FUNCTION civic.ckm_ptable_rows(pg_catalog.int4, pg_catalog.float8, pg_catalog.int4, pg_catalog.int4) IS
    'rows of an unbiased maximum-entropy perturbation table: published value and cell-key range for each original count';

CREATE TABLE civic.ckm_ptables (
    name             pg_catalog.text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
    max_perturbation pg_catalog.int4 NOT NULL,
    variance         pg_catalog.float8 NOT NULL,
    small_count      pg_catalog.int4 NOT NULL,
    key_range        pg_catalog.int4 NOT NULL,
    shipped          pg_catalog.bool NOT NULL DEFAULT false,
    created_by       pg_catalog.name NOT NULL DEFAULT CURRENT_USER,
    created_at       pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE civic.ckm_ptables IS
    'perturbation tables of the cell key method and the parameters they were made with';
COMMENT ON COLUMN civic.ckm_ptables.name IS 'name ckm_count is given (default: ''default'')';
COMMENT ON COLUMN civic.ckm_ptables.max_perturbation IS 'largest change to a count (D)';
COMMENT ON COLUMN civic.ckm_ptables.variance IS 'variance of the perturbation of every count (V)';
COMMENT ON COLUMN civic.ckm_ptables.small_count IS 'counts 1..small_count are never published';
COMMENT ON COLUMN civic.ckm_ptables.key_range IS 'record and cell keys lie in [0, key_range)';
COMMENT ON COLUMN civic.ckm_ptables.shipped IS 'true for the table that comes with the extension';
COMMENT ON COLUMN civic.ckm_ptables.created_by IS 'role that defined it';
COMMENT ON COLUMN civic.ckm_ptables.created_at IS 'when it was defined';

CREATE TABLE civic.ckm_ptable (
    ptable      pg_catalog.text NOT NULL REFERENCES civic.ckm_ptables (name) ON DELETE CASCADE,
    original    pg_catalog.int4 NOT NULL,
    published   pg_catalog.int4 NOT NULL,
    key_low     pg_catalog.int4 NOT NULL,
    key_high    pg_catalog.int4 NOT NULL,
    probability pg_catalog.float8 NOT NULL,
    PRIMARY KEY (ptable, original, published)
);
COMMENT ON TABLE civic.ckm_ptable IS
    'rows of the perturbation tables: a count "original" whose cell key lies in [key_low, key_high] is published as "published" (an empty range, key_high < key_low, for a value too unlikely to get a whole key); the last original of a table serves every larger count, shifted';
COMMENT ON COLUMN civic.ckm_ptable.ptable IS 'name of the perturbation table';
COMMENT ON COLUMN civic.ckm_ptable.original IS 'true count';
COMMENT ON COLUMN civic.ckm_ptable.published IS 'count published for this key range';
COMMENT ON COLUMN civic.ckm_ptable.key_low IS 'first cell key of the range';
COMMENT ON COLUMN civic.ckm_ptable.key_high IS 'last cell key of the range';
COMMENT ON COLUMN civic.ckm_ptable.probability IS 'probability before quantisation to whole keys';

GRANT SELECT ON civic.ckm_ptables, civic.ckm_ptable TO PUBLIC;
GRANT INSERT, DELETE ON civic.ckm_ptables, civic.ckm_ptable TO civic_budget_admin;
SELECT pg_catalog.pg_extension_config_dump('civic.ckm_ptables', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('civic.ckm_ptable', 'WHERE ptable <> ''default''');

CREATE FUNCTION civic.ckm_define_ptable(name pg_catalog.text,
                                        max_perturbation pg_catalog.int4 DEFAULT 5,
                                        variance pg_catalog.float8 DEFAULT 3,
                                        small_count pg_catalog.int4 DEFAULT 2,
                                        key_range pg_catalog.int4 DEFAULT 256)
    RETURNS pg_catalog.int4
    LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE
BEGIN ATOMIC
    INSERT INTO civic.ckm_ptables (name, max_perturbation, variance, small_count, key_range)
        VALUES (name, max_perturbation, variance, small_count, key_range);
    INSERT INTO civic.ckm_ptable (ptable, original, published, key_low, key_high, probability)
        SELECT name, r.original, r.published, r.key_low, r.key_high, r.probability
          FROM civic.ckm_ptable_rows(max_perturbation, variance, small_count, key_range) r;
    SELECT pg_catalog.count(*)::pg_catalog.int4 FROM civic.ckm_ptable t WHERE t.ptable = name;
END;
COMMENT ON FUNCTION civic.ckm_define_ptable(pg_catalog.text, pg_catalog.int4, pg_catalog.float8, pg_catalog.int4, pg_catalog.int4) IS
    'make and store a perturbation table (budget administrators); returns its number of rows';

CREATE FUNCTION civic.ckm_drop_ptable(name pg_catalog.text)
    RETURNS pg_catalog.bool
    LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE
BEGIN ATOMIC
    DELETE FROM civic.ckm_ptables t WHERE t.name = ckm_drop_ptable.name AND NOT t.shipped RETURNING true;
END;
COMMENT ON FUNCTION civic.ckm_drop_ptable(pg_catalog.text) IS
    'drop a perturbation table made with ckm_define_ptable (budget administrators); the shipped one stays';

INSERT INTO civic.ckm_ptables (name, max_perturbation, variance, small_count, key_range, shipped, created_by)
    VALUES ('default', 5, 3, 2, 256, true, 'civic');
INSERT INTO civic.ckm_ptable (ptable, original, published, key_low, key_high, probability)
    SELECT 'default', r.original, r.published, r.key_low, r.key_high, r.probability
      FROM civic.ckm_ptable_rows(5, 3, 2, 256) r;

CREATE FUNCTION civic.ckm_add_record_key(tbl pg_catalog.regclass,
                                         column_name pg_catalog.name DEFAULT 'record_key',
                                         key_range pg_catalog.int4 DEFAULT 256)
    RETURNS pg_catalog.void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF key_range < 2 OR key_range > 16777216 THEN
        RAISE EXCEPTION 'key range must be between 2 and 16777216'
              USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- A volatile default gives every existing row its own key (the table is
    -- rewritten) and every future row one too.
    EXECUTE pg_catalog.format(
        'ALTER TABLE %s ADD COLUMN %I pg_catalog.int4 NOT NULL DEFAULT civic.ckm_record_key(%s)',
        tbl, column_name, key_range);
    EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.%I IS %L', tbl, column_name,
        'record key of the cell key method: secret, uniform on [0, ' || key_range || '), drawn once per row');
END
$$;
COMMENT ON FUNCTION civic.ckm_add_record_key(pg_catalog.regclass, pg_catalog.name, pg_catalog.int4) IS
    'add a record-key column to a table (its owner): every existing and future row gets a secret random key';

CREATE TYPE civic.ckm_state AS (n pg_catalog.int8, keysum pg_catalog.int8, ptable pg_catalog.text);
COMMENT ON TYPE civic.ckm_state IS 'state of ckm_count: records counted, sum of their keys, perturbation table';

CREATE FUNCTION civic._ckm_key(key pg_catalog.int4) RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'civic_ckm_key'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION civic._ckm_key(pg_catalog.int4) IS
    'internal: a record key checked (not null, in range)';

CREATE FUNCTION civic._ckm_unknown_ptable(ptable pg_catalog.text) RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'civic_ckm_unknown_ptable'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION civic._ckm_unknown_ptable(pg_catalog.text) IS
    'internal: the error of ckm_count for a perturbation table that does not exist';

CREATE FUNCTION civic._ckm_step(s civic.ckm_state, key pg_catalog.int4, ptable pg_catalog.text)
    RETURNS civic.ckm_state
    LANGUAGE sql IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE
    RETURN ROW(s.n OPERATOR(pg_catalog.+) 1,
               s.keysum OPERATOR(pg_catalog.+) civic._ckm_key(key),
               ptable)::civic.ckm_state;
COMMENT ON FUNCTION civic._ckm_step(civic.ckm_state, pg_catalog.int4, pg_catalog.text) IS
    'internal: ckm_count transition';

CREATE FUNCTION civic._ckm_step(s civic.ckm_state, key pg_catalog.int4)
    RETURNS civic.ckm_state
    LANGUAGE sql IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE
    RETURN ROW(s.n OPERATOR(pg_catalog.+) 1,
               s.keysum OPERATOR(pg_catalog.+) civic._ckm_key(key),
               'default')::civic.ckm_state;
COMMENT ON FUNCTION civic._ckm_step(civic.ckm_state, pg_catalog.int4) IS
    'internal: ckm_count transition with the default perturbation table';

CREATE FUNCTION civic._ckm_combine(a civic.ckm_state, b civic.ckm_state)
    RETURNS civic.ckm_state
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ROW(a.n OPERATOR(pg_catalog.+) b.n,
               a.keysum OPERATOR(pg_catalog.+) b.keysum,
               COALESCE(a.ptable, b.ptable))::civic.ckm_state;
COMMENT ON FUNCTION civic._ckm_combine(civic.ckm_state, civic.ckm_state) IS
    'internal: ckm_count combine (parallel aggregation)';

CREATE FUNCTION civic._ckm_final(s civic.ckm_state)
    RETURNS pg_catalog.int8
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN s.n OPERATOR(pg_catalog.=) 0 THEN 0::pg_catalog.int8
           ELSE COALESCE(
               (SELECT r.published::pg_catalog.int8 OPERATOR(pg_catalog.+)
                       (s.n OPERATOR(pg_catalog.-) r.original::pg_catalog.int8)
                  FROM civic.ckm_ptables t
                  JOIN civic.ckm_ptable r ON r.ptable OPERATOR(pg_catalog.=) t.name
                 WHERE t.name OPERATOR(pg_catalog.=) s.ptable
                   AND r.original::pg_catalog.int8 OPERATOR(pg_catalog.=)
                       LEAST(s.n, (t.small_count OPERATOR(pg_catalog.+) t.max_perturbation
                                   OPERATOR(pg_catalog.+) 1)::pg_catalog.int8)
                   AND (s.keysum OPERATOR(pg_catalog.%) t.key_range::pg_catalog.int8)
                       BETWEEN r.key_low::pg_catalog.int8 AND r.key_high::pg_catalog.int8),
               civic._ckm_unknown_ptable(s.ptable))
           END;
END;
COMMENT ON FUNCTION civic._ckm_final(civic.ckm_state) IS
    'internal: ckm_count final function: the count perturbed by the perturbation table row of its cell key';

CREATE AGGREGATE civic.ckm_count(record_key pg_catalog.int4) (
    SFUNC = civic._ckm_step,
    STYPE = civic.ckm_state,
    FINALFUNC = civic._ckm_final,
    COMBINEFUNC = civic._ckm_combine,
    INITCOND = '(0,0,default)',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE civic.ckm_count(pg_catalog.int4) IS
    'count perturbed by the cell key method (default perturbation table): the same records always give the same published count';

CREATE AGGREGATE civic.ckm_count(record_key pg_catalog.int4, ptable pg_catalog.text) (
    SFUNC = civic._ckm_step,
    STYPE = civic.ckm_state,
    FINALFUNC = civic._ckm_final,
    COMBINEFUNC = civic._ckm_combine,
    INITCOND = '(0,0,)',
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE civic.ckm_count(pg_catalog.int4, pg_catalog.text) IS
    'count perturbed by the cell key method with the named perturbation table';
