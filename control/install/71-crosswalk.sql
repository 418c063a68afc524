-- Vintages: moving per-area figures between boundary vintages
-- (docs/boundaries.md, "Crosswalks between vintages"), and points back to
-- WGS 84.  Every SQL body is SQL-standard (BEGIN ATOMIC): PostGIS and civic
-- names are bound here, under this script's locked search_path (pg_catalog,
-- PostGIS's schema, pg_temp), never at call time.

-- civic.boundary_vintage now maps a year to the boundaries in force then
-- (src/boundary_index.c); its comment says so.
COMMENT ON FUNCTION civic.boundary_vintage(pg_catalog.text, pg_catalog.int4) IS
    'vintage a lookup of this level uses: NULL = newest loaded; a year = that vintage if loaded, else the newest loaded before it, else 0 (vintage-independent) if loaded, else an error (22023)';

CREATE FUNCTION civic._crosswalk_weight(weight pg_catalog.text) RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'crosswalk_weight_kind'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic._crosswalk_weight(pg_catalog.text) IS
    'helper of civic.crosswalk: the weighting given (''area'' or ''postcodes''), else error 22023';

CREATE FUNCTION civic._restate_check(unknown civic.gsscode[], level pg_catalog.text, vintage pg_catalog.int4)
    RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'crosswalk_check_unknown'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION civic._restate_check(civic.gsscode[], pg_catalog.text, pg_catalog.int4) IS
    'helper of civic.restate: true when no code is unknown, else error 22023 listing the unknown codes';

