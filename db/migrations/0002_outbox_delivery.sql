ALTER TYPE "public"."notification_status" ADD VALUE 'PARTIALLY_SENT' BEFORE 'SKIPPED';--> statement-breakpoint
ALTER TYPE "public"."notification_status" ADD VALUE 'FAILED' BEFORE 'SKIPPED';--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "delivered_to" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "failed_recipients" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "notifications_status_idx" ON "notifications" USING btree ("status");