/**
 * How the send worker reacts to SES answers, through the real SDK against a recording SES v2 stub:
 * throttling waits and retries without failing the job; a rejected message fails once; a paused
 * account pauses the send queue; transient errors retry with backoff.
 */
import { StoreError, type Store } from '@tickler/db';
import { enqueue } from '@tickler/queues';
import { startMailerRole, type MailerRole } from '../src/role/start-mailer-role';
import { makeSesTransport, type MailTransport } from '../src/transport';
import { makeSendProcessor } from '../src/processors/send-processor';
import { ClaimLapsedError } from '../src/processors/claim-hold';
import { config, connection, makeMailerEnv, planReminder, quietLogger, seedOrder, startSesStub, waitFor, type MailerTestEnv } from './mailer-helpers';

const NOW = new Date('2027-01-24T08:30:00Z');

let stub: Awaited<ReturnType<typeof startSesStub>>;
let env: MailerTestEnv;
let role: MailerRole;
let transport: MailTransport;

beforeEach(async () => {
  stub = await startSesStub();
  env = await makeMailerEnv('failures');
  transport = makeSesTransport({ region: 'eu-west-1', endpoint: stub.endpoint, configurationSet: 'tickler-events' });
  role = startMailerRole({
    connection, prefix: env.prefix, store: env.store, logger: quietLogger, transport, templates: env.templates, config,
    concurrency: 2, maxSendRate: 50, now: () => NOW,
  });
  await seedOrder(env.store, ['ann@acme.com']);
});

afterEach(async () => {
  await role.close();
  await transport.close?.();
  await env.cleanup();
  await stub.close();
});

/** Fans a reminder out to ann and returns her delivery id (its send job is `delivery-<id>`). */
async function fanOut(): Promise<number> {
  const reminderId = await planReminder(env.store, 7);
  await enqueue(env.queues, 'reminder', { reminderId });
  const [delivery] = await waitFor(async () => {
    const rows = await env.store.deliveries.listByOrder('ORD-1001');
    return rows.length > 0 ? rows : null;
  }, 'the fan-out');
  return delivery!.id;
}

const sendJob = (deliveryId: number) => env.queues.send.getJob(`delivery-${deliveryId}`);

