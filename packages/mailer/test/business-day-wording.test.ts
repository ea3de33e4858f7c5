/**
 * Business days and the email's wording: a reminder moved off a weekend tells the days left from the
 * day it is actually sent (in the organization's zone), not from its offset. Through the real mailer
 * role, Redis and the SES emulator.
 */
import { enqueue } from '@tickler/queues';
import { planReminder, seedOrder, useMailerAgainstLocalSes, waitFor } from './mailer-helpers';

// The license of ORD-1001 (Berlin) expires on Sunday 2027-01-31.
async function sendAndReadSubject(ctx: ReturnType<typeof useMailerAgainstLocalSes>, offsetDays: number): Promise<string> {
  await seedOrder(ctx.env.store, ['ann@acme.com']);
  const reminderId = await planReminder(ctx.env.store, offsetDays);
  await enqueue(ctx.env.queues, 'reminder', { reminderId });
  await waitFor(async () => (await ctx.ses.emails()).length > 0, 'the reminder email');
  const [email] = await ctx.ses.emails();
  return email!.subject;
}

describe('the Saturday reminder (1 day before a Sunday expiry), sent on Friday', () => {
  const ctx = useMailerAgainstLocalSes('bizdays-fri', new Date('2027-01-29T08:00:00Z')); // Friday 09:00 in Berlin

  it('says "expires in 2 days"', async () => {
    expect(await sendAndReadSubject(ctx, 1)).toBe('Your Barcode Reader SDK license expires in 2 days (order ORD-1001)');
  });
});

describe('the on-expiry reminder of a Sunday expiry, sent on Monday', () => {
  const ctx = useMailerAgainstLocalSes('bizdays-mon', new Date('2027-02-01T08:00:00Z')); // Monday 09:00 in Berlin

  it('says it expired 1 day ago, not "expires today"', async () => {
    expect(await sendAndReadSubject(ctx, 0)).toBe('Your Barcode Reader SDK license expired 1 day ago (order ORD-1001)');
  });
});
