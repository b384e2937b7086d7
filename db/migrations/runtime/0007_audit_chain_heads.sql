CREATE TABLE "audit_chain_heads" (
	"chain" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
-- Existing chains start from their last event, or from the last retention checkpoint of a chain
-- whose events were all purged.
INSERT INTO "audit_chain_heads" ("chain", "seq", "prev_hash", "hash")
SELECT DISTINCT ON ("chain") "chain", "seq", "prev_hash", "hash" FROM "audit_events" ORDER BY "chain", "seq" DESC;
--> statement-breakpoint
INSERT INTO "audit_chain_heads" ("chain", "seq", "prev_hash", "hash")
SELECT DISTINCT ON ("chain") "chain", "upto_seq", '', "upto_hash" FROM "audit_checkpoints" ORDER BY "chain", "upto_seq" DESC
ON CONFLICT ("chain") DO NOTHING;
