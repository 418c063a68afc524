-- Releases (docs/releases.md): differentially-private tables published once,
-- charged once, and read by analysts and BI tools as often as they like.
--
-- A release is declared from a source table or view (a location column, an
-- optional privacy unit, measures with their bounds, a total epsilon and
-- delta) and written as ordinary tables, one per geographic level, in a
-- schema the publisher names.  Everything runs with the caller's rights
-- (SECURITY INVOKER): the caller must be able to read the source and create
-- tables in the schema, PostgreSQL enforces both, and the DP query is
-- charged by the meter to the session role, as every DP query is.  Nothing
-- here can charge another role or read a table the caller cannot read.
--
-- The registry civic.release is the publishers' record of what they
-- published; row-level security lets a role write only rows for release
-- tables it owns and published under its own session role.  The privacy
-- ledger, not the registry, is the authority on what was charged.

CREATE TABLE civic.release (
    name          pg_catalog.text PRIMARY KEY CHECK (name OPERATOR(pg_catalog.~) '^[a-z_][a-z0-9_]{0,54}$'),
    source        pg_catalog.text NOT NULL,
    location      pg_catalog.text NOT NULL,
    location_kind pg_catalog.text NOT NULL
                  CHECK (location_kind OPERATOR(pg_catalog.=) ANY (ARRAY['bng', 'geometry', 'code', 'postcode'])),
    unit          pg_catalog.text,
    levels        pg_catalog.text[] NOT NULL,
    vintage       pg_catalog.int4 NOT NULL,
    measures      pg_catalog.jsonb NOT NULL,
    epsilon       pg_catalog.float8 NOT NULL,
    delta         pg_catalog.float8 NOT NULL,
    consistent    pg_catalog.bool NOT NULL,
    confidence    pg_catalog.float8 NOT NULL,
    sdc           pg_catalog.jsonb
                  CHECK (pg_catalog.jsonb_typeof(sdc) OPERATOR(pg_catalog.=) 'object'),
    geometry      pg_catalog.text
                  CHECK (geometry OPERATOR(pg_catalog.=) ANY (ARRAY['geojson', 'all'])),
    geojson_simplify pg_catalog.float8
                  CHECK ((geometry IS NULL) OPERATOR(pg_catalog.=) (geojson_simplify IS NULL)),
    target_schema pg_catalog.name NOT NULL,
    tables        pg_catalog.text[] NOT NULL,
    grantees      pg_catalog.text[] NOT NULL,
    published_by  pg_catalog.name NOT NULL,
    published_at  pg_catalog.timestamptz NOT NULL,
    refreshed_at  pg_catalog.timestamptz,
    computations  pg_catalog.int4 NOT NULL DEFAULT 1 CHECK (computations OPERATOR(pg_catalog.>) 0)
);
COMMENT ON TABLE civic.release IS
    'registry of differentially-private releases (civic.publish_release); read it through the view civic.releases';
COMMENT ON COLUMN civic.release.name IS 'release name; its tables are <target_schema>.<name>_<level>';
COMMENT ON COLUMN civic.release.source IS 'source table or view, schema-qualified, as published';
COMMENT ON COLUMN civic.release.location IS 'column of the source that locates each row';
COMMENT ON COLUMN civic.release.location_kind IS 'bng, geometry (points, EPSG:27700), code (GSS area codes) or postcode';
COMMENT ON COLUMN civic.release.unit IS 'privacy-unit column (a person identifier), or NULL when each row is one person';
COMMENT ON COLUMN civic.release.levels IS 'geographic levels released, one table each';
COMMENT ON COLUMN civic.release.vintage IS 'ward vintage of the release (boroughs and the region are vintage-independent)';
COMMENT ON COLUMN civic.release.measures IS 'measure declarations as given to publish_release';
COMMENT ON COLUMN civic.release.epsilon IS 'epsilon of one computation of the whole release (all measures and levels)';
COMMENT ON COLUMN civic.release.delta IS 'delta of one computation of the whole release';
COMMENT ON COLUMN civic.release.consistent IS 'whether counts are post-processed to non-negative integers adding up level to level';
COMMENT ON COLUMN civic.release.confidence IS 'confidence of the error-bar columns';
COMMENT ON COLUMN civic.release.sdc IS 'disclosure control applied to the counts after consistency: {"round": base, "suppress": threshold}, NULL for none';
COMMENT ON COLUMN civic.release.geometry IS 'boundaries in the release tables: geojson (a GeoJSON text column) or all (also geometry columns in EPSG:27700 and WGS 84), NULL for none';
COMMENT ON COLUMN civic.release.geojson_simplify IS 'simplification tolerance in metres of the GeoJSON column (raised for an area whose GeoJSON would exceed 32766 characters), NULL without geometry';
COMMENT ON COLUMN civic.release.target_schema IS 'schema of the release tables';
COMMENT ON COLUMN civic.release.tables IS 'release tables, schema-qualified, in the order of levels';
COMMENT ON COLUMN civic.release.grantees IS 'roles granted SELECT on the release tables';
COMMENT ON COLUMN civic.release.published_by IS 'session role that published (and was charged)';
COMMENT ON COLUMN civic.release.published_at IS 'time of the first publication';
COMMENT ON COLUMN civic.release.refreshed_at IS 'time of the last refresh, NULL if never refreshed';
COMMENT ON COLUMN civic.release.computations IS 'number of times the release was computed and charged (publication and refreshes)';

-- Rows users add survive pg_dump.
SELECT pg_catalog.pg_extension_config_dump('civic.release', '');

-- Owns every release table that still exists (or is a member of its owner).
CREATE FUNCTION civic._release_owned(tables pg_catalog.text[])
    RETURNS pg_catalog.bool
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT NOT EXISTS (
        SELECT FROM pg_catalog.unnest($1) AS t(name)
          JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(t.name)
         WHERE NOT pg_catalog.pg_has_role(c.relowner, 'USAGE'))
$$;
COMMENT ON FUNCTION civic._release_owned(pg_catalog.text[]) IS
    'true when the current role owns (or is a member of the owner of) every existing table in the list; used by the row-level security of civic.release';

-- A release's declaration is fixed at publication: refresh_release replays
-- it (possibly run by another role), and civic.releases describes the
-- tables by it.  Only refresh_release's bookkeeping changes afterwards.
CREATE FUNCTION civic._release_fixed()
    RETURNS trigger
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $fn$
BEGIN
    IF (NEW.name, NEW.source, NEW.location, NEW.location_kind, NEW.unit, NEW.levels, NEW.vintage,
        NEW.measures, NEW.epsilon, NEW.delta, NEW.consistent, NEW.confidence, NEW.sdc, NEW.geometry,
        NEW.geojson_simplify, NEW.target_schema, NEW.tables, NEW.grantees, NEW.published_by, NEW.published_at)
       IS DISTINCT FROM
       (OLD.name, OLD.source, OLD.location, OLD.location_kind, OLD.unit, OLD.levels, OLD.vintage,
        OLD.measures, OLD.epsilon, OLD.delta, OLD.consistent, OLD.confidence, OLD.sdc, OLD.geometry,
        OLD.geojson_simplify, OLD.target_schema, OLD.tables, OLD.grantees, OLD.published_by, OLD.published_at)
       OR NEW.computations OPERATOR(pg_catalog.<) OLD.computations THEN
        RAISE EXCEPTION 'the declaration of release "%" cannot be changed', OLD.name USING ERRCODE = '42501',
            DETAIL = 'A release is recomputed by civic.refresh_release() as it was published; only refreshed_at and computations (upwards) change.',
            HINT = 'Drop the release with civic.drop_release() and publish it again with the new declaration.';
    END IF;
    RETURN NEW;
END
$fn$;
COMMENT ON FUNCTION civic._release_fixed() IS
    'trigger of civic.release: refuses any change to a release''s declaration (only refreshed_at and a growing computations change)';
CREATE TRIGGER release_fixed BEFORE UPDATE ON civic.release
    FOR EACH ROW EXECUTE FUNCTION civic._release_fixed();
COMMENT ON TRIGGER release_fixed ON civic.release IS
    'a release''s declaration is fixed at publication';

ALTER TABLE civic.release ENABLE ROW LEVEL SECURITY;
CREATE POLICY release_read ON civic.release FOR SELECT USING (true);
CREATE POLICY release_insert ON civic.release FOR INSERT
    WITH CHECK (published_by OPERATOR(pg_catalog.=) SESSION_USER AND civic._release_owned(tables));
CREATE POLICY release_update ON civic.release FOR UPDATE
    USING (civic._release_owned(tables))
    WITH CHECK (civic._release_owned(tables));
CREATE POLICY release_delete ON civic.release FOR DELETE
    USING (civic._release_owned(tables));
COMMENT ON POLICY release_read ON civic.release IS 'the list of releases is public metadata, like pg_class';
COMMENT ON POLICY release_insert ON civic.release IS 'a role records only releases it published under its session role, into tables it owns';
COMMENT ON POLICY release_update ON civic.release IS 'only the owner of a release''s tables updates its record';
COMMENT ON POLICY release_delete ON civic.release IS 'only the owner of a release''s tables removes its record';
GRANT SELECT, INSERT, UPDATE, DELETE ON civic.release TO PUBLIC;

CREATE VIEW civic.releases AS
    SELECT r.name, r.source, r.location, r.location_kind, r.unit, r.levels, r.vintage,
           r.measures, r.epsilon, r.delta, r.consistent, r.confidence, r.sdc, r.geometry,
           r.geojson_simplify, r.tables, r.grantees,
           r.published_by, r.published_at, r.refreshed_at, r.computations,
           r.epsilon OPERATOR(pg_catalog.*) r.computations AS epsilon_spent,
           r.delta OPERATOR(pg_catalog.*) r.computations AS delta_spent
      FROM civic.release r;
GRANT SELECT ON civic.releases TO PUBLIC;
COMMENT ON VIEW civic.releases IS
    'differentially-private releases: source, declaration (with disclosure control and geometry), cost of one computation and in total (epsilon_spent, delta_spent), tables, grantees, who published and when';

-- The areas are public reference data (ONS and GLA boundaries under the Open
-- Government Licence), and the point lookups read civic.boundary with the
-- caller's rights: every role may read it, so that an analyst's private view
-- using borough_of() works in a new session, and a publisher's release too.
GRANT SELECT ON civic.boundary TO PUBLIC;

-- Should a DBA revoke that, releases still work: these entry points
-- to the same C functions run as
-- civic's owner with a fixed search_path; they reveal only which public area
-- covers a point.  (Used inside the charged query: a failure there would be
-- charged, so nothing in it may depend on the caller's privileges but the
-- source itself.)
CREATE FUNCTION civic._release_area_of(p civic.bng, level pg_catalog.text, vintage pg_catalog.int4)
    RETURNS civic.gsscode
    AS 'MODULE_PATHNAME', 'boundary_area_of_bng'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION civic._release_area_of(civic.bng, pg_catalog.text, pg_catalog.int4) IS
    'civic.area_of for releases: the area of a level and vintage that covers a point, for every role';

