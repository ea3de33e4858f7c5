import { createConfirmToken, createTopicChangeToken } from '@tickler/domain';
import { makeHarness, SECRETS, T0, type Harness } from './http-harness';

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

  it('speaks the browser\'s language (Accept-Language) and keeps it for the confirmation email and page', async () => {
    const headers = { 'accept-language': 'fr-CA,fr;q=0.9,en;q=0.5' };
    const form = await h.app.inject({ method: 'GET', url: '/newsletter', headers });
    expect(form.body).toContain('<html lang="fr"');
    expect(form.body).toContain('S’abonner à notre newsletter');
    expect(form.body).toContain('> Avis de sécurité</label>');
    const refused = await h.app.inject({
      method: 'POST', url: '/newsletter/subscriptions', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'email=jo%40gmail.com&topics=security',
    });
    expect(refused.body).toContain('gmail.com est un fournisseur d’e-mail gratuit');
    const res = await h.app.inject({
      method: 'POST', url: '/newsletter/subscriptions', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'email=jo%40acme.com&topics=security',
    });
    expect(res.body).toContain('Nous avons envoyé un lien à jo@acme.com.');
    expect(await h.store.lists.getLocale('jo@acme.com')).toEqual({ locale: 'fr', source: 'sign-up' });
    // The confirmation link opened in a browser without Accept-Language: still the sign-up's language.
    const confirm = await h.app.inject({ method: 'GET', url: `/newsletter/confirm/${createConfirmToken(SECRETS, 'jo@acme.com')}` });
    expect(confirm.body).toContain('<h1>Confirmez votre abonnement</h1>');
    expect(confirm.body).toContain('Abonner jo@acme.com à : Avis de sécurité ?');
  });

  it('shows public pages without Accept-Language in DEFAULT_LOCALE', async () => {
    const german = await makeHarness({ config: { defaultLocale: 'de' } });
    try {
      expect((await german.app.inject({ method: 'GET', url: '/newsletter' })).body).toContain('Unseren Newsletter abonnieren');
      expect((await german.app.inject({ method: 'GET', url: '/newsletter', headers: { 'accept-language': 'ja' } })).body).toContain('ニュースレターを購読する');
    } finally {
      await german.close();
    }
  });

  it('stores a pending subscription, queues the confirmation email and says to check the inbox', async () => {
    const res = await subscribe('email=Jo%40Acme.com&topics=security&topics=product-news');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Check your inbox');
    expect(res.body).toContain('We sent a link to jo@acme.com.');
    expect(res.body).toContain('Your choice (Security advisories and Product news) takes effect only when you click the link');
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

describe('asking again while pending', () => {
  it('sends the confirmation again only 5 minutes after the last one went out, and the page says which happened', async () => {
    await subscribe('email=jo%40acme.com&topics=security');
    const [delivery] = await h.store.deliveries.listByEmail('jo@acme.com');
    await h.store.deliveries.markSent(delivery!.id, 'ses-1', T0);
    h.setNow(new Date(T0.getTime() + 60_000));
    const soon = await subscribe('email=jo%40acme.com&topics=product-news');
    expect(soon.body).toContain('We sent a link to jo@acme.com a few minutes ago, so we did not send another one yet.');
    expect(soon.body).toContain('The link in that email confirms your latest choice (Product news)');
    expect((await h.store.deliveries.get(delivery!.id))?.status).toBe('sent');
    h.setNow(new Date(T0.getTime() + 6 * 60_000));
    const later = await subscribe('email=jo%40acme.com&topics=product-news');
    expect(later.body).toContain('We sent a link to jo@acme.com.');
    expect((await h.store.deliveries.get(delivery!.id))?.status).toBe('queued');
  });
});

describe('a confirmed subscriber\'s topics', () => {
  const confirmLink = (email: string) => `/newsletter/confirm/${createConfirmToken(SECRETS, email)}`;
  const topicsOf = async (email: string) => (await h.store.newsletter.get(email))?.topics;

  beforeEach(async () => {
    await subscribe('email=jo%40acme.com&topics=security');
    expect((await h.app.inject({ method: 'POST', url: confirmLink('jo@acme.com') })).statusCode).toBe(200);
  });

  // Regression: anyone re-submitting the address on the form used to replace the topics at once.
  it('do not change when someone re-submits the address; a confirmation of the change is mailed instead', async () => {
    const res = await subscribe('email=JO%40acme.com&topics=product-news');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('We sent a link to jo@acme.com.');
    expect(res.body).toContain('Your choice (Product news) takes effect only when you click the link in that email. Until then nothing changes.');
    // The page tells a stranger nothing about the current subscription.
    expect(res.body).not.toContain('Security advisories');
    expect(await topicsOf('jo@acme.com')).toEqual(['security']);
    const change = (await h.store.deliveries.listByEmail('jo@acme.com')).find((d) => d.sourceType === 'newsletter-topic-change');
    expect(change).toMatchObject({ status: 'queued', listId: null });
    expect(await h.store.newsletter.getTopicChange(change!.sourceId)).toMatchObject({ email: 'jo@acme.com', topics: ['product-news'] });
    expect(await h.queues.send.getJob(`delivery-${change!.id}`)).toBeDefined();
    // The old confirmation link confirms nothing new.
    const old = await h.app.inject({ method: 'POST', url: confirmLink('jo@acme.com') });
    expect(old.body).toContain('jo@acme.com receives: Security advisories.');
    expect(await topicsOf('jo@acme.com')).toEqual(['security']);
  });

  it('change when the mailed change link is confirmed: GET asks and changes nothing, POST applies, repeats are harmless', async () => {
    await subscribe('email=jo%40acme.com&topics=product-news&topics=security');
    const delivery = (await h.store.deliveries.listByEmail('jo@acme.com')).find((d) => d.sourceType === 'newsletter-topic-change')!;
    const url = `/newsletter/confirm/${createTopicChangeToken(SECRETS, 'jo@acme.com', delivery.sourceId)}`;
    const page = await h.app.inject({ method: 'GET', url });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Change the newsletter topics of jo@acme.com to: Product news and Security advisories?');
    expect(page.body).toContain('Right now: Security advisories.');
    expect(await topicsOf('jo@acme.com')).toEqual(['security']);
    // A topic whose newsletter the address left (one-click) is not one it receives right now.
    await h.store.lists.unsubscribe('jo@acme.com', 'newsletter:security', 'one-click');
    expect((await h.app.inject({ method: 'GET', url })).body).toContain('Right now: no topic.');
    await h.store.lists.resubscribe('jo@acme.com', 'newsletter:security');
    const done = await h.app.inject({ method: 'POST', url });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Your topics are updated');
    expect(done.body).toContain('jo@acme.com receives: Product news and Security advisories.');
    expect(await topicsOf('jo@acme.com')).toEqual(['product-news', 'security']);
    const again = await h.app.inject({ method: 'POST', url });
    expect(again.body).toContain('Nothing to change');
    expect(await topicsOf('jo@acme.com')).toEqual(['product-news', 'security']);
  });

  it('a change link applies only its own change, for its own address', async () => {
    await subscribe('email=jo%40acme.com&topics=product-news');
    const first = (await h.store.deliveries.listByEmail('jo@acme.com')).find((d) => d.sourceType === 'newsletter-topic-change')!.sourceId;
    await subscribe('email=ann%40acme.com&topics=security');
    // A valid token for another address naming jo's change changes nothing.
    const foreign = await h.app.inject({ method: 'POST', url: `/newsletter/confirm/${createTopicChangeToken(SECRETS, 'ann@acme.com', first)}` });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.body).toContain('This link is not valid');
    expect(await topicsOf('jo@acme.com')).toEqual(['security']);
    expect((await h.app.inject({ method: 'POST', url: `/newsletter/confirm/${createTopicChangeToken(SECRETS, 'jo@acme.com', 999)}` })).body).toContain('Nothing to change');
    expect(await topicsOf('jo@acme.com')).toEqual(['security']);
  });
});
