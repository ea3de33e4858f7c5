CREATE TABLE `reminder_digests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`organization_id` text NOT NULL,
	`send_at` integer NOT NULL,
	`email` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reminder_digests_group_uq` ON `reminder_digests` (`organization_id`,`send_at`,`email`);--> statement-breakpoint
ALTER TABLE `deliveries` ADD `digest_id` integer;--> statement-breakpoint
CREATE INDEX `deliveries_digest_idx` ON `deliveries` (`digest_id`);
