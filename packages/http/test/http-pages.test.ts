import { createAddressToken, createListToken } from '@tickler/domain';
import type { AddressInfo } from 'node:net';
import { addMember, makeHarness, SECRETS, seedOrder, type Harness } from './http-harness';

let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
  await seedOrder(h.store, 'ORD-1001');
  await seedOrder(h.store, 'ORD-2002');
});
afterEach(async () => h.close());

const listToken = (listId: string, email = 'ann@acme.com', secrets = SECRETS) => createListToken(secrets, email, listId);
const form = (payload: string) => ({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload });
/** A multipart body exactly as some mailbox providers send RFC 8058 one-click. */
function multipartOneClick() {
  const boundary = '----MailboxProviderBoundary7MA4YWxkTrZu0gW';
  const payload = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
  return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload };
}

describe('unsubscribe /u/:token', () => {
  it('GET shows the list (order id and product) and changes nothing', async () => {
    const res = await h.app.inject({ method: 'GET', url: `/u/${listToken('renewal:ORD-1001')}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('Renewal reminders for order ORD-1001 (Barcode Reader SDK)');
    expect(res.body).toContain('<form method="post">');
    expect(res.body).not.toContain('<script');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual([]);
  });

  it('speaks the recipient\'s choice, else the organization\'s locale, else the browser\'s language', async () => {
    const url = `/u/${listToken('renewal:ORD-1001')}`;
    expect((await h.app.inject({ method: 'GET', url, headers: { 'accept-language': 'fr' } })).body).toContain('Se désinscrire de cette liste ?');
    const organization = (await h.store.directory.getOrder('ORD-1001'))!;
    await h.store.directory.applyOrderUpsert({
      orderId: 'ORD-1001', organization: { id: organization.organizationId, name: organization.organizationName, timeZone: organization.timeZone, locale: 'zh-Hans-CN' },
      product: organization.product, licenseExpiresOn: organization.licenseExpiresOn, maintenanceExpiresOn: organization.maintenanceExpiresOn,
      purchaserEmail: 'ann@acme.com', purchaserName: null, occurredAt: new Date('2030-01-01T00:00:00Z'),
    });
    const chinese = await h.app.inject({ method: 'GET', url, headers: { 'accept-language': 'fr' } });
    expect(chinese.body).toContain('<html lang="zh-CN"');
    expect(chinese.body).toContain('订单 ORD-1001（Barcode Reader SDK）的续订提醒');
    await h.store.lists.setLocale('ann@acme.com', 'ja', 'preferences');
    const done = await h.app.inject({ method: 'POST', url, ...form('') });
    expect(done.body).toContain('<h1>配信を停止しました</h1>');
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual(['renewal:ORD-1001']);
  });

  it('answers a forged link in the browser\'s language', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/u/forged', headers: { 'accept-language': 'de-CH' } });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Dieser Link ist ungültig');
  });

  it('POST from the page leaves exactly that list; repeating is harmless', async () => {
    const url = `/u/${listToken('renewal:ORD-1001')}`;
    const res = await h.app.inject({ method: 'POST', url, ...form('') });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('You are unsubscribed');
    expect((await h.app.inject({ method: 'POST', url })).statusCode).toBe(200);
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual(['renewal:ORD-1001']);
  });

  it.each([
    ['urlencoded', () => form('List-Unsubscribe=One-Click')],
    ['multipart', multipartOneClick],
  ])('RFC 8058 one-click (%s) answers 200 with no redirect and no cookie', async (_kind, body) => {
    const res = await h.app.inject({ method: 'POST', url: `/u/${listToken('renewal:ORD-2002')}`, ...body() });
    expect(res.statusCode).toBe(200);
    expect(res.headers.location).toBeUndefined();
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual(['renewal:ORD-2002']);
  });

  it('a token for one list cannot leave another, whatever the body says', async () => {
    await h.app.inject({ method: 'POST', url: `/u/${listToken('renewal:ORD-1001')}`, ...form('listId=renewal%3AORD-2002&email=bob%40acme.com') });
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual(['renewal:ORD-1001']);
    expect(await h.store.lists.listUnsubscribed('bob@acme.com')).toEqual([]);
  });

  it('accepts tokens signed with an older secret (rotation)', async () => {
    const old = listToken('newsletter:security', 'ann@acme.com', [SECRETS[1]!]);
    const page = await h.app.inject({ method: 'GET', url: `/u/${old}` });
    expect(page.body).toContain('Newsletter: Security advisories');
    expect((await h.app.inject({ method: 'POST', url: `/u/${old}`, ...form('List-Unsubscribe=One-Click') })).statusCode).toBe(200);
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual(['newsletter:security']);
  });

  it.each([
    ['forged', () => 'AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['tampered', () => { const t = listToken('renewal:ORD-1001'); return `${t.slice(0, 10)}${t[10] === 'A' ? 'B' : 'A'}${t.slice(11)}`; }],
    ['of another kind', () => createAddressToken(SECRETS, 'ann@acme.com')],
    ['signed with an unknown secret', () => listToken('renewal:ORD-1001', 'ann@acme.com', ['some-other-secret-0123456789'])],
  ])('a token that is %s gets the neutral "not valid" page (400) and changes nothing', async (_kind, token) => {
    for (const method of ['GET', 'POST'] as const) {
      const res = await h.app.inject({ method, url: `/u/${token()}`, ...(method === 'POST' ? form('List-Unsubscribe=One-Click') : {}) });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('This link is not valid');
    }
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual([]);
  });

  it('escapes everything it shows', async () => {
    await h.store.directory.applyOrderUpsert({
      orderId: 'ORD-3003', organization: { id: 'org-1', name: 'Acme', timeZone: 'UTC' }, product: '<script>alert("x")</script> & Co',
      licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: null, purchaserEmail: 'ann@acme.com', purchaserName: null, occurredAt: new Date('2026-11-01T00:00:00Z'),
    });
    const res = await h.app.inject({ method: 'GET', url: `/u/${listToken('renewal:ORD-3003')}` });
    expect(res.body).not.toContain('<script>');
    expect(res.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
  });
});

describe('an unsubscribe link opened again after leaving (real HTTP)', () => {
  let base: string;
  beforeEach(async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  const page = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${base}${path}`, init);
    return { status: res.status, body: await res.text() };
  };
  const post = (path: string, body: string) => page(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });

  it('shows the unsubscribed state with a Rejoin button, not the question and its Unsubscribe button; Rejoin rejoins', async () => {
    const path = `/u/${listToken('renewal:ORD-1001')}`;
    await post(path, '');
    const again = await page(path);
    expect(again.status).toBe(200);
    expect(again.body).toContain('<h1>You are unsubscribed</h1>');
    expect(again.body).toContain('Renewal reminders for order ORD-1001 (Barcode Reader SDK)');
    expect(again.body).not.toContain('Unsubscribe from this list?');
    expect(again.body).not.toContain('will stop');
    expect(again.body).not.toContain('<form method="post"><button');
    const rejoin = /<form method="post" action="([^"]+)"><input type="hidden" name="listId" value="renewal:ORD-1001"><input type="hidden" name="action" value="rejoin">/.exec(again.body);
    expect(rejoin?.[1]).toBe(`/preferences/${createAddressToken(SECRETS, 'ann@acme.com')}`);
    expect(again.body).toContain('Rejoin this list</button>');

    const rejoined = await post(rejoin![1]!, 'listId=renewal%3AORD-1001&action=rejoin');
    expect(rejoined.status).toBe(200);
    expect(rejoined.body).toContain('You rejoined: Renewal reminders for order ORD-1001 (Barcode Reader SDK).');
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual([]);
    expect((await page(path)).body).toContain('Unsubscribe from this list?');
  });

  it('in the page\'s language, and the POST\'s own answer offers Rejoin too', async () => {
    const done = await post(`/u/${listToken('renewal:ORD-2002')}`, '');
    expect(done.body).toContain('Rejoin this list</button>');
    const german = await page(`/u/${listToken('renewal:ORD-2002')}`, { headers: { 'accept-language': 'de' } });
    expect(german.body).toContain('<h1>Sie sind abgemeldet</h1>');
    expect(german.body).toContain('Dieser Liste wieder beitreten</button>');
  });

  it('offers no Rejoin once the address is no longer a contact of the order (the preferences page would refuse it)', async () => {
    await addMember(h.store, 'org-1', 'bob@acme.com', 'active');
    expect(await h.store.directory.addContact('ORD-1001', 'bob@acme.com', 'ann@acme.com')).toBe(true);
    const path = `/u/${listToken('renewal:ORD-1001', 'bob@acme.com')}`;
    await post(path, '');
    expect((await page(path)).body).toContain('Rejoin this list</button>');
    await h.store.directory.removeContact('ORD-1001', 'bob@acme.com');
    const again = await page(path);
    expect(again.body).toContain('<h1>You are unsubscribed</h1>');
    expect(again.body).not.toContain('Rejoin this list');
  });
});

