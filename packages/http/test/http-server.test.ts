import { makeHarness, type Harness } from './http-harness';

let h: Harness;
beforeEach(async () => { h = await makeHarness(); });
afterEach(async () => h.close());

describe('the HTTP edge as a whole', () => {
  it('answers unknown routes with the SPEC error JSON (404)', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'not_found', message: 'There is no GET route here.' });
  });

  it.each([
    ['GET', '/webhooks/billing', 'POST'],
    ['PUT', '/api/orders/ORD-1/contacts', 'GET, HEAD, POST'],
    ['POST', '/api/orders/ORD-1/license', 'GET, HEAD'],
    ['PATCH', '/u/some-token', 'GET, HEAD, POST'],
    ['DELETE', '/healthz', 'GET, HEAD'],
  ])('answers %s %s with 405 and Allow: %s', async (method, url, allow) => {
    const res = await h.app.inject({ method: method as 'GET', url });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.json()).toEqual({ error: 'method_not_allowed', message: `${method} is not served here; this path takes ${allow}.` });
  });

  it('answers malformed JSON on the portal API with 400 invalid_json', async () => {
    const res = await h.app.inject({
      method: 'POST', url: '/api/orders/ORD-1/contacts', payload: '{"email":',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${h.deps.config.portalApiKey}`, 'x-acting-user': 'ann@acme.com' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_json' });
  });

  it('counts in /metrics the answers the router gives before any route or hook (a malformed %-escape in a link)', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/u/abc%zzdef' })).statusCode).toBe(400);
    const text = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/^tickler_http_responses_total\{method="GET",route="\(none\)",status="400"\} 1$/m);
    expect(text).not.toContain('abc');
  });

  it('registers the admin and ops routes', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/admin/jobs/failed' })).statusCode).toBe(401);
  });
});
