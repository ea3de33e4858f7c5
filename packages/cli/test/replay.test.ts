/**
 * Replay: SES refuses some emails (permanent error) → their send jobs fail → SES is fixed →
 * `tickler jobs replay` sends exactly the emails that were not sent, and nothing twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cleanPrefix, killAll, runCli, SECRETS, sesStore, startCli, uniquePrefix, waitUntil } from './helpers/cli';
import { loadDueOrders, startFlakySes, startSes } from './helpers/services';

jest.setTimeout(240_000);

const prefix = uniquePrefix('replay');
let dir: string;
let ses: Awaited<ReturnType<typeof startSes>>;
let flaky: Awaited<ReturnType<typeof startFlakySes>>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tickler-replay-'));
  ses = await startSes();
  flaky = await startFlakySes(ses.url, /refused-/);
});
afterAll(async () => {
  await killAll();
  await flaky?.close();
  await ses?.close();
  await cleanPrefix(prefix);
  rmSync(dir, { recursive: true, force: true });
});

it('replays failed sends once SES works again, sending only what was not sent', async () => {
  const env = {
    ...SECRETS, DATABASE_URL: `file:${path.join(dir, 't.db')}`, QUEUE_PREFIX: prefix, PUBLIC_BASE_URL: 'https://tickler.example.com',
    SES_ENDPOINT: flaky.url, SES_FROM_REMINDERS: 'reminders@tickler.example', SES_FROM_NEWSLETTER: 'news@tickler.example', SES_MAX_SEND_RATE: '100',
  };
  const ok = ['ok-1@acme.example', 'ok-2@acme.example', 'ok-3@acme.example'];
  const refused = ['refused-1@acme.example', 'refused-2@acme.example', 'refused-3@acme.example'];
  await loadDueOrders(env.DATABASE_URL, [...ok, ...refused]);

  const mailer = startCli(['mailer'], env);
  await mailer.waitFor(/mailer role started/);
  const scan = await runCli(['scan'], env);
  expect(scan.code).toBe(0);
  expect(scan.stdout).toMatch(/6 enqueued/);

  await waitUntil(async () => (await sesStore(ses.url)).length === 3 && flaky.state.refused === 3, 60_000, () => `refused ${flaky.state.refused}`);
  let failed = await runCli(['jobs', 'failed', '--queue', 'send'], env);
  await waitUntil(async () => {
    failed = await runCli(['jobs', 'failed', '--queue', 'send'], env);
    return /3 failed jobs/.test(failed.stdout);
  }, 30_000, () => failed.stdout);
  expect(failed.stdout).toMatch(/MessageRejected/);

  flaky.state.failing = false;
  const replay = await runCli(['jobs', 'replay', '--queue', 'send', '--since', '1h'], env);
  expect(replay.code).toBe(0);
  expect(replay.stdout).toMatch(/^3 failed jobs replayed \(send: 3\)/);

  await waitUntil(async () => (await sesStore(ses.url)).length >= 6, 60_000);
  await new Promise((r) => setTimeout(r, 1500)); // anything sent twice would show up by now
  const recipients = (await sesStore(ses.url)).map((e) => e.destination.to[0]).sort();
  expect(recipients).toEqual([...ok, ...refused].sort());

  const again = await runCli(['jobs', 'replay'], env);
  expect(again.stdout).toMatch(/^0 failed jobs replayed/);
  mailer.child.kill('SIGTERM');
  expect((await mailer.exited).code).toBe(0);
});
