-- A decision and a passport reference their release together with their workspace, one key into
-- releases (workspace_id, id): the database itself refuses a row that names another workspace's
-- release. It replaces the two single-column keys (one foreign-key check per row instead of two;
-- a workspace's deletion still reaches them through its releases).
ALTER TABLE "releases" ADD CONSTRAINT "releases_workspace_id_id_key" UNIQUE("workspace_id","id");
--> statement-breakpoint
ALTER TABLE "gate_decisions" DROP CONSTRAINT "gate_decisions_workspace_id_workspaces_id_fk";
--> statement-breakpoint
ALTER TABLE "gate_decisions" DROP CONSTRAINT "gate_decisions_release_id_releases_id_fk";
--> statement-breakpoint
ALTER TABLE "passports" DROP CONSTRAINT "passports_workspace_id_workspaces_id_fk";
--> statement-breakpoint
ALTER TABLE "passports" DROP CONSTRAINT "passports_release_id_releases_id_fk";
--> statement-breakpoint
ALTER TABLE "gate_decisions" ADD CONSTRAINT "gate_decisions_release_fk" FOREIGN KEY ("workspace_id","release_id") REFERENCES "public"."releases"("workspace_id","id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "passports" ADD CONSTRAINT "passports_release_fk" FOREIGN KEY ("workspace_id","release_id") REFERENCES "public"."releases"("workspace_id","id") ON DELETE cascade ON UPDATE no action;