CREATE FUNCTION civic._release_area_of(p geometry, level pg_catalog.text, vintage pg_catalog.int4)
    RETURNS civic.gsscode
    AS 'MODULE_PATHNAME', 'boundary_area_of_geometry'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION civic._release_area_of(geometry, pg_catalog.text, pg_catalog.int4) IS
    'civic.area_of for releases: the area of a level and vintage that covers a point (EPSG:27700), for every role';

CREATE FUNCTION civic._release_vintage(level pg_catalog.text, vintage pg_catalog.int4)
    RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'boundary_vintage'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION civic._release_vintage(pg_catalog.text, pg_catalog.int4) IS
    'civic.boundary_vintage for releases: the vintage a level resolves to, for every role';

-- The areas of a level and vintage: the public partition of a release.
-- civic.boundary is not readable by every role, so the release query reads
-- the (public) list of areas through this function, which runs as civic's
-- owner with a fixed search_path and returns codes, names and parents only.
CREATE FUNCTION civic._release_areas(level pg_catalog.text, vintage pg_catalog.int4)
    RETURNS TABLE (code civic.gsscode, name pg_catalog.text, parent civic.gsscode)
    LANGUAGE sql STABLE STRICT PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT b.code, b.name, b.parent FROM civic.boundary b
     WHERE b.level OPERATOR(pg_catalog.=) $1
       AND b.vintage OPERATOR(pg_catalog.=) civic._release_vintage($1, $2)
$$;
COMMENT ON FUNCTION civic._release_areas(pg_catalog.text, pg_catalog.int4) IS
    'code, name and parent of every area of a level at a vintage (the public partition of a release); readable by every role';

-- Codes of a ward/borough/region hierarchy at a vintage, each mapped to the
-- area of the given level that contains it (itself, its parent or its
-- grandparent).
CREATE FUNCTION civic._release_code_map(level pg_catalog.text, vintage pg_catalog.int4)
    RETURNS TABLE (code civic.gsscode, area civic.gsscode)
    LANGUAGE sql STABLE STRICT PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    WITH n AS MATERIALIZED (
        SELECT b.level, b.code, b.parent FROM civic.boundary b
         WHERE (b.level OPERATOR(pg_catalog.=) 'ward'
                AND b.vintage OPERATOR(pg_catalog.=) civic._release_vintage('ward', $2))
            OR (b.level OPERATOR(pg_catalog.=) 'borough'
                AND b.vintage OPERATOR(pg_catalog.=) civic._release_vintage('borough', $2))
            OR (b.level OPERATOR(pg_catalog.=) 'region'
                AND b.vintage OPERATOR(pg_catalog.=) civic._release_vintage('region', $2)))
    SELECT n0.code, n0.code FROM n n0 WHERE n0.level OPERATOR(pg_catalog.=) $1
    UNION ALL
    SELECT n1.code, n0.code FROM n n0 JOIN n n1 ON n1.parent OPERATOR(civic.=) n0.code
     WHERE n0.level OPERATOR(pg_catalog.=) $1
    UNION ALL
    SELECT n2.code, n0.code FROM n n0 JOIN n n1 ON n1.parent OPERATOR(civic.=) n0.code
      JOIN n n2 ON n2.parent OPERATOR(civic.=) n1.code
     WHERE n0.level OPERATOR(pg_catalog.=) $1
$$;
COMMENT ON FUNCTION civic._release_code_map(pg_catalog.text, pg_catalog.int4) IS
    'every ward, borough and region code of a vintage with the area of the given level that contains it (releases of area-code columns); readable by every role';

-- The boundaries of a level at a vintage for releases with geometry (public
-- data, so a SECURITY DEFINER entry point like the others): each area at
-- full resolution in EPSG:27700 and in WGS 84, as EWKB, and as a GeoJSON
-- geometry (RFC 7946: WGS 84, 5 decimals, about 1 m) simplified with the
-- given tolerance in metres (0: not simplified).  An area whose GeoJSON
-- would be longer than 32766 characters, the most a Power BI text value
-- holds, is simplified again with twice the tolerance until it fits (or the
-- tolerance passes 100 km).  A tolerance outside [0, 100 km] gives no rows.
-- The PostGIS calls are bound when this script runs.
CREATE FUNCTION civic._release_shapes(level pg_catalog.text, vintage pg_catalog.int4, simplify pg_catalog.float8)
    RETURNS TABLE (code pg_catalog.text, geom pg_catalog.bytea, geom_wgs84 pg_catalog.bytea, geojson pg_catalog.text)
    LANGUAGE sql STABLE STRICT PARALLEL SAFE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH RECURSIVE b AS MATERIALIZED (
        SELECT x.code::pg_catalog.text AS code, x.geom FROM civic.boundary x
         WHERE x.level OPERATOR(pg_catalog.=) _release_shapes.level
           AND x.vintage OPERATOR(pg_catalog.=) civic._release_vintage(_release_shapes.level, _release_shapes.vintage)
           -- a tolerance publish_release would refuse (NaN, negative, huge) gives nothing
           AND _release_shapes.simplify OPERATOR(pg_catalog.>=) 0
           AND _release_shapes.simplify OPERATOR(pg_catalog.<=) 100000),
    s (code, tol, geojson) AS (
        SELECT b.code, _release_shapes.simplify,
               ST_AsGeoJSON(ST_Multi(ST_Transform(CASE WHEN _release_shapes.simplify OPERATOR(pg_catalog.>) 0
                                                       THEN ST_SimplifyPreserveTopology(b.geom, _release_shapes.simplify)
                                                       ELSE b.geom END, 4326)), 5)
          FROM b
        UNION ALL
        SELECT s.code, GREATEST(s.tol OPERATOR(pg_catalog.*) 2, 1::pg_catalog.float8),
               ST_AsGeoJSON(ST_Multi(ST_Transform(ST_SimplifyPreserveTopology(b.geom,
                   GREATEST(s.tol OPERATOR(pg_catalog.*) 2, 1::pg_catalog.float8)), 4326)), 5)
          FROM s JOIN b ON b.code OPERATOR(pg_catalog.=) s.code
         WHERE pg_catalog.length(s.geojson) OPERATOR(pg_catalog.>) 32766
           AND s.tol OPERATOR(pg_catalog.<) 100000)
    SELECT b.code, ST_AsEWKB(b.geom), ST_AsEWKB(ST_Multi(ST_Transform(b.geom, 4326))), f.geojson
      FROM b JOIN (SELECT DISTINCT ON (s.code) s.code, s.geojson FROM s
                    ORDER BY s.code, s.tol DESC) f ON f.code OPERATOR(pg_catalog.=) b.code
     ORDER BY b.code;
END;
COMMENT ON FUNCTION civic._release_shapes(pg_catalog.text, pg_catalog.int4, pg_catalog.float8) IS
    'boundaries of the areas of a level at a vintage for a release with geometry: EWKB in EPSG:27700 and WGS 84, and a simplified GeoJSON geometry of at most 32766 characters where possible; readable by every role';

-- Fit the counts of a child level to its parent level: for each parent, the
-- non-negative integers closest (least squares, then largest remainder) to
-- the children's noisy counts that add up exactly to the parent's count.
-- Exact integer arithmetic (counts are integers): the projection onto
-- {x >= 0, sum x = P} is x_j = max(0, c_j - tau) with
-- tau = (sum of the rho largest c - P) / rho, rho the largest k with
-- k c_(k) - (sum of the k largest c) + P > 0 (Held, Wolfe and Crowder 1974;
-- Duchi et al. 2008).
CREATE FUNCTION civic._release_fit(child pg_catalog.regclass, parent pg_catalog.regclass,
                                   measure pg_catalog.text)
    RETURNS void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $fn$
BEGIN
    EXECUTE pg_catalog.format($q$
WITH c AS (
    SELECT t.id, t.area_code, t.parent_code, t.%1$I::pg_catalog.numeric AS v, p.%1$I::pg_catalog.numeric AS pv
      FROM %2$s t JOIN %3$s p ON p.area_code OPERATOR(pg_catalog.=) t.parent_code),
s AS (
    SELECT c.*, pg_catalog.row_number() OVER w AS k, pg_catalog.sum(c.v) OVER w AS cs
      FROM c WINDOW w AS (PARTITION BY c.parent_code ORDER BY c.v DESC, c.area_code ROWS UNBOUNDED PRECEDING)),
r AS (
    SELECT s.parent_code, (pg_catalog.array_agg(s.k ORDER BY s.k DESC)
               FILTER (WHERE s.k OPERATOR(pg_catalog.*) s.v OPERATOR(pg_catalog.-) s.cs OPERATOR(pg_catalog.+) s.pv OPERATOR(pg_catalog.>) 0))[1] AS rho,
           (pg_catalog.array_agg(s.cs ORDER BY s.k DESC)
               FILTER (WHERE s.k OPERATOR(pg_catalog.*) s.v OPERATOR(pg_catalog.-) s.cs OPERATOR(pg_catalog.+) s.pv OPERATOR(pg_catalog.>) 0))[1] AS csr
      FROM s GROUP BY s.parent_code),
x AS (
    SELECT c.id, c.area_code, c.parent_code, c.pv, r.rho,
           CASE WHEN r.rho IS NULL THEN 0
                ELSE GREATEST(0, r.rho OPERATOR(pg_catalog.*) c.v OPERATOR(pg_catalog.-) (r.csr OPERATOR(pg_catalog.-) c.pv)) END AS num
      FROM c JOIN r ON r.parent_code OPERATOR(pg_catalog.=) c.parent_code),
f AS (
    SELECT x.*, CASE WHEN x.rho IS NULL THEN 0 ELSE pg_catalog.div(x.num, x.rho) END AS fl,
           CASE WHEN x.rho IS NULL THEN 0 ELSE pg_catalog.mod(x.num, x.rho) END AS fr
      FROM x),
g AS (
    SELECT f.id, f.fl, f.pv OPERATOR(pg_catalog.-) pg_catalog.sum(f.fl) OVER (PARTITION BY f.parent_code) AS rem,
           pg_catalog.row_number() OVER (PARTITION BY f.parent_code ORDER BY f.fr DESC, f.area_code) AS rk
      FROM f)
UPDATE %2$s t
   SET %1$I = (g.fl OPERATOR(pg_catalog.+) CASE WHEN g.rk OPERATOR(pg_catalog.<=) g.rem THEN 1 ELSE 0 END)::pg_catalog.int8
  FROM g WHERE t.id OPERATOR(pg_catalog.=) g.id
$q$, measure, child, parent);
END
$fn$;
COMMENT ON FUNCTION civic._release_fit(pg_catalog.regclass, pg_catalog.regclass, pg_catalog.text) IS
    'post-processing of a consistent release: replace a count column of a child-level table by the closest non-negative integers adding up exactly to each parent''s count';

