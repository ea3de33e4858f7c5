import type { AddressInfo } from 'node:net';
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

/** What Chromium sends when it navigates to a page. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('browsers that land where no page is (real HTTP)', () => {
  let base: string;
  beforeEach(async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers, redirect: 'manual' });

  it('sends a browser opening the newsletter result URL again (reload, new tab) back to the form with 303', async () => {
    for (const method of ['GET', 'HEAD']) {
      const res = await fetch(`${base}/newsletter/subscriptions`, { method, headers: { accept: BROWSER_ACCEPT }, redirect: 'manual' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/newsletter');
    }
    const followed = await fetch(`${base}/newsletter/subscriptions`, { headers: { accept: BROWSER_ACCEPT } });
    expect(followed.status).toBe(200);
    expect(await followed.text()).toContain('<h1>Subscribe to our newsletter</h1>');
  });

  it('keeps 405 with Allow and the SPEC JSON for an API client asking GET /newsletter/subscriptions', async () => {
    const res = await get('/newsletter/subscriptions', { accept: 'application/json' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(await res.json()).toEqual({ error: 'method_not_allowed', message: 'GET is not served here; this path takes POST.' });
  });

  it.each(['/u', '/preferences', '/nope'])('shows a browser asking for %s a "not found" page (404) in its language, repeating nothing of the URL', async (path) => {
    const res = await get(`${path}?secret-ish=1`, { accept: BROWSER_ACCEPT, 'accept-language': 'fr-FR,fr;q=0.9' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await res.text();
    expect(body).toContain('<h1>Il n’y a pas de page ici</h1>');
    expect(body).not.toContain('secret-ish');
  });

  it('answers API clients and browsers under /api/ with the SPEC 404 JSON', async () => {
    for (const accept of ['*/*', BROWSER_ACCEPT]) {
      const res = await get(accept === '*/*' ? '/u' : '/api/nope', { accept });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: 'not_found' });
    }
  });
});
