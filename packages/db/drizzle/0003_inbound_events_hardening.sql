CREATE TABLE `write_probe` (
	`id` integer PRIMARY KEY NOT NULL,
	`probed_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `inbound_events` ADD `payload_sha256` text;--> statement-breakpoint
ALTER TABLE `inbound_events` ADD `job_key` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `inbound_events` ADD `conflicts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `inbound_events` ADD `last_conflict_at` integer;--> statement-breakpoint
-- Rows recorded before this migration get their random job key too (new rows get one from the repository).
UPDATE `inbound_events` SET `job_key` = lower(hex(randomblob(8))) WHERE `job_key` = '';
