import { parseBillingEvent } from '@tickler/domain';
import { createBillingSignatureHeader } from '@tickler/domain';
import { BILLING_SECRET, billingRequest, makeHarness, T0, type Harness } from './http-harness';

let h: Harness;
beforeEach(async () => { h = await makeHarness(); });
afterEach(async () => h.close());

const upsert = (over: Record<string, unknown> = {}, data: Record<string, unknown> = {}) => ({
  id: 'evt_1', type: 'order.upserted', occurredAt: '2026-11-26T09:00:00Z', ...over,
  data: {
    orderId: 'ORD-1001', organization: { id: 'org-1', name: 'Acme', timeZone: 'Europe/Berlin' }, product: 'Barcode Reader SDK',
    licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: '2027-01-31', purchaserEmail: 'ann@acme.com', purchaserName: 'Ann', ...data,
  },
});

const post = (req: { headers: Record<string, string>; payload: string }) => h.app.inject({ method: 'POST', url: '/webhooks/billing', ...req });
const nothingWritten = async () => {
  expect(await h.store.inboundEvents.countBySourceAndStatus()).toEqual([]);
  expect(await h.queues['order-events'].getJobCounts('waiting', 'delayed', 'active')).toEqual({ waiting: 0, delayed: 0, active: 0 });
};

