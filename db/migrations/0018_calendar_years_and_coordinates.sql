CREATE TABLE "calendar_years" (
	"year" integer PRIMARY KEY NOT NULL,
	"days" jsonb NOT NULL,
	"updated_by" jsonb NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "enterprises" ADD COLUMN "latitude" double precision;--> statement-breakpoint
ALTER TABLE "enterprises" ADD COLUMN "longitude" double precision;--> statement-breakpoint
ALTER TABLE "enterprises" ADD CONSTRAINT "enterprises_coordinates" CHECK (("enterprises"."latitude" is null) = ("enterprises"."longitude" is null) and ("enterprises"."latitude" is null or ("enterprises"."latitude" between -90 and 90 and "enterprises"."longitude" between -180 and 180)));