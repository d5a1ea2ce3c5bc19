ALTER TABLE "next_steps" ADD COLUMN "owner_name" text;--> statement-breakpoint
CREATE INDEX "next_steps_last_check_in" ON "next_steps" USING btree ("last_check_in_at");