CREATE TYPE "public"."enforcement_status" AS ENUM('NONE', 'SUSPENDED', 'CLOSED');--> statement-breakpoint
CREATE TYPE "public"."inspection_outcome" AS ENUM('PASSED', 'FAILED');--> statement-breakpoint
CREATE TYPE "public"."order_kind" AS ENUM('RECTIFICATION', 'SUSPENSION', 'CLOSURE', 'JOINT_DISCIPLINE');--> statement-breakpoint
CREATE TYPE "public"."order_status" AS ENUM('RECTIFYING', 'COMPLIANCE_REPORTED', 'IGNORED', 'COMPLIED', 'SUSPENDED', 'LIFTED', 'CLOSED', 'RECORDED');--> statement-breakpoint
CREATE TABLE "gas_exceedances" (
	"id" uuid PRIMARY KEY NOT NULL,
	"enterprise_id" uuid NOT NULL,
	"county_code" text NOT NULL,
	"department_code" text NOT NULL,
	"reading" numeric(6, 3) NOT NULL,
	"limit_value" numeric(6, 3) NOT NULL,
	"measured_at" timestamp (3) with time zone NOT NULL,
	"location" text NOT NULL,
	"note" text,
	"case_id" uuid,
	"recorded_by" jsonb NOT NULL,
	"request_hash" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"order_id" uuid NOT NULL,
	"workflow_id" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"from_status" "order_status",
	"to_status" "order_status" NOT NULL,
	"actor" jsonb NOT NULL,
	"data" jsonb NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "order_events_workflow_seq_uq" UNIQUE("workflow_id","seq")
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"kind" "order_kind" NOT NULL,
	"status" "order_status" NOT NULL,
	"enterprise_id" uuid NOT NULL,
	"county_code" text NOT NULL,
	"department_code" text NOT NULL,
	"legal_basis" text NOT NULL,
	"reason" text NOT NULL,
	"hazard_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"case_id" uuid,
	"deadline" timestamp (3) with time zone,
	"policy" jsonb,
	"time_zone" text NOT NULL,
	"conditions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"closed_on" date,
	"double_penalty" jsonb,
	"notified_bodies" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"overdue" boolean DEFAULT false NOT NULL,
	"compliance_reported_at" timestamp (3) with time zone,
	"lift_applied_at" timestamp (3) with time zone,
	"inspection_outcome" "inspection_outcome",
	"ignored_case_id" uuid,
	"last_seq" integer DEFAULT 0 NOT NULL,
	"issued_by" jsonb NOT NULL,
	"workflow_input" jsonb NOT NULL,
	"workflow_started_at" timestamp (3) with time zone,
	"request_hash" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp (3) with time zone,
	CONSTRAINT "orders_workflow_id_unique" UNIQUE("workflow_id")
);
--> statement-breakpoint
ALTER TABLE "enterprises" ADD COLUMN "enforcement_status" "enforcement_status" DEFAULT 'NONE' NOT NULL;--> statement-breakpoint
ALTER TABLE "gas_exceedances" ADD CONSTRAINT "gas_exceedances_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "gas_exceedances_enterprise_idx" ON "gas_exceedances" USING btree ("enterprise_id","created_at");--> statement-breakpoint
CREATE INDEX "gas_exceedances_created_idx" ON "gas_exceedances" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "order_events_order_idx" ON "order_events" USING btree ("order_id","seq");--> statement-breakpoint
CREATE INDEX "orders_created_idx" ON "orders" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "orders_enterprise_idx" ON "orders" USING btree ("enterprise_id","kind","status");--> statement-breakpoint
CREATE INDEX "orders_county_idx" ON "orders" USING btree ("county_code");--> statement-breakpoint
CREATE INDEX "orders_department_idx" ON "orders" USING btree ("department_code");--> statement-breakpoint
CREATE INDEX "orders_status_idx" ON "orders" USING btree ("status");--> statement-breakpoint
CREATE INDEX "orders_unstarted_idx" ON "orders" USING btree ("created_at") WHERE "orders"."workflow_started_at" is null;--> statement-breakpoint
CREATE INDEX "enterprises_enforcement_idx" ON "enterprises" USING btree ("enforcement_status");