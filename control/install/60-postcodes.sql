-- ---------------------------------------------------------------------------
-- civic.postcode_directory: the London postcode directory shipped with the
-- extension (OS Code-Point Open 2014.3.0, 2018.3.0, 2024.1.0), and the
-- postcode -> location lookups over it (docs/postcode.md).
-- ---------------------------------------------------------------------------

CREATE TABLE civic.postcode_directory (
    release  pg_catalog.int4 NOT NULL CHECK (release OPERATOR(pg_catalog.>) 0),
    postcode civic.postcode NOT NULL,
    location civic.bng NOT NULL,
    quality  pg_catalog.int2,
    borough  civic.gsscode,
    ward     civic.gsscode,
    shipped  pg_catalog.bool NOT NULL DEFAULT false,
    PRIMARY KEY (postcode, release)
);
COMMENT ON TABLE civic.postcode_directory IS
    'postcode locations by directory release; rows with shipped = true are the London postcodes of OS Code-Point Open 2014.3.0, 2018.3.0 and 2024.1.0 (development split), user rows survive pg_dump';
COMMENT ON COLUMN civic.postcode_directory.release IS
    'year of the directory release the row comes from (2014, 2018, 2024 for the shipped rows)';
COMMENT ON COLUMN civic.postcode_directory.postcode IS 'a postcode live in that release';
COMMENT ON COLUMN civic.postcode_directory.location IS
    'the postcode''s grid reference in that release (OS: a delivery address near the centroid of the unit, whole metres)';
COMMENT ON COLUMN civic.postcode_directory.quality IS
    'OS positional quality indicator: 10 = within the building of a matched address, 20..60 = lower quality, 90 = no coordinates';
COMMENT ON COLUMN civic.postcode_directory.borough IS
    'local authority (GSS code) the publisher assigned to the postcode in that release';
COMMENT ON COLUMN civic.postcode_directory.ward IS
    'electoral ward (GSS code) the publisher assigned to the postcode in that release';
COMMENT ON COLUMN civic.postcode_directory.shipped IS
    'true for rows installed by the extension (not dumped by pg_dump, reinstalled by CREATE EXTENSION)';

CREATE INDEX postcode_directory_release_idx ON civic.postcode_directory (release);

-- pg_dump keeps the rows users add; shipped rows come back with the extension.
SELECT pg_catalog.pg_extension_config_dump('civic.postcode_directory', 'WHERE NOT shipped');
-- Open data (OS Code-Point Open): every role may look postcodes up, as it may
-- read the boundaries.
GRANT SELECT ON civic.postcode_directory TO PUBLIC;

-- Load the shipped directory (control/civic_postcodes.csv, installed into the
-- share directory's extension/ folder by make install).
CREATE FUNCTION civic._postcode_share_dir() RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'boundary_share_dir'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic._postcode_share_dir() IS
    'share directory of the server (install-time helper, dropped after use)';

DO $load$
BEGIN
    EXECUTE pg_catalog.format(
        'COPY civic.postcode_directory (release, postcode, location, quality, borough, ward, shipped) FROM %L WITH (FORMAT csv)',
        civic._postcode_share_dir() OPERATOR(pg_catalog.||) '/extension/civic_postcodes.csv');
END
$load$;

DROP FUNCTION civic._postcode_share_dir();
ANALYZE civic.postcode_directory;

-- Cache invalidation: any change to the directory drops the lookup caches.
CREATE FUNCTION civic.postcode_directory_invalidate() RETURNS trigger
    AS 'MODULE_PATHNAME', 'postcode_directory_invalidate'
    LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION civic.postcode_directory_invalidate() IS
    'statement trigger of civic.postcode_directory: invalidates the per-backend postcode lookup caches';

CREATE TRIGGER postcode_directory_invalidate
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON civic.postcode_directory
    FOR EACH STATEMENT EXECUTE FUNCTION civic.postcode_directory_invalidate();
COMMENT ON TRIGGER postcode_directory_invalidate ON civic.postcode_directory IS
    'drops the postcode lookup caches of every session when civic.postcode_directory changes';

-- Lookups (C, per-backend cache: src/postcode_directory.c) -------------------

CREATE FUNCTION civic.postcode_location(p civic.postcode, release pg_catalog.int4 DEFAULT NULL)
    RETURNS civic.bng
    AS 'MODULE_PATHNAME', 'postcode_location'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION civic.postcode_location(civic.postcode, pg_catalog.int4) IS
    'location of the postcode in the newest directory release that lists it (a terminated postcode keeps its last known location); with a release, the newest of the releases up to that year; NULL if none lists it';

CREATE FUNCTION civic.postcode_estimate(p civic.postcode)
    RETURNS civic.bng
    AS 'MODULE_PATHNAME', 'postcode_estimate'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.postcode_estimate(civic.postcode) IS
    'ESTIMATED location of the postcode from the other known postcodes of its sector (never from its own rows): the 8 nearest in unit order vote for a borough, then a ward, and the location of their weighted medoid in both is returned; a sector of one: the district''s postcodes; NULL if the district has no other postcode';

-- ward_of, borough_of and area_of of a postcode: of its postcode_location
-- (SQL-standard bodies: bound when created, and inlined into the query).
CREATE FUNCTION civic.area_of(p civic.postcode, level pg_catalog.text, vintage pg_catalog.int4 DEFAULT NULL)
    RETURNS civic.gsscode
    LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE
    RETURN civic.area_of(civic.postcode_location(p), level, vintage);
COMMENT ON FUNCTION civic.area_of(civic.postcode, pg_catalog.text, pg_catalog.int4) IS
    'code of the area of this level and vintage (NULL: newest) that covers the postcode''s location (postcode_location); NULL for a postcode in no directory release';

CREATE FUNCTION civic.ward_of(p civic.postcode, vintage pg_catalog.int4 DEFAULT NULL)
    RETURNS civic.gsscode
    LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE
    RETURN civic.ward_of(civic.postcode_location(p), vintage);
COMMENT ON FUNCTION civic.ward_of(civic.postcode, pg_catalog.int4) IS
    'code of the ward of this vintage (NULL: newest) that covers the postcode''s location (postcode_location); NULL for a postcode in no directory release';

CREATE FUNCTION civic.borough_of(p civic.postcode, vintage pg_catalog.int4 DEFAULT NULL)
    RETURNS civic.gsscode
    LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE
    RETURN civic.borough_of(civic.postcode_location(p), vintage);
COMMENT ON FUNCTION civic.borough_of(civic.postcode, pg_catalog.int4) IS
    'code of the borough that covers the postcode''s location (postcode_location); NULL for a postcode in no directory release';

-- The directory's postcodes under a prefix (area, outward code or sector).
CREATE FUNCTION civic.postcodes_in(prefix pg_catalog.text)
    RETURNS SETOF civic.postcode
    AS 'MODULE_PATHNAME', 'postcodes_in'
    LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 100;
COMMENT ON FUNCTION civic.postcodes_in(pg_catalog.text) IS
    'postcodes of the directory (any release) in the area, outward code or sector (SW, SW1A, SW1A 1), in postcode order';