-- Round the counts of a child level to multiples of base that add up
-- exactly to their parent's count, already rounded to a multiple of base
-- (controlled rounding of a consistent release): each child goes down to
-- the multiple below it, and the parent's remainder is handed out in units
-- of base to the children with the largest remainders (ties by area code).
-- The children were consistent (non-negative integers adding up to the
-- parent before rounding), so each child ends on one of the two multiples
-- nearest to it, a multiple stays as it is, and 0 stays 0.
CREATE FUNCTION civic._release_round_fit(child pg_catalog.regclass, parent pg_catalog.regclass,
                                         measure pg_catalog.text, base pg_catalog.int4)
    RETURNS void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $fn$
BEGIN
    IF base OPERATOR(pg_catalog.<) 1 THEN
        RAISE EXCEPTION 'rounding base must be at least 1, not %', base USING ERRCODE = '22023';
    END IF;
    EXECUTE pg_catalog.format($q$
WITH f AS (
    SELECT t.id, t.area_code, t.parent_code, pg_catalog.mod(t.%1$I, %4$s::pg_catalog.int8) AS rem,
           t.%1$I OPERATOR(pg_catalog.-) pg_catalog.mod(t.%1$I, %4$s::pg_catalog.int8) AS fl
      FROM %2$s t),
g AS (
    SELECT f.id, f.fl,
           pg_catalog.div(p.%1$I OPERATOR(pg_catalog.-) pg_catalog.sum(f.fl) OVER (PARTITION BY f.parent_code),
                          %4$s::pg_catalog.numeric) AS units,
           pg_catalog.row_number() OVER (PARTITION BY f.parent_code ORDER BY f.rem DESC, f.area_code) AS rk
      FROM f JOIN %3$s p ON p.area_code OPERATOR(pg_catalog.=) f.parent_code)
UPDATE %2$s t
   SET %1$I = g.fl OPERATOR(pg_catalog.+) CASE WHEN g.rk OPERATOR(pg_catalog.<=) g.units THEN %4$s ELSE 0 END
  FROM g WHERE t.id OPERATOR(pg_catalog.=) g.id
$q$, measure, child, parent, base);
END
$fn$;
COMMENT ON FUNCTION civic._release_round_fit(pg_catalog.regclass, pg_catalog.regclass, pg_catalog.text, pg_catalog.int4) IS
    'disclosure control of a consistent release: round a count column of a child-level table to multiples of base adding up exactly to each parent''s (rounded) count';

-- The type a measure is computed and published in: counts are bigint;
-- sums of integer columns bigint, of numeric columns numeric, else float8;
-- averages and per-person sums float8.  NULL for a column of another type.
CREATE FUNCTION civic._release_value_type(source pg_catalog.regclass, measure pg_catalog.jsonb,
                                          per_unit pg_catalog.bool)
    RETURNS pg_catalog.text
    LANGUAGE sql STABLE STRICT PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT CASE
        WHEN $2 OPERATOR(pg_catalog.->>) 'kind' OPERATOR(pg_catalog.=) 'count' THEN 'pg_catalog.int8'
        WHEN t.typ IS NULL THEN NULL
        WHEN t.typ OPERATOR(pg_catalog.<>) ALL (ARRAY['int2', 'int4', 'int8', 'numeric', 'float4', 'float8']::pg_catalog.regtype[]) THEN NULL
        WHEN $3 OR $2 OPERATOR(pg_catalog.->>) 'kind' OPERATOR(pg_catalog.=) 'avg' THEN 'pg_catalog.float8'
        WHEN t.typ OPERATOR(pg_catalog.=) ANY (ARRAY['int2', 'int4', 'int8']::pg_catalog.regtype[]) THEN 'pg_catalog.int8'
        WHEN t.typ OPERATOR(pg_catalog.=) 'numeric'::pg_catalog.regtype THEN 'pg_catalog.numeric'
        ELSE 'pg_catalog.float8' END
      FROM (SELECT (SELECT a.atttypid::pg_catalog.regtype FROM pg_catalog.pg_attribute a
                     WHERE a.attrelid OPERATOR(pg_catalog.=) $1
                       AND a.attname OPERATOR(pg_catalog.=) ($2 OPERATOR(pg_catalog.->>) 'column')
                       AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped) AS typ) t
$$;
COMMENT ON FUNCTION civic._release_value_type(pg_catalog.regclass, pg_catalog.jsonb, pg_catalog.bool) IS
    'SQL type in which a release measure is computed and published (bigint, numeric or float8), NULL if the measure''s column is missing or not numeric';

-- Compute a release into its (empty) tables: one DP query, charged once to
-- the session role, then post-processing.  r is the registry row.
CREATE FUNCTION civic._release_compute(r civic.release)
    RETURNS void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    SET max_parallel_workers_per_gather = 0
    SET jit = off
    AS $fn$
DECLARE
    nl      pg_catalog.int4 := pg_catalog.cardinality(r.levels);
    nm      pg_catalog.int4 := pg_catalog.jsonb_array_length(r.measures);
    eps     pg_catalog.float8;
    del     pg_catalog.float8;
    lit_e   pg_catalog.text;
    lit_d   pg_catalog.text;
    src_sel pg_catalog.text := '';
    src_from pg_catalog.text;
    loc     pg_catalog.text;
    q       pg_catalog.text := 'WITH ';
    fin     pg_catalog.text := '';
    i       pg_catalog.int4;
    j       pg_catalog.int4;
    m       pg_catalog.jsonb;
    lvl     pg_catalog.text;
    vint    pg_catalog.int4;
    aggs    pg_catalog.text;
    cols    pg_catalog.text;
    vals    pg_catalog.text;
    agg     pg_catalog.text;
    err     pg_catalog.text;
    cnt     pg_catalog.text;
    typ     pg_catalog.text[] := '{}';
    g_lvl   pg_catalog.int4[];
    g_code  pg_catalog.text[];
    g_geom  pg_catalog.bytea[];
    g_wgs   pg_catalog.bytea[];
    g_json  pg_catalog.text[];
    base    pg_catalog.int4 := (r.sdc OPERATOR(pg_catalog.->>) 'round')::pg_catalog.int4;
    thr     pg_catalog.int4 := (r.sdc OPERATOR(pg_catalog.->>) 'suppress')::pg_catalog.int4;
    mn      pg_catalog.text;
