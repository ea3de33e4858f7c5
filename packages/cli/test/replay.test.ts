/**
 * Replay: SES refuses some emails (permanent error) → their send jobs fail → SES is fixed →
 * `tickler jobs replay` sends exactly the emails that were not sent, and nothing twice.
 */
import { killAll, runCli, sesStore, startCli, waitUntil } from './helpers/cli';
import { loadDueOrders, startFlakySes, useCliSuite } from './helpers/services';

jest.setTimeout(240_000);

const suite = useCliSuite('replay');
let flaky: Awaited<ReturnType<typeof startFlakySes>>;

beforeAll(async () => {
  flaky = await startFlakySes(suite.ses.url, /refused-/);
});
afterAll(async () => {
  await killAll();
  await flaky?.close();
});

it('replays failed sends once SES works again, sending only what was not sent', async () => {
  const env = suite.env({ SES_ENDPOINT: flaky.url });
  const ok = ['ok-1@acme.example', 'ok-2@acme.example', 'ok-3@acme.example'];
  const refused = ['refused-1@acme.example', 'refused-2@acme.example', 'refused-3@acme.example'];
  await loadDueOrders(env.DATABASE_URL, [...ok, ...refused]);

  const mailer = startCli(['mailer'], env);
  await mailer.waitFor(/mailer role started/);
  const scan = await runCli(['scan'], env);
  expect(scan.code).toBe(0);
  expect(scan.stdout).toMatch(/6 enqueued/);

  await waitUntil(async () => (await sesStore(suite.ses.url)).length === 3 && flaky.state.refused === 3, 60_000, () => `refused ${flaky.state.refused}`);
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

  await waitUntil(async () => (await sesStore(suite.ses.url)).length >= 6, 60_000);
  await new Promise((r) => setTimeout(r, 1500)); // anything sent twice would show up by now
  const recipients = (await sesStore(suite.ses.url)).map((e) => e.destination.to[0]).sort();
  expect(recipients).toEqual([...ok, ...refused].sort());

  const again = await runCli(['jobs', 'replay'], env);
  expect(again.stdout).toMatch(/^0 failed jobs replayed/);
  mailer.child.kill('SIGTERM');
  expect((await mailer.exited).code).toBe(0);
});
