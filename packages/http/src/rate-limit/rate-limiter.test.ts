import { clientNetwork, hashedKey, makeMemoryRateLimiter, retryAfterSeconds } from './rate-limiter';

describe('clientNetwork', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2:aaaa::2', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('%s → %s', (ip, network) => {
    expect(clientNetwork(ip)).toBe(network);
  });
});

describe('makeMemoryRateLimiter', () => {
  const at = (minutes: number) => new Date(Date.UTC(2026, 10, 26, 10, minutes));
  const rule = { max: 2, windowMs: 10 * 60_000 };

  it('allows max hits in any window, does not count refusals, and says when the oldest hit leaves', async () => {
    const limiter = makeMemoryRateLimiter();
    const allowed = { ok: true, release: expect.any(Function) };
    expect(await limiter.hit('k', rule, at(0))).toEqual(allowed);
    expect(await limiter.hit('k', rule, at(4))).toEqual(allowed);
    expect(await limiter.hit('k', rule, at(6))).toEqual({ ok: false, retryAfterMs: 4 * 60_000 });
    expect(await limiter.hit('other', rule, at(6))).toEqual(allowed);
    expect(await limiter.hit('k', rule, at(10))).toEqual(allowed);
    expect(await limiter.hit('k', rule, at(11))).toEqual({ ok: false, retryAfterMs: 3 * 60_000 });
  });

  it('takes a released hit back', async () => {
    const limiter = makeMemoryRateLimiter();
    const first = await limiter.hit('k', rule, at(0));
    await limiter.hit('k', rule, at(1));
    if (first.ok) await first.release();
    expect((await limiter.hit('k', rule, at(2))).ok).toBe(true);
    expect(await limiter.hit('k', rule, at(3))).toEqual({ ok: false, retryAfterMs: 8 * 60_000 });
  });
});

describe('helpers', () => {
  it('hash key parts without keeping the value, and round Retry-After up to whole seconds', () => {
    expect(hashedKey('jo@acme.com')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(hashedKey('jo@acme.com')).not.toBe(hashedKey('jo@acme.co'));
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(300_000)).toBe(300);
    expect(retryAfterSeconds(300_001)).toBe(301);
  });
});
