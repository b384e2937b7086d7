CREATE TABLE "deployments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"environment_id" uuid NOT NULL,
	"source" text NOT NULL,
	"source_kind" text NOT NULL,
	"location" text NOT NULL,
	"workload" text DEFAULT '' NOT NULL,
	"image" text NOT NULL,
	"repository" text NOT NULL,
	"digest" text,
	"service" text,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"gone_at" timestamp with time zone,
	"drift_notified_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deployments_source_kind_check" CHECK ("deployments"."source_kind" in ('report', 'kubernetes', 'argocd')),
	CONSTRAINT "deployments_digest_check" CHECK ("deployments"."digest" is null or "deployments"."digest" ~ '^sha256:[0-9a-f]{64}$')
);
--> statement-breakpoint
ALTER TABLE "notification_deliveries" DROP CONSTRAINT "notification_deliveries_event_check";--> statement-breakpoint
ALTER TABLE "notification_endpoints" DROP CONSTRAINT "notification_endpoints_events_check";--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "deployments_running_idx" ON "deployments" USING btree ("workspace_id","environment_id","source_kind","source","location","workload","image") WHERE "deployments"."gone_at" is null;--> statement-breakpoint
CREATE INDEX "deployments_workspace_env_seen_idx" ON "deployments" USING btree ("workspace_id","environment_id","first_seen_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "deployments_workspace_env_digest_idx" ON "deployments" USING btree ("workspace_id","environment_id","digest");--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_event_check" CHECK ("notification_deliveries"."event" in ('release.blocked', 'approval.requested', 'approval.approved', 'approval.rejected', 'drift.detected', 'ping'));--> statement-breakpoint
ALTER TABLE "notification_endpoints" ADD CONSTRAINT "notification_endpoints_events_check" CHECK ("notification_endpoints"."events" <@ array['release.blocked', 'approval.requested', 'approval.approved', 'approval.rejected', 'drift.detected']::text[]);