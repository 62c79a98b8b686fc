CREATE TABLE "hazard_scope_syncs" (
	"hazard_id" uuid PRIMARY KEY NOT NULL,
	"county_code" text NOT NULL,
	"department_code" text NOT NULL,
	"requested_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "hazard_scope_syncs" ADD CONSTRAINT "hazard_scope_syncs_hazard_id_hazards_id_fk" FOREIGN KEY ("hazard_id") REFERENCES "public"."hazards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "hazard_scope_syncs_requested_idx" ON "hazard_scope_syncs" USING btree ("requested_at");