describe('POST /webhooks/billing', () => {
  it('accepts a signed event: 202, recorded pending with its payload, order-event job enqueued', async () => {
    const req = billingRequest(upsert());
    const res = await post(req);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'accepted', eventId: 'evt_1' });
    const [row] = await h.store.inboundEvents.listByOrder('ORD-1001');
    expect(row).toMatchObject({ source: 'billing', eventId: 'evt_1', type: 'order.upserted', status: 'pending', email: 'ann@acme.com', payload: req.payload });
    expect(row?.occurredAt).toEqual(new Date('2026-11-26T09:00:00Z'));
    const job = await h.queues['order-events'].getJob(`event-${row!.id}-${row!.jobKey}`);
    expect(job?.data).toEqual({ inboundEventId: row!.id, jobKey: row!.jobKey });
  });

  it('answers 200 duplicate for an id seen before with the same body and records it once', async () => {
    expect((await post(billingRequest(upsert()))).statusCode).toBe(202);
    // A retry re-signs the same body at a later time.
    const again = await post(billingRequest(upsert(), { at: new Date(T0.getTime() + 60_000) }));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ status: 'duplicate', eventId: 'evt_1' });
    expect(await h.store.inboundEvents.listByOrder('ORD-1001')).toMatchObject([{ conflicts: 0 }]);
    expect(await h.queues['order-events'].getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  it('answers 200 duplicate for the same event re-serialised by the sender (pretty-printed, keys in another order)', async () => {
    expect((await post(billingRequest(upsert()))).statusCode).toBe(202);
    const reordered = (value: unknown): unknown => (value === null || typeof value !== 'object' || Array.isArray(value)
      ? value : Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reordered(v)])));
    const respelled = JSON.stringify(reordered(upsert()), null, 2);
    expect(respelled).not.toBe(JSON.stringify(upsert()));
    const again = await post(billingRequest(respelled, { at: new Date(T0.getTime() + 60_000) }));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ status: 'duplicate', eventId: 'evt_1' });
    expect(await h.store.inboundEvents.listByOrder('ORD-1001')).toMatchObject([{ conflicts: 0, payload: JSON.stringify(upsert()) }]);
  });

  it('answers 409 for an id seen before with a different body, keeps the first body and shows the conflict in the audit', async () => {
    const first = billingRequest(upsert());
    expect((await post(first)).statusCode).toBe(202);
    const changed = await post(billingRequest(upsert({}, { product: 'Changed' })));
    expect(changed.statusCode).toBe(409);
    expect(changed.json()).toEqual({
      error: 'duplicate_event_conflict', field: 'id',
      message: expect.stringMatching(/^Event evt_1 was already received \(at \d{4}-\d\d-\d\dT[\d:.]+Z\) with a different event \(other values, not only other spacing or key order\); the first one is kept\. Send changes as a new event with a new id\.$/),
    });
    const [row] = await h.store.inboundEvents.listByOrder('ORD-1001');
    expect(row).toMatchObject({ payload: first.payload, status: 'pending', conflicts: 1, lastConflictAt: expect.any(Date) });
    expect(await h.queues['order-events'].getJobCounts('waiting')).toEqual({ waiting: 1 });

    const audit = await h.app.inject({ method: 'GET', url: '/admin/deliveries?email=ann@acme.com', headers: { authorization: 'Bearer admin-token-0123456789', accept: 'application/json' } });
    expect(audit.json().events).toMatchObject([{ eventId: 'evt_1', conflicts: 1 }]);
    const page = await h.app.inject({ method: 'GET', url: '/admin/deliveries?email=ann@acme.com', headers: { authorization: 'Bearer admin-token-0123456789' } });
    expect(page.body).toContain('id came again 1× with a different body (not applied)');
  });

  it.each([
    ['year 9999', '9999-12-31T23:59:59Z'],
    ['6 minutes ahead', new Date(T0.getTime() + 6 * 60_000).toISOString()],
  ])('refuses an occurredAt from the future (%s) with 400 naming occurredAt, writes nothing', async (_name, occurredAt) => {
    const res = await post(billingRequest(upsert({ occurredAt })));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'occurred_at_in_future', field: 'occurredAt', message: expect.stringMatching(/^occurredAt .* ahead of the receiver's clock .*at most 5 min is accepted/) });
    await nothingWritten();
  });

  it('accepts an occurredAt within the allowed clock skew, which is configurable', async () => {
    expect((await post(billingRequest(upsert({ occurredAt: new Date(T0.getTime() + 4 * 60_000).toISOString() })))).statusCode).toBe(202);
    const lenient = await makeHarness({ config: { billingMaxClockSkewMs: 10 * 60_000 } });
    try {
      const res = await lenient.app.inject({ method: 'POST', url: '/webhooks/billing', ...billingRequest(upsert({ occurredAt: new Date(T0.getTime() + 9 * 60_000).toISOString() })) });
      expect(res.statusCode).toBe(202);
    } finally {
      await lenient.close();
    }
  });

  it('records concurrent events together (one transaction) and still answers each one: a repeated id once 202, else 200', async () => {
    const distinct = Array.from({ length: 20 }, (_, i) => post(billingRequest(upsert({ id: `evt_c${i}` }, { orderId: `ORD-C${i}` }))));
    const same = Array.from({ length: 5 }, () => post(billingRequest(upsert({ id: 'evt_same' }, { orderId: 'ORD-SAME' }))));
    const answers = await Promise.all([...distinct, ...same]);
    expect(answers.slice(0, 20).map((r) => r.statusCode)).toEqual(Array(20).fill(202));
    expect(answers.slice(20).map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 202]);
    expect(await h.store.inboundEvents.countBySourceAndStatus()).toEqual([{ source: 'billing', status: 'pending', count: 21 }]);
    expect(await h.queues['order-events'].getJobCounts('waiting')).toEqual({ waiting: 21 });
  });

  it.each([
    ['missing header', () => ({ headers: { 'content-type': 'application/json' }, payload: JSON.stringify(upsert()) }), 'missing_signature'],
    ['malformed header', () => ({ headers: { 'content-type': 'application/json', 'tickler-signature': 'sha256=abc' }, payload: JSON.stringify(upsert()) }), 'malformed_signature'],
    ['wrong secret', () => billingRequest(upsert(), { secret: 'another-secret' }), 'bad_signature'],
    ['old timestamp', () => billingRequest(upsert(), { at: new Date(T0.getTime() - 301_000) }), 'stale_timestamp'],
    ['future timestamp', () => billingRequest(upsert(), { at: new Date(T0.getTime() + 301_000) }), 'stale_timestamp'],
    ['tampered body', () => { const r = billingRequest(upsert()); return { ...r, payload: r.payload.replace('2027-01-31', '2029-01-31') }; }, 'bad_signature'],
  ])('refuses %s with 401 and writes nothing', async (_name, build, code) => {
    const res = await post(build());
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: code, message: expect.any(String) });
    await nothingWritten();
  });

  it('refuses invalid JSON with 400 and writes nothing', async () => {
    const res = await post(billingRequest('{"id": "evt_1", '));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_json', message: 'The body is not valid JSON.' });
    await nothingWritten();
  });

  it.each([
    ['data.licenseExpiresOn', upsert({}, { licenseExpiresOn: undefined })],
    ['data.licenseExpiresOn', upsert({}, { licenseExpiresOn: '2027-02-30' })],
    ['data.maintenanceExpiresOn', upsert({}, { maintenanceExpiresOn: 20270131 })],
    ['data.organization.timeZone', upsert({}, { organization: { id: 'org-1', name: 'Acme', timeZone: 'Berlin/Europe' } })],
    ['data.organization.locale', upsert({}, { organization: { id: 'org-1', name: 'Acme', timeZone: 'Europe/Berlin', locale: 'de_DE' } })],
    ['data.purchaserEmail', upsert({}, { purchaserEmail: 'ann at acme' })],
    ['data.orderId', upsert({}, { orderId: 42 })],
    ['occurredAt', upsert({ occurredAt: '26.11.2026' })],
    ['id', upsert({ id: undefined })],
  ])('refuses a bad %s with 400 naming the field, writes nothing', async (field, body) => {
    const res = await post(billingRequest(body));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_payload', field });
    expect(res.json().message).toContain(field);
    await nothingWritten();
  });

  it('refuses an unknown type with 400 naming "type"', async () => {
    const res = await post(billingRequest(upsert({ type: 'order.deleted' })));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'unknown_event_type', field: 'type' });
    await nothingWritten();
  });

  it('answers 413 for a body over the limit, before anything is written', async () => {
    const res = await post(billingRequest(upsert({}, { product: 'x'.repeat(70 * 1024) })));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: 'payload_too_large', message: 'The request body is larger than this endpoint accepts (at most 64 KiB).' });
    await nothingWritten();
  });

  it('checks the signature over the raw bytes: a Latin-1 body with the right secret is 400 invalid_encoding, not 401', async () => {
    const latin1 = Buffer.from(JSON.stringify(upsert({}, { purchaserName: 'Zoé Müller' })), 'latin1');
    const t = Math.floor(T0.getTime() / 1000);
    const res = await h.app.inject({
      method: 'POST', url: '/webhooks/billing', payload: latin1,
      headers: { 'content-type': 'application/json; charset=ISO-8859-1', 'tickler-signature': createBillingSignatureHeader(BILLING_SECRET, t, latin1) },
    });
    expect(res.json()).toEqual({ error: 'invalid_encoding', message: 'The body is not UTF-8 text; send the JSON encoded as UTF-8.' });
    expect(res.statusCode).toBe(400);
    await nothingWritten();
  });

  it('refuses a compressed body with 415 naming its Content-Encoding, and takes a UTF-8 body that starts with a byte-order mark', async () => {
    const req = billingRequest(upsert());
    const gzipped = await post({ ...req, headers: { ...req.headers, 'content-encoding': 'gzip' } });
    expect(gzipped.statusCode).toBe(415);
    expect(gzipped.json()).toEqual({ error: 'unsupported_content_encoding', message: 'Content-Encoding gzip is not accepted here; send the body uncompressed.' });
    await nothingWritten();
    const withBom = billingRequest(`\uFEFF${JSON.stringify(upsert({ id: 'evt_bom' }, { purchaserName: 'Zoé' }))}`);
    const res = await post(withBom);
    expect(res.statusCode).toBe(202);
    expect((await h.store.inboundEvents.listByOrder('ORD-1001'))[0]?.payload).toBe(JSON.stringify(upsert({ id: 'evt_bom' }, { purchaserName: 'Zoé' })));
  });

  it('refuses a signed event with an extra field nested 20,000 deep with 400 naming it (was a 500 the sender retried forever)', async () => {
    const body = JSON.stringify(upsert()).replace(/}$/, `,"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
    const res = await post(billingRequest(body));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_payload', field: 'x' });
    await nothingWritten();
  });

  it('accepts an order.cancelled event', async () => {
    const res = await post(billingRequest({ id: 'evt_9', type: 'order.cancelled', occurredAt: '2026-11-26T09:30:00Z', data: { orderId: 'ORD-1001' } }));
    expect(res.statusCode).toBe(202);
    expect(await h.store.inboundEvents.listByOrder('ORD-1001')).toMatchObject([{ type: 'order.cancelled', status: 'pending', email: null }]);
  });

  it('records out-of-order events; applying the stored payloads keeps the newer one', async () => {
    expect((await post(billingRequest(upsert({ id: 'evt_new', occurredAt: '2026-11-26T09:00:00Z' }, { licenseExpiresOn: '2028-01-31' })))).statusCode).toBe(202);
    expect((await post(billingRequest(upsert({ id: 'evt_old', occurredAt: '2026-11-25T09:00:00Z' }, { licenseExpiresOn: '2027-01-31' })))).statusCode).toBe(202);
    const outcomes = [];
    for (const row of await h.store.inboundEvents.listByOrder('ORD-1001')) {
      const parsed = parseBillingEvent(JSON.parse(row.payload));
      if (!parsed.ok || parsed.event.type !== 'order.upserted') throw new Error('stored payload does not parse');
      outcomes.push((await h.store.directory.applyOrderUpsert({ ...parsed.event.data, occurredAt: parsed.event.occurredAt })).outcome);
    }
    expect(outcomes).toEqual(['applied', 'ignored']);
    expect((await h.store.directory.getOrder('ORD-1001'))?.licenseExpiresOn).toBe('2028-01-31');
  });
});

describe('POST /webhooks/billing with Redis down', () => {
  it('still answers 202 for a recorded event (reconciliation re-enqueues pending events)', async () => {
    const down = await makeHarness({ redisPort: 1 });
    try {
      const started = Date.now();
      const res = await down.app.inject({ method: 'POST', url: '/webhooks/billing', ...billingRequest(upsert()) });
      expect(res.statusCode).toBe(202);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await down.store.inboundEvents.listPending(10)).toMatchObject([{ eventId: 'evt_1', status: 'pending' }]);
    } finally {
      await down.close();
    }
  });
});