BEGIN
    -- Each (measure, level) pair gets an equal share, rounded down to the
    -- ledger's accounting units (1e-9 epsilon, 1e-18 delta), so the total
    -- charged never exceeds the declared epsilon and delta.
    eps := pg_catalog.floor(r.epsilon OPERATOR(pg_catalog.*) 1e9::float8 OPERATOR(pg_catalog./) (nl OPERATOR(pg_catalog.*) nm))
           OPERATOR(pg_catalog./) 1e9::float8;
    del := pg_catalog.floor(r.delta OPERATOR(pg_catalog.*) 1e18::float8 OPERATOR(pg_catalog./) (nl OPERATOR(pg_catalog.*) nm))
           OPERATOR(pg_catalog./) 1e18::float8;
    lit_e := pg_catalog.quote_literal(eps::pg_catalog.text) OPERATOR(pg_catalog.||) '::pg_catalog.float8';
    lit_d := pg_catalog.quote_literal(del::pg_catalog.text) OPERATOR(pg_catalog.||) '::pg_catalog.float8';

    -- the type each measure is computed in
    FOR j IN 1 .. nm LOOP
        m := r.measures OPERATOR(pg_catalog.->) (j OPERATOR(pg_catalog.-) 1);
        typ := typ OPERATOR(pg_catalog.||) civic._release_value_type(r.source::pg_catalog.regclass, m, r.unit IS NOT NULL);
    END LOOP;

    -- Geometry locations must be points in EPSG:27700; checked before the
    -- charged query (a lookup refusing a row there would cost the budget).
    IF r.location_kind OPERATOR(pg_catalog.=) 'geometry' THEN
        EXECUTE pg_catalog.format(
            'SELECT s.%2$I FROM %1$s s WHERE s.%2$I IS NOT NULL AND (%3$I.GeometryType(s.%2$I) OPERATOR(pg_catalog.<>) ''POINT'' '
            'OR %3$I.ST_SRID(s.%2$I) OPERATOR(pg_catalog.<>) ALL (ARRAY[0, 27700])) LIMIT 1',
            r.source, r.location,
            (SELECT n.nspname FROM pg_catalog.pg_extension e
               JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
              WHERE e.extname OPERATOR(pg_catalog.=) 'postgis')) INTO loc;
        IF loc IS NOT NULL THEN
            RAISE EXCEPTION 'column "%" of % holds a geometry that is not a point in EPSG:27700', r.location, r.source
                USING ERRCODE = '22023',
                      DETAIL = 'Releases locate rows by points in the British National Grid; nothing was charged.',
                      HINT = 'Publish from a view that gives ST_Transform(ST_PointOnSurface(geom), 27700).';
        END IF;
    END IF;

    -- Postcodes are located through the postcode directory; one lookup before
    -- the charged query makes sure the caller may use it.
    IF r.location_kind OPERATOR(pg_catalog.=) 'postcode' THEN
        EXECUTE pg_catalog.format('SELECT civic.postcode_location(s.%2$I)::pg_catalog.text FROM %1$s s LIMIT 1',
                                  r.source, r.location) INTO loc;
    END IF;

    -- The boundaries, for a release with geometry: computed (and any error
    -- raised) before the charged query, written into the rows after it.
    IF r.geometry IS NOT NULL THEN
        SELECT pg_catalog.array_agg(l.n), pg_catalog.array_agg(s.code), pg_catalog.array_agg(s.geom),
               pg_catalog.array_agg(s.geom_wgs84), pg_catalog.array_agg(s.geojson)
          INTO g_lvl, g_code, g_geom, g_wgs, g_json
          FROM pg_catalog.unnest(r.levels) WITH ORDINALITY AS l(level, n),
               LATERAL civic._release_shapes(l.level, r.vintage, r.geojson_simplify) AS s;
    END IF;

    -- the source rows: location, unit and measure values
    IF r.location_kind OPERATOR(pg_catalog.=) 'code' THEN
        loc := pg_catalog.format('CASE WHEN civic.is_valid_gsscode(s0.%1$I::pg_catalog.text) THEN s0.%1$I::pg_catalog.text::civic.gsscode END', r.location);
    ELSIF r.location_kind OPERATOR(pg_catalog.=) 'postcode' THEN
        loc := pg_catalog.format('civic.postcode_location(s0.%I)', r.location);
    ELSE
        loc := pg_catalog.format('s0.%I', r.location);
    END IF;
    src_from := pg_catalog.format('(SELECT %s AS loc%s', loc,
                    CASE WHEN r.unit IS NULL THEN ', NULL::pg_catalog.int4 AS u'
                         ELSE pg_catalog.format(', s0.%I AS u', r.unit) END);
    FOR j IN 1 .. nm LOOP
        m := r.measures OPERATOR(pg_catalog.->) (j OPERATOR(pg_catalog.-) 1);
        IF m OPERATOR(pg_catalog.?) 'column' THEN
            src_from := src_from OPERATOR(pg_catalog.||) pg_catalog.format(', s0.%I::%s AS v%s',
                m OPERATOR(pg_catalog.->>) 'column',
                CASE WHEN m OPERATOR(pg_catalog.->>) 'kind' OPERATOR(pg_catalog.=) 'count' THEN 'pg_catalog.bool' ELSE typ[j] END, j);
        END IF;
    END LOOP;
    src_from := src_from OPERATOR(pg_catalog.||) pg_catalog.format(' FROM %s s0) s', r.source);

    FOR i IN 1 .. nl LOOP
        lvl := r.levels[i];
        vint := civic._release_vintage(lvl, r.vintage);
        IF r.location_kind OPERATOR(pg_catalog.=) 'code' THEN
            src_sel := src_sel OPERATOR(pg_catalog.||) pg_catalog.format(', m%s.area AS a%s', i, i);
            src_from := src_from OPERATOR(pg_catalog.||) pg_catalog.format(
                ' LEFT JOIN civic._release_code_map(%L, %s) m%s ON m%s.code OPERATOR(civic.=) s.loc', lvl, r.vintage, i, i);
        ELSE
            -- the lookups directly when the caller may read the boundaries (four
            -- times faster than through the definer entry point)
            src_sel := src_sel OPERATOR(pg_catalog.||) pg_catalog.format(', %s(s.loc, %L, %s) AS a%s',
                CASE WHEN pg_catalog.has_table_privilege('civic.boundary', 'SELECT') THEN 'civic.area_of'
                     ELSE 'civic._release_area_of' END, lvl, vint, i);
        END IF;
    END LOOP;
    q := q OPERATOR(pg_catalog.||) pg_catalog.format('src AS MATERIALIZED (SELECT s.* %s FROM %s)', src_sel, src_from);

    FOR i IN 1 .. nl LOOP
        lvl := r.levels[i];
        vint := civic._release_vintage(lvl, r.vintage);
        aggs := '';
        cols := '';
        vals := '';
        cnt := NULL;
        FOR j IN 1 .. nm LOOP
            m := r.measures OPERATOR(pg_catalog.->) (j OPERATOR(pg_catalog.-) 1);
            CASE m OPERATOR(pg_catalog.->>) 'kind'
            WHEN 'count' THEN
                agg := CASE WHEN r.unit IS NULL
                            THEN pg_catalog.format('civic.dp_count(%s, %s)', lit_e, lit_d)
                            ELSE pg_catalog.format('civic.dp_count_units(src.u, %s, %s)', lit_e, lit_d) END;
                err := pg_catalog.format('civic.dp_count_error(%s, %s, %s)', lit_e, r.confidence, lit_d);
                cnt := COALESCE(cnt, pg_catalog.format('l.m%s', j));
            WHEN 'sum' THEN
                agg := CASE WHEN r.unit IS NULL
                            THEN pg_catalog.format('civic.dp_sum(src.v%s, %L::%s, %L::%s, %s, %s)', j,
                                     m OPERATOR(pg_catalog.->>) 'lower', typ[j],
                                     m OPERATOR(pg_catalog.->>) 'upper', typ[j], lit_e, lit_d)
                            ELSE pg_catalog.format('civic.dp_sum_per_unit(src.u, src.v%s, %L::pg_catalog.float8, %L::pg_catalog.float8, %s, %s)', j,
                                     m OPERATOR(pg_catalog.->>) 'lower', m OPERATOR(pg_catalog.->>) 'upper', lit_e, lit_d) END;
                err := pg_catalog.format('civic.dp_sum_error(%L, %L, %s, %s, %s)',
                           m OPERATOR(pg_catalog.->>) 'lower', m OPERATOR(pg_catalog.->>) 'upper', lit_e, r.confidence, lit_d);
            ELSE -- avg
                agg := CASE WHEN r.unit IS NULL
                            THEN pg_catalog.format('civic.dp_avg(src.v%s, %L::pg_catalog.float8, %L::pg_catalog.float8, %s, %s)', j,
                                     m OPERATOR(pg_catalog.->>) 'lower', m OPERATOR(pg_catalog.->>) 'upper', lit_e, lit_d)
                            ELSE pg_catalog.format('civic.dp_avg_per_unit(src.u, src.v%s, %L::pg_catalog.float8, %L::pg_catalog.float8, %s, %s)', j,
                                     m OPERATOR(pg_catalog.->>) 'lower', m OPERATOR(pg_catalog.->>) 'upper', lit_e, lit_d) END;
                err := NULL;   -- filled in below from the count
            END CASE;
            aggs := aggs OPERATOR(pg_catalog.||) pg_catalog.format(', %s FILTER (WHERE src.a%s IS NOT NULL%s) AS m%s', agg, i,
                        CASE WHEN m OPERATOR(pg_catalog.->>) 'kind' OPERATOR(pg_catalog.=) 'count' AND m OPERATOR(pg_catalog.?) 'column'
                             THEN pg_catalog.format(' AND src.v%s', j) ELSE '' END, j);
            cols := cols OPERATOR(pg_catalog.||) pg_catalog.format(', %1$I, %2$I', m OPERATOR(pg_catalog.->>) 'name',
                        (m OPERATOR(pg_catalog.->>) 'name') OPERATOR(pg_catalog.||) '_error');
            vals := vals OPERATOR(pg_catalog.||) pg_catalog.format(', l.m%s, %s', j, COALESCE(err, 'NULL::pg_catalog.float8'));
        END LOOP;
        q := q OPERATOR(pg_catalog.||) pg_catalog.format($q$,
l%1$s AS MATERIALIZED (
    SELECT b.code, b.name, b.parent%2$s
      FROM civic._release_areas(%3$L, %4$s) b LEFT JOIN src ON src.a%1$s OPERATOR(civic.=) b.code
     GROUP BY b.code, b.name, b.parent),
i%1$s AS (
    INSERT INTO %5$s (id, area_code, area_name, parent_code%6$s)
    SELECT pg_catalog.row_number() OVER (ORDER BY l.code)::pg_catalog.int4, l.code::pg_catalog.text, l.name,
           l.parent::pg_catalog.text%7$s
      FROM l%1$s l
    RETURNING 1)$q$, i, aggs, lvl, vint, r.tables[i], cols, vals);
        fin := fin OPERATOR(pg_catalog.||) CASE WHEN i OPERATOR(pg_catalog.>) 1 THEN ' UNION ALL ' ELSE '' END
               OPERATOR(pg_catalog.||) pg_catalog.format('SELECT pg_catalog.count(*) FROM i%s', i);
    END LOOP;
    q := q OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) fin;
    -- the one charged query (its text is left out of the error context)
    BEGIN
        EXECUTE q;
    EXCEPTION WHEN OTHERS THEN
        DECLARE
            e_state pg_catalog.text;
            e_msg   pg_catalog.text;
            e_det   pg_catalog.text;
            e_hint  pg_catalog.text;
        BEGIN
            GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT,
                                    e_det = PG_EXCEPTION_DETAIL, e_hint = PG_EXCEPTION_HINT;
            RAISE EXCEPTION USING ERRCODE = e_state, MESSAGE = e_msg,
                                  DETAIL = e_det, HINT = e_hint;
        END;
    END;

    -- consistency: the top level's counts become non-negative integers, and
    -- each lower level is fitted to the level above it
    IF r.consistent THEN
        FOR j IN 1 .. nm LOOP
            m := r.measures OPERATOR(pg_catalog.->) (j OPERATOR(pg_catalog.-) 1);
            CONTINUE WHEN m OPERATOR(pg_catalog.->>) 'kind' OPERATOR(pg_catalog.<>) 'count';
            EXECUTE pg_catalog.format('UPDATE %s SET %I = GREATEST(%I, 0)',
                                      r.tables[nl], m OPERATOR(pg_catalog.->>) 'name', m OPERATOR(pg_catalog.->>) 'name');
            FOR i IN REVERSE nl OPERATOR(pg_catalog.-) 1 .. 1 LOOP
                PERFORM civic._release_fit(r.tables[i]::pg_catalog.regclass,
                                           r.tables[i OPERATOR(pg_catalog.+) 1]::pg_catalog.regclass,
                                           m OPERATOR(pg_catalog.->>) 'name');
            END LOOP;
        END LOOP;
    END IF;

    -- error bars of averages: they depend on the number of rows, taken from
    -- the release's first count, and on the average itself (both already
    -- released, so free)
    FOR j IN 1 .. nm LOOP
        m := r.measures OPERATOR(pg_catalog.->) (j OPERATOR(pg_catalog.-) 1);
        CONTINUE WHEN m OPERATOR(pg_catalog.->>) 'kind' OPERATOR(pg_catalog.<>) 'avg';
        SELECT e OPERATOR(pg_catalog.->>) 'name' INTO cnt
          FROM pg_catalog.jsonb_array_elements(r.measures) AS e
         WHERE e OPERATOR(pg_catalog.->>) 'kind' OPERATOR(pg_catalog.=) 'count' LIMIT 1;
        CONTINUE WHEN cnt IS NULL;
        FOR i IN 1 .. nl LOOP
            EXECUTE pg_catalog.format(
                'UPDATE %s SET %I = civic.dp_avg_error(%L, %L, %s, GREATEST(%I, 1)::pg_catalog.int8, %s, %s, %I)',
                r.tables[i], (m OPERATOR(pg_catalog.->>) 'name') OPERATOR(pg_catalog.||) '_error',
                m OPERATOR(pg_catalog.->>) 'lower', m OPERATOR(pg_catalog.->>) 'upper', lit_e, cnt, r.confidence, lit_d,
                m OPERATOR(pg_catalog.->>) 'name');
        END LOOP;
    END LOOP;

    -- Disclosure control of the counts (post-processing of published
    -- values, so free): which cells are suppressed is decided on the value
    -- before rounding (the NHS rule "suppress 1-7, round the rest to 5");
    -- rounding is to the nearest multiple, except below the top level of a
    -- consistent release, where each area goes to one of its two nearest
    -- multiples so that the areas still add up to their (rounded) parent;
    -- the error bar grows by the most rounding can move a value.
    IF r.sdc IS NOT NULL THEN
        FOR j IN 1 .. nm LOOP
            m := r.measures OPERATOR(pg_catalog.->) (j OPERATOR(pg_catalog.-) 1);
            CONTINUE WHEN m OPERATOR(pg_catalog.->>) 'kind' OPERATOR(pg_catalog.<>) 'count';
            mn := m OPERATOR(pg_catalog.->>) 'name';
            IF thr IS NOT NULL THEN
                FOR i IN 1 .. nl LOOP
                    EXECUTE pg_catalog.format('UPDATE %s SET %I = civic.sdc_suppress(%I, %s) IS NULL',
                                              r.tables[i], mn OPERATOR(pg_catalog.||) '_suppressed', mn, thr);
                END LOOP;
            END IF;
            IF base IS NOT NULL THEN
                FOR i IN REVERSE nl .. 1 LOOP
                    IF r.consistent AND i OPERATOR(pg_catalog.<) nl THEN
                        PERFORM civic._release_round_fit(r.tables[i]::pg_catalog.regclass,
                                                         r.tables[i OPERATOR(pg_catalog.+) 1]::pg_catalog.regclass, mn, base);
                        EXECUTE pg_catalog.format('UPDATE %s SET %I = %I OPERATOR(pg_catalog.+) %s',
                                                  r.tables[i], mn OPERATOR(pg_catalog.||) '_error',
                                                  mn OPERATOR(pg_catalog.||) '_error', base OPERATOR(pg_catalog.-) 1);
                    ELSE
                        EXECUTE pg_catalog.format('UPDATE %s SET %I = civic.sdc_round(%I, %s), %I = %I OPERATOR(pg_catalog.+) %s',
                                                  r.tables[i], mn, mn, base, mn OPERATOR(pg_catalog.||) '_error',
                                                  mn OPERATOR(pg_catalog.||) '_error', base OPERATOR(pg_catalog./) 2);
                    END IF;
                END LOOP;
            END IF;
            IF thr IS NOT NULL THEN
                FOR i IN 1 .. nl LOOP
                    EXECUTE pg_catalog.format('UPDATE %s SET %I = NULL WHERE %I',
                                              r.tables[i], mn, mn OPERATOR(pg_catalog.||) '_suppressed');
                END LOOP;
            END IF;
        END LOOP;
    END IF;

    -- the boundaries computed above
    IF r.geometry IS NOT NULL THEN
        FOR i IN 1 .. nl LOOP
            EXECUTE pg_catalog.format(
                'UPDATE %s t SET %s FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4), '
                'pg_catalog.unnest($5)) AS x(i, code, geom, geom_wgs84, geojson) '
                'WHERE x.i OPERATOR(pg_catalog.=) %s AND t.area_code OPERATOR(pg_catalog.=) x.code',
                r.tables[i],
                CASE r.geometry WHEN 'all' THEN 'geom = x.geom, geom_wgs84 = x.geom_wgs84, geojson = x.geojson'
                                ELSE 'geojson = x.geojson' END, i)
                USING g_lvl, g_code, g_geom, g_wgs, g_json;
        END LOOP;
    END IF;
