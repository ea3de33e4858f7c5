ALTER TABLE `deliveries` RENAME COLUMN "ses_message_id" TO "provider_message_id";--> statement-breakpoint
DROP INDEX `deliveries_ses_message_idx`;--> statement-breakpoint
CREATE INDEX `deliveries_provider_message_idx` ON `deliveries` (`provider_message_id`);