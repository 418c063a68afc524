-- civic.postcode and civic.bng 0.2.0: comparison, hashing (and postcode's
-- min/max support) are core's int4/int8 functions, bound as LANGUAGE
-- internal like civic.gsscode's (control/install/10-postcode.sql,
-- 20-bng.sql).  Same results and the same hash values as 0.1.0's C
-- functions, so indexes and hash partitions stay valid; the operators,
-- operator classes and aggregates keep their functions (same OIDs).

CREATE OR REPLACE FUNCTION civic.postcode_eq(civic.postcode, civic.postcode) RETURNS pg_catalog.bool
    AS 'int4eq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.postcode_ne(civic.postcode, civic.postcode) RETURNS pg_catalog.bool
    AS 'int4ne' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.postcode_lt(civic.postcode, civic.postcode) RETURNS pg_catalog.bool
    AS 'int4lt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.postcode_le(civic.postcode, civic.postcode) RETURNS pg_catalog.bool
    AS 'int4le' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.postcode_gt(civic.postcode, civic.postcode) RETURNS pg_catalog.bool
    AS 'int4gt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.postcode_ge(civic.postcode, civic.postcode) RETURNS pg_catalog.bool
    AS 'int4ge' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.postcode_cmp(civic.postcode, civic.postcode) RETURNS pg_catalog.int4
    AS 'btint4cmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.postcode_sortsupport(pg_catalog.internal) RETURNS pg_catalog.void
    AS 'btint4sortsupport' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.postcode_hash(civic.postcode) RETURNS pg_catalog.int4
    AS 'hashint4' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.postcode_hash_extended(civic.postcode, pg_catalog.int8) RETURNS pg_catalog.int8
    AS 'hashint4extended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.postcode_smaller(civic.postcode, civic.postcode) RETURNS civic.postcode
    AS 'int4smaller' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.postcode_larger(civic.postcode, civic.postcode) RETURNS civic.postcode
    AS 'int4larger' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;

CREATE OR REPLACE FUNCTION civic.bng_eq(civic.bng, civic.bng) RETURNS pg_catalog.bool
    AS 'int8eq' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.bng_ne(civic.bng, civic.bng) RETURNS pg_catalog.bool
    AS 'int8ne' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.bng_lt(civic.bng, civic.bng) RETURNS pg_catalog.bool
    AS 'int8lt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.bng_le(civic.bng, civic.bng) RETURNS pg_catalog.bool
    AS 'int8le' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.bng_gt(civic.bng, civic.bng) RETURNS pg_catalog.bool
    AS 'int8gt' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.bng_ge(civic.bng, civic.bng) RETURNS pg_catalog.bool
    AS 'int8ge' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.bng_cmp(civic.bng, civic.bng) RETURNS pg_catalog.int4
    AS 'btint8cmp' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.bng_sortsupport(pg_catalog.internal) RETURNS pg_catalog.void
    AS 'btint8sortsupport' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.bng_hash(civic.bng) RETURNS pg_catalog.int4
    AS 'hashint8' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE FUNCTION civic.bng_hash_extended(civic.bng, pg_catalog.int8) RETURNS pg_catalog.int8
    AS 'hashint8extended' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
