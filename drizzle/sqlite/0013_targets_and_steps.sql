CREATE TABLE `next_steps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`team_id` integer NOT NULL,
	`survey_id` text NOT NULL,
	`aspect_id` text NOT NULL,
	`suggestion_id` text,
	`text` text NOT NULL,
	`owner_platform` text,
	`owner_workspace_id` text,
	`owner_user_id` text,
	`owner_status` text,
	`status` text NOT NULL,
	`adopted_at` integer NOT NULL,
	`due_at` integer NOT NULL,
	`closed_at` integer,
	`last_check_in_at` integer,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "next_steps_status_check" CHECK("next_steps"."status" in ('open', 'done', 'dropped')),
	CONSTRAINT "next_steps_owner_status_check" CHECK("next_steps"."owner_status" is null or "next_steps"."owner_status" in ('asked', 'accepted', 'declined')),
	CONSTRAINT "next_steps_owner_check" CHECK(("next_steps"."owner_platform" is null) = ("next_steps"."owner_workspace_id" is null) and ("next_steps"."owner_workspace_id" is null) = ("next_steps"."owner_user_id" is null))
);
--> statement-breakpoint
CREATE INDEX `next_steps_team_status` ON `next_steps` (`team_id`,`status`);--> statement-breakpoint
CREATE INDEX `next_steps_due` ON `next_steps` (`status`,`due_at`);--> statement-breakpoint
CREATE TABLE `targets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`survey_id` text NOT NULL,
	`aspect_id` text NOT NULL,
	`team_id` integer,
	`level` integer NOT NULL,
	`reason` text,
	`set_at` integer NOT NULL,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "targets_level_check" CHECK("targets"."level" >= 1)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `targets_org_unique` ON `targets` (`survey_id`,`aspect_id`) WHERE team_id is null;--> statement-breakpoint
CREATE UNIQUE INDEX `targets_team_unique` ON `targets` (`survey_id`,`aspect_id`,`team_id`) WHERE team_id is not null;