CREATE TABLE `address_locales` (
	`email` text PRIMARY KEY NOT NULL,
	`locale` text NOT NULL,
	`source` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `organizations` ADD `locale` text;