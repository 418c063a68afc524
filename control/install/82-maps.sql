-- Maps of areas for BI tools and reports (docs/maps.md): GeoJSON in WGS 84
-- and SVG choropleths.  Every PostGIS call is in a SQL-standard body, bound
-- when this script runs, never looked up through search_path at call time.

CREATE FUNCTION civic._xml_escape(s pg_catalog.text) RETURNS pg_catalog.text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
               pg_catalog.replace(s, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&apos;');
COMMENT ON FUNCTION civic._xml_escape(pg_catalog.text) IS
    'internal: text escaped for XML content and attributes';

CREATE FUNCTION civic.area_geojson(level pg_catalog.text, vintage pg_catalog.int4 DEFAULT NULL,
                                   simplify pg_catalog.float8 DEFAULT 25,
                                   properties pg_catalog.jsonb DEFAULT NULL)
    RETURNS pg_catalog.text
    LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.jsonb_build_object(
               'type', 'FeatureCollection',
               'features', COALESCE(pg_catalog.jsonb_agg(
                   pg_catalog.jsonb_build_object(
                       'type', 'Feature',
                       'id', b.code::pg_catalog.text,
                       'properties',
                           pg_catalog.jsonb_build_object('code', b.code::pg_catalog.text, 'name', b.name,
                                                         'level', b.level, 'vintage', b.vintage)
                           OPERATOR(pg_catalog.||)
                           COALESCE(properties OPERATOR(pg_catalog.->) b.code::pg_catalog.text, '{}'::pg_catalog.jsonb),
                       'geometry',
                           ST_AsGeoJSON(ST_Transform(ST_SimplifyPreserveTopology(b.geom, COALESCE(simplify, 0::pg_catalog.float8)),
                                                     4326), 5)::pg_catalog.jsonb)
                   ORDER BY b.code), '[]'::pg_catalog.jsonb))::pg_catalog.text
      FROM civic.boundary b
     WHERE b.level OPERATOR(pg_catalog.=) area_geojson.level
       AND b.vintage OPERATOR(pg_catalog.=) civic.boundary_vintage(area_geojson.level, area_geojson.vintage);
END;
COMMENT ON FUNCTION civic.area_geojson(pg_catalog.text, pg_catalog.int4, pg_catalog.float8, pg_catalog.jsonb) IS
    'GeoJSON FeatureCollection (WGS 84) of the areas of a level and vintage, simplified to a tolerance in metres, with code, name and the properties given per code';

-- Shapes of a level in SVG user units (metres east, metres south of the top),
-- and the extent they span.
CREATE FUNCTION civic._area_svg_shapes(level pg_catalog.text, vintage pg_catalog.int4,
                                       simplify pg_catalog.float8)
    RETURNS TABLE (code pg_catalog.text, name pg_catalog.text, path pg_catalog.text)
    LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE
BEGIN ATOMIC
    SELECT b.code::pg_catalog.text, b.name,
           ST_AsSVG(ST_SimplifyPreserveTopology(b.geom, simplify), 0, 0)
      FROM civic.boundary b
     WHERE b.level OPERATOR(pg_catalog.=) _area_svg_shapes.level
       AND b.vintage OPERATOR(pg_catalog.=) civic.boundary_vintage(_area_svg_shapes.level, _area_svg_shapes.vintage)
     ORDER BY b.code;
END;
COMMENT ON FUNCTION civic._area_svg_shapes(pg_catalog.text, pg_catalog.int4, pg_catalog.float8) IS
    'internal: SVG path data (EPSG:27700 metres, y flipped) of the areas of a level and vintage';

CREATE FUNCTION civic._area_extent(level pg_catalog.text, vintage pg_catalog.int4)
    RETURNS pg_catalog.float8[]
    LANGUAGE sql STABLE CALLED ON NULL INPUT PARALLEL SAFE
BEGIN ATOMIC
    SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)]
      FROM (SELECT ST_Extent(b.geom) AS e
              FROM civic.boundary b
             WHERE b.level OPERATOR(pg_catalog.=) _area_extent.level
               AND b.vintage OPERATOR(pg_catalog.=) civic.boundary_vintage(_area_extent.level, _area_extent.vintage)) x;
