CREATE TABLE "extra_inspections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"enterprise_id" uuid NOT NULL,
	"unit_code" text,
	"outcome" text NOT NULL,
	"note" text,
	"hazard_ids" jsonb NOT NULL,
	"drawn" boolean DEFAULT false NOT NULL,
	"request_key" text,
	"actor" jsonb NOT NULL,
	"inspected_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "extra_inspections_request_key_unique" UNIQUE("request_key")
);
--> statement-breakpoint
CREATE INDEX "extra_inspections_campaign_idx" ON "extra_inspections" USING btree ("campaign_id","enterprise_id");