-- Every change to the installed license is announced on the rp_license_changes channel, so each
-- server process drops its cached copy (lib/license/status.ts) on commit and the gate applies a
-- new, replaced or removed license at once, whoever made the change. Idempotent: applied after
-- every migration run.
CREATE OR REPLACE FUNCTION rp_announce_license_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('rp_license_changes', '*');
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER installed_licenses_announce_change
  AFTER INSERT OR UPDATE OR DELETE ON installed_licenses
  FOR EACH STATEMENT EXECUTE FUNCTION rp_announce_license_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER installed_licenses_announce_truncate
  AFTER TRUNCATE ON installed_licenses
  FOR EACH STATEMENT EXECUTE FUNCTION rp_announce_license_change();
