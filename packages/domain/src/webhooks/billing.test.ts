import { createBillingSignatureHeader, parseBillingEvent, verifyBillingSignature } from './billing';

const secret = 'whsec_test';
const now = new Date('2026-11-26T10:00:00Z');
const t = Math.floor(now.getTime() / 1000);
const body = '{"id":"evt_1"}';

describe('verifyBillingSignature', () => {
  it('accepts a header signed over t.rawBody with the secret', () => {
    const header = createBillingSignatureHeader(secret, t, body);
    expect(verifyBillingSignature({ header, rawBody: body, secret, now })).toEqual({ ok: true, timestamp: t });
  });

  it('accepts when one of several v1 values matches (secret rotation on the sender side)', () => {
    const good = createBillingSignatureHeader(secret, t, body).split(',')[1];
    const header = `t=${t},v1=${'0'.repeat(64)},${good}`;
    expect(verifyBillingSignature({ header, rawBody: body, secret, now }).ok).toBe(true);
  });

  it.each([
    [undefined, 'missing_signature'],
    ['', 'missing_signature'],
    ['v1=abc', 'malformed_signature'],
    [`t=${t}`, 'malformed_signature'],
    [`t=abc,v1=${'a'.repeat(64)}`, 'malformed_signature'],
    [`t=${t},v1=${'a'.repeat(64)}`, 'bad_signature'],
    [`t=${t},v1=nothex`, 'bad_signature'],
  ])('refuses header %p as %s', (header, code) => {
    const result = verifyBillingSignature({ header, rawBody: body, secret, now });
    expect(result).toMatchObject({ ok: false, code });
  });

  it('refuses a tampered body, another secret, and a timestamp outside the tolerance', () => {
    const header = createBillingSignatureHeader(secret, t, body);
    expect(verifyBillingSignature({ header, rawBody: `${body} `, secret, now })).toMatchObject({ code: 'bad_signature' });
    expect(verifyBillingSignature({ header, rawBody: body, secret: 'other', now })).toMatchObject({ code: 'bad_signature' });
    const old = createBillingSignatureHeader(secret, t - 301, body);
    expect(verifyBillingSignature({ header: old, rawBody: body, secret, now })).toMatchObject({ code: 'stale_timestamp' });
    const future = createBillingSignatureHeader(secret, t + 301, body);
    expect(verifyBillingSignature({ header: future, rawBody: body, secret, now })).toMatchObject({ code: 'stale_timestamp' });
    const edge = createBillingSignatureHeader(secret, t - 300, body);
    expect(verifyBillingSignature({ header: edge, rawBody: body, secret, now }).ok).toBe(true);
    expect(verifyBillingSignature({ header: old, rawBody: body, secret, now, toleranceSeconds: 600 }).ok).toBe(true);
  });
});

const upsert = () => ({
  id: 'evt_1', type: 'order.upserted', occurredAt: '2026-11-26T10:00:00Z',
  data: {
    orderId: 'ORD-1001', organization: { id: 'org-1', name: 'Acme', timeZone: 'europe/berlin' },
    product: 'Barcode Reader SDK', licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: null,
    purchaserEmail: ' Ann@Acme.com ', purchaserName: 'Ann',
  },
});

