-- Services and environments managed (issue 20): archive, promotion order, owners, explicit tiers.
-- Existing environments keep their tier (production as it was guessed from the slug) and stay
-- unclassified (tier_set_at null) so the console asks someone to confirm it.
CREATE TABLE "service_owners" (
	"workspace_id" uuid NOT NULL,
	"service_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "service_owners_service_id_user_id_pk" PRIMARY KEY("service_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "tier_set_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "promotion_position" integer;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "services" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "service_owners" ADD CONSTRAINT "service_owners_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_owners" ADD CONSTRAINT "service_owners_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_owners" ADD CONSTRAINT "service_owners_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "service_owners_workspace_idx" ON "service_owners" USING btree ("workspace_id");--> statement-breakpoint
ALTER TABLE "environments" ADD CONSTRAINT "environments_promotion_position_check" CHECK ("environments"."promotion_position" >= 0);