CREATE TABLE `unseen_order_cancels` (
	`order_id` text PRIMARY KEY NOT NULL,
	`cancelled_at` integer NOT NULL
);