END
$fn$;
COMMENT ON FUNCTION civic._release_compute(civic.release) IS
    'compute a release into its empty tables with one differentially-private query (charged once to the session role), then post-process (consistency, disclosure control) and add the boundaries; called by publish_release and refresh_release';

-- Create the empty tables of a release, with comments and grants (the
-- publisher's own DDL, run before anything is charged).
CREATE FUNCTION civic._release_create_tables(r civic.release)
    RETURNS void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE
    nl    pg_catalog.int4 := pg_catalog.cardinality(r.levels);
    nm    pg_catalog.int4 := pg_catalog.jsonb_array_length(r.measures);
    eps   pg_catalog.float8;
    del   pg_catalog.float8;
    i     pg_catalog.int4;
    j     pg_catalog.int4;
    m     pg_catalog.jsonb;
    nm_m  pg_catalog.text;
    ddl   pg_catalog.text;
    what  pg_catalog.text;
    g     pg_catalog.text;
    vint  pg_catalog.int4;
    gis   pg_catalog.name;
    base  pg_catalog.int4 := (r.sdc OPERATOR(pg_catalog.->>) 'round')::pg_catalog.int4;
    thr   pg_catalog.int4 := (r.sdc OPERATOR(pg_catalog.->>) 'suppress')::pg_catalog.int4;
    sdc_t pg_catalog.text := '';
BEGIN
    -- PostGIS's schema, for the geometry columns' type
    SELECT n.nspname INTO gis FROM pg_catalog.pg_extension e
      JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
     WHERE e.extname OPERATOR(pg_catalog.=) 'postgis';
    IF thr IS NOT NULL THEN
        sdc_t := pg_catalog.format('; counts from 1 to %s suppressed (NULL, flagged in <count>_suppressed)',
                                   thr OPERATOR(pg_catalog.-) 1);
    END IF;
    IF base IS NOT NULL THEN
        sdc_t := sdc_t OPERATOR(pg_catalog.||) pg_catalog.format('; counts rounded to multiples of %s', base);
    END IF;
    eps := pg_catalog.floor(r.epsilon OPERATOR(pg_catalog.*) 1e9::float8 OPERATOR(pg_catalog./) (nl OPERATOR(pg_catalog.*) nm))
           OPERATOR(pg_catalog./) 1e9::float8;
    del := pg_catalog.floor(r.delta OPERATOR(pg_catalog.*) 1e18::float8 OPERATOR(pg_catalog./) (nl OPERATOR(pg_catalog.*) nm))
           OPERATOR(pg_catalog./) 1e18::float8;
    FOR i IN 1 .. nl LOOP
        vint := civic._release_vintage(r.levels[i], r.vintage);
        ddl := pg_catalog.format('CREATE TABLE %s (id pg_catalog.int4 PRIMARY KEY, area_code pg_catalog.text NOT NULL UNIQUE, '
                                 'area_name pg_catalog.text, parent_code pg_catalog.text', r.tables[i]);
        FOR j IN 1 .. nm LOOP
            m := r.measures OPERATOR(pg_catalog.->) (j OPERATOR(pg_catalog.-) 1);
            ddl := ddl OPERATOR(pg_catalog.||) pg_catalog.format(', %I %s, %I pg_catalog.float8',
                m OPERATOR(pg_catalog.->>) 'name',
                civic._release_value_type(r.source::pg_catalog.regclass, m, r.unit IS NOT NULL),
                (m OPERATOR(pg_catalog.->>) 'name') OPERATOR(pg_catalog.||) '_error');
            IF thr IS NOT NULL AND m OPERATOR(pg_catalog.->>) 'kind' OPERATOR(pg_catalog.=) 'count' THEN
                ddl := ddl OPERATOR(pg_catalog.||) pg_catalog.format(', %I pg_catalog.bool',
                    (m OPERATOR(pg_catalog.->>) 'name') OPERATOR(pg_catalog.||) '_suppressed');
            END IF;
        END LOOP;
        IF r.geometry OPERATOR(pg_catalog.=) 'all' THEN
            ddl := ddl OPERATOR(pg_catalog.||) pg_catalog.format(', geom %1$I.geometry(MultiPolygon, 27700), geom_wgs84 %1$I.geometry(MultiPolygon, 4326)', gis);
        END IF;
        IF r.geometry IS NOT NULL THEN
            ddl := ddl OPERATOR(pg_catalog.||) ', geojson pg_catalog.text';
        END IF;
        EXECUTE ddl OPERATOR(pg_catalog.||) ')';
        EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', r.tables[i], pg_catalog.format(
            'civic release %s: differentially-private statistics of %s by %s (%s boundaries), one row per %s including areas with no rows; '
            'epsilon %s, delta %s for the whole release (all levels and measures)%s%s; published by %s; '
            'reading it costs no privacy budget. See civic.releases.',
            r.name, r.source, r.levels[i],
            CASE WHEN vint OPERATOR(pg_catalog.=) 0 THEN 'vintage-independent' ELSE vint::pg_catalog.text END,
            r.levels[i], r.epsilon, r.delta, sdc_t,
            CASE r.geometry WHEN 'all' THEN '; with boundaries (geom, geom_wgs84, geojson)'
                            WHEN 'geojson' THEN '; with boundaries as GeoJSON (geojson)' ELSE '' END,
            r.published_by));
        EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.id IS %L', r.tables[i],
            'integer key: row number in area-code order, stable across refreshes');
        EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.area_code IS %L', r.tables[i],
            pg_catalog.format('ONS GSS code of the %s', r.levels[i]));
        EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.area_name IS %L', r.tables[i],
            pg_catalog.format('name of the %s', r.levels[i]));
        EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.parent_code IS %L', r.tables[i],
            'GSS code of the enclosing area (a ward''s borough, a borough''s region)');
        FOR j IN 1 .. nm LOOP
            m := r.measures OPERATOR(pg_catalog.->) (j OPERATOR(pg_catalog.-) 1);
            nm_m := m OPERATOR(pg_catalog.->>) 'name';
            what := CASE m OPERATOR(pg_catalog.->>) 'kind'
                WHEN 'count' THEN CASE WHEN r.unit IS NULL THEN 'number of rows'
                                       ELSE pg_catalog.format('number of distinct %s', r.unit) END
                                  OPERATOR(pg_catalog.||)
                                  CASE WHEN m OPERATOR(pg_catalog.?) 'column'
                                       THEN pg_catalog.format(' where %s is true', m OPERATOR(pg_catalog.->>) 'column') ELSE '' END
                WHEN 'sum' THEN pg_catalog.format('sum of %s clamped to [%s, %s]%s', m OPERATOR(pg_catalog.->>) 'column',
                                    m OPERATOR(pg_catalog.->>) 'lower', m OPERATOR(pg_catalog.->>) 'upper',
                                    CASE WHEN r.unit IS NULL THEN '' ELSE pg_catalog.format(' per %s', r.unit) END)
                ELSE pg_catalog.format('mean of %s clamped to [%s, %s]%s', m OPERATOR(pg_catalog.->>) 'column',
                         m OPERATOR(pg_catalog.->>) 'lower', m OPERATOR(pg_catalog.->>) 'upper',
                         CASE WHEN r.unit IS NULL THEN '' ELSE pg_catalog.format(', each %s weighted once', r.unit) END)
                END;
            EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.%I IS %L', r.tables[i], nm_m, pg_catalog.format(
                'differentially-private %s (epsilon %s, delta %s)%s%s%s', what, eps, del,
                CASE WHEN r.consistent AND m OPERATOR(pg_catalog.->>) 'kind' OPERATOR(pg_catalog.=) 'count'
                     THEN ', made a non-negative integer consistent with the level above' ELSE '' END,
                CASE WHEN base IS NULL OR m OPERATOR(pg_catalog.->>) 'kind' OPERATOR(pg_catalog.<>) 'count' THEN ''
                     WHEN r.consistent AND i OPERATOR(pg_catalog.<) nl
                     THEN pg_catalog.format(', rounded to one of the two nearest multiples of %s so that it adds up to the level above', base)
                     ELSE pg_catalog.format(', rounded to the nearest multiple of %s', base) END,
                CASE WHEN thr IS NULL OR m OPERATOR(pg_catalog.->>) 'kind' OPERATOR(pg_catalog.<>) 'count' THEN ''
                     ELSE pg_catalog.format('; NULL (suppressed) where the value before rounding was below %s and not 0', thr) END));
            EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.%I IS %L', r.tables[i], nm_m OPERATOR(pg_catalog.||) '_error',
                pg_catalog.format('%s%% error bar of %s: the noise exceeds it with probability at most %s%%%s%s',
                    r.confidence OPERATOR(pg_catalog.*) 100, nm_m, pg_catalog.round(((1 OPERATOR(pg_catalog.-) r.confidence) OPERATOR(pg_catalog.*) 100)::pg_catalog.numeric, 6)::pg_catalog.float8,
                    CASE WHEN m OPERATOR(pg_catalog.->>) 'kind' OPERATOR(pg_catalog.=) 'avg'
                         THEN ' (computed from the released average and the release''s first count before disclosure control as the number of rows; NULL without a count)'
                         ELSE '' END,
                    CASE WHEN base IS NULL OR m OPERATOR(pg_catalog.->>) 'kind' OPERATOR(pg_catalog.<>) 'count' THEN ''
                         ELSE pg_catalog.format(', plus %s for the rounding',
                                  CASE WHEN r.consistent AND i OPERATOR(pg_catalog.<) nl THEN base OPERATOR(pg_catalog.-) 1
                                       ELSE base OPERATOR(pg_catalog./) 2 END) END));
            IF thr IS NOT NULL AND m OPERATOR(pg_catalog.->>) 'kind' OPERATOR(pg_catalog.=) 'count' THEN
                EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.%I IS %L', r.tables[i], nm_m OPERATOR(pg_catalog.||) '_suppressed',
                    pg_catalog.format('true where %s is suppressed (NULL): its value before rounding was from 1 to %s, or negative',
                                      nm_m, thr OPERATOR(pg_catalog.-) 1));
            END IF;
        END LOOP;
        IF r.geometry OPERATOR(pg_catalog.=) 'all' THEN
            EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.geom IS %L', r.tables[i], pg_catalog.format(
                'boundary of the %s, EPSG:27700 (British National Grid), full resolution, from civic.boundary', r.levels[i]));
            EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.geom_wgs84 IS %L', r.tables[i], pg_catalog.format(
                'boundary of the %s, EPSG:4326 (WGS 84 longitude and latitude), full resolution', r.levels[i]));
            EXECUTE pg_catalog.format('CREATE INDEX ON %s USING gist (geom)', r.tables[i]);
            EXECUTE pg_catalog.format('CREATE INDEX ON %s USING gist (geom_wgs84)', r.tables[i]);
        END IF;
        IF r.geometry IS NOT NULL THEN
            EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.geojson IS %L', r.tables[i], pg_catalog.format(
                'boundary of the %s as a GeoJSON geometry (WGS 84, 5 decimals) simplified to %s m, more for an area '
                'whose text would exceed 32766 characters (what a Power BI text value holds)', r.levels[i], r.geojson_simplify));
        END IF;
        EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC', r.tables[i]);
        FOREACH g IN ARRAY r.grantees LOOP
            EXECUTE pg_catalog.format('GRANT SELECT ON %s TO %I', r.tables[i], g);
        END LOOP;
    END LOOP;
