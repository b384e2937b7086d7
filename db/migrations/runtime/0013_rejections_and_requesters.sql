-- Rejections of a release (with their required note), and who first asked the gate for a release
-- when a person did (null for CI): additive, nothing existing changes.
CREATE TABLE "rejections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"release_id" uuid NOT NULL,
	"passport_id" text,
	"rejecter_id" uuid NOT NULL,
	"role" text NOT NULL,
	"note" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rejections_role_check" CHECK ("rejections"."role" in ('admin', 'maintainer', 'developer', 'viewer')),
	CONSTRAINT "rejections_note_check" CHECK (char_length(btrim("rejections"."note")) > 0)
);
--> statement-breakpoint
ALTER TABLE "releases" ADD COLUMN "requested_by" uuid;--> statement-breakpoint
ALTER TABLE "rejections" ADD CONSTRAINT "rejections_rejecter_id_users_id_fk" FOREIGN KEY ("rejecter_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rejections" ADD CONSTRAINT "rejections_release_fk" FOREIGN KEY ("workspace_id","release_id") REFERENCES "public"."releases"("workspace_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "rejections_release_rejecter_idx" ON "rejections" USING btree ("workspace_id","release_id","rejecter_id");--> statement-breakpoint
ALTER TABLE "releases" ADD CONSTRAINT "releases_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;