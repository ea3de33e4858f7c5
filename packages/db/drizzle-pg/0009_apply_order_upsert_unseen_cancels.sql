-- tickler_apply_order_upsert (0007) again, now respecting orders cancelled before they were seen
-- (table unseen_order_cancels, 0008): an upsert of such an order returns 'slow-path' before writing
-- anything, where it is ignored when no newer than the cancel, else applied and the cancel forgotten.
-- A new order takes the advisory lock that a cancel of an unknown order takes (after the order row,
-- as on the slow path); a cancel committed since the function's first check raises
-- serialization_failure, so the statement rolls back whole and the event is judged on the slow path.
CREATE OR REPLACE FUNCTION tickler_apply_order_upsert(
  p_order_id text, p_organization_id text, p_organization_name text, p_time_zone text, p_locale text, p_product text,
  p_at timestamptz, p_license_expires_on date, p_maintenance_expires_on date, p_purchaser_email text, p_purchaser_name text,
  p_inbound_event_id bigint, p_marked_at timestamptz, p_planned_kinds text[])
RETURNS TABLE (
  outcome text, stored_event_at timestamptz, changed_kinds text[], cancelled_reminder_ids bigint[], inbound_marked boolean,
  id text, organization_id text, product text, license_expires_on date, maintenance_expires_on date, status text,
  time_zone text, organization_name text, organization_locale text)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
  v_organization record;
  v_created boolean := false;
  v_stored record;
  v_known boolean;
  v_purchaser bigint;
  v_changed text[] := '{}';
  v_cancelled bigint[] := '{}';
  v_marked boolean := false;
BEGIN
  outcome := 'slow-path';
  -- An order cancelled before it was seen: judged (and, if newer, created) on the slow path.
  IF EXISTS (SELECT FROM unseen_order_cancels c WHERE c.order_id = p_order_id) THEN RETURN NEXT; RETURN; END IF;
  SELECT g.name, g.time_zone, g.locale INTO v_organization FROM organizations g WHERE g.id = p_organization_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    INSERT INTO organizations (id, name, time_zone, locale) VALUES (p_organization_id, p_organization_name, p_time_zone, p_locale)
      ON CONFLICT (id) DO NOTHING;
    -- Created by a concurrent event meanwhile, perhaps otherwise: judged on the slow path.
    IF NOT FOUND THEN RETURN NEXT; RETURN; END IF;
    v_created := true;
  ELSIF (v_organization.name, v_organization.time_zone, v_organization.locale) IS DISTINCT FROM (p_organization_name, p_time_zone, p_locale) THEN
    RETURN NEXT;
    RETURN;
  END IF;

  SELECT o.organization_id, o.license_expires_on, o.maintenance_expires_on, o.status, o.last_event_at INTO v_stored
    FROM orders o WHERE o.id = p_order_id FOR NO KEY UPDATE;
  v_known := FOUND;
  IF v_known AND v_created THEN -- a known order moves to the new organization: the slow path's business
    RAISE EXCEPTION 'order % is known under another organization', p_order_id USING ERRCODE = 'serialization_failure';
  END IF;
  IF v_known AND v_stored.last_event_at IS NOT NULL AND p_at < v_stored.last_event_at THEN
    outcome := 'ignored';
    stored_event_at := v_stored.last_event_at;
    RETURN NEXT;
    RETURN;
  END IF;
  IF v_known AND (v_stored.organization_id <> p_organization_id OR v_stored.status <> 'active') THEN
    RETURN NEXT;
    RETURN;
  END IF;

  IF NOT v_known THEN
    -- The lock a cancel of an unknown order takes too: a cancel committed since the check above is seen here.
    PERFORM pg_advisory_xact_lock(hashtextextended('tickler.order:' || p_order_id, 0));
    IF EXISTS (SELECT FROM unseen_order_cancels c WHERE c.order_id = p_order_id) THEN
      RAISE EXCEPTION 'order % was cancelled concurrently before it was seen', p_order_id USING ERRCODE = 'serialization_failure';
    END IF;
  END IF;

  INSERT INTO users (email, name) VALUES (p_purchaser_email, p_purchaser_name)
    ON CONFLICT (email) DO UPDATE SET name = coalesce(users.name, excluded.name) RETURNING users.id INTO v_purchaser;

  IF v_known THEN
    -- An active order of this organization: its new dates and product; the old cycles' queued reminders cancelled.
    IF v_stored.license_expires_on IS DISTINCT FROM p_license_expires_on THEN v_changed := v_changed || 'license'::text; END IF;
    IF v_stored.maintenance_expires_on IS DISTINCT FROM p_maintenance_expires_on THEN v_changed := v_changed || 'maintenance'::text; END IF;
    UPDATE orders o SET license_expires_on = p_license_expires_on, maintenance_expires_on = p_maintenance_expires_on,
      product = p_product, last_event_at = p_at, updated_at = p_at WHERE o.id = p_order_id;
    IF cardinality(v_changed) > 0 THEN
      WITH cancelled AS (
        UPDATE reminders r SET status = 'cancelled', reason = 'expiry-changed', updated_at = p_at
        WHERE r.order_id = p_order_id AND r.status = 'queued' AND r.kind = ANY(v_changed)
          AND r.expires_on IS DISTINCT FROM (CASE r.kind WHEN 'license' THEN p_license_expires_on ELSE p_maintenance_expires_on END)
        RETURNING r.id)
      SELECT coalesce(array_agg(cancelled.id ORDER BY cancelled.id), '{}') INTO v_cancelled FROM cancelled;
    END IF;
  ELSE
    -- A new order; the purchaser becomes owner of a just-created organization, and the order's first
    -- contact when an active member of its organization (SPEC §2.2).
    IF v_created THEN
      INSERT INTO memberships (organization_id, user_id, status, role, activated_at) VALUES (p_organization_id, v_purchaser, 'active', 'owner', p_at)
        ON CONFLICT (organization_id, user_id) DO NOTHING;
    END IF;
    INSERT INTO orders (id, organization_id, product, license_expires_on, maintenance_expires_on, status, last_event_at, updated_at)
      VALUES (p_order_id, p_organization_id, p_product, p_license_expires_on, p_maintenance_expires_on, 'active', p_at, p_at)
      ON CONFLICT (id) DO NOTHING;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'order % was created concurrently', p_order_id USING ERRCODE = 'serialization_failure';
    END IF;
    INSERT INTO order_contacts (order_id, user_id) SELECT p_order_id, v_purchaser
      WHERE EXISTS (SELECT FROM memberships m WHERE m.organization_id = p_organization_id AND m.user_id = v_purchaser AND m.status = 'active')
      ON CONFLICT DO NOTHING;
    IF p_license_expires_on IS NOT NULL THEN v_changed := v_changed || 'license'::text; END IF;
    IF p_maintenance_expires_on IS NOT NULL THEN v_changed := v_changed || 'maintenance'::text; END IF;
  END IF;

  IF p_inbound_event_id IS NOT NULL AND cardinality(v_cancelled) = 0 AND NOT (v_changed && p_planned_kinds) THEN
    UPDATE inbound_events e SET status = 'applied', reason = NULL, applied_at = p_marked_at WHERE e.id = p_inbound_event_id;
    v_marked := true;
  END IF;

  RETURN QUERY SELECT 'applied', NULL::timestamptz, v_changed, v_cancelled, v_marked,
    o.id, o.organization_id, o.product, o.license_expires_on, o.maintenance_expires_on, o.status, o.time_zone, g.name, g.locale
    FROM orders o JOIN organizations g ON g.id = o.organization_id WHERE o.id = p_order_id;
END
$$;