END
$fn$;
COMMENT ON FUNCTION civic._release_create_tables(civic.release) IS
    'create the empty, commented tables of a release and grant SELECT on them to its grantees; called by publish_release';

CREATE FUNCTION civic.publish_release(
    name pg_catalog.text,
    source pg_catalog.regclass,
    location pg_catalog.text,
    measures pg_catalog.jsonb,
    epsilon pg_catalog.float8,
    target_schema pg_catalog.name,
    delta pg_catalog.float8 DEFAULT 0,
    levels pg_catalog.text[] DEFAULT ARRAY['ward'],
    vintage pg_catalog.int4 DEFAULT NULL,
    unit pg_catalog.text DEFAULT NULL,
    grantees pg_catalog.regrole[] DEFAULT '{}',
    consistent pg_catalog.bool DEFAULT false,
    confidence pg_catalog.float8 DEFAULT 0.95,
    sdc pg_catalog.jsonb DEFAULT NULL,
    geometry pg_catalog.text DEFAULT NULL,
    geojson_simplify pg_catalog.float8 DEFAULT NULL)
    RETURNS SETOF pg_catalog.regclass
    LANGUAGE plpgsql VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE
    r       civic.release;
    m       pg_catalog.jsonb;
    k       pg_catalog.text;
    seen    pg_catalog.text[] := '{}';
    lvl     pg_catalog.text;
    ranks   pg_catalog.int4[] := '{}';
    i       pg_catalog.int4;
    typ     pg_catalog.regtype;
    g       pg_catalog.regrole;
    gnames  pg_catalog.text[] := '{}';
    t       pg_catalog.text;
    bad     pg_catalog.text;
