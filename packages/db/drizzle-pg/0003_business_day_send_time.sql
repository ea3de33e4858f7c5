-- Business days (SPEC §3, REMINDER_SKIP_WEEKENDS / REMINDER_HOLIDAYS): the domain's sendDayMs
-- (packages/domain/src/business-days.ts), step for step; a property test keeps them equal.
-- `holidays` holds keys 'YYYY-MM-DD' (every zone) and '<zone> YYYY-MM-DD' (that zone only).
-- A closed send day moves back while it is before expiry (offset_days > 0), forward when on or after
-- it, at most 14 days (the domain's MAX_SHIFT_DAYS); with no open day within reach it does not move.
CREATE FUNCTION tickler_send_day(expires_on date, offset_days integer, tz text, skip_weekends boolean, holidays text[]) RETURNS date
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  own date := expires_on - offset_days;
  step integer := CASE WHEN offset_days > 0 THEN -1 ELSE 1 END;
  candidate date;
  key text;
BEGIN
  IF NOT skip_weekends AND cardinality(holidays) = 0 THEN RETURN own; END IF;
  FOR i IN 0..14 LOOP
    candidate := own + i * step;
    key := to_char(candidate, 'YYYY-MM-DD');
    IF NOT ((skip_weekends AND extract(isodow FROM candidate) >= 6) OR key = ANY(holidays) OR (tz || ' ' || key) = ANY(holidays)) THEN
      RETURN candidate;
    END IF;
  END LOOP;
  RETURN own;
END
$$;--> statement-breakpoint

-- The domain's sendAtMs with a send calendar: 09:00 in `tz` on the business send day.
CREATE FUNCTION tickler_send_at(expires_on date, offset_days integer, tz text, skip_weekends boolean, holidays text[]) RETURNS timestamptz
LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$ SELECT tickler_local_to_instant(tickler_send_day(expires_on, offset_days, tz, skip_weekends, holidays) + time '09:00', tz) $$;
