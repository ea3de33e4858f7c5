import { createConfirmToken } from '@tickler/domain';
import { makeHarness, SECRETS, type Harness } from './http-harness';

let h: Harness;
beforeEach(async () => { h = await makeHarness(); });
afterEach(async () => h.close());

const subscribe = (payload: string) => h.app.inject({
  method: 'POST', url: '/newsletter/subscriptions', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload,
});

describe('newsletter subscription', () => {
  it('GET /newsletter shows the topics and an email field', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/newsletter' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Product news');
    expect(res.body).toContain('Security advisories');
    expect(res.body).toContain('type="email"');
  });

  it.each([
    ['free-mail', 'email=jo%40gmail.com&topics=security', 'free email provider'],
    ['disposable', 'email=jo%40mailinator.com&topics=security', 'disposable'],
    ['invalid', 'email=jo%40&topics=security', 'not a valid email address'],
    ['without topics', 'email=jo%40acme.com', 'Pick at least one topic'],
    ['with an unknown topic', 'email=jo%40acme.com&topics=gossip', 'Unknown topic: gossip'],
  ])('refuses %s with 400, says why, keeps the entered values, stores nothing', async (_case, body, why) => {
    const res = await subscribe(body);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(why);
    if (body.includes('topics=security')) expect(res.body).toMatch(/value="security" checked/);
    if (body.startsWith('email=jo%40gmail')) expect(res.body).toContain('value="jo@gmail.com"');
    expect(await h.store.newsletter.get('jo@gmail.com')).toBeNull();
    expect(await h.store.newsletter.get('jo@acme.com')).toBeNull();
    expect(await h.store.deliveries.countByStatusAndReason()).toEqual([]);
  });

  it('stores a pending subscription, queues the confirmation email and says to check the inbox', async () => {
    const res = await subscribe('email=Jo%40Acme.com&topics=security&topics=product-news');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Check your inbox');
    const subscription = await h.store.newsletter.get('jo@acme.com');
    expect(subscription).toMatchObject({ status: 'pending' });
    expect([...subscription!.topics].sort()).toEqual(['product-news', 'security']);
    const [delivery] = await h.store.deliveries.listByEmail('jo@acme.com');
    expect(delivery).toMatchObject({ sourceType: 'newsletter-confirmation', sourceId: subscription!.id, status: 'queued', listId: null });
    expect((await h.queues.send.getJob(`delivery-${delivery!.id}`))?.data).toEqual({ deliveryId: delivery!.id });
  });

  it('confirms by link: GET asks and changes nothing, POST confirms, repeats are harmless', async () => {
    await subscribe('email=jo%40acme.com&topics=security');
    const url = `/newsletter/confirm/${createConfirmToken(SECRETS, 'jo@acme.com')}`;
    const page = await h.app.inject({ method: 'GET', url });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Confirm subscription');
    expect((await h.store.newsletter.get('jo@acme.com'))?.status).toBe('pending');
    for (let i = 0; i < 2; i += 1) {
      const res = await h.app.inject({ method: 'POST', url });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Your subscription is confirmed');
    }
    expect((await h.store.newsletter.get('jo@acme.com'))?.status).toBe('confirmed');
  });

  it('a forged confirmation link, or one for an address that never subscribed, is not valid', async () => {
    expect((await h.app.inject({ method: 'POST', url: '/newsletter/confirm/not-a-token' })).statusCode).toBe(400);
    const stranger = await h.app.inject({ method: 'POST', url: `/newsletter/confirm/${createConfirmToken(SECRETS, 'x@acme.com')}` });
    expect(stranger.statusCode).toBe(400);
    expect(await h.store.newsletter.get('x@acme.com')).toBeNull();
  });
});
