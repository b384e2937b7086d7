ALTER TABLE "approvals" ADD CONSTRAINT "approvals_role_check" CHECK ("approvals"."role" in ('admin', 'maintainer', 'developer', 'viewer'));--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_outcome_check" CHECK ("audit_events"."outcome" in ('allow', 'deny'));--> statement-breakpoint
ALTER TABLE "gate_decisions" ADD CONSTRAINT "gate_decisions_decision_check" CHECK ("gate_decisions"."decision" in ('allow', 'warn', 'deny'));--> statement-breakpoint
ALTER TABLE "gate_decisions" ADD CONSTRAINT "gate_decisions_mode_check" CHECK ("gate_decisions"."mode" in ('shadow', 'advisory', 'enforce'));--> statement-breakpoint
ALTER TABLE "gate_decisions" ADD CONSTRAINT "gate_decisions_requested_mode_check" CHECK ("gate_decisions"."requested_mode" in ('shadow', 'advisory', 'enforce'));--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_role_check" CHECK ("invitations"."role" in ('admin', 'maintainer', 'developer', 'viewer'));--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_role_check" CHECK ("memberships"."role" in ('admin', 'maintainer', 'developer', 'viewer'));--> statement-breakpoint
ALTER TABLE "passports" ADD CONSTRAINT "passports_decision_check" CHECK ("passports"."decision" in ('allow', 'warn', 'deny'));--> statement-breakpoint
ALTER TABLE "passports" ADD CONSTRAINT "passports_mode_check" CHECK ("passports"."mode" in ('shadow', 'advisory', 'enforce'));--> statement-breakpoint
ALTER TABLE "policies" ADD CONSTRAINT "policies_mode_check" CHECK ("policies"."mode" in ('shadow', 'advisory', 'enforce'));--> statement-breakpoint
ALTER TABLE "policy_versions" ADD CONSTRAINT "policy_versions_mode_check" CHECK ("policy_versions"."mode" in ('shadow', 'advisory', 'enforce'));