END;
COMMENT ON FUNCTION civic._area_extent(pg_catalog.text, pg_catalog.int4) IS
    'internal: {xmin, ymin, xmax, ymax} in EPSG:27700 of the areas of a level and vintage';

CREATE FUNCTION civic.choropleth_svg(level pg_catalog.text, vintage pg_catalog.int4,
                                     area_values pg_catalog.jsonb,
                                     title pg_catalog.text DEFAULT NULL,
                                     legend_title pg_catalog.text DEFAULT NULL,
                                     classes pg_catalog.int4 DEFAULT 5,
                                     width pg_catalog.int4 DEFAULT 900,
                                     simplify pg_catalog.float8 DEFAULT 10,
                                     attribution pg_catalog.text DEFAULT
                                         'Contains OS data © Crown copyright and database right 2022. Source: Office for National Statistics licensed under the Open Government Licence v.3.0')
    RETURNS pg_catalog.text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    palettes constant text[] := ARRAY[
        '#ffeda0 #feb24c #f03b20',
        '#ffffb2 #fecc5c #fd8d3c #e31a1c',
        '#ffffb2 #fecc5c #fd8d3c #f03b20 #bd0026',
        '#ffffb2 #fed976 #feb24c #fd8d3c #f03b20 #bd0026',
        '#ffffb2 #fed976 #feb24c #fd8d3c #fc4e2a #e31a1c #b10026'];
    colours text[];
    ext float8[];
    margin constant float8 := 20;
    head float8;
    legend_h float8;
    scale float8;
    map_w float8;
    map_h float8;
    height float8;
    breaks float8[];
    nclass int;
    places int := 1;
    minv float8;
    maxv float8;
    svg text[] := '{}';
    r record;
    v jsonb;
    num float8;
    fill text;
    label text;
    k int;
    n_shapes int := 0;
    attr_lines text[];
    line text;
    word text;
    y float8;
