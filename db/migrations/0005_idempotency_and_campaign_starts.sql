CREATE TABLE "idempotency_records" (
	"owner_key_id" text NOT NULL,
	"key" text NOT NULL,
	"target" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" text NOT NULL,
	"response_status" integer,
	"response_body" jsonb,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_records_owner_key_id_key_pk" PRIMARY KEY("owner_key_id","key")
);
--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "workflow_started_at" timestamp (3) with time zone;--> statement-breakpoint
-- Campaigns launched before this column existed were started by their launch request.
UPDATE "campaigns" SET "workflow_started_at" = "created_at";
