CREATE TABLE "address_locales" (
	"email" text PRIMARY KEY NOT NULL,
	"locale" text NOT NULL,
	"source" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "locale" text;