BEGIN
    -- required arguments and their ranges --------------------------------
    IF name IS NULL OR source IS NULL OR location IS NULL OR measures IS NULL
       OR epsilon IS NULL OR target_schema IS NULL OR delta IS NULL OR levels IS NULL
       OR grantees IS NULL OR consistent IS NULL OR confidence IS NULL THEN
        RAISE EXCEPTION 'publish_release: name, source, location, measures, epsilon, target_schema, delta, levels, grantees, consistent and confidence must not be NULL'
            USING ERRCODE = '22004';
    END IF;
    IF name OPERATOR(pg_catalog.!~) '^[a-z_][a-z0-9_]{0,54}$' THEN
        RAISE EXCEPTION 'invalid release name "%"', name USING ERRCODE = '22023',
            DETAIL = 'A release name is a lower-case identifier of at most 55 characters (letters, digits, underscores); its tables are named <name>_<level>.';
    END IF;
    IF NOT (epsilon OPERATOR(pg_catalog.>) 0 AND epsilon OPERATOR(pg_catalog.<) 'infinity') THEN
        RAISE EXCEPTION 'epsilon must be positive and finite, not %', epsilon USING ERRCODE = '22023';
    END IF;
    IF NOT (delta OPERATOR(pg_catalog.>=) 0 AND delta OPERATOR(pg_catalog.<) 1) THEN
        RAISE EXCEPTION 'delta must be in [0, 1), not %', delta USING ERRCODE = '22023';
    END IF;
    IF NOT (confidence OPERATOR(pg_catalog.>) 0 AND confidence OPERATOR(pg_catalog.<) 1) THEN
        RAISE EXCEPTION 'confidence must be in (0, 1), not %', confidence USING ERRCODE = '22023';
    END IF;

    -- disclosure control and geometry ----------------------------------------
    IF sdc IS NOT NULL THEN
        IF pg_catalog.jsonb_typeof(sdc) OPERATOR(pg_catalog.<>) 'object' OR sdc OPERATOR(pg_catalog.=) '{}' THEN
            RAISE EXCEPTION 'sdc must be a JSON object with "round", "suppress" or both, not %', sdc USING ERRCODE = '22023',
                HINT = 'For example ''{"round": 5}'', ''{"suppress": 10}'', or the NHS rule ''{"suppress": 8, "round": 5}''.';
        END IF;
        SELECT pg_catalog.string_agg(x, ', ') INTO bad FROM pg_catalog.jsonb_object_keys(sdc) AS x
         WHERE x OPERATOR(pg_catalog.<>) ALL (ARRAY['round', 'suppress']);
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION 'unknown key % in sdc %', bad, sdc USING ERRCODE = '22023',
                DETAIL = 'Disclosure control has "round" (the base counts are rounded to) and "suppress" (counts from 1 to one less are withheld).';
        END IF;
        FOREACH k IN ARRAY ARRAY['round', 'suppress'] LOOP
            CONTINUE WHEN NOT sdc OPERATOR(pg_catalog.?) k;
            IF pg_catalog.jsonb_typeof(sdc OPERATOR(pg_catalog.->) k) IS DISTINCT FROM 'number'
               OR (sdc OPERATOR(pg_catalog.->>) k)::pg_catalog.numeric OPERATOR(pg_catalog.<>) pg_catalog.trunc((sdc OPERATOR(pg_catalog.->>) k)::pg_catalog.numeric)
               OR (sdc OPERATOR(pg_catalog.->>) k)::pg_catalog.numeric NOT BETWEEN 1 AND 1000000 THEN
                RAISE EXCEPTION 'sdc "%" must be an integer from 1 to 1000000, not %', k, sdc OPERATOR(pg_catalog.->) k
                    USING ERRCODE = '22023';
            END IF;
        END LOOP;
        -- as integers (5.0 is 5)
        sdc := pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
                   'round', (sdc OPERATOR(pg_catalog.->>) 'round')::pg_catalog.numeric::pg_catalog.int4,
                   'suppress', (sdc OPERATOR(pg_catalog.->>) 'suppress')::pg_catalog.numeric::pg_catalog.int4));
    END IF;
    IF geometry IS NOT NULL AND geometry OPERATOR(pg_catalog.<>) ALL (ARRAY['geojson', 'all']) THEN
        RAISE EXCEPTION 'geometry must be ''geojson'' or ''all'', not %', pg_catalog.quote_literal(geometry) USING ERRCODE = '22023',
            DETAIL = '''geojson'' adds a GeoJSON text column (built-in types only, for Power BI); ''all'' also adds geometry(MultiPolygon) columns in EPSG:27700 and WGS 84 (QGIS, Tableau).';
    END IF;
    IF geometry IS NULL AND geojson_simplify IS NOT NULL THEN
        RAISE EXCEPTION 'geojson_simplify needs geometry => ''geojson'' or ''all''' USING ERRCODE = '22023';
    END IF;
    IF geometry IS NOT NULL THEN
        geojson_simplify := COALESCE(geojson_simplify, 25);
        IF NOT (geojson_simplify OPERATOR(pg_catalog.>=) 0 AND geojson_simplify OPERATOR(pg_catalog.<=) 100000) THEN
            RAISE EXCEPTION 'geojson_simplify must be a tolerance in metres from 0 to 100000, not %', geojson_simplify
                USING ERRCODE = '22023';
        END IF;
    END IF;

    -- levels ---------------------------------------------------------------
    IF pg_catalog.cardinality(levels) OPERATOR(pg_catalog.=) 0 THEN
        RAISE EXCEPTION 'a release needs at least one level' USING ERRCODE = '22023',
            HINT = 'Give levels => ARRAY[''ward''], ARRAY[''borough''], ARRAY[''region''] or several of them.';
    END IF;
    FOREACH lvl IN ARRAY levels LOOP
        IF lvl IS NULL OR lvl OPERATOR(pg_catalog.<>) ALL (ARRAY['ward', 'borough', 'region']) THEN
            RAISE EXCEPTION 'unknown release level "%"', lvl USING ERRCODE = '22023',
                DETAIL = 'Releases are made for the levels ward, borough and region.';
        END IF;
        IF lvl OPERATOR(pg_catalog.=) ANY (seen) THEN
            RAISE EXCEPTION 'level "%" is given twice', lvl USING ERRCODE = '22023';
        END IF;
        seen := seen OPERATOR(pg_catalog.||) lvl;
    END LOOP;
    -- finest level first, so that the tables follow the hierarchy upwards
    SELECT pg_catalog.array_agg(l ORDER BY pg_catalog.array_position(ARRAY['ward', 'borough', 'region'], l))
      INTO levels FROM pg_catalog.unnest(levels) AS l;
    SELECT pg_catalog.array_agg(pg_catalog.array_position(ARRAY['ward', 'borough', 'region'], l))
      INTO ranks FROM pg_catalog.unnest(levels) AS l;
    IF consistent AND (ranks[pg_catalog.cardinality(ranks)] OPERATOR(pg_catalog.-) ranks[1])
                      OPERATOR(pg_catalog.<>) (pg_catalog.cardinality(ranks) OPERATOR(pg_catalog.-) 1) THEN
        RAISE EXCEPTION 'a consistent release needs adjacent levels, not %', levels USING ERRCODE = '22023',
            DETAIL = 'Consistency fits each level to the one directly above it (ward to borough, borough to region).',
            HINT = 'Add the missing level, or publish without consistent => true.';
    END IF;
    -- the vintage: given, or the newest loaded wards; unknown ones fail here
    vintage := COALESCE(vintage, civic._release_vintage('ward', NULL));
    FOREACH lvl IN ARRAY levels LOOP
        PERFORM civic._release_vintage(lvl, vintage);
    END LOOP;
    -- consistency fits each area to its parent: every parent must be there
    IF consistent THEN
        FOR i IN 1 .. pg_catalog.cardinality(levels) OPERATOR(pg_catalog.-) 1 LOOP
            SELECT c.code::pg_catalog.text INTO bad
              FROM civic._release_areas(levels[i], vintage) c
             WHERE NOT EXISTS (SELECT FROM civic._release_areas(levels[i OPERATOR(pg_catalog.+) 1], vintage) p
                                WHERE p.code OPERATOR(civic.=) c.parent)
             LIMIT 1;
            IF bad IS NOT NULL THEN
                RAISE EXCEPTION 'cannot make a consistent release: % % has no parent among the % areas', levels[i], bad,
                                levels[i OPERATOR(pg_catalog.+) 1]
                    USING ERRCODE = '22023',
                          DETAIL = 'Each area of a lower level must lie in an area of the level above (civic.boundary.parent).';
            END IF;
        END LOOP;
    END IF;

    -- the source and its columns ------------------------------------------
    IF NOT pg_catalog.has_table_privilege(source, 'SELECT') THEN
        RAISE EXCEPTION 'permission denied to publish a release of %', source USING ERRCODE = '42501',
            DETAIL = 'A release is computed with the publisher''s own rights: it needs SELECT on the source.';
    END IF;
    SELECT a.atttypid::pg_catalog.regtype INTO typ FROM pg_catalog.pg_attribute a
     WHERE a.attrelid OPERATOR(pg_catalog.=) source AND a.attname OPERATOR(pg_catalog.=) location
       AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
    IF typ IS NULL THEN
        RAISE EXCEPTION 'column "%" of % does not exist', location, source USING ERRCODE = '42703';
    END IF;
    r.location_kind := CASE
        WHEN typ OPERATOR(pg_catalog.=) 'civic.bng'::pg_catalog.regtype THEN 'bng'
        WHEN pg_catalog.format_type(typ, NULL) OPERATOR(pg_catalog.~) '(^|\.)geometry$' THEN 'geometry'
        WHEN typ OPERATOR(pg_catalog.=) ANY (ARRAY['civic.gsscode', 'text', 'varchar', 'bpchar']::pg_catalog.regtype[]) THEN 'code'
        WHEN typ OPERATOR(pg_catalog.=) 'civic.postcode'::pg_catalog.regtype THEN 'postcode' END;
    IF r.location_kind IS NULL THEN
        RAISE EXCEPTION 'column "%" of % (type %) cannot locate rows', location, source, typ USING ERRCODE = '42804',
            DETAIL = 'A location column is a civic.bng point, a geometry point in EPSG:27700, a GSS area code (civic.gsscode or text) or a civic.postcode.';
    END IF;
    IF r.location_kind OPERATOR(pg_catalog.=) 'postcode'
       AND NOT EXISTS (SELECT FROM pg_catalog.pg_proc p
                        WHERE p.proname OPERATOR(pg_catalog.=) 'postcode_location'
                          AND p.pronamespace OPERATOR(pg_catalog.=) 'civic'::pg_catalog.regnamespace) THEN
        RAISE EXCEPTION 'postcode locations need the postcode directory' USING ERRCODE = '0A000',
            DETAIL = 'civic.postcode_location(civic.postcode) is not installed in this database.',
            HINT = 'Locate the rows by a bng or geometry point or an area code instead.';
    END IF;
    IF unit IS NOT NULL AND NOT EXISTS (
        SELECT FROM pg_catalog.pg_attribute a
         WHERE a.attrelid OPERATOR(pg_catalog.=) source AND a.attname OPERATOR(pg_catalog.=) unit
           AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped) THEN
        RAISE EXCEPTION 'unit column "%" of % does not exist', unit, source USING ERRCODE = '42703';
    END IF;

    -- measures --------------------------------------------------------------
    IF pg_catalog.jsonb_typeof(measures) OPERATOR(pg_catalog.<>) 'array'
       OR pg_catalog.jsonb_array_length(measures) OPERATOR(pg_catalog.=) 0 THEN
        RAISE EXCEPTION 'measures must be a non-empty JSON array of measure declarations' USING ERRCODE = '22023',
            HINT = 'For example ''[{"name": "stops", "kind": "count"}, {"name": "mean_age", "kind": "avg", "column": "age", "lower": 0, "upper": 100}]''.';
    END IF;
    seen := ARRAY['id', 'area_code', 'area_name', 'parent_code', 'geom', 'geom_wgs84', 'geojson'];
    FOR m IN SELECT e FROM pg_catalog.jsonb_array_elements(measures) AS e LOOP
        IF pg_catalog.jsonb_typeof(m) OPERATOR(pg_catalog.<>) 'object' THEN
            RAISE EXCEPTION 'a measure declaration must be a JSON object, not %', m USING ERRCODE = '22023';
        END IF;
        SELECT pg_catalog.string_agg(x, ', ') INTO bad FROM pg_catalog.jsonb_object_keys(m) AS x
         WHERE x OPERATOR(pg_catalog.<>) ALL (ARRAY['name', 'kind', 'column', 'lower', 'upper']);
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION 'unknown key % in measure %', bad, m USING ERRCODE = '22023',
                DETAIL = 'A measure has a name, a kind (count, sum or avg) and, for sum and avg, a column and its lower and upper bounds.';
        END IF;
        IF pg_catalog.jsonb_typeof(m OPERATOR(pg_catalog.->) 'name') IS DISTINCT FROM 'string'
           OR (m OPERATOR(pg_catalog.->>) 'name') OPERATOR(pg_catalog.!~) '^[a-z_][a-z0-9_]{0,50}$' THEN
            RAISE EXCEPTION 'measure % needs a name that is a lower-case identifier of at most 51 characters', m USING ERRCODE = '22023';
        END IF;
        k := m OPERATOR(pg_catalog.->>) 'name';
        IF k OPERATOR(pg_catalog.=) ANY (seen) OR k OPERATOR(pg_catalog.~) '_(error|suppressed)$' THEN
            RAISE EXCEPTION 'measure name "%" is taken', k USING ERRCODE = '22023',
                DETAIL = 'Measure names are unique, do not end in _error or _suppressed (the error-bar and suppression columns do) and are not id, area_code, area_name, parent_code, geom, geom_wgs84 or geojson.';
        END IF;
        seen := seen OPERATOR(pg_catalog.||) k;
        IF (m OPERATOR(pg_catalog.->>) 'kind') IS NULL
           OR (m OPERATOR(pg_catalog.->>) 'kind') OPERATOR(pg_catalog.<>) ALL (ARRAY['count', 'sum', 'avg']) THEN
            RAISE EXCEPTION 'measure "%" has kind %, not count, sum or avg', k, COALESCE(m OPERATOR(pg_catalog.->) 'kind', 'null') USING ERRCODE = '22023';
        END IF;
        IF m OPERATOR(pg_catalog.->>) 'kind' OPERATOR(pg_catalog.=) 'count' THEN
            IF m OPERATOR(pg_catalog.?|) ARRAY['lower', 'upper'] THEN
                RAISE EXCEPTION 'count measure "%" takes no bounds', k USING ERRCODE = '22023',
                    DETAIL = 'A count counts rows (or distinct units when the release has a unit), optionally only those where a boolean column is true.';
            END IF;
            IF m OPERATOR(pg_catalog.?) 'column' AND (
                   pg_catalog.jsonb_typeof(m OPERATOR(pg_catalog.->) 'column') IS DISTINCT FROM 'string'
                   OR NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
                                   WHERE a.attrelid OPERATOR(pg_catalog.=) source
                                     AND a.attname OPERATOR(pg_catalog.=) (m OPERATOR(pg_catalog.->>) 'column')
                                     AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
                                     AND a.atttypid OPERATOR(pg_catalog.=) 'pg_catalog.bool'::pg_catalog.regtype)) THEN
                RAISE EXCEPTION 'count measure "%" needs a boolean column of %', k, source USING ERRCODE = '42804',
                    DETAIL = 'A count with a column counts the rows where that boolean column is true.';
            END IF;
            CONTINUE;
        END IF;
        IF pg_catalog.jsonb_typeof(m OPERATOR(pg_catalog.->) 'column') IS DISTINCT FROM 'string' THEN
            RAISE EXCEPTION '% measure "%" needs a column', m OPERATOR(pg_catalog.->>) 'kind', k USING ERRCODE = '22023';
        END IF;
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid OPERATOR(pg_catalog.=) source
                          AND a.attname OPERATOR(pg_catalog.=) (m OPERATOR(pg_catalog.->>) 'column')
                          AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped) THEN
            RAISE EXCEPTION 'column "%" of % does not exist', m OPERATOR(pg_catalog.->>) 'column', source USING ERRCODE = '42703';
        END IF;
        IF civic._release_value_type(source, m, unit IS NOT NULL) IS NULL THEN
            RAISE EXCEPTION 'column "%" of % is not numeric', m OPERATOR(pg_catalog.->>) 'column', source USING ERRCODE = '42804',
                DETAIL = 'Sums and averages are of smallint, integer, bigint, numeric, real or double precision columns.';
        END IF;
        IF pg_catalog.jsonb_typeof(m OPERATOR(pg_catalog.->) 'lower') IS DISTINCT FROM 'number'
           OR pg_catalog.jsonb_typeof(m OPERATOR(pg_catalog.->) 'upper') IS DISTINCT FROM 'number'
           OR (m OPERATOR(pg_catalog.->>) 'lower')::pg_catalog.numeric OPERATOR(pg_catalog.>) (m OPERATOR(pg_catalog.->>) 'upper')::pg_catalog.numeric THEN
            RAISE EXCEPTION 'measure "%" needs numeric bounds with lower <= upper', k USING ERRCODE = '22023',
                DETAIL = 'Each value is clamped to [lower, upper]; the bounds set the noise and must not depend on the data.';
        END IF;
        IF civic._release_value_type(source, m, unit IS NOT NULL) OPERATOR(pg_catalog.=) 'pg_catalog.int8'
           AND ((m OPERATOR(pg_catalog.->>) 'lower')::pg_catalog.numeric OPERATOR(pg_catalog.<>) pg_catalog.trunc((m OPERATOR(pg_catalog.->>) 'lower')::pg_catalog.numeric)
             OR (m OPERATOR(pg_catalog.->>) 'upper')::pg_catalog.numeric OPERATOR(pg_catalog.<>) pg_catalog.trunc((m OPERATOR(pg_catalog.->>) 'upper')::pg_catalog.numeric)) THEN
            RAISE EXCEPTION 'measure "%" sums an integer column and needs integer bounds', k USING ERRCODE = '22023';
        END IF;
    END LOOP;

    IF sdc IS NOT NULL AND NOT EXISTS (
           SELECT FROM pg_catalog.jsonb_array_elements(measures) AS e
            WHERE e OPERATOR(pg_catalog.->>) 'kind' OPERATOR(pg_catalog.=) 'count') THEN
        RAISE EXCEPTION 'sdc applies to count measures, and this release has none' USING ERRCODE = '22023',
            DETAIL = 'Rounding and suppression are conventions for counts; sums and averages are published as drawn.';
    END IF;

    -- target schema, tables, grantees ----------------------------------------
    IF pg_catalog.to_regnamespace(pg_catalog.quote_ident(target_schema)) IS NULL THEN
        RAISE EXCEPTION 'schema "%" does not exist', target_schema USING ERRCODE = '3F000';
    END IF;
    IF NOT pg_catalog.has_schema_privilege(pg_catalog.quote_ident(target_schema), 'CREATE') THEN
        RAISE EXCEPTION 'permission denied to create the release tables in schema %', target_schema USING ERRCODE = '42501';
    END IF;
    IF EXISTS (SELECT FROM civic.release x WHERE x.name OPERATOR(pg_catalog.=) publish_release.name) THEN
        RAISE EXCEPTION 'release "%" already exists', name USING ERRCODE = '42710',
            HINT = 'Refresh it with civic.refresh_release(), or drop it with civic.drop_release().';
    END IF;
    r.tables := '{}';
    FOREACH lvl IN ARRAY levels LOOP
        t := pg_catalog.format('%I.%I', target_schema, name OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) lvl);
        IF pg_catalog.to_regclass(t) IS NOT NULL THEN
            RAISE EXCEPTION 'relation % already exists', t USING ERRCODE = '42P07',
                DETAIL = 'The tables of release "' OPERATOR(pg_catalog.||) name OPERATOR(pg_catalog.||) '" are named <name>_<level>.';
        END IF;
        r.tables := r.tables OPERATOR(pg_catalog.||) t;
    END LOOP;
    FOREACH g IN ARRAY grantees LOOP
        IF g IS NULL THEN
            RAISE EXCEPTION 'grantees must not contain NULL' USING ERRCODE = '22004';
        END IF;
        gnames := gnames OPERATOR(pg_catalog.||) (SELECT a.rolname::pg_catalog.text FROM pg_catalog.pg_roles a WHERE a.oid OPERATOR(pg_catalog.=) g::pg_catalog.oid);
    END LOOP;

    r.name := name;
    r.source := source::pg_catalog.text;
    r.location := location;
    r.unit := unit;
    r.levels := levels;
    r.vintage := vintage;
    r.measures := measures;
    r.epsilon := epsilon;
    r.delta := delta;
    r.consistent := consistent;
    r.confidence := confidence;
    r.sdc := sdc;
    r.geometry := geometry;
    r.geojson_simplify := geojson_simplify;
    r.target_schema := target_schema;
    r.grantees := gnames;
    r.published_by := SESSION_USER;
    r.published_at := pg_catalog.now();
    r.computations := 1;

    -- the tables and the record first (a failure here charges nothing), then
    -- the one charged query; any error rolls all of it back
    PERFORM civic._release_create_tables(r);
    FOREACH g IN ARRAY grantees LOOP
        IF NOT pg_catalog.has_schema_privilege(g::pg_catalog.oid, pg_catalog.quote_ident(target_schema), 'USAGE') THEN
            EXECUTE pg_catalog.format('GRANT USAGE ON SCHEMA %I TO %s', target_schema, g);
            IF NOT pg_catalog.has_schema_privilege(g::pg_catalog.oid, pg_catalog.quote_ident(target_schema), 'USAGE') THEN
                RAISE EXCEPTION 'grantee % cannot reach schema %', g, target_schema USING ERRCODE = '42501',
                    HINT = 'Grant USAGE on the schema to the grantee, or publish as the schema''s owner.';
            END IF;
        END IF;
    END LOOP;
    INSERT INTO civic.release SELECT r.*;
    PERFORM civic._release_compute(r);
    RETURN QUERY SELECT pg_catalog.to_regclass(x) FROM pg_catalog.unnest(r.tables) AS x;