describe('what the unsubscribe page says about license access (real HTTP)', () => {
  let base: string;
  beforeEach(async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    await addMember(h.store, 'org-1', 'bob@acme.com', 'active');
    expect(await h.store.directory.addContact('ORD-1001', 'bob@acme.com', 'ann@acme.com')).toBe(true);
  });
  const page = async (path: string) => (await fetch(`${base}${path}`)).text();

  it('says the license access stays while the address is a contact of the order', async () => {
    const body = await page(`/u/${listToken('renewal:ORD-1001', 'bob@acme.com')}`);
    expect(body).toContain('Your access to the license is not affected, and other lists stay as they are.');
  });

  it('says nothing of license access once the address was removed from the order\'s contacts (it has none)', async () => {
    await h.store.directory.removeContact('ORD-1001', 'bob@acme.com');
    const body = await page(`/u/${listToken('renewal:ORD-1001', 'bob@acme.com')}`);
    expect(body).toContain('Unsubscribe from this list?');
    expect(body).not.toContain('access to the license');
    expect(body).toContain('Other lists stay as they are.');
  });
});

describe('preferences /preferences/:token', () => {
  const url = () => `/preferences/${createAddressToken(SECRETS, 'ann@acme.com')}`;
  beforeEach(async () => {
    await h.store.newsletter.subscribe('ann@acme.com', ['security']);
    await seedOrder(h.store, 'ORD-9009', 'org-2', 'zoe@other.test'); // not Ann's
  });

  it('GET lists exactly the address\'s lists and changes nothing', async () => {
    const res = await h.app.inject({ method: 'GET', url: url() });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Renewal reminders for order ORD-1001 (Barcode Reader SDK)');
    expect(res.body).toContain('Renewal reminders for order ORD-2002');
    expect(res.body).toContain('Newsletter: Security advisories');
    expect(res.body).not.toContain('ORD-9009');
    expect(res.body).not.toContain('Product news');
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual([]);
  });

  it('POST leaves and rejoins a list of the address', async () => {
    const leave = await h.app.inject({ method: 'POST', url: url(), ...form('listId=renewal%3AORD-1001&action=leave') });
    expect(leave.statusCode).toBe(200);
    expect(leave.body).toContain('You left: Renewal reminders for order ORD-1001');
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual(['renewal:ORD-1001']);
    const rejoin = await h.app.inject({ method: 'POST', url: url(), ...form('listId=renewal%3AORD-1001&action=rejoin') });
    expect(rejoin.statusCode).toBe(200);
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual([]);
  });

  it.each([
    ['a list the address is not on', 'listId=renewal%3AORD-9009&action=leave'],
    ['a made-up list', 'listId=newsletter%3Aproduct-news&action=leave'],
    ['an unknown action', 'listId=renewal%3AORD-1001&action=delete'],
  ])('POST for %s is refused (400) and changes nothing', async (_case, body) => {
    const res = await h.app.inject({ method: 'POST', url: url(), ...form(body) });
    expect(res.statusCode).toBe(400);
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual([]);
  });

  it('shows the page in the browser\'s language until the recipient chooses one, then in the chosen one', async () => {
    const browser = { 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.5' };
    const first = await h.app.inject({ method: 'GET', url: url(), headers: browser });
    expect(first.body).toContain('<html lang="ja"');
    expect(first.body).toContain('<h1>メール設定</h1>');
    expect(first.body).toContain('注文 ORD-1001（Barcode Reader SDK）の更新リマインダー');

    const chosen = await h.app.inject({ method: 'POST', url: url(), headers: { ...browser, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'action=language&locale=de' });
    expect(chosen.statusCode).toBe(200);
    expect(chosen.body).toContain('<html lang="de"');
    expect(chosen.body).toContain('Ab jetzt schreiben wir Ihnen auf Deutsch.');
    expect(chosen.body).toContain('<option value="de" selected>Deutsch</option>');
    expect(await h.store.lists.getLocale('ann@acme.com')).toEqual({ locale: 'de', source: 'preferences' });
    expect((await h.app.inject({ method: 'GET', url: url(), headers: browser })).body).toContain('<h1>E-Mail-Einstellungen</h1>');

    const refused = await h.app.inject({ method: 'POST', url: url(), ...form('action=language&locale=tlh') });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Wählen Sie eine der angebotenen Sprachen');
    expect(await h.store.lists.getLocale('ann@acme.com')).toEqual({ locale: 'de', source: 'preferences' });

    const cleared = await h.app.inject({ method: 'POST', url: url(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'action=language&locale=auto' });
    expect(cleared.body).toContain('<h1>Email preferences</h1>');
    expect(await h.store.lists.getLocale('ann@acme.com')).toBeNull();
  });

  it('speaks the organizations\' language when they agree, the browser\'s when they differ, and a subscriber\'s sign-up language', async () => {
    const japaneseBrowser = { 'accept-language': 'ja-JP,ja;q=0.9' };
    const upsert = (orderId: string, organization: { id: string; locale: string }, purchaserEmail = 'ann@acme.com') => h.store.directory.applyOrderUpsert({
      orderId, organization: { ...organization, name: organization.id, timeZone: 'Europe/Berlin' }, product: 'Barcode Reader SDK',
      licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: null, purchaserEmail, purchaserName: null, occurredAt: new Date('2030-01-01T00:00:00Z'),
    });
    await upsert('ORD-1001', { id: 'org-1', locale: 'de-AT' }); // both of Ann's orders are org-1's
    expect((await h.app.inject({ method: 'GET', url: url(), headers: japaneseBrowser })).body).toContain('<h1>E-Mail-Einstellungen</h1>');

    await upsert('ORD-3003', { id: 'org-3', locale: 'fr' }); // Ann is its purchaser: a contact of a French organization too
    expect((await h.app.inject({ method: 'GET', url: url(), headers: japaneseBrowser })).body).toContain('<h1>メール設定</h1>');

    await h.store.lists.setLocale('kim@acme-corp.de', 'fr', 'sign-up');
    const subscriber = await h.app.inject({ method: 'GET', url: `/preferences/${createAddressToken(SECRETS, 'kim@acme-corp.de')}`, headers: japaneseBrowser });
    expect(subscriber.body).toContain('<html lang="fr"');
  });

  it('a newsletter-only subscriber is told nothing about licenses or organizations', async () => {
    await h.store.newsletter.subscribe('nl@corp.example', ['product-news']);
    const page = await h.app.inject({ method: 'GET', url: `/preferences/${createAddressToken(SECRETS, 'nl@corp.example')}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('access to the license');
    expect(page.body).not.toContain('As my organization');
    expect(page.body).toContain('<option value="auto" selected>Automatic</option>');
    // A contact of an order still reads both.
    const contact = await h.app.inject({ method: 'GET', url: url() });
    expect(contact.body).toContain('your access to the license stays');
    expect(contact.body).toContain('As my organization’s');
  });

  it('a list token is not a preferences token', async () => {
    const res = await h.app.inject({ method: 'POST', url: `/preferences/${listToken('renewal:ORD-1001')}`, ...form('listId=renewal%3AORD-1001&action=leave') });
    expect(res.statusCode).toBe(400);
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual([]);
  });
});
