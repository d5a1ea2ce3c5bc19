CREATE TABLE `digest_subscriptions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`platform` text NOT NULL,
	`workspace_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`weekday` integer NOT NULL,
	`local_time` text NOT NULL,
	`time_zone` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`next_digest_at` integer NOT NULL,
	CONSTRAINT "digest_subscriptions_weekday_check" CHECK("digest_subscriptions"."weekday" between 1 and 7)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `digest_subscriptions_channel_unique` ON `digest_subscriptions` (`platform`,`workspace_id`,`channel_id`);--> statement-breakpoint
CREATE INDEX `digest_subscriptions_next` ON `digest_subscriptions` (`next_digest_at`);--> statement-breakpoint
ALTER TABLE `teams` ADD `nudge_non_respondents` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `teams` ADD `next_round_check_at` integer;--> statement-breakpoint
CREATE INDEX `teams_next_round_check` ON `teams` (`next_round_check_at`);