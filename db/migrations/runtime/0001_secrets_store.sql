CREATE TABLE "secret_store" (
	"id" text PRIMARY KEY NOT NULL,
	"key_id" text NOT NULL,
	"kdf" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"rotated_at" timestamp with time zone
);
--> statement-breakpoint
DROP INDEX "secrets_workspace_path_idx";--> statement-breakpoint
ALTER TABLE "secrets" ALTER COLUMN "workspace_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "secrets" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "secrets" ADD COLUMN "updated_by" text;--> statement-breakpoint
ALTER TABLE "secrets" ADD CONSTRAINT "secrets_workspace_path_key" UNIQUE NULLS NOT DISTINCT("workspace_id","path");