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
