/**
 * Invitation, newsletter confirmation and newsletter broadcast emails through the send worker, the
 * real SES SDK and aws-ses-v2-local: sender, links that open the right thing, list headers only on
 * list mail.
 */
import { enqueueBulk } from '@tickler/queues';
import { createInvitationToken, readConfirmToken, readListToken, readTopicChangeToken, sha256Hex } from '@tickler/domain';
import {
  config, header, seedOrder, waitFor, useMailerAgainstLocalSes,
} from './mailer-helpers';

const NOW = new Date('2026-11-27T10:00:00Z');

const ctx = useMailerAgainstLocalSes('other', NOW);

async function sendAll(ids: number[]): Promise<void> {
  await enqueueBulk(ctx.env.queues, 'send', ids.map((deliveryId) => ({ data: { deliveryId } })));
  await waitFor(async () => {
    const rows = await Promise.all(ids.map((id) => ctx.env.store.deliveries.get(id)));
    return rows.every((r) => r && r.status !== 'queued' && r.status !== 'sending');
  }, 'the sends');
}

const INVITATION_EXPIRES_AT = new Date('2026-12-11T10:00:00Z');

/**
 * An invitation of `email` to org-1 by Ann, as the HTTP edge creates it (only the token's hash is
 * stored), and its queued delivery; `accepted` accepts it before anything is sent.
 */
async function inviteQueued(email: string, opts: { accepted?: boolean } = {}): Promise<{ token: string; deliveryId: number }> {
  const expiresAt = INVITATION_EXPIRES_AT;
  const token = createInvitationToken(config.tokenSecrets, { organizationId: 'org-1', email, expiresAt });
  const row = await ctx.env.store.invitations.createOrRenew({ organizationId: 'org-1', email, invitedByEmail: 'ann@acme.com', tokenHash: sha256Hex(token), expiresAt });
  if (opts.accepted) await ctx.env.store.invitations.accept(row.id, NOW);
  const [delivery] = await ctx.env.store.deliveries.upsertMany([{ sourceType: 'invitation', sourceId: row.id, email, listId: null, orderId: null, status: 'queued', reason: null }]);
  return { token, deliveryId: delivery!.id };
}