END
$fn$;
COMMENT ON FUNCTION civic.publish_release(pg_catalog.text, pg_catalog.regclass, pg_catalog.text, pg_catalog.jsonb,
    pg_catalog.float8, pg_catalog.name, pg_catalog.float8, pg_catalog.text[], pg_catalog.int4, pg_catalog.text,
    pg_catalog.regrole[], pg_catalog.bool, pg_catalog.float8, pg_catalog.jsonb, pg_catalog.text, pg_catalog.float8) IS
    'publish a differentially-private release of a source table: one table <target_schema>.<name>_<level> per level with every area of the vintage, each measure and its error bar, optionally rounded and suppressed counts and the areas'' boundaries; computed once with the caller''s rights and charged once to the session role; returns the tables';

CREATE FUNCTION civic.refresh_release(name pg_catalog.text)
    RETURNS SETOF pg_catalog.regclass
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE
    r civic.release;
    t pg_catalog.text; own pg_catalog.text;
BEGIN
    SELECT x.* INTO r FROM civic.release x WHERE x.name OPERATOR(pg_catalog.=) refresh_release.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'release "%" does not exist', name USING ERRCODE = '42704';
    END IF;
    IF NOT civic._release_owned(r.tables) THEN
        RAISE EXCEPTION 'permission denied to refresh release "%"', name USING ERRCODE = '42501',
            DETAIL = 'Only the owner of a release''s tables refreshes it.';
    END IF;
    -- The owner of the tables can hang triggers, rules, defaults or policies
    -- on them, which run with the rights of whoever writes the rows: a
    -- superuser or a member of the owner refreshing would run the owner's
    -- code with its own rights.  So a refresh runs as the owner itself.
    SELECT c.oid::pg_catalog.regclass::pg_catalog.text, c.relowner::pg_catalog.regrole::pg_catalog.text
      INTO t, own
      FROM pg_catalog.unnest(r.tables) AS u(n)
      JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(u.n)
     WHERE c.relowner OPERATOR(pg_catalog.<>) (SELECT a.oid FROM pg_catalog.pg_roles a WHERE a.rolname OPERATOR(pg_catalog.=) CURRENT_USER)
     LIMIT 1;
    IF t IS NOT NULL THEN
        RAISE EXCEPTION 'release "%" is refreshed by the owner of its tables, %', name, own USING ERRCODE = '42501',
            DETAIL = pg_catalog.format('Table %s belongs to %s, whose triggers and defaults would run with the rights of role %s.', t, own, CURRENT_USER),
            HINT = pg_catalog.format('SET ROLE %s before refreshing, after checking its tables.', own);
    END IF;
    PERFORM FROM civic.release x WHERE x.name OPERATOR(pg_catalog.=) r.name FOR UPDATE;
    FOREACH t IN ARRAY r.tables LOOP
        IF pg_catalog.to_regclass(t) IS NULL THEN
            RAISE EXCEPTION 'table % of release "%" no longer exists', t, name USING ERRCODE = '42P01',
                HINT = 'Drop the release with civic.drop_release() and publish it again.';
        END IF;
        EXECUTE pg_catalog.format('DELETE FROM %s', t);
    END LOOP;
    UPDATE civic.release x SET refreshed_at = pg_catalog.now(),
           computations = x.computations OPERATOR(pg_catalog.+) 1
     WHERE x.name OPERATOR(pg_catalog.=) r.name;
    PERFORM civic._release_compute(r);
    RETURN QUERY SELECT pg_catalog.to_regclass(x) FROM pg_catalog.unnest(r.tables) AS x;
END
$fn$;
COMMENT ON FUNCTION civic.refresh_release(pg_catalog.text) IS
    'recompute a release with fresh noise from its source as it is now, replacing its rows (charged again, once, to the session role); owners of the release tables only';

CREATE FUNCTION civic.drop_release(name pg_catalog.text)
    RETURNS void
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE
    r civic.release;
    t pg_catalog.text;
BEGIN
    SELECT x.* INTO r FROM civic.release x WHERE x.name OPERATOR(pg_catalog.=) drop_release.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'release "%" does not exist', name USING ERRCODE = '42704';
    END IF;
    IF NOT civic._release_owned(r.tables) THEN
        RAISE EXCEPTION 'permission denied to drop release "%"', name USING ERRCODE = '42501',
            DETAIL = 'Only the owner of a release''s tables drops it.';
    END IF;
    PERFORM FROM civic.release x WHERE x.name OPERATOR(pg_catalog.=) r.name FOR UPDATE;
    FOREACH t IN ARRAY r.tables LOOP
        EXECUTE pg_catalog.format('DROP TABLE IF EXISTS %s', t);
    END LOOP;
    DELETE FROM civic.release x WHERE x.name OPERATOR(pg_catalog.=) r.name;
END
$fn$;
COMMENT ON FUNCTION civic.drop_release(pg_catalog.text) IS
    'drop a release: its tables and its record (the privacy ledger keeps its charges); owners of the release tables only';
