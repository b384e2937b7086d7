-- Every change to an API token, and every change to the workspace a token is checked against, is
-- announced on the rp_api_token_changes channel (payload: the token's hash, or "*" for all), so
-- each server process drops what it cached of it (lib/tokens/lookup-cache.ts) at once, whatever
-- made the change: the console, the API, or an operator revoking a token in psql during an
-- incident. Notifications are sent on commit. Idempotent: applied after every migration run.
CREATE OR REPLACE FUNCTION rp_announce_api_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'ROW' AND TG_TABLE_NAME = 'api_tokens' THEN
    PERFORM pg_notify('rp_api_token_changes', OLD.token_hash);
  ELSE
    PERFORM pg_notify('rp_api_token_changes', '*');
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER api_tokens_announce_change
  AFTER UPDATE OR DELETE ON api_tokens
  FOR EACH ROW EXECUTE FUNCTION rp_announce_api_token_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER api_tokens_announce_truncate
  AFTER TRUNCATE ON api_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION rp_announce_api_token_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER workspaces_announce_token_change
  AFTER UPDATE OR DELETE ON workspaces
  FOR EACH ROW EXECUTE FUNCTION rp_announce_api_token_change();
