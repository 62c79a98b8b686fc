CREATE TYPE "public"."deactivation_kind" AS ENUM('CLOSED', 'MERGED', 'OTHER');--> statement-breakpoint
CREATE TABLE "campaign_rosters" (
	"campaign_id" uuid PRIMARY KEY NOT NULL,
	"entries" jsonb NOT NULL,
	"size" integer NOT NULL,
	"frozen_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "enterprises" ADD COLUMN "deactivated_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "enterprises" ADD COLUMN "deactivated_on" date;--> statement-breakpoint
ALTER TABLE "enterprises" ADD COLUMN "deactivation_kind" "deactivation_kind";--> statement-breakpoint
ALTER TABLE "enterprises" ADD COLUMN "deactivation_reason" text;--> statement-breakpoint
ALTER TABLE "enterprises" ADD COLUMN "deactivated_by" jsonb;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "roster_sha256" text;--> statement-breakpoint
ALTER TABLE "campaign_rosters" ADD CONSTRAINT "campaign_rosters_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enterprises" ADD CONSTRAINT "enterprises_deactivation_whole" CHECK (("enterprises"."deactivated_at" is null) = ("enterprises"."deactivated_on" is null) and ("enterprises"."deactivated_at" is null) = ("enterprises"."deactivation_kind" is null) and ("enterprises"."deactivated_at" is null) = ("enterprises"."deactivation_reason" is null));