-- The overlaps of two loaded vintages (exact vintages, already resolved):
-- for each intersecting pair, the intersection's share of the old area's
-- covered part (from_share) and of the new area's covered part (to_share).
-- "Covered part" = the part that the other vintage covers at all, so that
-- differences in how far each vintage reaches into the Thames (GLA wards run
-- to the river's middle, ONS 2022 wards stop at the bank) do not count.
CREATE FUNCTION civic._area_overlaps(level pg_catalog.text, from_vintage pg_catalog.int4, to_vintage pg_catalog.int4)
    RETURNS TABLE (from_code civic.gsscode, to_code civic.gsscode,
                   from_share pg_catalog.float8, to_share pg_catalog.float8)
    LANGUAGE sql STABLE STRICT PARALLEL SAFE ROWS 5000
BEGIN ATOMIC
    SELECT x.fc, x.tc,
           x.a OPERATOR(pg_catalog./) pg_catalog.sum(x.a) OVER (PARTITION BY x.fc),
           x.a OPERATOR(pg_catalog./) pg_catalog.sum(x.a) OVER (PARTITION BY x.tc)
      FROM (SELECT f.code AS fc, t.code AS tc, ST_Area(ST_Intersection(f.geom, t.geom)) AS a
              FROM civic.boundary f
              JOIN civic.boundary t
                ON t.level OPERATOR(pg_catalog.=) $1
               AND t.vintage OPERATOR(pg_catalog.=) $3
               AND ST_Intersects(f.geom, t.geom)
             WHERE f.level OPERATOR(pg_catalog.=) $1
               AND f.vintage OPERATOR(pg_catalog.=) $2) x
     WHERE x.a OPERATOR(pg_catalog.>) 0;
END;
COMMENT ON FUNCTION civic._area_overlaps(pg_catalog.text, pg_catalog.int4, pg_catalog.int4) IS
    'helper of civic.crosswalk and civic.area_changes: intersecting areas of two loaded vintages with the intersection''s share of each side''s covered area (PostGIS)';

-- The overlaps take seconds to compute (PostGIS intersections of detailed
-- polygons), so each pair of vintages is computed once, on first use, into
-- civic.area_overlap_cache (both directions), and read from there after; any
-- change to civic.boundary empties the cache.  Read-only transactions (hot
-- standbys) compute without storing.
CREATE TABLE civic.area_overlap_cache (
    level        pg_catalog.text NOT NULL,
    from_vintage pg_catalog.int4 NOT NULL,
    to_vintage   pg_catalog.int4 NOT NULL,
    from_code    civic.gsscode NOT NULL,
    to_code      civic.gsscode NOT NULL,
    from_share   pg_catalog.float8 NOT NULL,
    to_share     pg_catalog.float8 NOT NULL,
    PRIMARY KEY (level, from_vintage, to_vintage, from_code, to_code)
);
COMMENT ON TABLE civic.area_overlap_cache IS
    'cache of civic._area_overlaps per level and pair of loaded vintages, filled on first use by civic.crosswalk and civic.area_changes, emptied when civic.boundary changes';

CREATE FUNCTION civic._area_overlaps_cached(level pg_catalog.text, from_vintage pg_catalog.int4, to_vintage pg_catalog.int4)
    RETURNS TABLE (from_code civic.gsscode, to_code civic.gsscode,
                   from_share pg_catalog.float8, to_share pg_catalog.float8)
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE ROWS 5000
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $body$
BEGIN
    IF NOT EXISTS (SELECT FROM civic.area_overlap_cache c
                    WHERE c.level OPERATOR(pg_catalog.=) $1
                      AND c.from_vintage OPERATOR(pg_catalog.=) $2
                      AND c.to_vintage OPERATOR(pg_catalog.=) $3) THEN
        IF pg_catalog.current_setting('transaction_read_only') OPERATOR(pg_catalog.=) 'on' THEN
            RETURN QUERY SELECT o.from_code, o.to_code, o.from_share, o.to_share
                           FROM civic._area_overlaps($1, $2, $3) o;
            RETURN;
        END IF;
        -- one session computes a pair at a time; the others then find it cached
        PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('civic.area_overlap_cache'));
        IF NOT EXISTS (SELECT FROM civic.area_overlap_cache c
                        WHERE c.level OPERATOR(pg_catalog.=) $1
                          AND c.from_vintage OPERATOR(pg_catalog.=) $2
                          AND c.to_vintage OPERATOR(pg_catalog.=) $3) THEN
            INSERT INTO civic.area_overlap_cache
                 SELECT $1, $2, $3, o.from_code, o.to_code, o.from_share, o.to_share
                   FROM civic._area_overlaps($1, $2, $3) o
            ON CONFLICT DO NOTHING;
            INSERT INTO civic.area_overlap_cache
                 SELECT c.level, c.to_vintage, c.from_vintage, c.to_code, c.from_code, c.to_share, c.from_share
                   FROM civic.area_overlap_cache c
                  WHERE c.level OPERATOR(pg_catalog.=) $1
                    AND c.from_vintage OPERATOR(pg_catalog.=) $2
                    AND c.to_vintage OPERATOR(pg_catalog.=) $3
            ON CONFLICT DO NOTHING;
        END IF;
    END IF;
    RETURN QUERY SELECT c.from_code, c.to_code, c.from_share, c.to_share
                   FROM civic.area_overlap_cache c
                  WHERE c.level OPERATOR(pg_catalog.=) $1
                    AND c.from_vintage OPERATOR(pg_catalog.=) $2
                    AND c.to_vintage OPERATOR(pg_catalog.=) $3;
END
$body$;
COMMENT ON FUNCTION civic._area_overlaps_cached(pg_catalog.text, pg_catalog.int4, pg_catalog.int4) IS
    'civic._area_overlaps through civic.area_overlap_cache: computed and stored (both directions) on first use; runs as the extension owner to write the cache';

CREATE FUNCTION civic._area_overlap_cache_clear() RETURNS trigger
    LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $body$
BEGIN
    DELETE FROM civic.area_overlap_cache;
    RETURN NULL;
END
$body$;
COMMENT ON FUNCTION civic._area_overlap_cache_clear() IS
    'statement trigger of civic.boundary: empties civic.area_overlap_cache';

CREATE TRIGGER area_overlap_cache_clear
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON civic.boundary
    FOR EACH STATEMENT EXECUTE FUNCTION civic._area_overlap_cache_clear();
