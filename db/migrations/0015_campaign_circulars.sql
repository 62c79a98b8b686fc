CREATE TYPE "public"."circular_status" AS ENUM('DRAFT', 'PUBLISHED');--> statement-breakpoint
CREATE TABLE "campaign_circulars" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"month" text NOT NULL,
	"status" "circular_status" DEFAULT 'DRAFT' NOT NULL,
	"as_of" timestamp (3) with time zone NOT NULL,
	"figures" jsonb NOT NULL,
	"markdown" text NOT NULL,
	"html" text NOT NULL,
	"content_sha256" text NOT NULL,
	"generated_by" jsonb NOT NULL,
	"generated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"published_by" jsonb,
	"published_at" timestamp (3) with time zone,
	CONSTRAINT "campaign_circulars_month_unique" UNIQUE("campaign_id","month")
);
--> statement-breakpoint
-- A published circular is frozen: refuse UPDATE and DELETE of it (a draft may still be replaced).
CREATE OR REPLACE FUNCTION campaign_circulars_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'PUBLISHED' THEN
    RAISE EXCEPTION 'campaign_circulars: a published circular is frozen';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER campaign_circulars_no_change_after_publish BEFORE UPDATE OR DELETE ON "campaign_circulars" FOR EACH ROW EXECUTE FUNCTION campaign_circulars_frozen();
