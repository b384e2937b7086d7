DROP INDEX "evidence_workspace_sha_idx";--> statement-breakpoint
ALTER TABLE "evidence" ADD COLUMN "received_sha256" text NOT NULL;--> statement-breakpoint
ALTER TABLE "gate_decisions" ADD COLUMN "requested_mode" text NOT NULL;--> statement-breakpoint
ALTER TABLE "gate_decisions" ADD COLUMN "notes" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "policy_versions" ADD COLUMN "name" text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "evidence_workspace_sha_kind_idx" ON "evidence" USING btree ("workspace_id","sha256","kind");--> statement-breakpoint
CREATE INDEX "gate_decisions_workspace_release_idx" ON "gate_decisions" USING btree ("workspace_id","release_id");--> statement-breakpoint
CREATE INDEX "gate_decisions_workspace_passport_idx" ON "gate_decisions" USING btree ("workspace_id","passport_id");--> statement-breakpoint
CREATE UNIQUE INDEX "signing_keys_one_active_idx" ON "signing_keys" USING btree ("workspace_id") WHERE status = 'active';