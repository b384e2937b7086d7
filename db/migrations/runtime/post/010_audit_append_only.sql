-- The audit log is append-only (DESIGN section 7). UPDATE and TRUNCATE are always refused.
-- DELETE is refused unless the transaction has opted into a retention purge with
--   select set_config('rp.audit_retention_purge', 'on', true);   -- transaction-local
-- which only lib/audit/retention.ts does, after writing a signed checkpoint (audit_checkpoints)
-- that lets the remaining chain still verify. The hash chain detects what this cannot stop
-- (a superuser disabling the trigger). Idempotent: applied after every migration run.
CREATE OR REPLACE FUNCTION rp_audit_events_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('rp.audit_retention_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Audit events are removed only by a retention purge, which writes a signed checkpoint first.';
END
$$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER audit_events_append_only
  BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION rp_audit_events_guard();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION rp_audit_events_guard();
--> statement-breakpoint
-- Checkpoints are the anchors of purged chains: never changed or removed.
CREATE OR REPLACE FUNCTION rp_audit_checkpoints_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_checkpoints is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER audit_checkpoints_append_only
  BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION rp_audit_checkpoints_guard();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER audit_checkpoints_no_truncate
  BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION rp_audit_checkpoints_guard();
