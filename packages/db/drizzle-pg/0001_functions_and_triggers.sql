-- Keys, addresses, zones and list ids compare byte-wise ("C"), as in SQLite: the same order in both
-- stores (keyset pages, listings), and cheaper comparisons in every index on them.
ALTER TABLE "organizations" ALTER COLUMN "id" TYPE text COLLATE "C", ALTER COLUMN "time_zone" TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "email" TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "memberships" ALTER COLUMN "organization_id" TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "invitations" ALTER COLUMN "organization_id" TYPE text COLLATE "C", ALTER COLUMN "email" TYPE text COLLATE "C", ALTER COLUMN "token_hash" TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "id" TYPE text COLLATE "C", ALTER COLUMN "organization_id" TYPE text COLLATE "C", ALTER COLUMN "time_zone" TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "order_contacts" ALTER COLUMN "order_id" TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "reminders" ALTER COLUMN "order_id" TYPE text COLLATE "C", ALTER COLUMN "kind" TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "broadcasts" ALTER COLUMN "topic" TYPE text COLLATE "C", ALTER COLUMN "template" TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "deliveries" ALTER COLUMN "email" TYPE text COLLATE "C", ALTER COLUMN "list_id" TYPE text COLLATE "C", ALTER COLUMN "order_id" TYPE text COLLATE "C",
  ALTER COLUMN "source_type" TYPE text COLLATE "C", ALTER COLUMN "status" TYPE text COLLATE "C", ALTER COLUMN "reason" TYPE text COLLATE "C",
  ALTER COLUMN "provider_message_id" TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "list_unsubscribes" ALTER COLUMN "email" TYPE text COLLATE "C", ALTER COLUMN "list_id" TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "suppressions" ALTER COLUMN "email" TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "newsletter_subscriptions" ALTER COLUMN "email" TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "newsletter_subscription_topics" ALTER COLUMN "topic" TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "inbound_events" ALTER COLUMN "source" TYPE text COLLATE "C", ALTER COLUMN "event_id" TYPE text COLLATE "C", ALTER COLUMN "status" TYPE text COLLATE "C",
  ALTER COLUMN "order_id" TYPE text COLLATE "C", ALTER COLUMN "email" TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "scheduler_state" ALTER COLUMN "key" TYPE text COLLATE "C";--> statement-breakpoint

-- The UTC offset of zone `tz` at instant `at`.
CREATE FUNCTION tickler_zone_offset(at timestamptz, tz text) RETURNS interval
LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$ SELECT (at AT TIME ZONE tz) - (at AT TIME ZONE 'UTC') $$;--> statement-breakpoint

-- The instant at which the wall clock in `tz` shows `local_time`: the domain's zonedWallTimeToInstant
-- (packages/domain/src/timezone.ts), step for step, since PostgreSQL's own `AT TIME ZONE` differs at
-- the edges (a time in a daylight-saving gap is read in the offset before it, a repeated time as
-- its second occurrence). In a gap: the first instant after it; in an overlap: the first occurrence.
CREATE FUNCTION tickler_local_to_instant(local_time timestamp, tz text) RETURNS timestamptz
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  base timestamptz := local_time AT TIME ZONE 'UTC'; -- the wall time read as if it were UTC
  offset_before interval := tickler_zone_offset(base - interval '24 hours', tz);
  offset_after interval := tickler_zone_offset(base + interval '24 hours', tz);
  early timestamptz := base - greatest(offset_before, offset_after);
  late timestamptz := base - least(offset_before, offset_after);
  low timestamptz;
  high timestamptz;
  mid timestamptz;
BEGIN
  IF offset_before = offset_after AND tickler_zone_offset(early, tz) = offset_before THEN
    RETURN early;
  END IF;
  -- Earliest exact match first: in a fall-back overlap both are exact and the first occurrence wins.
  IF (early AT TIME ZONE tz) = local_time THEN RETURN early; END IF;
  IF (late AT TIME ZONE tz) = local_time THEN RETURN late; END IF;
  -- In a gap: the first whole second whose wall time is at or after local_time.
  low := early;
  high := late;
  WHILE high - low > interval '1 second' LOOP
    mid := to_timestamp(floor((extract(epoch FROM low) + extract(epoch FROM high)) / 2));
    IF (mid AT TIME ZONE tz) >= local_time THEN high := mid; ELSE low := mid; END IF;
  END LOOP;
  RETURN high;
END
$$;--> statement-breakpoint

-- When the reminder `offset_days` before `expires_on` goes out: 09:00 in `tz` on expires_on − offset_days.
-- The domain's sendAtFor (packages/domain/src/reminder-policy.ts); a property test keeps them equal.
CREATE FUNCTION tickler_send_at(expires_on date, offset_days integer, tz text) RETURNS timestamptz
LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$ SELECT tickler_local_to_instant((expires_on - offset_days) + time '09:00', tz) $$;--> statement-breakpoint

-- orders.time_zone is a copy of its organization's, so the scan reads what it needs from one index.
-- Set before every insert and every change of organization_id or time_zone, whichever code writes.
-- FOR SHARE waits for a concurrent change of the organization's zone, whose cascade below would
-- otherwise miss this not-yet-committed order.
CREATE FUNCTION tickler_orders_time_zone() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  NEW.time_zone := coalesce((SELECT time_zone FROM organizations WHERE id = NEW.organization_id FOR SHARE), NEW.time_zone);
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER orders_time_zone BEFORE INSERT OR UPDATE OF organization_id, time_zone ON orders
FOR EACH ROW EXECUTE FUNCTION tickler_orders_time_zone();--> statement-breakpoint

CREATE FUNCTION tickler_organizations_time_zone_to_orders() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  UPDATE orders SET time_zone = NEW.time_zone WHERE organization_id = NEW.id AND time_zone IS DISTINCT FROM NEW.time_zone;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER organizations_time_zone_to_orders AFTER UPDATE OF time_zone ON organizations
FOR EACH ROW WHEN (NEW.time_zone IS DISTINCT FROM OLD.time_zone) EXECUTE FUNCTION tickler_organizations_time_zone_to_orders();
