DROP INDEX `teams_conversations_personal`;--> statement-breakpoint
CREATE INDEX `teams_conversations_personal` ON `teams_conversations` (`tenant_id`,`user_key`);--> statement-breakpoint
ALTER TABLE `teams_conversations` DROP COLUMN `user_aad_object_id`;