ALTER TABLE `organizations` ADD `last_event_at` integer;--> statement-breakpoint
CREATE INDEX `inbound_events_email_idx` ON `inbound_events` (`email`);