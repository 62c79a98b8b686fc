ALTER TYPE "public"."api_role" ADD VALUE 'reviewer';--> statement-breakpoint
ALTER TYPE "public"."case_cause_kind" ADD VALUE 'GAS_OVER_LIMIT';--> statement-breakpoint
ALTER TYPE "public"."case_cause_kind" ADD VALUE 'ORDER_IGNORED';--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "scope_county" text;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "scope_department" text;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "workflow_input" jsonb;--> statement-breakpoint
CREATE INDEX "cases_scope_county_idx" ON "cases" USING btree ("scope_county");--> statement-breakpoint
CREATE INDEX "cases_scope_department_idx" ON "cases" USING btree ("scope_department");