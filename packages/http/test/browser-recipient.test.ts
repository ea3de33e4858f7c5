/**
 * Recipient journeys in a real headless Chromium against the HTTP edge listening on a free port.
 * Links come from real emails: the mailer role sends through the SES v2 SDK to aws-ses-v2-local and
 * the test reads them from its /store, as a person would read their inbox.
 */
import { createAddressToken, createListToken, renewalListId } from '@tickler/domain';
import { enqueue } from '@tickler/queues';
import { portal, SECRETS, seedOrder } from './http-harness';
import { waitFor, type StoredEmail } from '@tickler/testkit';
import { useServedBrowser } from './browser-suite';

const NOW = new Date('2027-01-24T08:30:00Z'); // 09:30 in Berlin, 7 days before ORD-1001's license expires

const suite = useServedBrowser(NOW);

/** The first link in the newest email to `to` whose path starts with `path`. */
async function linkFromInbox(to: string, path: string): Promise<string> {
  const { ses, served: { base } } = suite;
  const email = await waitFor(async () => (await ses.emails()).reverse().find((e: StoredEmail) => e.destination.to.some((t) => t.includes(to))), `an email to ${to}`);
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`href="(${escaped}${path}[^"]+)"`).exec(email.body.html ?? '');
  if (!match?.[1]) throw new Error(`no ${path} link in "${email.subject}"`);
  return match[1];
}