COMMENT ON TRIGGER area_overlap_cache_clear ON civic.boundary IS
    'empties the crosswalk cache (civic.area_overlap_cache) when civic.boundary changes';

-- Postcode counts: each postcode of one directory release placed in an area of
-- each vintage.  The release is the one nearest the later vintage (the newer
-- on a tie).
CREATE FUNCTION civic._postcode_overlaps(level pg_catalog.text, from_vintage pg_catalog.int4, to_vintage pg_catalog.int4)
    RETURNS TABLE (from_code civic.gsscode, to_code civic.gsscode, postcodes pg_catalog.int8)
    LANGUAGE sql STABLE STRICT PARALLEL SAFE ROWS 2000
BEGIN ATOMIC
    SELECT civic.area_of(d.location, $1, $2) AS fc, civic.area_of(d.location, $1, $3) AS tc,
           pg_catalog.count(*)
      FROM civic.postcode_directory d
     WHERE d.release OPERATOR(pg_catalog.=)
           (SELECT r.release FROM civic.postcode_directory r
             GROUP BY r.release
             ORDER BY pg_catalog.abs(r.release OPERATOR(pg_catalog.-) pg_catalog.int4larger($2, $3)),
                      r.release DESC
             LIMIT 1)
       AND civic.area_of(d.location, $1, $2) IS NOT NULL
       AND civic.area_of(d.location, $1, $3) IS NOT NULL
     GROUP BY 1, 2;
END;
COMMENT ON FUNCTION civic._postcode_overlaps(pg_catalog.text, pg_catalog.int4, pg_catalog.int4) IS
    'helper of civic.crosswalk: postcodes of civic.postcode_directory (the release nearest the later vintage) counted by their area in each of two loaded vintages';

CREATE FUNCTION civic.crosswalk(from_vintage pg_catalog.int4, to_vintage pg_catalog.int4,
                                level pg_catalog.text DEFAULT 'ward', weight pg_catalog.text DEFAULT 'area')
    RETURNS TABLE (from_code civic.gsscode, to_code civic.gsscode, weight pg_catalog.float8)
    LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE ROWS 2000
BEGIN ATOMIC
    WITH v AS (SELECT civic.boundary_vintage($3, $1) AS fv, civic.boundary_vintage($3, $2) AS tv,
                      civic._crosswalk_weight($4) AS w),
    -- area weights: slivers under 0.1 % of the old area dropped, the rest renormalised
    area AS (SELECT o.from_code, o.to_code, o.from_share
               FROM v, LATERAL civic._area_overlaps_cached($3, v.fv, v.tv) o
              WHERE v.fv OPERATOR(pg_catalog.<>) v.tv
                AND o.from_share OPERATOR(pg_catalog.>=) 0.001),
    pc AS (SELECT p.from_code, p.to_code, p.postcodes::pg_catalog.float8 AS n
             FROM v, LATERAL civic._postcode_overlaps($3, v.fv, v.tv) p
            WHERE v.fv OPERATOR(pg_catalog.<>) v.tv
              AND v.w OPERATOR(pg_catalog.=) 'postcodes')
    SELECT b.code, b.code, 1::pg_catalog.float8
      FROM v JOIN civic.boundary b
        ON b.level OPERATOR(pg_catalog.=) $3 AND b.vintage OPERATOR(pg_catalog.=) v.fv
     WHERE v.fv OPERATOR(pg_catalog.=) v.tv
    UNION ALL
    SELECT a.from_code, a.to_code,
           a.from_share OPERATOR(pg_catalog./) pg_catalog.sum(a.from_share) OVER (PARTITION BY a.from_code)
      FROM v, area a
     WHERE v.w OPERATOR(pg_catalog.=) 'area'
    UNION ALL
    SELECT p.from_code, p.to_code,
           p.n OPERATOR(pg_catalog./) pg_catalog.sum(p.n) OVER (PARTITION BY p.from_code)
      FROM pc p
    UNION ALL
    -- old areas without a postcode of the release: by area
    SELECT a.from_code, a.to_code,
           a.from_share OPERATOR(pg_catalog./) pg_catalog.sum(a.from_share) OVER (PARTITION BY a.from_code)
      FROM v, area a
     WHERE v.w OPERATOR(pg_catalog.=) 'postcodes'
       AND NOT EXISTS (SELECT FROM pc WHERE pc.from_code OPERATOR(civic.=) a.from_code);
