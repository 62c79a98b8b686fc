CREATE TYPE "public"."case_cause_kind" AS ENUM('HAZARD_ESCALATION', 'DUTY_MISSED', 'SUPERVISION_FINDING', 'CONCEALMENT', 'MANUAL');--> statement-breakpoint
CREATE TYPE "public"."case_rung" AS ENUM('CIRCULAR', 'SUMMONS', 'REFERRAL', 'DISMISSAL', 'JUDICIAL');--> statement-breakpoint
CREATE TYPE "public"."case_status" AS ENUM('OPEN', 'HELD', 'RESOLVED');--> statement-breakpoint
CREATE TYPE "public"."case_subject_kind" AS ENUM('UNIT', 'ENTERPRISE');--> statement-breakpoint
CREATE TYPE "public"."referral_body" AS ENUM('DISCIPLINE_COMMISSION', 'ORGANIZATION_DEPARTMENT', 'POLICE');--> statement-breakpoint
CREATE TABLE "case_causes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"kind" "case_cause_kind" NOT NULL,
	"ref_id" text NOT NULL,
	"note" text,
	"joined_at" timestamp (3) with time zone NOT NULL,
	"resolved_at" timestamp (3) with time zone,
	CONSTRAINT "case_causes_case_kind_ref_uq" UNIQUE("case_id","kind","ref_id")
);
--> statement-breakpoint
CREATE TABLE "case_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"workflow_id" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"rung" "case_rung" NOT NULL,
	"status" "case_status" NOT NULL,
	"actor" jsonb NOT NULL,
	"data" jsonb NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "case_events_workflow_seq_uq" UNIQUE("workflow_id","seq")
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"subject_kind" "case_subject_kind" NOT NULL,
	"subject_ref" text NOT NULL,
	"subject_name" text,
	"cause_kind" "case_cause_kind" NOT NULL,
	"campaign_id" uuid,
	"rung" "case_rung" NOT NULL,
	"status" "case_status" NOT NULL,
	"exposed" boolean DEFAULT false NOT NULL,
	"overdue" boolean DEFAULT false NOT NULL,
	"review_due_at" timestamp (3) with time zone,
	"held_until" timestamp (3) with time zone,
	"summons_at" timestamp (3) with time zone,
	"referral_to" "referral_body",
	"last_seq" integer DEFAULT 0 NOT NULL,
	"opened_by" jsonb NOT NULL,
	"opened_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL,
	"resolved_at" timestamp (3) with time zone,
	CONSTRAINT "cases_workflow_id_unique" UNIQUE("workflow_id")
);
--> statement-breakpoint
ALTER TABLE "case_causes" ADD CONSTRAINT "case_causes_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_causes_ref_idx" ON "case_causes" USING btree ("kind","ref_id");--> statement-breakpoint
CREATE INDEX "case_events_case_idx" ON "case_events" USING btree ("case_id","seq");--> statement-breakpoint
CREATE INDEX "cases_subject_idx" ON "cases" USING btree ("subject_kind","subject_ref","cause_kind");--> statement-breakpoint
CREATE INDEX "cases_status_idx" ON "cases" USING btree ("status");--> statement-breakpoint
CREATE INDEX "cases_campaign_idx" ON "cases" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "cases_opened_idx" ON "cases" USING btree ("opened_at","id");