describe('invitation, confirmation and newsletter emails', () => {
  it('sends an invitation whose link carries the token stored for it', async () => {
    await seedOrder(ctx.env.store, ['ann@acme.com']);
    const { token, deliveryId } = await inviteQueued('eve@acme.com');
    await sendAll([deliveryId]);

    const [email] = await ctx.ses.emails();
    expect(email).toMatchObject({ from: config.fromReminders, destination: { to: ['eve@acme.com'] }, subject: 'ann@acme.com invited you to join Acme GmbH on Tickler' });
    expect(email!.body.html).toContain(`href="https://tickler.example.com/invitations/${token}"`);
    expect(email!.body.text).toContain(`Accept the invitation: https://tickler.example.com/invitations/${token}`);
    expect(email!.body.html).toContain('11 December 2026');
    expect(header(email!, 'List-Unsubscribe')).toBeUndefined();
  });

  it('writes an invitation in the organization\'s locale (fr-BE → fr), unless the invitee chose a language', async () => {
    await seedOrder(ctx.env.store, ['ann@acme.com']);
    await ctx.env.store.directory.applyOrderUpsert({
      orderId: 'ORD-1001', organization: { id: 'org-1', name: 'Acme SA', timeZone: 'Europe/Brussels', locale: 'fr-BE' }, product: 'Barcode Reader SDK',
      licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: null, purchaserEmail: 'ann@acme.com', purchaserName: 'Ann', occurredAt: new Date('2026-11-26T12:00:00Z'),
    });
    await ctx.env.store.lists.setLocale('zoe@acme.com', 'zh-CN', 'preferences');
    const ids: number[] = [];
    for (const email of ['eve@acme.com', 'zoe@acme.com']) ids.push((await inviteQueued(email)).deliveryId);
    await sendAll(ids);
    const byRecipient = new Map((await ctx.ses.emails()).map((e) => [e.destination.to[0], e]));
    expect(byRecipient.get('eve@acme.com')?.subject).toBe('ann@acme.com vous invite à rejoindre Acme SA sur Tickler');
    expect(byRecipient.get('eve@acme.com')?.body.html).toContain('11 décembre 2026');
    expect(byRecipient.get('zoe@acme.com')?.subject).toBe('ann@acme.com 邀请您加入 Tickler 上的 Acme SA');
    expect(byRecipient.get('zoe@acme.com')?.body.html).toContain('2026年12月11日');
  });

  it('writes the double opt-in email in the sign-up\'s language, with the topics joined in it', async () => {
    await ctx.env.store.lists.setLocale('jan@contoso.com', 'de-AT', 'sign-up');
    const { subscription } = await ctx.env.store.newsletter.subscribe('jan@contoso.com', ['product-news', 'security']);
    const [delivery] = await ctx.env.store.deliveries.upsertMany([{ sourceType: 'newsletter-confirmation', sourceId: subscription.id, email: 'jan@contoso.com', listId: null, orderId: null, status: 'queued', reason: null }]);
    await sendAll([delivery!.id]);
    const [email] = await ctx.ses.emails();
    expect(email?.subject).toBe('Bitte bestätigen Sie Ihr Newsletter-Abonnement');
    expect(email?.body.text).toMatch(/Newsletter zu (Produktneuigkeiten und security|security und Produktneuigkeiten) an jan@contoso\.com/);
  });

  it('keeps control and bidi characters of an organization name out of the subject, the text lines and the HTML', async () => {
    await seedOrder(ctx.env.store, ['ann@acme.com']);
    // A billing system renames the organization with a right-to-left override and a line break.
    await ctx.env.store.directory.applyOrderUpsert({
      orderId: 'ORD-1001', organization: { id: 'org-1', name: 'Acme\u202Egnp.exe\r\nBcc: eve@evil.test\u0007', timeZone: 'Europe/Berlin' }, product: 'Barcode Reader SDK',
      licenseExpiresOn: '2027-01-31', maintenanceExpiresOn: null, purchaserEmail: 'ann@acme.com', purchaserName: 'Ann', occurredAt: new Date('2026-11-26T12:00:00Z'),
    });
    const { deliveryId } = await inviteQueued('eve@acme.com');
    await sendAll([deliveryId]);

    const [email] = await ctx.ses.emails();
    expect(email!.subject).toBe('ann@acme.com invited you to join Acmegnp.exe Bcc: eve@evil.test on Tickler');
    const lines = email!.body.text!.split(/\r?\n/);
    expect(lines[0]).toBe('Join Acmegnp.exe Bcc: eve@evil.test');
    expect(lines.filter((l) => l.startsWith('Bcc:'))).toEqual([]);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    const hidden = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
    for (const part of [email!.subject, email!.body.text!, email!.body.html!]) expect(part).not.toMatch(hidden);
  });

  it('skips an invitation that was accepted before its email went out', async () => {
    await seedOrder(ctx.env.store, ['ann@acme.com']);
    const { deliveryId } = await inviteQueued('eve@acme.com', { accepted: true });
    await sendAll([deliveryId]);
    expect(await ctx.env.store.deliveries.get(deliveryId)).toMatchObject({ status: 'skipped', reason: 'invitation-accepted' });
    expect(await ctx.ses.emails()).toEqual([]);
  });

  it('sends the double opt-in email with a confirmation link for the address', async () => {
    const { subscription } = await ctx.env.store.newsletter.subscribe('carol@contoso.com', ['product-news']);
    const [delivery] = await ctx.env.store.deliveries.upsertMany([{ sourceType: 'newsletter-confirmation', sourceId: subscription.id, email: 'carol@contoso.com', listId: null, orderId: null, status: 'queued', reason: null }]);
    await sendAll([delivery!.id]);
    const [email] = await ctx.ses.emails();
    expect(email).toMatchObject({ from: config.fromReminders, subject: 'Please confirm your newsletter subscription', destination: { to: ['carol@contoso.com'] } });
    const token = email!.body.html!.match(/newsletter\/confirm\/([A-Za-z0-9_-]+)/)?.[1];
    expect(readConfirmToken(config.tokenSecrets, token!)).toEqual({ email: 'carol@contoso.com' });
    expect(email!.body.text).toContain('about Product news at carol@contoso.com');
  });

  it('asks a confirmed subscriber to confirm a requested topic change, naming the new and the current topics; an applied change is not mailed', async () => {
    await ctx.env.store.newsletter.subscribe('dan@contoso.com', ['product-news']);
    await ctx.env.store.newsletter.confirm('dan@contoso.com', NOW);
    const { change } = await ctx.env.store.newsletter.subscribe('dan@contoso.com', ['security', 'product-news']);
    const { change: applied } = await ctx.env.store.newsletter.subscribe('dan@contoso.com', ['security']);
    const rows = await ctx.env.store.deliveries.upsertMany([change!, applied!].map((c) => (
      { sourceType: 'newsletter-topic-change' as const, sourceId: c.id, email: 'dan@contoso.com', listId: null, orderId: null, status: 'queued' as const, reason: null })));
    await ctx.env.store.newsletter.applyTopicChange(applied!.id);
    await sendAll(rows.map((r) => r.id));
    expect(await ctx.env.store.deliveries.get(rows[1]!.id)).toMatchObject({ status: 'skipped', reason: 'topic-change-gone' });
    // Applying one change drops the others: the first change's email is not sent either.
    expect(await ctx.env.store.deliveries.get(rows[0]!.id)).toMatchObject({ status: 'skipped', reason: 'topic-change-gone' });
    expect(await ctx.ses.emails()).toEqual([]);

    // dan receives security; product-news he left with its one-click link (subscribed, not received).
    await ctx.env.store.newsletter.subscribe('dan@contoso.com', ['product-news']);
    const { change: both } = await ctx.env.store.newsletter.subscribe('dan@contoso.com', ['security', 'product-news']);
    await ctx.env.store.newsletter.applyTopicChange(both!.id);
    await ctx.env.store.lists.unsubscribe('dan@contoso.com', 'newsletter:product-news', 'one-click');
    const { change: next } = await ctx.env.store.newsletter.subscribe('dan@contoso.com', ['events', 'security']);
    const [row] = await ctx.env.store.deliveries.upsertMany([
      { sourceType: 'newsletter-topic-change', sourceId: next!.id, email: 'dan@contoso.com', listId: null, orderId: null, status: 'queued', reason: null }]);
    await sendAll([row!.id]);
    const [email] = await ctx.ses.emails();
    expect(email).toMatchObject({ from: config.fromReminders, subject: 'Please confirm your new newsletter topics', destination: { to: ['dan@contoso.com'] } });
    expect(email!.body.text).toContain('change the newsletter topics of dan@contoso.com to: events and security. Right now you receive: security.');
    const token = email!.body.html!.match(/newsletter\/confirm\/([A-Za-z0-9_-]+)/)?.[1];
    expect(readTopicChangeToken(config.tokenSecrets, token!)).toEqual({ email: 'dan@contoso.com', changeId: next!.id });
    expect(header(email!, 'List-Unsubscribe')).toBeUndefined();
  });

  it('sends a newsletter only to confirmed subscribers still on the list, from the newsletter sender, with list headers', async () => {
    for (const email of ['a@contoso.com', 'b@contoso.com', 'c@contoso.com']) await ctx.env.store.newsletter.subscribe(email, ['product-news']);
    await ctx.env.store.newsletter.confirm('a@contoso.com', NOW);
    await ctx.env.store.newsletter.confirm('b@contoso.com', NOW);
    await ctx.env.store.lists.unsubscribe('b@contoso.com', 'newsletter:product-news', 'link');
    const { id } = await ctx.env.store.newsletter.ensureBroadcast('product-news', 'product-news');
    const rows = await ctx.env.store.deliveries.upsertMany(['a@contoso.com', 'b@contoso.com', 'c@contoso.com'].map((email) => (
      { sourceType: 'broadcast' as const, sourceId: id, email, listId: 'newsletter:product-news' as const, orderId: null, status: 'queued' as const, reason: null })));
    await sendAll(rows.map((r) => r.id));

    const emails = await ctx.ses.emails();
    expect(emails.map((e) => e.destination.to[0])).toEqual(['a@contoso.com']);
    const [email] = emails;
    expect(email).toMatchObject({ from: config.fromNewsletter, subject: 'Product news: what is new this season' });
    const url = header(email!, 'List-Unsubscribe')!.slice(1, -1);
    expect(readListToken(config.tokenSecrets, url.split('/u/')[1]!)).toEqual({ email: 'a@contoso.com', listId: 'newsletter:product-news' });
    expect(header(email!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(header(email!, 'List-Id')).toBe('<newsletter.product-news.tickler.example.com>');
    expect(email!.body.html).toContain(`<a href="${url}" class="tk-unsubscribe"`);
    const outcome = Object.fromEntries((await Promise.all(rows.map((r) => ctx.env.store.deliveries.get(r.id)))).map((r) => [r!.email, [r!.status, r!.reason]]));
    expect(outcome).toEqual({ 'a@contoso.com': ['sent', null], 'b@contoso.com': ['skipped', 'unsubscribed'], 'c@contoso.com': ['skipped', 'not-subscribed'] });
  });

  it('a German reader: the English body names the topic in English, the footer names the list in German', async () => {
    await ctx.env.store.newsletter.subscribe('d@contoso.de', ['product-news']);
    await ctx.env.store.newsletter.confirm('d@contoso.de', NOW);
    await ctx.env.store.lists.setLocale('d@contoso.de', 'de', 'preferences');
    const { id } = await ctx.env.store.newsletter.ensureBroadcast('product-news', 'product-news');
    const [row] = await ctx.env.store.deliveries.upsertMany([
      { sourceType: 'broadcast', sourceId: id, email: 'd@contoso.de', listId: 'newsletter:product-news', orderId: null, status: 'queued', reason: null }]);
    await sendAll([row!.id]);
    const [email] = await ctx.ses.emails();
    expect(email!.body.text).toContain("here is this season's short round-up for Product news.");
    expect(email!.body.text).not.toContain('season\'s Produktneuigkeiten');
    expect(email!.body.text).toContain('Produktneuigkeiten');
  });
});
