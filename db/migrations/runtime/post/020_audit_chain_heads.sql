-- A chain's head (audit_chain_heads) only ever moves one step forward, linking to the hash it
-- held: an append (lib/audit/log.ts) is the only change it admits. Resetting or removing a head
-- would let the next append fork the chain, so both are refused here, and `rp audit verify`
-- reports a head that the chain's last event does not match. Idempotent: applied after every
-- migration run.
CREATE OR REPLACE FUNCTION rp_audit_chain_heads_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.chain = OLD.chain AND NEW.seq = OLD.seq + 1 AND NEW.prev_hash = OLD.hash THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_chain_heads only moves forward: this % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER audit_chain_heads_forward_only
  BEFORE UPDATE OR DELETE ON audit_chain_heads
  FOR EACH ROW EXECUTE FUNCTION rp_audit_chain_heads_guard();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER audit_chain_heads_no_truncate
  BEFORE TRUNCATE ON audit_chain_heads
  FOR EACH STATEMENT EXECUTE FUNCTION rp_audit_chain_heads_guard();
