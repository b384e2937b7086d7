DROP INDEX "issued_licenses_customer_idx";--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "oidc_issuer" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "oidc_subject" text;--> statement-breakpoint
ALTER TABLE "entitlements" ADD COLUMN "subscription_id" uuid;--> statement-breakpoint
ALTER TABLE "entitlements" ADD COLUMN "revoked_reason" text;--> statement-breakpoint
ALTER TABLE "entitlements" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "issued_licenses" ADD COLUMN "subscription_id" uuid;--> statement-breakpoint
ALTER TABLE "issued_licenses" ADD COLUMN "key_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "issued_licenses" ADD COLUMN "issuer" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "issued_licenses" ADD COLUMN "source_event_id" text;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "detail" text;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "customer_id" uuid;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "stripe_created_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issued_licenses" ADD CONSTRAINT "issued_licenses_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "customers_oidc_identity_idx" ON "customers" USING btree ("oidc_issuer","oidc_subject");--> statement-breakpoint
CREATE UNIQUE INDEX "entitlements_customer_feature_idx" ON "entitlements" USING btree ("customer_id","feature");--> statement-breakpoint
CREATE INDEX "issued_licenses_customer_idx" ON "issued_licenses" USING btree ("customer_id","created_at");