END;
COMMENT ON FUNCTION civic.crosswalk(pg_catalog.int4, pg_catalog.int4, pg_catalog.text, pg_catalog.text) IS
    'share of each area of one vintage that lies in each area of another (a year = the boundaries in force then), weighted by intersection area (''area'', slivers under 0.1 % dropped) or by postcode count (''postcodes''); weights per from_code sum to 1; equal vintages give the identity';

CREATE FUNCTION civic.restate(codes civic.gsscode[], vals pg_catalog.float8[],
                              from_vintage pg_catalog.int4, to_vintage pg_catalog.int4,
                              level pg_catalog.text DEFAULT 'ward', weight pg_catalog.text DEFAULT 'area')
    RETURNS TABLE (code civic.gsscode, value pg_catalog.float8)
    LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE ROWS 700
BEGIN ATOMIC
    WITH d AS (SELECT u.c, u.x FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS u(c, x)),
    cw AS (SELECT * FROM civic.crosswalk($3, $4, $5, $6)),
    ok AS (SELECT civic._restate_check(
                      (SELECT pg_catalog.array_agg(d.c ORDER BY d.c) FROM d
                        WHERE d.c IS NULL
                           OR NOT EXISTS (SELECT FROM civic.boundary b
                                           WHERE b.code OPERATOR(civic.=) d.c
                                             AND b.level OPERATOR(pg_catalog.=) $5
                                             AND b.vintage OPERATOR(pg_catalog.=) civic.boundary_vintage($5, $3))),
                      $5, civic.boundary_vintage($5, $3)) AS fine)
    SELECT cw.to_code, pg_catalog.sum(d.x OPERATOR(pg_catalog.*) cw.weight)
      FROM ok, d JOIN cw ON cw.from_code OPERATOR(civic.=) d.c
     WHERE ok.fine
     GROUP BY cw.to_code
     ORDER BY cw.to_code;
END;
COMMENT ON FUNCTION civic.restate(civic.gsscode[], pg_catalog.float8[], pg_catalog.int4, pg_catalog.int4, pg_catalog.text, pg_catalog.text) IS
    'per-area values (codes[i] has vals[i]) of one vintage restated on the areas of another through civic.crosswalk: each value shared out by the crosswalk weights and summed per new area, so totals are kept; NULL values count as 0; a code not of that level and vintage is an error (22023)';

CREATE FUNCTION civic.area_changes(from_vintage pg_catalog.int4, to_vintage pg_catalog.int4,
                                   level pg_catalog.text DEFAULT 'ward')
    RETURNS TABLE (from_code civic.gsscode, from_name pg_catalog.text, change pg_catalog.text,
                   to_codes civic.gsscode[], to_names pg_catalog.text[])
    LANGUAGE sql VOLATILE STRICT PARALLEL UNSAFE ROWS 700
