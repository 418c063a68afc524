DO $validity$
BEGIN
    EXECUTE pg_catalog.format($sql$
ALTER TABLE civic.boundary
    ADD COLUMN valid pg_catalog.bool
        GENERATED ALWAYS AS ((%1$I.st_isvaliddetail(geom, 0)).valid) STORED,
    ADD COLUMN invalid_reason pg_catalog.text
        GENERATED ALWAYS AS (NULLIF(%1$I.st_isvalidreason(geom), 'Valid Geometry'::pg_catalog.text)) STORED
$sql$,
        (SELECT n.nspname
           FROM pg_catalog.pg_extension e
           JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
          WHERE e.extname OPERATOR(pg_catalog.=) 'postgis'));
END
$validity$;
COMMENT ON COLUMN civic.boundary.valid IS
    'whether the polygon is valid by the OGC rules (PostGIS ST_IsValid); computed when the row is written';
COMMENT ON COLUMN civic.boundary.invalid_reason IS
    'why the polygon is invalid (PostGIS ST_IsValidReason, with the location), NULL when valid; computed when the row is written';
