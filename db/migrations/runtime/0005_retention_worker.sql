CREATE TABLE "pending_blob_deletions" (
	"storage_key" text PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text
);
--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "interval_seconds" integer DEFAULT 300 NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "lease_seconds" integer DEFAULT 300 NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "last_result" jsonb;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "last_worker" text;--> statement-breakpoint
ALTER TABLE "passports" ADD COLUMN "legal_hold_reason" text;--> statement-breakpoint
ALTER TABLE "passports" ADD COLUMN "legal_hold_by" text;--> statement-breakpoint
ALTER TABLE "passports" ADD COLUMN "legal_hold_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "retention_policies" ADD COLUMN "last_run_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "retention_policies" ADD COLUMN "last_run_result" jsonb;--> statement-breakpoint
ALTER TABLE "pending_blob_deletions" ADD CONSTRAINT "pending_blob_deletions_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;