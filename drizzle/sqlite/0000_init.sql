CREATE TABLE `answers` (
	`round_id` integer NOT NULL,
	`respondent_key` text NOT NULL,
	`option_id` text NOT NULL,
	`level` integer,
	`first_answered_at` integer NOT NULL,
	`answered_at` integer NOT NULL,
	`changes` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`round_id`, `respondent_key`),
	FOREIGN KEY (`round_id`) REFERENCES `rounds`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `answers_respondent` ON `answers` (`respondent_key`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor_platform` text NOT NULL,
	`actor_workspace_id` text NOT NULL,
	`actor_user_id` text NOT NULL,
	`action` text NOT NULL,
	`team_name` text,
	`details` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_log_at` ON `audit_log` (`at`);--> statement-breakpoint
CREATE TABLE `comments` (
	`round_id` integer NOT NULL,
	`respondent_key` text NOT NULL,
	`text` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`round_id`, `respondent_key`),
	FOREIGN KEY (`round_id`) REFERENCES `rounds`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `comments_respondent` ON `comments` (`respondent_key`);--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`platform` text NOT NULL,
	`workspace_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`period_key` text NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`resends` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`message_ref` text,
	`last_error` text,
	`team_id` integer,
	`round_id` integer,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`round_id`) REFERENCES `rounds`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "deliveries_status_check" CHECK("deliveries"."status" in ('pending', 'sending', 'sent', 'failed', 'cancelled'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_target_period_kind_unique` ON `deliveries` (`platform`,`workspace_id`,`channel_id`,`period_key`,`kind`);--> statement-breakpoint
CREATE INDEX `deliveries_due` ON `deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `leases` (
	`name` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`acquired_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `roles` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`platform` text NOT NULL,
	`workspace_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`team_id` integer,
	`granted_by` text NOT NULL,
	`granted_at` integer NOT NULL,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "roles_role_check" CHECK("roles"."role" in ('admin', 'pm', 'lead')),
	CONSTRAINT "roles_lead_scope_check" CHECK(("roles"."role" = 'lead') = ("roles"."team_id" is not null))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `roles_org_unique` ON `roles` (`platform`,`workspace_id`,`user_id`,`role`) WHERE team_id is null;--> statement-breakpoint
CREATE UNIQUE INDEX `roles_team_unique` ON `roles` (`platform`,`workspace_id`,`user_id`,`role`,`team_id`) WHERE team_id is not null;--> statement-breakpoint
CREATE TABLE `rounds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` integer NOT NULL,
	`survey_id` text NOT NULL,
	`survey_hash` text NOT NULL,
	`aspect_id` text NOT NULL,
	`question_id` text NOT NULL,
	`question` text NOT NULL,
	`period_key` text NOT NULL,
	`origin` text NOT NULL,
	`status` text NOT NULL,
	`opened_at` integer NOT NULL,
	`closes_at` integer NOT NULL,
	`closed_at` integer,
	`respondents` integer,
	`unknown_count` integer,
	`level_counts` text,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "rounds_status_check" CHECK("rounds"."status" in ('open', 'closed'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rounds_team_period_unique` ON `rounds` (`team_id`,`period_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `rounds_one_open_per_team` ON `rounds` (`team_id`) WHERE status = 'open';--> statement-breakpoint
CREATE INDEX `rounds_due` ON `rounds` (`status`,`closes_at`);--> statement-breakpoint
CREATE INDEX `rounds_team_closed` ON `rounds` (`team_id`,`survey_id`,`closed_at`);--> statement-breakpoint
CREATE TABLE `teams` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`platform` text NOT NULL,
	`workspace_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`survey_id` text NOT NULL,
	`every_weeks` integer NOT NULL,
	`weekday` integer NOT NULL,
	`local_time` text NOT NULL,
	`time_zone` text NOT NULL,
	`round_length_hours` integer NOT NULL,
	`anchor_week` text NOT NULL,
	`paused_until` text,
	`question_strategy` text DEFAULT 'rotation' NOT NULL,
	`is_demo` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	CONSTRAINT "teams_every_weeks_check" CHECK("teams"."every_weeks" in (1, 2)),
	CONSTRAINT "teams_weekday_check" CHECK("teams"."weekday" between 1 and 7)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `teams_name_key_unique` ON `teams` (`name_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `teams_channel_unique` ON `teams` (`platform`,`workspace_id`,`channel_id`);