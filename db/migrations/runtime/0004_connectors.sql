CREATE TABLE "connector_readings" (
	"workspace_id" uuid NOT NULL,
	"connector_id" uuid NOT NULL,
	"target" text NOT NULL,
	"digest" text NOT NULL,
	"reading" jsonb NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "connector_readings_connector_id_target_pk" PRIMARY KEY("connector_id","target")
);
--> statement-breakpoint
ALTER TABLE "connectors" ADD COLUMN "environment_id" uuid;--> statement-breakpoint
ALTER TABLE "connectors" ADD COLUMN "last_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "connectors" ADD COLUMN "consecutive_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "connectors" ADD COLUMN "next_poll_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "connectors" ADD COLUMN "created_by" text;--> statement-breakpoint
ALTER TABLE "connector_readings" ADD CONSTRAINT "connector_readings_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connector_readings" ADD CONSTRAINT "connector_readings_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "connector_readings_workspace_idx" ON "connector_readings" USING btree ("workspace_id");--> statement-breakpoint
ALTER TABLE "connectors" ADD CONSTRAINT "connectors_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "connectors_next_poll_idx" ON "connectors" USING btree ("next_poll_at");