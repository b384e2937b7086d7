CREATE TABLE "ci_token_uses" (
	"issuer" text NOT NULL,
	"jti" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "ci_token_uses_issuer_jti_pk" PRIMARY KEY("issuer","jti")
);
--> statement-breakpoint
CREATE TABLE "ci_trust_policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"name" text NOT NULL,
	"issuer" text NOT NULL,
	"audience" text NOT NULL,
	"conditions" jsonb NOT NULL,
	"scopes" jsonb NOT NULL,
	"services" jsonb,
	"environments" jsonb,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ci_trust_policies_workspace_name" UNIQUE("workspace_id","name")
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "ci_identity" jsonb;--> statement-breakpoint
ALTER TABLE "ci_trust_policies" ADD CONSTRAINT "ci_trust_policies_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ci_trust_policies" ADD CONSTRAINT "ci_trust_policies_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ci_token_uses_expires_idx" ON "ci_token_uses" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "ci_trust_policies_workspace_idx" ON "ci_trust_policies" USING btree ("workspace_id");