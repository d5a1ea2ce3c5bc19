PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_deliveries` (
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
	CONSTRAINT "deliveries_status_check" CHECK("__new_deliveries"."status" in ('pending', 'claimed', 'sending', 'sent', 'failed', 'cancelled'))
);
--> statement-breakpoint
INSERT INTO `__new_deliveries`("id", "kind", "platform", "workspace_id", "channel_id", "period_key", "payload", "status", "attempts", "resends", "next_attempt_at", "message_ref", "last_error", "team_id", "round_id", "created_at", "sent_at") SELECT "id", "kind", "platform", "workspace_id", "channel_id", "period_key", "payload", "status", "attempts", "resends", "next_attempt_at", "message_ref", "last_error", "team_id", "round_id", "created_at", "sent_at" FROM `deliveries`;--> statement-breakpoint
DROP TABLE `deliveries`;--> statement-breakpoint
ALTER TABLE `__new_deliveries` RENAME TO `deliveries`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_target_period_kind_unique` ON `deliveries` (`platform`,`workspace_id`,`channel_id`,`period_key`,`kind`);--> statement-breakpoint
CREATE INDEX `deliveries_due` ON `deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `deliveries_round_kind` ON `deliveries` (`round_id`,`kind`);