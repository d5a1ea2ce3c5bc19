PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_comments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`round_id` integer NOT NULL,
	`respondent_key` text,
	`text` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`round_id`) REFERENCES `rounds`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Comments of rounds already closed become anonymous now, as every later close makes them: no respondent
-- key, the close time for both times, and rows in the order of their text, so nothing ties them to an answer or a person.
INSERT INTO `__new_comments`("round_id", "respondent_key", "text", "created_at", "updated_at") SELECT c."round_id", CASE WHEN r."status" = 'closed' THEN NULL ELSE c."respondent_key" END, c."text", CASE WHEN r."status" = 'closed' THEN coalesce(r."closed_at", c."created_at") ELSE c."created_at" END, CASE WHEN r."status" = 'closed' THEN coalesce(r."closed_at", c."updated_at") ELSE c."updated_at" END FROM `comments` c JOIN `rounds` r ON r."id" = c."round_id" ORDER BY c."round_id", c."text";--> statement-breakpoint
DROP TABLE `comments`;--> statement-breakpoint
ALTER TABLE `__new_comments` RENAME TO `comments`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `comments_round_respondent_unique` ON `comments` (`round_id`,`respondent_key`);--> statement-breakpoint
CREATE INDEX `comments_respondent` ON `comments` (`respondent_key`);