describe('parseBillingEvent', () => {
  it('parses order.upserted and normalizes email and time zone', () => {
    const result = parseBillingEvent(upsert());
    expect(result).toEqual({
      ok: true,
      event: {
        id: 'evt_1', type: 'order.upserted', occurredAt: new Date('2026-11-26T10:00:00Z'),
        data: {
          orderId: 'ORD-1001', organization: { id: 'org-1', name: 'Acme', timeZone: 'Europe/Berlin', locale: null }, product: 'Barcode Reader SDK',
          licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: null, purchaserEmail: 'ann@acme.com', purchaserName: 'Ann',
        },
      },
    });
  });

  it('refuses an extra field nested absurdly deep (JSON.parse accepts it) by name, and keeps moderately nested extras', () => {
    const deep = JSON.parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`) as unknown;
    expect(parseBillingEvent({ ...upsert(), x: deep })).toEqual({
      ok: false, code: 'invalid_payload', field: 'x', message: 'x nests more than 32 levels deep; a billing event needs far fewer.',
    });
    const nested = JSON.parse(`${'{"a":'.repeat(20)}1${'}'.repeat(20)}`) as unknown;
    expect(parseBillingEvent({ ...upsert(), meta: nested }).ok).toBe(true);
  });

  it('defaults the time zone to UTC and purchaserName to null', () => {
    const event = upsert();
    delete (event.data.organization as { timeZone?: string }).timeZone;
    delete (event.data as { purchaserName?: string }).purchaserName;
    const result = parseBillingEvent(event);
    expect(result.ok && result.event.type === 'order.upserted' && result.event.data).toMatchObject({ organization: { timeZone: 'UTC' }, purchaserName: null });
  });

  it('keeps a well-formed organization.locale, shipped or not (it falls back at send time)', () => {
    for (const locale of ['de-AT', 'zh-Hans-CN', 'pt-BR']) {
      const event = upsert();
      (event.data.organization as { locale?: string }).locale = locale;
      const result = parseBillingEvent(event);
      expect(result.ok && result.event.type === 'order.upserted' && result.event.data.organization.locale).toBe(locale);
    }
  });

  it('parses order.cancelled', () => {
    const result = parseBillingEvent({ id: 'evt_2', type: 'order.cancelled', occurredAt: '2026-11-26T11:00:00+01:00', data: { orderId: 'ORD-1001' } });
    expect(result).toEqual({ ok: true, event: { id: 'evt_2', type: 'order.cancelled', occurredAt: new Date('2026-11-26T10:00:00Z'), data: { orderId: 'ORD-1001' } } });
  });

  it('accepts ids of 100 characters and a 254-character address (the longest every link must carry), refuses longer ids', () => {
    const event = upsert();
    const id = `O${'x'.repeat(99)}`;
    const email = `${'a'.repeat(64)}@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(57)}.com`;
    Object.assign(event.data, { orderId: id, purchaserEmail: email });
    event.data.organization.id = id;
    expect(parseBillingEvent(event)).toMatchObject({ ok: true, event: { data: { orderId: id, organization: { id }, purchaserEmail: email } } });
    expect(parseBillingEvent({ ...event, data: { ...event.data, orderId: `${id}x` } })).toMatchObject({ ok: false, field: 'data.orderId' });
    expect(parseBillingEvent({ ...event, data: { ...event.data, organization: { ...event.data.organization, id: `${id}x` } } })).toMatchObject({ ok: false, field: 'data.organization.id' });
    expect(parseBillingEvent({ ...event, data: { ...event.data, purchaserEmail: `a${email}` } })).toMatchObject({ ok: false, field: 'data.purchaserEmail' });
  });

  it('with a clock, refuses an occurredAt more than the allowed skew ahead of now, naming occurredAt', () => {
    const cancelAt = (occurredAt: string) => ({ id: 'evt_2', type: 'order.cancelled', occurredAt, data: { orderId: 'ORD-1001' } });
    // Exactly 5 minutes ahead (the default) is accepted; a millisecond more is not.
    expect(parseBillingEvent(cancelAt('2026-11-26T10:05:00Z'), { now }).ok).toBe(true);
    expect(parseBillingEvent(cancelAt('2026-11-26T10:05:00.001Z'), { now })).toEqual({
      ok: false, code: 'occurred_at_in_future', field: 'occurredAt',
      message: "occurredAt 2026-11-26T10:05:00.001Z is 5 min ahead of the receiver's clock (2026-11-26T10:00:00.000Z); at most 5 min is accepted. Check the sender's clock.",
    });
    expect(parseBillingEvent(cancelAt('9999-12-31T23:59:59Z'), { now })).toMatchObject({ ok: false, code: 'occurred_at_in_future', field: 'occurredAt' });
    expect(parseBillingEvent(cancelAt('2026-11-26T10:00:40Z'), { now, maxClockSkewMs: 30_000 })).toMatchObject({
      ok: false, message: expect.stringContaining('is 40 s ahead'),
    });
    // Past events are fine however old; without a clock nothing is checked (stored payloads are parsed again later).
    expect(parseBillingEvent(cancelAt('2020-01-01T00:00:00Z'), { now }).ok).toBe(true);
    expect(parseBillingEvent(cancelAt('9999-12-31T23:59:59Z')).ok).toBe(true);
  });

  it.each([
    ['data.licenseExpiresOn', (e: ReturnType<typeof upsert>) => { e.data.licenseExpiresOn = '2027-02-30'; }],
    ['data.licenseExpiresOn', (e: ReturnType<typeof upsert>) => { delete (e.data as Partial<typeof e.data>).licenseExpiresOn; }],
    ['data.maintenanceExpiresOn', (e: ReturnType<typeof upsert>) => { (e.data as Record<string, unknown>).maintenanceExpiresOn = 20270131; }],
    ['data.organization.timeZone', (e: ReturnType<typeof upsert>) => { e.data.organization.timeZone = 'Mars/Olympus'; }],
    ['data.organization.locale', (e: ReturnType<typeof upsert>) => { (e.data.organization as Record<string, unknown>).locale = 'German!'; }],
    ['data.organization.locale', (e: ReturnType<typeof upsert>) => { (e.data.organization as Record<string, unknown>).locale = 'de_DE'; }],
    ['data.purchaserEmail', (e: ReturnType<typeof upsert>) => { e.data.purchaserEmail = 'not-an-email'; }],
    ['data.orderId', (e: ReturnType<typeof upsert>) => { e.data.orderId = 'ORD 1/2'; }],
    ['data.product', (e: ReturnType<typeof upsert>) => { e.data.product = '  '; }],
    ['occurredAt', (e: ReturnType<typeof upsert>) => { e.occurredAt = 'yesterday'; }],
    ['id', (e: ReturnType<typeof upsert>) => { (e as Record<string, unknown>).id = 42; }],
    ['data', (e: ReturnType<typeof upsert>) => { delete (e as Partial<typeof e>).data; }],
  ])('names %s when it is wrong', (field, mutate) => {
    const event = upsert();
    mutate(event);
    const result = parseBillingEvent(event);
    expect(result).toMatchObject({ ok: false, code: 'invalid_payload', field });
    expect(!result.ok && result.message).toContain(field);
    // One sentence, one full stop at its end.
    expect(!result.ok && result.message).toMatch(/[^.]\.$/);
  });

  it('refuses unknown and missing types, and non-objects', () => {
    expect(parseBillingEvent({ ...upsert(), type: 'order.deleted' })).toMatchObject({ ok: false, code: 'unknown_event_type', field: 'type' });
    expect(parseBillingEvent({ id: 'x' })).toMatchObject({ ok: false, code: 'unknown_event_type', field: 'type', message: expect.stringMatching(/^type is missing;/) });
    expect(parseBillingEvent({ id: 'x', type: 5 })).toMatchObject({ ok: false, code: 'unknown_event_type', field: 'type', message: expect.stringMatching(/^type is not text \(number\);/) });
    expect(parseBillingEvent([1])).toMatchObject({ ok: false, code: 'invalid_payload' });
    expect(parseBillingEvent(null)).toMatchObject({ ok: false, code: 'invalid_payload' });
  });
});