describe('recipients in a browser', () => {
  it('unsubscribes from one order\'s reminders via the link in a real reminder email', async () => {
    const { h, page } = suite;
    await seedOrder(h.store, 'ORD-1001');
    await seedOrder(h.store, 'ORD-2002');
    const [reminder] = await h.store.reminders.insertNew([{
      orderId: 'ORD-1001', kind: 'license', expiresOn: '2027-01-31', offsetDays: 7, sendAt: new Date('2027-01-24T08:00:00Z'), status: 'queued', reason: null,
    }]);
    await enqueue(h.queues, 'reminder', { reminderId: reminder!.id });
    const link = await linkFromInbox('ann@acme.com', '/u/');

    await page.goto(link);
    await page.getByText('Renewal reminders for order ORD-1001 (Barcode Reader SDK)').waitFor();
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual([]); // opening the page changed nothing
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();

    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual(['renewal:ORD-1001']);
    expect(await h.store.lists.getSuppression('ann@acme.com')).toBeNull();

    // The link opened again (a second click in the email): the unsubscribed state, and a way back.
    await page.goto(link);
    await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
    expect(await page.getByRole('button', { name: 'Unsubscribe', exact: true }).count()).toBe(0);
    expect(await page.getByText('Unsubscribe from this list?').count()).toBe(0);
    await page.getByRole('button', { name: 'Rejoin this list' }).click();
    await page.getByText('You rejoined: Renewal reminders for order ORD-1001 (Barcode Reader SDK).').waitFor();
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual([]);
  });

  it('accepts an organization invitation from the invitation email', async () => {
    const { h, page, served: { base } } = suite;
    await seedOrder(h.store, 'ORD-1001');
    const res = await fetch(`${base}/api/organizations/org-1/invitations`, {
      method: 'POST', headers: { ...portal('ann@acme.com'), 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bob@acme.com' }),
    });
    expect(res.status).toBe(202);
    const link = await linkFromInbox('bob@acme.com', '/invitations/');

    await page.goto(link);
    await page.getByRole('heading', { name: 'Join Acme' }).waitFor();
    expect((await h.store.directory.getMembership('org-1', 'bob@acme.com'))?.status).toBe('invited');
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.getByRole('heading', { name: 'Welcome to Acme' }).waitFor();
    expect((await h.store.directory.getMembership('org-1', 'bob@acme.com'))?.status).toBe('active');
  });

  it('subscribes to the newsletter: free mail refused with the reason, business email confirmed by the emailed link', async () => {
    const { h, page, served: { base } } = suite;
    await page.goto(`${base}/newsletter`);
    await page.getByLabel('Security advisories').check();
    await page.getByLabel('Business email address').fill('jo@gmail.com');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('alert').getByText('gmail.com is a free email provider').waitFor();
    expect(await page.getByLabel('Security advisories').isChecked()).toBe(true);
    expect(await page.getByLabel('Business email address').inputValue()).toBe('jo@gmail.com');

    await page.getByLabel('Business email address').fill('jo@acme-corp.de');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    expect((await h.store.newsletter.get('jo@acme-corp.de'))?.status).toBe('pending');

    const link = await linkFromInbox('jo@acme-corp.de', '/newsletter/confirm/');
    await page.goto(link);
    await page.getByRole('button', { name: 'Confirm subscription' }).click();
    await page.getByRole('heading', { name: 'Your subscription is confirmed' }).waitFor();
    expect(await h.store.newsletter.get('jo@acme-corp.de')).toMatchObject({ status: 'confirmed', topics: ['security'] });
  });

  it('keeps every page inside a 320-pixel phone for a 254-character address, a 100-character order id and long German words', async () => {
    const { browser, h, served: { base } } = suite;
    const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    const orderId = `ORD-${'9'.repeat(96)}`;
    expect([email.length, orderId.length]).toEqual([254, 100]);
    const outcome = await h.store.directory.applyOrderUpsert({
      orderId, organization: { id: 'org-long', name: 'Lange GmbH', timeZone: 'Europe/Berlin', locale: 'de' }, product: 'Barcode Reader SDK',
      licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: null, purchaserEmail: email, purchaserName: 'Lang', occurredAt: new Date('2026-11-01T00:00:00Z'),
    });
    expect(outcome.outcome).toBe('applied');
    const phone = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 320, height: 640 } });
    try {
      const p = await phone.newPage();
      const fits = async (what: string): Promise<void> => {
        const widths = await p.evaluate(`[document.documentElement.scrollWidth, ...[...document.querySelectorAll('button, input, select')].map((e) => Math.ceil(e.getBoundingClientRect().right))]`) as number[];
        const widest = Math.max(...widths);
        if (widest > 320) throw new Error(`the ${what} is ${widest} px wide on a 320-px screen`);
      };
      await p.goto(`${base}/u/${createListToken(SECRETS, email, renewalListId(orderId))}`);
      await p.getByText(orderId).waitFor();
      await fits('unsubscribe page');
      await p.goto(`${base}/preferences/${createAddressToken(SECRETS, email)}`);
      await p.getByRole('button', { name: 'Verlassen' }).waitFor(); // the organization's German: "Verlängerungserinnerungen …"
      await fits('preferences page');
      await p.goto(`${base}/newsletter`);
      await p.getByLabel('Product news').check();
      await p.getByLabel('Business email address').fill(email);
      await p.getByRole('button', { name: 'Subscribe' }).click();
      await p.getByRole('heading', { name: 'Check your inbox' }).waitFor();
      await fits('newsletter sign-up answer');
    } finally {
      await phone.close();
    }
  });

  it('works without JavaScript and fits a phone screen', async () => {
    const { browser, served: { base } } = suite;
    const phone = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
    try {
      const p = await phone.newPage();
      await p.goto(`${base}/newsletter`);
      const width = await p.evaluate('document.documentElement.scrollWidth') as number;
      expect(width).toBeLessThanOrEqual(360);
      await p.getByLabel('Product news').check();
      await p.getByLabel('Business email address').fill('kim@acme-corp.de');
      await p.getByRole('button', { name: 'Subscribe' }).click();
      await p.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    } finally {
      await phone.close();
    }
  });

  it('opening the newsletter answer\'s URL again shows the form, and a path without its token a "not found" page, never JSON', async () => {
    const { page, served: { base } } = suite;
    await page.goto(`${base}/newsletter`);
    await page.getByLabel('Product news').check();
    await page.getByLabel('Business email address').fill('kim@acme-corp.de');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    expect(page.url()).toBe(`${base}/newsletter/subscriptions`);
    // A new tab, or the address bar: a GET of the answer's URL.
    const again = await page.context().newPage();
    const answer = await again.goto(`${base}/newsletter/subscriptions`);
    expect(answer?.status()).toBe(200);
    expect(again.url()).toBe(`${base}/newsletter`);
    await again.getByRole('heading', { name: 'Subscribe to our newsletter' }).waitFor();
    for (const path of ['/u', '/preferences']) {
      const missing = await again.goto(`${base}${path}`);
      expect(missing?.status()).toBe(404);
      await again.getByRole('heading', { name: 'There is no page here' }).waitFor();
    }
  });

  it('names each Leave/Rejoin button on the preferences page after its list, in the page\'s language', async () => {
    const { page, h, served: { base } } = suite;
    await seedOrder(h.store, 'ORD-1001');
    await seedOrder(h.store, 'ORD-2002');
    await page.goto(`${base}/preferences/${createAddressToken(SECRETS, 'ann@acme.com')}`);
    const names = await page.getByRole('button', { name: /^Leave / }).evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label')));
    expect(names).toEqual(['Leave Renewal reminders for order ORD-1001 (Barcode Reader SDK)', 'Leave Renewal reminders for order ORD-2002 (Barcode Reader SDK)']);
    await page.getByRole('button', { name: 'Leave Renewal reminders for order ORD-2002 (Barcode Reader SDK)', exact: true }).click();
    await page.getByText('You left: Renewal reminders for order ORD-2002 (Barcode Reader SDK).').waitFor();
    expect(await h.store.lists.listUnsubscribed('ann@acme.com')).toEqual(['renewal:ORD-2002']);
    await page.getByRole('button', { name: 'Rejoin Renewal reminders for order ORD-2002 (Barcode Reader SDK)', exact: true }).waitFor();

    await h.store.lists.setLocale('ann@acme.com', 'de', 'preferences');
    await page.reload();
    await page.getByRole('button', { name: 'Verlassen: Verlängerungserinnerungen für Auftrag ORD-1001 (Barcode Reader SDK)', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Wieder beitreten: Verlängerungserinnerungen für Auftrag ORD-2002 (Barcode Reader SDK)', exact: true }).waitFor();
  });

  it('on a newsletter form error, marks the field invalid, describes it by the message and moves focus to it', async () => {
    const { page, served: { base } } = suite;
    /** The focused element's id, its aria-invalid, and the text its aria-describedby points at. */
    const focused = () => page.evaluate(`(() => {
      const el = document.activeElement;
      const described = el && el.getAttribute('aria-describedby');
      return { id: el && el.id, name: el && el.getAttribute('name'), invalid: el && el.getAttribute('aria-invalid'), description: described ? document.getElementById(described).textContent : null };
    })()`) as Promise<{ id: string; name: string | null; invalid: string | null; description: string | null }>;

    await page.goto(`${base}/newsletter`);
    await page.getByLabel('Security advisories').check();
    await page.getByLabel('Business email address').fill('jo@gmail.com');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('alert').waitFor();
    expect(await focused()).toEqual({
      id: 'email', name: 'email', invalid: 'true', description: 'gmail.com is a free email provider; please use your business email address.',
    });

    // No topic picked: the topics are what is wrong, so the first one takes the focus and the group is described by the message.
    await page.getByLabel('Security advisories').uncheck();
    await page.getByLabel('Business email address').fill('jo@acme-corp.de');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('alert').getByText('Pick at least one topic.').waitFor();
    expect((await focused()).name).toBe('topics');
    expect(await page.getByRole('group', { name: 'Topics you are interested in' }).getAttribute('aria-describedby')).toBe('form-problem');
    expect(await page.getByLabel('Business email address').getAttribute('aria-invalid')).toBeNull();
  });
});

