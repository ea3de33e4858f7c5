/** The mailer role's lifecycle: `close()` lets an in-flight send finish and record itself. */
import { enqueue } from '@tickler/queues';
import { startMailerRole } from '../src/role/start-mailer-role';
import type { MailTransport, OutgoingEmail } from '../src/transport';
import { config, connection, makeMailerEnv, planReminder, quietLogger, seedOrder, waitFor, type MailerTestEnv } from './mailer-helpers';

let env: MailerTestEnv;
beforeEach(async () => {
  env = await makeMailerEnv('role');
  await seedOrder(env.store, ['ann@acme.com']);
});
afterEach(() => env.cleanup());

/** A transport whose sends take `ms` and that records what it accepted. */
function slowTransport(ms: number): MailTransport & { accepted: OutgoingEmail[]; started: number } {
  const self = {
    accepted: [] as OutgoingEmail[],
    started: 0,
    async send(message: OutgoingEmail) {
      self.started += 1;
      await new Promise((r) => setTimeout(r, ms));
      self.accepted.push(message);
      return { messageId: `slow-${self.accepted.length}` };
    },
  };
  return self;
}

describe('startMailerRole', () => {
  it('finishes the in-flight send on close, and records it', async () => {
    const transport = slowTransport(700);
    const role = startMailerRole({
      connection, prefix: env.prefix, store: env.store, logger: quietLogger, transport, templates: env.templates, config,
      maxSendRate: 10, now: () => new Date('2027-01-24T08:30:00Z'),
    });
    await enqueue(env.queues, 'reminder', { reminderId: await planReminder(env.store, 7) });
    await waitFor(async () => transport.started === 1, 'the send to start');
    await role.close();

    expect(transport.accepted.map((m) => m.to)).toEqual(['ann@acme.com']);
    const [delivery] = await env.store.deliveries.listByOrder('ORD-1001');
    expect(delivery).toMatchObject({ status: 'sent', providerMessageId: 'slow-1' });
    await role.close(); // twice is harmless
  });

  it('refuses a missing or non-positive send rate', () => {
    expect(() => startMailerRole({
      connection, prefix: env.prefix, store: env.store, logger: quietLogger, transport: slowTransport(1), templates: env.templates, config, maxSendRate: 0,
    })).toThrow(/maxSendRate/);
  });
});
