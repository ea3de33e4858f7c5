DROP INDEX `orders_license_expiry_idx`;--> statement-breakpoint
DROP INDEX `orders_maintenance_expiry_idx`;--> statement-breakpoint
ALTER TABLE `orders` ADD `time_zone` text DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
UPDATE `orders` SET `time_zone` = (SELECT `time_zone` FROM `organizations` WHERE `id` = `orders`.`organization_id`);--> statement-breakpoint
CREATE INDEX `orders_license_due_idx` ON `orders` (`license_expires_on`,`time_zone`,`id`) WHERE status = 'active';--> statement-breakpoint
CREATE INDEX `orders_maintenance_due_idx` ON `orders` (`maintenance_expires_on`,`time_zone`,`id`) WHERE status = 'active';--> statement-breakpoint
-- orders.time_zone is a copy of its organization's: these keep it so, whichever code writes.
CREATE TRIGGER `orders_time_zone_on_insert` AFTER INSERT ON `orders`
WHEN NEW.`time_zone` IS NOT (SELECT `time_zone` FROM `organizations` WHERE `id` = NEW.`organization_id`)
BEGIN
  UPDATE `orders` SET `time_zone` = (SELECT `time_zone` FROM `organizations` WHERE `id` = NEW.`organization_id`) WHERE `rowid` = NEW.`rowid`;
END;--> statement-breakpoint
CREATE TRIGGER `orders_time_zone_on_update` AFTER UPDATE OF `organization_id`, `time_zone` ON `orders`
WHEN NEW.`time_zone` IS NOT (SELECT `time_zone` FROM `organizations` WHERE `id` = NEW.`organization_id`)
BEGIN
  UPDATE `orders` SET `time_zone` = (SELECT `time_zone` FROM `organizations` WHERE `id` = NEW.`organization_id`) WHERE `rowid` = NEW.`rowid`;
END;--> statement-breakpoint
CREATE TRIGGER `organizations_time_zone_to_orders` AFTER UPDATE OF `time_zone` ON `organizations`
WHEN NEW.`time_zone` IS NOT OLD.`time_zone`
BEGIN
  UPDATE `orders` SET `time_zone` = NEW.`time_zone` WHERE `organization_id` = NEW.`id`;
END;
