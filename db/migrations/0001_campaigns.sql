CREATE TABLE "campaign_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"phase" text,
	"actor" jsonb NOT NULL,
	"data" jsonb NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "campaign_events_seq_uq" UNIQUE("campaign_id","seq")
);
--> statement-breakpoint
CREATE TABLE "campaign_participants" (
	"campaign_id" uuid NOT NULL,
	"unit_code" text NOT NULL,
	"kind" "unit_kind" NOT NULL,
	CONSTRAINT "campaign_participants_campaign_id_unit_code_pk" PRIMARY KEY("campaign_id","unit_code")
);
--> statement-breakpoint
CREATE TABLE "campaign_snapshots" (
	"campaign_id" uuid PRIMARY KEY NOT NULL,
	"figures" jsonb NOT NULL,
	"taken_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaign_templates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text NOT NULL,
	"version" integer NOT NULL,
	"body" jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaign_templates_key_version_uq" UNIQUE("key","version")
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"template" jsonb NOT NULL,
	"workflow_id" text NOT NULL,
	"status" text DEFAULT 'LAUNCHED' NOT NULL,
	"current_phases" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"spot_check_seed" text NOT NULL,
	"launched_by" jsonb NOT NULL,
	"idempotency_key" text,
	"request_hash" text,
	"last_seq" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp (3) with time zone,
	CONSTRAINT "campaigns_workflow_id_unique" UNIQUE("workflow_id"),
	CONSTRAINT "campaigns_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "duties" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"obligation_id" text NOT NULL,
	"holder_code" text NOT NULL,
	"duty_key" text NOT NULL,
	"kind" text NOT NULL,
	"label" text NOT NULL,
	"subject_enterprise_id" uuid,
	"opens_at" timestamp (3) with time zone NOT NULL,
	"due_at" timestamp (3) with time zone NOT NULL,
	"state" text DEFAULT 'PENDING' NOT NULL,
	"late" boolean DEFAULT false NOT NULL,
	"missed_at" timestamp (3) with time zone,
	"submitted_at" timestamp (3) with time zone,
	"submitted_by" jsonb,
	"content" jsonb,
	"last_seq" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "duties_obligation_key_uq" UNIQUE("obligation_id","duty_key")
);
--> statement-breakpoint
CREATE TABLE "duty_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"obligation_id" text NOT NULL,
	"seq" integer NOT NULL,
	"duty_key" text NOT NULL,
	"type" text NOT NULL,
	"actor" jsonb NOT NULL,
	"data" jsonb NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "duty_events_seq_uq" UNIQUE("obligation_id","seq")
);
--> statement-breakpoint
CREATE TABLE "self_inspections" (
	"campaign_id" uuid NOT NULL,
	"enterprise_id" uuid NOT NULL,
	"problems_found" integer NOT NULL,
	"note" text,
	"declared_by" jsonb NOT NULL,
	"declared_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "self_inspections_campaign_id_enterprise_id_pk" PRIMARY KEY("campaign_id","enterprise_id")
);
--> statement-breakpoint
CREATE TABLE "spot_check_draws" (
	"campaign_id" uuid PRIMARY KEY NOT NULL,
	"seed" text NOT NULL,
	"rule" jsonb NOT NULL,
	"roster" jsonb NOT NULL,
	"strata" jsonb NOT NULL,
	"drawn_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "supervision_findings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"team" text NOT NULL,
	"target_kind" text NOT NULL,
	"enterprise_id" uuid,
	"unit_code" text,
	"hazard_id" uuid,
	"description" text NOT NULL,
	"actor" jsonb NOT NULL,
	"found_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "hazards" ADD COLUMN "campaign_id" uuid;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "campaign_id" uuid;--> statement-breakpoint
ALTER TABLE "campaign_participants" ADD CONSTRAINT "campaign_participants_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "duties_campaign_idx" ON "duties" USING btree ("campaign_id","kind");--> statement-breakpoint
CREATE INDEX "duties_holder_idx" ON "duties" USING btree ("campaign_id","holder_code");--> statement-breakpoint
CREATE INDEX "duty_events_campaign_idx" ON "duty_events" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "supervision_findings_campaign_idx" ON "supervision_findings" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "hazards_campaign_idx" ON "hazards" USING btree ("campaign_id");--> statement-breakpoint
CREATE INDEX "notifications_campaign_idx" ON "notifications" USING btree ("campaign_id");