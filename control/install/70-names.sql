-- Names: free-text area names matched to civic.boundary (docs/names.md).
-- normalize_name (ICU, src/names.c) gives the key equal spellings share;
-- resolve_area finds the one area of a level whose name has the key of the
-- name given; match_areas ranks candidates for misspelt names.  The SQL
-- bodies are SQL-standard (BEGIN ATOMIC): every name in them is bound here,
-- under this script's locked search_path, never at call time.

CREATE FUNCTION civic.normalize_name(name pg_catalog.text) RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'names_normalize'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.normalize_name(pg_catalog.text) IS
    'matching key of a place name (ICU): NFKD without accents, NFKC case folding, apostrophes dropped, & = and, Saint = St, "London Borough of" and similar affixes removed, punctuation and dashes as single spaces (docs/names.md)';

CREATE FUNCTION civic.name_similarity(a pg_catalog.text, b pg_catalog.text) RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'names_similarity'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION civic.name_similarity(pg_catalog.text, pg_catalog.text) IS
    'similarity of two place names in [0, 1]: 1 when their normalize_name keys are equal, else the greatest of 1 - edit distance / length, the trigram similarity of the keys, and 0.8 when one key is the first words of the other (at most 0.999)';

CREATE FUNCTION civic._resolve_pick(name pg_catalog.text, level pg_catalog.text, vintage pg_catalog.int4,
                                    codes civic.gsscode[], labels pg_catalog.text[])
    RETURNS civic.gsscode
    AS 'MODULE_PATHNAME', 'names_pick'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION civic._resolve_pick(pg_catalog.text, pg_catalog.text, pg_catalog.int4, civic.gsscode[], pg_catalog.text[]) IS
    'helper of civic.resolve_area: NULL for no candidate code, the only one, or error VN001 listing the labels of all';

-- Name lookups use the key through this index.
CREATE INDEX boundary_name_key_idx ON civic.boundary (level, civic.normalize_name(name));

CREATE FUNCTION civic.resolve_area(name pg_catalog.text, level pg_catalog.text DEFAULT 'borough',
                                   vintage pg_catalog.int4 DEFAULT NULL, within civic.gsscode DEFAULT NULL)
    RETURNS civic.gsscode
    LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE
BEGIN ATOMIC
    WITH m AS (
        SELECT b.code,
               b.code::pg_catalog.text OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) b.name
               OPERATOR(pg_catalog.||) COALESCE(
                   ' (' OPERATOR(pg_catalog.||) civic.area_name(b.parent, b.vintage)
                   OPERATOR(pg_catalog.||) ', ' OPERATOR(pg_catalog.||) b.parent::pg_catalog.text
                   OPERATOR(pg_catalog.||) ')', '') AS label
          FROM civic.boundary b
         WHERE b.level OPERATOR(pg_catalog.=) $2
           AND b.vintage OPERATOR(pg_catalog.=) civic.boundary_vintage($2, $3)
           AND civic.normalize_name(b.name) OPERATOR(pg_catalog.=) civic.normalize_name($1)
           AND ($4 IS NULL
                OR b.parent OPERATOR(civic.=) $4
                OR civic.parent_of(b.parent, b.vintage) OPERATOR(civic.=) $4))
    -- evaluated once, so an unknown level or vintage is an error even with no candidates
    SELECT civic._resolve_pick($1, $2, NULLIF(civic.boundary_vintage($2, $3), 0),
                               (SELECT pg_catalog.array_agg(m.code ORDER BY m.code) FROM m),
                               (SELECT pg_catalog.array_agg(m.label ORDER BY m.code) FROM m));
END;
COMMENT ON FUNCTION civic.resolve_area(pg_catalog.text, pg_catalog.text, pg_catalog.int4, civic.gsscode) IS
    'code of the one area of this level and vintage (NULL: newest; a year: the boundaries in force then) whose name has the same normalize_name key, optionally within an enclosing area; NULL if none; error VN001 listing the candidates if several';

CREATE FUNCTION civic.match_areas(name pg_catalog.text, level pg_catalog.text,
                                  vintage pg_catalog.int4 DEFAULT NULL, within civic.gsscode DEFAULT NULL)
    RETURNS TABLE (code civic.gsscode, name pg_catalog.text, score pg_catalog.float8)
    LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE ROWS 10
BEGIN ATOMIC
    SELECT b.code, b.name, s.score
      FROM civic.boundary b,
           LATERAL (SELECT civic.name_similarity($1, b.name) AS score) s
     WHERE civic.boundary_vintage($2, $3) IS NOT NULL   -- errors for an unknown level or vintage
       AND b.level OPERATOR(pg_catalog.=) $2
       AND b.vintage OPERATOR(pg_catalog.=) civic.boundary_vintage($2, $3)
       AND s.score OPERATOR(pg_catalog.>=) 0.5
       AND ($4 IS NULL
            OR b.parent OPERATOR(civic.=) $4
            OR civic.parent_of(b.parent, b.vintage) OPERATOR(civic.=) $4)
     ORDER BY s.score DESC, b.code;
END;
COMMENT ON FUNCTION civic.match_areas(pg_catalog.text, pg_catalog.text, pg_catalog.int4, civic.gsscode) IS
    'areas of this level and vintage (NULL: newest) whose names are similar to the name given (civic.name_similarity >= 0.5), best first: for cleaning misspelt names';
