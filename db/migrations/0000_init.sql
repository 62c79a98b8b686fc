CREATE TYPE "public"."hazard_grade" AS ENUM('GENERAL', 'MAJOR');--> statement-breakpoint
CREATE TYPE "public"."hazard_source" AS ENUM('SELF_INSPECTION', 'SPOT_CHECK', 'SUPERVISION', 'REPORT');--> statement-breakpoint
CREATE TYPE "public"."hazard_state" AS ENUM('REGISTERED', 'REPORTED_TO_REGULATOR', 'LISTED_FOR_SUPERVISION', 'RECTIFYING', 'SUBMITTED', 'VERIFIED', 'CLOSED', 'WITHDRAWN');--> statement-breakpoint
CREATE TYPE "public"."notification_status" AS ENUM('PENDING', 'SENT', 'SKIPPED');--> statement-breakpoint
CREATE TYPE "public"."api_role" AS ENUM('admin', 'office', 'department', 'county', 'enterprise');--> statement-breakpoint
CREATE TYPE "public"."unit_kind" AS ENUM('COUNTY', 'DEPARTMENT');--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"role" "api_role" NOT NULL,
	"scope" text,
	"key_hash" text NOT NULL,
	"key_prefix" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp (3) with time zone,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "enterprises" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"credit_code" text NOT NULL,
	"industry" text NOT NULL,
	"county_code" text NOT NULL,
	"department_code" text NOT NULL,
	"supervision_level" text DEFAULT 'COUNTY' NOT NULL,
	"principal_name" text NOT NULL,
	"principal_email" text,
	"principal_phone" text,
	"contacts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"locale" text DEFAULT 'zh-CN' NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "enterprises_credit_code_unique" UNIQUE("credit_code")
);
--> statement-breakpoint
CREATE TABLE "units" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "unit_kind" NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"phone" text,
	"contact_name" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "units_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "accountability_reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"hazard_id" uuid NOT NULL,
	"deadline_version" integer NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'OPEN' NOT NULL,
	"opened_at" timestamp (3) with time zone NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "accountability_reviews_hazard_version_uq" UNIQUE("hazard_id","deadline_version")
);
--> statement-breakpoint
CREATE TABLE "hazard_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"hazard_id" uuid NOT NULL,
	"workflow_id" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"from_state" "hazard_state",
	"to_state" "hazard_state" NOT NULL,
	"actor" jsonb NOT NULL,
	"data" jsonb NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "hazard_events_workflow_seq_uq" UNIQUE("workflow_id","seq")
);
--> statement-breakpoint
CREATE TABLE "hazards" (
	"id" uuid PRIMARY KEY NOT NULL,
	"enterprise_id" uuid NOT NULL,
	"county_code" text NOT NULL,
	"department_code" text NOT NULL,
	"industry" text NOT NULL,
	"grade" "hazard_grade" NOT NULL,
	"source" "hazard_source" NOT NULL,
	"state" "hazard_state" DEFAULT 'REGISTERED' NOT NULL,
	"overdue" boolean DEFAULT false NOT NULL,
	"escalated" boolean DEFAULT false NOT NULL,
	"description" text NOT NULL,
	"location" text NOT NULL,
	"responsible_name" text NOT NULL,
	"responsible_email" text,
	"responsible_phone" text,
	"measures" text NOT NULL,
	"funds_amount" numeric(14, 2) NOT NULL,
	"deadline" timestamp (3) with time zone NOT NULL,
	"deadline_version" integer DEFAULT 1 NOT NULL,
	"interim_controls" text NOT NULL,
	"principal_name" text,
	"principal_email" text,
	"principal_phone" text,
	"time_zone" text NOT NULL,
	"policy" jsonb NOT NULL,
	"pending_extension" jsonb,
	"workflow_id" text NOT NULL,
	"last_seq" integer DEFAULT 0 NOT NULL,
	"reported_by" jsonb NOT NULL,
	"idempotency_scope" text,
	"idempotency_key" text,
	"request_hash" text,
	"workflow_started_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp (3) with time zone,
	CONSTRAINT "hazards_workflow_id_unique" UNIQUE("workflow_id"),
	CONSTRAINT "hazards_idempotency_uq" UNIQUE("idempotency_scope","idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"business_key" text NOT NULL,
	"hazard_id" uuid,
	"kind" text NOT NULL,
	"deadline_version" integer,
	"recipients" jsonb NOT NULL,
	"subject" text NOT NULL,
	"body_text" text NOT NULL,
	"locale" text NOT NULL,
	"message_id" text NOT NULL,
	"status" "notification_status" DEFAULT 'PENDING' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp (3) with time zone,
	CONSTRAINT "notifications_business_key_unique" UNIQUE("business_key")
);
--> statement-breakpoint
ALTER TABLE "accountability_reviews" ADD CONSTRAINT "accountability_reviews_hazard_id_hazards_id_fk" FOREIGN KEY ("hazard_id") REFERENCES "public"."hazards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hazards" ADD CONSTRAINT "hazards_enterprise_id_enterprises_id_fk" FOREIGN KEY ("enterprise_id") REFERENCES "public"."enterprises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "enterprises_county_idx" ON "enterprises" USING btree ("county_code");--> statement-breakpoint
CREATE INDEX "enterprises_department_idx" ON "enterprises" USING btree ("department_code");--> statement-breakpoint
CREATE INDEX "enterprises_created_idx" ON "enterprises" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "hazard_events_hazard_idx" ON "hazard_events" USING btree ("hazard_id","seq");--> statement-breakpoint
CREATE INDEX "hazards_created_idx" ON "hazards" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "hazards_enterprise_idx" ON "hazards" USING btree ("enterprise_id");--> statement-breakpoint
CREATE INDEX "hazards_county_idx" ON "hazards" USING btree ("county_code");--> statement-breakpoint
CREATE INDEX "hazards_department_idx" ON "hazards" USING btree ("department_code");--> statement-breakpoint
CREATE INDEX "hazards_state_idx" ON "hazards" USING btree ("state");--> statement-breakpoint
CREATE INDEX "hazards_unstarted_idx" ON "hazards" USING btree ("created_at") WHERE "hazards"."workflow_started_at" is null;--> statement-breakpoint
CREATE INDEX "notifications_hazard_idx" ON "notifications" USING btree ("hazard_id");--> statement-breakpoint
CREATE INDEX "notifications_created_idx" ON "notifications" USING btree ("created_at","id");