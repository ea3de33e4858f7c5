DROP INDEX "reminder_digests_group_uq";--> statement-breakpoint
ALTER TABLE "reminder_digests" ADD COLUMN "closed_at" timestamp with time zone;--> statement-breakpoint
-- A digest whose email was already claimed for sending is closed: later reminders get a digest of their own.
UPDATE "reminder_digests" SET "closed_at" = "created_at" WHERE EXISTS (SELECT 1 FROM "deliveries" d WHERE d."digest_id" = "reminder_digests"."id" AND d."status" <> 'queued');--> statement-breakpoint
CREATE UNIQUE INDEX "reminder_digests_open_uq" ON "reminder_digests" USING btree ("organization_id","send_at","email") WHERE closed_at IS NULL;
