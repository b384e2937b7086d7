-- Evidence identity is the digest of the bytes CI sent (issue 18 point 4): "sha256" now holds it,
-- "stored_sha256" the digest of the stored (sanitized) bytes, equal unless something was redacted.
-- Existing rows: their "sha256" was the stored digest and "received_sha256" the sent one. The same
-- sent bytes sanitized differently by two versions are two rows: only the newest takes the sent
-- digest (one row per identity and kind); the older keeps its stored digest as its name.
ALTER TABLE "evidence" ADD COLUMN "stored_sha256" text;--> statement-breakpoint
UPDATE "evidence" e SET "stored_sha256" = e."sha256", "sha256" = e."received_sha256"
  WHERE NOT EXISTS (SELECT 1 FROM "evidence" o WHERE o."workspace_id" = e."workspace_id" AND o."kind" = e."kind"
    AND o."received_sha256" = e."received_sha256" AND o."id" <> e."id" AND (o."created_at", o."id") > (e."created_at", e."id"));--> statement-breakpoint
UPDATE "evidence" SET "stored_sha256" = "sha256" WHERE "stored_sha256" IS NULL;--> statement-breakpoint
ALTER TABLE "evidence" ALTER COLUMN "stored_sha256" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "evidence" DROP COLUMN "received_sha256";
