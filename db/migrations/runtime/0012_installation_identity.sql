CREATE TABLE "installation_identity" (
	"singleton" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"installation_id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "installation_identity_singleton" CHECK ("installation_identity"."singleton")
);
--> statement-breakpoint
-- The identity exists from the first migration on: every runtime has exactly one.
INSERT INTO "installation_identity" ("singleton") VALUES (true) ON CONFLICT DO NOTHING;