BEGIN
    IF level IS NULL OR area_values IS NULL THEN
        RAISE EXCEPTION 'level and area_values must not be null'
              USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF jsonb_typeof(area_values) <> 'object' THEN
        RAISE EXCEPTION 'area_values must be a JSON object of area code to value'
              USING ERRCODE = 'invalid_parameter_value',
                    HINT = 'Build it with jsonb_object_agg(code, value); a JSON null marks a suppressed value.';
    END IF;
    IF classes IS NULL OR classes < 3 OR classes > 7 THEN
        RAISE EXCEPTION 'classes must be between 3 and 7' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF width IS NULL OR width < 200 OR width > 10000 THEN
        RAISE EXCEPTION 'width must be between 200 and 10000 pixels' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF simplify IS NULL OR simplify < 0 OR simplify = 'Infinity' OR simplify = 'NaN' THEN
        RAISE EXCEPTION 'simplify must be a tolerance in metres, 0 or more' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- every value a number or null
    FOR r IN SELECT e.key, e.value FROM jsonb_each(area_values) e
              WHERE jsonb_typeof(e.value) NOT IN ('number', 'null') LOOP
        RAISE EXCEPTION 'value of area % is not a number', r.key
              USING ERRCODE = 'invalid_parameter_value',
                    DETAIL = format('Found %s.', r.value),
                    HINT = 'Give numbers, or JSON null for a suppressed value.';
    END LOOP;

    -- class breaks: quantiles of the values present, each one of the values
    -- (percentile_disc: an interpolated break between two values that
    -- repeat, as releases rounded to 5 give, would bound an empty class).
    -- Tied quantiles are merged, and none is kept at the largest value:
    -- each would make an empty class ("10.0 – 10.0", or above everything),
    -- so every class of the legend holds a value.  The legend then has
    -- fewer classes, coloured with the palette for that many.
    SELECT min((e.value #>> '{}')::float8), max((e.value #>> '{}')::float8) INTO minv, maxv
      FROM jsonb_each(area_values) e WHERE jsonb_typeof(e.value) = 'number';
    SELECT array_agg(DISTINCT q ORDER BY q) INTO breaks
      FROM (SELECT percentile_disc(i::float8 / classes)
                        WITHIN GROUP (ORDER BY (e.value #>> '{}')::float8) AS q
              FROM jsonb_each(area_values) e, generate_series(1, classes - 1) i
             WHERE jsonb_typeof(e.value) = 'number'
             GROUP BY i) b
     WHERE q < maxv;
    nclass := CASE WHEN maxv IS NULL THEN classes ELSE coalesce(cardinality(breaks), 0) + 1 END;
    colours := string_to_array(palettes[greatest(nclass, 3) - 2], ' ');
    IF nclass = 2 THEN
        colours := ARRAY[colours[1], colours[3]];      -- the light and dark of three
    ELSIF nclass = 1 THEN
        colours := ARRAY[colours[2]];
    END IF;
    -- enough decimals (1 to 6) for the breaks to read apart
    WHILE places < 6 AND (SELECT count(DISTINCT round(b::numeric, places)) FROM unnest(breaks) b)
                         < coalesce(cardinality(breaks), 0) LOOP
        places := places + 1;
    END LOOP;
    ext := civic._area_extent(level, civic.boundary_vintage(level, vintage));
    IF ext IS NULL OR ext[1] IS NULL THEN
        RAISE EXCEPTION 'no areas of level "%" are loaded', level USING ERRCODE = 'invalid_parameter_value';
    END IF;
    head := CASE WHEN title IS NULL THEN margin ELSE margin + 34 END;
    map_w := width - 2 * margin - 190;             -- the legend sits on the right
    scale := map_w / (ext[3] - ext[1]);
    map_h := (ext[4] - ext[2]) * scale;
    legend_h := 24 + 22 * (nclass + 2);
    -- the attribution, wrapped at word boundaries to the width (about 5.6
    -- pixels a character at 10 pixels), one line per 13 pixels
    attr_lines := '{}';
    line := '';
    FOREACH word IN ARRAY regexp_split_to_array(btrim(coalesce(attribution, '')), '\s+') LOOP
        IF line <> '' AND length(line) + 1 + length(word) > floor((width - 2 * margin) / 5.6) THEN
            attr_lines := attr_lines || line;
            line := word;
        ELSE
            line := CASE WHEN line = '' THEN word ELSE line || ' ' || word END;
        END IF;
    END LOOP;
    IF line <> '' THEN attr_lines := attr_lines || line; END IF;
    height := head + greatest(map_h, legend_h) + 23 + 13 * greatest(cardinality(attr_lines), 1);

    svg := svg || format('<?xml version="1.0" encoding="UTF-8"?>' || chr(10) ||
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="%s" height="%s" viewBox="0 0 %s %s" font-family="DejaVu Sans, Arial, sans-serif">',
        width, ceil(height), width, ceil(height));
    svg := svg || format('<title>%s</title>', civic._xml_escape(coalesce(title, level || ' map')));
    -- the hatching of suppressed areas, once in screen pixels (legend) and
    -- once in the map's units (metres), so both show 6-pixel stripes
    svg := svg || ('<defs><pattern id="civic-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">'
        || '<rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#636363" stroke-width="2"/></pattern>'
        || format('<pattern id="civic-hatch-map" patternUnits="userSpaceOnUse" width="%1$s" height="%1$s" patternTransform="rotate(45)">', round((6 / scale)::numeric, 3))
        || format('<rect width="%1$s" height="%1$s" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="%1$s" stroke="#636363" stroke-width="%2$s"/></pattern></defs>',
                  round((6 / scale)::numeric, 3), round((2 / scale)::numeric, 3)));
    svg := svg || '<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>'::text;
    IF title IS NOT NULL THEN
        svg := svg || format('<text x="%s" y="%s" font-size="20" font-weight="bold">%s</text>',
                             margin, margin + 18, civic._xml_escape(title));
    END IF;
    svg := svg || format('<g id="areas" transform="translate(%s %s) scale(%s)" stroke="#ffffff" stroke-width="%s" stroke-linejoin="round">',
                         round((margin - ext[1] * scale)::numeric, 3), round((head + ext[4] * scale)::numeric, 3),
                         scale, round((0.6 / scale)::numeric, 3));
    FOR r IN SELECT * FROM civic._area_svg_shapes(level, vintage, simplify) LOOP
        n_shapes := n_shapes + 1;
        v := area_values -> r.code;
        IF v IS NULL THEN
            fill := '#d9d9d9'; label := 'no data';
        ELSIF jsonb_typeof(v) = 'null' THEN
            fill := 'url(#civic-hatch-map)'; label := 'suppressed';
        ELSE
            num := (v #>> '{}')::float8;
            k := 1;
            WHILE k < nclass AND num > breaks[k] LOOP k := k + 1; END LOOP;
            fill := colours[k]; label := v #>> '{}';
        END IF;
        svg := svg || format('<path id="%s" class="area" fill="%s" d="%s"><title>%s (%s): %s</title></path>',
                             civic._xml_escape(r.code), fill, r.path, civic._xml_escape(coalesce(r.name, r.code)),
                             civic._xml_escape(r.code), civic._xml_escape(label));
    END LOOP;
    svg := svg || '</g>'::text;
    IF n_shapes = 0 THEN
        RAISE EXCEPTION 'no areas of level "%" and vintage % are loaded', level, vintage
              USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- legend
    y := head;
    svg := svg || format('<g id="legend" font-size="13"><text x="%s" y="%s" font-weight="bold">%s</text>',
                         width - 190, y + 12, civic._xml_escape(coalesce(legend_title, 'value')));
    FOR k IN 1 .. nclass LOOP
        y := y + 22;
        svg := svg || format('<rect x="%s" y="%s" width="18" height="16" fill="%s" stroke="#969696" stroke-width="0.5"/><text x="%s" y="%s">%s</text>',
            width - 190, y, colours[k], width - 166, y + 13,
            CASE WHEN maxv IS NULL THEN ''
                 WHEN nclass = 1 AND minv = maxv THEN round(maxv::numeric, places)::text
                 WHEN nclass = 1 THEN round(minv::numeric, places) || ' – ' || round(maxv::numeric, places)
                 WHEN k = 1 THEN '≤ ' || round(breaks[1]::numeric, places)
                 WHEN k = nclass THEN '> ' || round(breaks[nclass - 1]::numeric, places)
                 ELSE round(breaks[k - 1]::numeric, places) || ' – ' || round(breaks[k]::numeric, places) END);
    END LOOP;
    y := y + 22;
    svg := svg || format('<rect x="%s" y="%s" width="18" height="16" fill="url(#civic-hatch)" stroke="#969696" stroke-width="0.5"/><text x="%s" y="%s">suppressed</text>',
                         width - 190, y, width - 166, y + 13);
    y := y + 22;
    svg := svg || format('<rect x="%s" y="%s" width="18" height="16" fill="#d9d9d9" stroke="#969696" stroke-width="0.5"/><text x="%s" y="%s">no data</text></g>',
                         width - 190, y, width - 166, y + 13);
    svg := svg || format('<text id="attribution" x="%s" y="%s" font-size="10" fill="#525252">',
                         margin, ceil(height) - 10 - 13 * (greatest(cardinality(attr_lines), 1) - 1));
    FOR k IN 1 .. cardinality(attr_lines) LOOP
        svg := svg || format('<tspan x="%s" dy="%s">%s</tspan>', margin, CASE WHEN k = 1 THEN 0 ELSE 13 END,
                             civic._xml_escape(attr_lines[k]));
    END LOOP;
    svg := svg || '</text>'::text;
    svg := svg || '</svg>'::text;
    RETURN array_to_string(svg, chr(10));
END
$$;
COMMENT ON FUNCTION civic.choropleth_svg(pg_catalog.text, pg_catalog.int4, pg_catalog.jsonb, pg_catalog.text, pg_catalog.text, pg_catalog.int4, pg_catalog.int4, pg_catalog.float8, pg_catalog.text) IS
    'SVG choropleth of values per area code (a JSON object; JSON null = suppressed, hatched) on the polygons of a level and vintage, with quantile classes (tied quantiles merged), legend, title and attribution';
