-- The rows every gate evaluation writes (its decision, its passport, the audit event) are kept in
-- their own table up to half a page (4080 bytes, two rows to a page): their largest values are
-- compressed there, and moved to the table's TOAST table only when a row is still larger. With
-- PostgreSQL's default (2 KB), a typical decision row of 3-5 KB was compressed and then its input
-- snapshot moved out of line anyway, and likewise a passport's signed text: every evaluation
-- inserted two more rows and two more index entries into TOAST tables, about 2 KB more WAL.
-- Disk use is about the same (measured: content/docs/operations/performance.md). A whole page
-- (8160) would also skip the compression, but then each row fills a page of its own: twice the
-- disk for decisions, three times for passports. Rows already stored are not rewritten.
-- Idempotent, and a no-op once set: ALTER TABLE runs only where the option differs, so a start
-- takes no table lock for it.
DO $$
DECLARE
  name text;
BEGIN
  FOREACH name IN ARRAY ARRAY['gate_decisions', 'passports', 'audit_events'] LOOP
    IF NOT EXISTS (
      SELECT 1 FROM pg_class WHERE oid = to_regclass(name) AND 'toast_tuple_target=4080' = ANY (coalesce(reloptions, '{}'))
    ) THEN
      EXECUTE format('ALTER TABLE %I SET (toast_tuple_target = 4080)', name);
    END IF;
  END LOOP;
END
$$;
