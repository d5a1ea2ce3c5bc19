CREATE TABLE `teams_conversations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` text NOT NULL,
	`conversation_id` text NOT NULL,
	`conversation_type` text NOT NULL,
	`ms_team_id` text,
	`user_aad_object_id` text,
	`service_url` text NOT NULL,
	`reference` text NOT NULL,
	`installed` integer DEFAULT true NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `teams_conversations_unique` ON `teams_conversations` (`tenant_id`,`conversation_id`);--> statement-breakpoint
CREATE INDEX `teams_conversations_personal` ON `teams_conversations` (`tenant_id`,`user_aad_object_id`);--> statement-breakpoint
CREATE INDEX `teams_conversations_team` ON `teams_conversations` (`ms_team_id`);