BEGIN ATOMIC
    WITH v AS (SELECT civic.boundary_vintage($3, $1) AS fv, civic.boundary_vintage($3, $2) AS tv),
    o AS (SELECT x.* FROM v, LATERAL civic._area_overlaps_cached($3, v.fv, v.tv) x
           WHERE v.fv OPERATOR(pg_catalog.<>) v.tv
          UNION ALL
          SELECT b.code, b.code, 1, 1 FROM v JOIN civic.boundary b
              ON b.level OPERATOR(pg_catalog.=) $3 AND b.vintage OPERATOR(pg_catalog.=) v.fv
           WHERE v.fv OPERATOR(pg_catalog.=) v.tv),
    -- significant overlaps: at least 5 % of either side
    s AS (SELECT o.*, (o.from_share OPERATOR(pg_catalog.>=) 0.85
                       AND o.to_share OPERATOR(pg_catalog.>=) 0.85) AS same_extent
            FROM o
           WHERE o.from_share OPERATOR(pg_catalog.>=) 0.05 OR o.to_share OPERATOR(pg_catalog.>=) 0.05),
    g AS (SELECT s.from_code,
                 pg_catalog.array_agg(s.to_code ORDER BY s.from_share DESC, s.to_code) AS tcs,
                 pg_catalog.count(*) AS n,
                 pg_catalog.bool_and(s.same_extent) AS same,
                 pg_catalog.bool_and(s.to_share OPERATOR(pg_catalog.>=) 0.85) AS all_within,
                 pg_catalog.max(s.from_share) AS top
            FROM s GROUP BY s.from_code)
    SELECT g.from_code, fb.name,
           CASE WHEN g.n OPERATOR(pg_catalog.=) 1 AND g.same THEN
                    CASE WHEN civic.normalize_name(fb.name) OPERATOR(pg_catalog.<>) civic.normalize_name(tb.name)
                         THEN 'renamed'
                         WHEN g.from_code OPERATOR(civic.<>) g.tcs[1] THEN 'recoded'
                         ELSE 'unchanged' END
                WHEN g.n OPERATOR(pg_catalog.>) 1 AND g.all_within THEN 'split'
                WHEN g.n OPERATOR(pg_catalog.=) 1 AND g.top OPERATOR(pg_catalog.>=) 0.85 THEN 'merged'
                ELSE 'redrawn' END,
           g.tcs,
           (SELECT pg_catalog.array_agg(t.name ORDER BY k.i)
              FROM pg_catalog.unnest(g.tcs) WITH ORDINALITY AS k(c, i)
              JOIN civic.boundary t
                ON t.code OPERATOR(civic.=) k.c AND t.level OPERATOR(pg_catalog.=) $3
               AND t.vintage OPERATOR(pg_catalog.=) v.tv)
      FROM v, g
      JOIN civic.boundary fb
        ON fb.code OPERATOR(civic.=) g.from_code
      JOIN civic.boundary tb
        ON tb.code OPERATOR(civic.=) g.tcs[1]
     WHERE fb.level OPERATOR(pg_catalog.=) $3 AND fb.vintage OPERATOR(pg_catalog.=) v.fv
       AND tb.level OPERATOR(pg_catalog.=) $3 AND tb.vintage OPERATOR(pg_catalog.=) v.tv
     ORDER BY g.from_code;
END;
COMMENT ON FUNCTION civic.area_changes(pg_catalog.int4, pg_catalog.int4, pg_catalog.text) IS
    'how each area of one vintage became the areas of another: unchanged, renamed, recoded (same extent, new code), split, merged or redrawn, with the new areas it overlaps by at least 5 % (largest share first); thresholds in docs/boundaries.md';

-- Back to WGS 84 ---------------------------------------------------------------

DO $lonlat$
DECLARE
    -- PostGIS's ST_Transform(geometry, integer), bound as a regprocedure constant
    g CONSTANT pg_catalog.text := (SELECT n.nspname
                                     FROM pg_catalog.pg_extension e
                                     JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
                                    WHERE e.extname OPERATOR(pg_catalog.=) 'postgis');
BEGIN
    EXECUTE pg_catalog.format($sql$
CREATE FUNCTION civic.bng_to_lonlat(p civic.bng, OUT lon pg_catalog.float8, OUT lat pg_catalog.float8)
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT %1$I.st_x(g), %1$I.st_y(g)
      FROM (SELECT civic.bng_transform(civic.bng_to_geometry($1), %2$L::pg_catalog.regprocedure, 4326) AS g) s;
END;
$sql$, g, pg_catalog.format('%I.st_transform(%I.geometry, pg_catalog.int4)', g, g));
END
$lonlat$;
COMMENT ON FUNCTION civic.bng_to_lonlat(civic.bng) IS
    'WGS 84 longitude and latitude (EPSG:4326) of a bng point, transformed by PostGIS ST_Transform; the inverse of civic.bng_from_lonlat';
