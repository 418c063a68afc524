-- civic.postcode 0.2.0: the British Overseas Territories' postcodes and
-- truncated inward codes are C changes (src/postcode.c; stored values of
-- 0.1.0 keep their meaning and order); new here: prefixes (^@) and comments.

COMMENT ON TYPE civic.postcode IS 'UK postcode (e.g. SW1A 1AA, GIR 0AA, the British Overseas Territories'' ASCN 1ZZ ...), validated against the Royal Mail grammar and stored in 4 bytes in natural order';
COMMENT ON FUNCTION civic.postcode_area(civic.postcode) IS 'postcode area: the one or two leading letters (SW1A 1AA -> SW); the whole outward code where it has no digit (GIR 0AA -> GIR, ASCN 1ZZ -> ASCN)';

-- @include control/shared/10-postcode-prefix.sql
