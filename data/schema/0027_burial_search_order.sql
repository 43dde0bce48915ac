-- 0027: the public grave search stops after its page (docs/burials.md "Public grave search").
-- Its answer is ordered exact spellings first, then by surname, forenames, burial date, id.
-- These two indexes hold a key's rows in that order, with every column the search filters by,
-- so a page is read as index-ordered ranges that stop after `limit` rows: the exact spellings
-- from the first (one range: key, spelling), the rest from the second (one range: key), and
-- the capped `total` counts from either without touching the table. Nothing is sorted.

CREATE INDEX interment_name_keys_exact_order ON interment_name_keys (
    key, surname_spelling, surname, forenames, buried_on, interment_id,
    cemetery_id, infant, forename_spellings, forename_keys);

CREATE INDEX interment_name_keys_order ON interment_name_keys (
    key, surname, forenames, buried_on, interment_id,
    surname_spelling, cemetery_id, infant, forename_spellings, forename_keys);
