ALTER TABLE `next_steps` ADD `owner_name` text;--> statement-breakpoint
CREATE INDEX `next_steps_last_check_in` ON `next_steps` (`last_check_in_at`);