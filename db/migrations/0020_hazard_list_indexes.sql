DROP INDEX "hazards_enterprise_idx";--> statement-breakpoint
DROP INDEX "hazards_county_idx";--> statement-breakpoint
DROP INDEX "hazards_department_idx";--> statement-breakpoint
DROP INDEX "hazards_state_idx";--> statement-breakpoint
DROP INDEX "hazards_campaign_idx";--> statement-breakpoint
CREATE INDEX "hazards_overdue_idx" ON "hazards" USING btree ("created_at","id") WHERE "hazards"."overdue";--> statement-breakpoint
CREATE INDEX "hazards_major_idx" ON "hazards" USING btree ("created_at","id") WHERE "hazards"."grade" = 'MAJOR';--> statement-breakpoint
CREATE INDEX "hazards_enterprise_idx" ON "hazards" USING btree ("enterprise_id","created_at","id");--> statement-breakpoint
CREATE INDEX "hazards_county_idx" ON "hazards" USING btree ("county_code","created_at","id");--> statement-breakpoint
CREATE INDEX "hazards_department_idx" ON "hazards" USING btree ("department_code","created_at","id");--> statement-breakpoint
CREATE INDEX "hazards_state_idx" ON "hazards" USING btree ("state","created_at","id");--> statement-breakpoint
CREATE INDEX "hazards_campaign_idx" ON "hazards" USING btree ("campaign_id","created_at","id");