describe('send worker against SES answers', () => {
  it('sends SendEmail with Simple content, both bodies, list headers, configuration set and id-only tags', async () => {
    const deliveryId = await fanOut();
    await waitFor(async () => (await env.store.deliveries.get(deliveryId))?.status === 'sent', 'the send');
    expect(stub.requests).toHaveLength(1);
    const request = stub.requests[0] as {
      FromEmailAddress: string; Destination: { ToAddresses: string[] }; ConfigurationSetName: string;
      Content: { Simple: { Subject: { Data: string }; Body: { Html: { Data: string }; Text: { Data: string } }; Headers: Array<{ Name: string; Value: string }> } };
      EmailTags: Array<{ Name: string; Value: string }>;
    };
    expect(request.FromEmailAddress).toBe(config.fromReminders);
    expect(request.Destination.ToAddresses).toEqual(['ann@acme.com']);
    expect(request.ConfigurationSetName).toBe('tickler-events');
    expect(request.Content.Simple.Subject.Data).toContain('expires in 7 days');
    expect(request.Content.Simple.Body.Html.Data).toContain('<!doctype html>');
    expect(request.Content.Simple.Body.Text.Data).toContain('Order number:');
    expect(request.Content.Simple.Headers.map((h) => h.Name)).toEqual(['List-Unsubscribe', 'List-Unsubscribe-Post', 'List-Id']);
    expect(Object.fromEntries(request.EmailTags.map((t) => [t.Name, t.Value]))).toEqual({
      delivery: String(deliveryId), source: 'reminder', reminder: expect.stringMatching(/^\d+$/), kind: 'license',
    });
    expect(JSON.stringify(request.EmailTags)).not.toContain('ann');
    expect(await env.store.deliveries.get(deliveryId)).toMatchObject({ status: 'sent', providerMessageId: 'stub-1' });
  });

  it('waits and retries when SES throttles (HTTP 429), without failing the job', async () => {
    stub.script({ status: 429, errorType: 'TooManyRequestsException', message: 'Maximum sending rate exceeded.' }, { status: 429, errorType: 'TooManyRequestsException' });
    const started = Date.now();
    const deliveryId = await fanOut();
    await waitFor(async () => (await env.store.deliveries.get(deliveryId))?.status === 'sent', 'the send after throttling');

    expect(stub.requests).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * config.throttleDelayMs!);
    const job = await sendJob(deliveryId);
    expect(await job!.getState()).toBe('completed');
    expect(job!.attemptsMade).toBe(1); // throttled tries are not counted as failed attempts
    expect((await env.queues.send.getJobCounts('failed')).failed).toBe(0);
    expect(await env.store.deliveries.get(deliveryId)).toMatchObject({ status: 'sent', attempts: 3, providerMessageId: 'stub-3', lastError: null });
  });

  it('fails once and does not retry when SES rejects the message', async () => {
    stub.script({ status: 400, errorType: 'MessageRejected', message: 'Email address is not verified.' });
    const deliveryId = await fanOut();
    await waitFor(async () => (await env.store.deliveries.get(deliveryId))?.status === 'failed', 'the failure');
    await waitFor(async () => (await sendJob(deliveryId))?.finishedOn, 'the job to finish');

    const job = await sendJob(deliveryId);
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    expect(job!.failedReason).toContain('MessageRejected');
    await new Promise((r) => setTimeout(r, 500));
    expect(stub.requests).toHaveLength(1);
    expect(await env.store.deliveries.get(deliveryId)).toMatchObject({ status: 'failed', lastError: expect.stringContaining('Email address is not verified.') });
  });

  it('retries a 5xx with backoff and then sends', async () => {
    stub.script({ status: 503, errorType: 'ServiceUnavailable', message: 'try later' });
    const deliveryId = await fanOut();
    await waitFor(async () => (await env.store.deliveries.get(deliveryId))?.status === 'sent', 'the send after a 503', 20_000);
    const job = await sendJob(deliveryId);
    expect(job!.attemptsMade).toBe(2);
    expect(stub.requests).toHaveLength(2);
  });

  it('pauses the send queue when the account cannot send', async () => {
    stub.script({ status: 400, errorType: 'SendingPausedException', message: 'Sending is paused for this account.' });
    const deliveryId = await fanOut();
    await waitFor(async () => env.queues.send.isPaused(), 'the send queue to pause');
    expect(await env.store.deliveries.get(deliveryId)).toMatchObject({ status: 'queued', lastError: expect.stringContaining('SendingPausedException') });
    expect(stub.requests).toHaveLength(1);

    await env.queues.send.resume();
    await waitFor(async () => (await env.store.deliveries.get(deliveryId))?.status === 'sent', 'the send after resuming', 20_000);
    expect(stub.requests).toHaveLength(2);
  });

  it('does not send again when the database cannot record a sent email: the retry records the provider\'s id', async () => {
    await role.close();
    // The database refuses the ledger write for a while (down, restarting), longer than the in-process retry.
    let refusals = 0;
    const store: Store = {
      ...env.store,
      deliveries: {
        ...env.store.deliveries,
        markSent: async (...args) => {
          if (refusals < 4) {
            refusals += 1;
            throw new StoreError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED', { kind: 'unavailable' });
          }
          return env.store.deliveries.markSent(...args);
        },
      },
    };
    role = startMailerRole({
      connection, prefix: env.prefix, store, logger: quietLogger, transport, templates: env.templates, config,
      concurrency: 2, maxSendRate: 50, now: () => NOW, recordRetryMs: 150,
    });
    const deliveryId = await fanOut();
    const sent = await waitFor(async () => {
      const row = await env.store.deliveries.get(deliveryId);
      return row?.status === 'sent' ? row : null;
    }, 'the send to be recorded', 30_000);
    expect(stub.requests).toHaveLength(1);
    expect(sent.providerMessageId).toBe('stub-1');
    expect(refusals).toBe(4);
    expect((await sendJob(deliveryId))?.data).toEqual({ deliveryId, providerMessageId: 'stub-1' });
  });

  it('records a sent email once the database is back even if Redis lost its job meanwhile, and never sends it again', async () => {
    await role.close();
    let databaseAway = true;
    const store: Store = {
      ...env.store,
      deliveries: {
        ...env.store.deliveries,
        markSent: async (...args) => {
          if (databaseAway) throw new StoreError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED', { kind: 'unavailable' });
          return env.store.deliveries.markSent(...args);
        },
      },
    };
    role = startMailerRole({ connection, prefix: env.prefix, store, logger: quietLogger, transport, templates: env.templates, config, concurrency: 2, maxSendRate: 50, now: () => NOW });
    const deliveryId = await fanOut();
    // The first refusal notes the provider's id in the job at once (a crash now would leave a retry that records).
    await waitFor(async () => ((await sendJob(deliveryId))?.data as { providerMessageId?: string } | undefined)?.providerMessageId === 'stub-1' || null, 'the id in the job');
    // Redis loses everything while the database is still away; then the database comes back.
    await env.queues.send.obliterate({ force: true });
    databaseAway = false;
    const sent = await waitFor(async () => {
      const row = await env.store.deliveries.get(deliveryId);
      return row?.status === 'sent' ? row : null;
    }, 'the send to be recorded', 20_000);
    expect(sent.providerMessageId).toBe('stub-1');
    // Reconciliation would now add the job again: it finds the delivery sent.
    await enqueue(env.queues, 'send', { deliveryId });
    await waitFor(async () => (await sendJob(deliveryId))?.returnvalue ?? null, 'the re-added job');
    expect((await sendJob(deliveryId))?.returnvalue).toEqual({ status: 'already-handled', previous: 'sent' });
    expect(stub.requests).toHaveLength(1);
  });

  it('a mailer stopped after claiming does not send on waking once another mailer may hold the delivery', async () => {
    await role.close();
    const leaseMs = 400;
    role = startMailerRole({
      connection, prefix: env.prefix, store: env.store, logger: quietLogger, transport, templates: env.templates, config,
      concurrency: 2, maxSendRate: 50, now: () => NOW, claimLeaseMs: leaseMs,
    });
    await env.queues.send.pause();
    const deliveryId = await fanOut();
    // Mailer A claims the delivery, then stands still (SIGSTOP, a paused VM) for longer than the lease.
    const asleep = makeSendProcessor({
      store: env.store, templates: env.templates, config, logger: quietLogger, transport, now: () => NOW,
      budget: { take: () => new Promise((resolve) => setTimeout(resolve, 3 * leaseMs)) },
      rateLimit: async () => {}, pauseSending: async () => {}, claimLeaseMs: leaseMs,
    });
    const job = { id: 'stopped-mailer', data: { deliveryId }, attemptsMade: 0, opts: {}, updateData: async () => {} };
    const woken = asleep({ deliveryId }, job as never).catch((err: unknown) => err);
    await waitFor(async () => (await env.store.deliveries.get(deliveryId))?.status === 'sending' || null, 'mailer A\'s claim');
    // Meanwhile mailer B (the role) runs the job, takes the lapsed claim over and sends.
    await env.queues.send.resume();
    await waitFor(async () => (await env.store.deliveries.get(deliveryId))?.status === 'sent' || null, 'mailer B\'s send', 20_000);
    expect(await woken).toBeInstanceOf(ClaimLapsedError);
    expect(stub.requests).toHaveLength(1);
    expect((await env.store.deliveries.get(deliveryId))?.status).toBe('sent');
  });
});
