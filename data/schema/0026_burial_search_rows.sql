-- 0026: the public grave search reads only its key rows (docs/burials.md "Public grave search").
-- Each row of interment_name_keys also carries what the search filters and orders by: the
-- spellings (exact first, forenames), the display names, the burial date, the cemetery, the
-- grave and whether the burial is an infant's. The first step of a search is then one range
-- of the keys' primary key, never the wide interments and grave_spaces rows (polygons); those
-- are read for the page only. Written by geo/store/burial_name_keys from the view below (every
-- path that writes an interment), backfilled here, and kept true by the triggers when a
-- grave, a section or an interment changes.

ALTER TABLE interment_name_keys ADD COLUMN surname_spelling TEXT NOT NULL DEFAULT '';
ALTER TABLE interment_name_keys ADD COLUMN forename_spellings TEXT NOT NULL DEFAULT ' ';
ALTER TABLE interment_name_keys ADD COLUMN forename_keys TEXT NOT NULL DEFAULT ' ';
ALTER TABLE interment_name_keys ADD COLUMN surname TEXT NOT NULL DEFAULT '';
ALTER TABLE interment_name_keys ADD COLUMN forenames TEXT;
ALTER TABLE interment_name_keys ADD COLUMN buried_on TEXT NOT NULL DEFAULT '';
ALTER TABLE interment_name_keys ADD COLUMN cemetery_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE interment_name_keys ADD COLUMN grave_id INTEGER NOT NULL DEFAULT 0;
-- 1 when the search leaves the burial out by the infant policy: stillborn, under one year old,
-- or in a baby grave or section (a grave without a section counts as one, as before 0026).
ALTER TABLE interment_name_keys ADD COLUMN infant INTEGER NOT NULL DEFAULT 1;

CREATE VIEW interment_search_facts AS
SELECT i.id AS interment_id, i.surname, i.forenames, i.buried_on, g.cemetery_id,
       g.id AS grave_id,
       coalesce(NOT (i.stillborn = 0 AND g.grave_type <> 'baby'
                     AND NOT (coalesce(i.age_years, 0) = 0 AND coalesce(i.age_months, 0) < 12
                              AND (i.age_years IS NOT NULL OR i.age_months IS NOT NULL
                                   OR i.age_weeks IS NOT NULL OR i.age_days IS NOT NULL))
                     AND (SELECT s.kind FROM cemetery_sections s WHERE s.id = g.section_id)
                         <> 'baby'), 1) AS infant
FROM interments i JOIN grave_spaces g ON g.id = i.grave_id;

UPDATE interment_name_keys AS k
SET surname_spelling = n.surname_spelling, forename_spellings = n.forename_spellings,
    forename_keys = n.forename_keys, surname = f.surname, forenames = f.forenames,
    buried_on = f.buried_on, cemetery_id = f.cemetery_id, grave_id = f.grave_id,
    infant = f.infant
FROM interment_names n JOIN interment_search_facts f ON f.interment_id = n.interment_id
WHERE n.interment_id = k.interment_id;

CREATE TRIGGER interment_search_facts_grave AFTER UPDATE OF grave_type, section_id, cemetery_id
ON grave_spaces BEGIN
    UPDATE interment_name_keys
    SET cemetery_id = NEW.cemetery_id,
        infant = (SELECT f.infant FROM interment_search_facts f
                  WHERE f.interment_id = interment_name_keys.interment_id)
    WHERE interment_id IN (SELECT i.id FROM interments i WHERE i.grave_id = NEW.id);
END;

CREATE TRIGGER interment_search_facts_section AFTER UPDATE OF kind ON cemetery_sections BEGIN
    UPDATE interment_name_keys
    SET infant = (SELECT f.infant FROM interment_search_facts f
                  WHERE f.interment_id = interment_name_keys.interment_id)
    WHERE interment_id IN (SELECT i.id FROM interments i JOIN grave_spaces g ON g.id = i.grave_id
                           WHERE g.section_id = NEW.id);
END;

CREATE TRIGGER interment_search_facts_interment AFTER UPDATE OF buried_on, grave_id, stillborn,
    age_years, age_months, age_weeks, age_days ON interments BEGIN
    UPDATE interment_name_keys
    SET (buried_on, cemetery_id, grave_id, infant) =
        (SELECT f.buried_on, f.cemetery_id, f.grave_id, f.infant FROM interment_search_facts f
         WHERE f.interment_id = NEW.id)
    WHERE interment_id = NEW.id;
END;
