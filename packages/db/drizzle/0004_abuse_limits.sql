CREATE TABLE `invitation_sends` (
	`organization_id` text NOT NULL,
	`email` text NOT NULL,
	`sent_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `invitation_sends_org_email_idx` ON `invitation_sends` (`organization_id`,`email`,`sent_at`);--> statement-breakpoint
CREATE TABLE `newsletter_topic_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subscription_id` integer NOT NULL,
	`topics` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`subscription_id`) REFERENCES `newsletter_subscriptions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `newsletter_topic_changes_subscription_idx` ON `newsletter_topic_changes` (`subscription_id`);