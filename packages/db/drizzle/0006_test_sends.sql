CREATE TABLE `test_sends` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`template` text NOT NULL,
	`locale` text NOT NULL,
	`sample` text NOT NULL,
	`email` text NOT NULL,
	`requested_by` text NOT NULL,
	`status` text NOT NULL,
	`subject` text,
	`provider_message_id` text,
	`error` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer
);
--> statement-breakpoint
CREATE INDEX `test_sends_created_idx` ON `test_sends` (`created_at`);