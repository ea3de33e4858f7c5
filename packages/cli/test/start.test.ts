/**
 * `pnpm start` smoke test: embedded mode from an empty folder — prints the URLs, the app, inbox and
 * dashboard answer, demo reminders land in the local SES inbox, Ctrl-C (SIGINT) exits cleanly.
 * A second run without a reachable Redis starts (and stops) a private redis-server. A run whose
 * Redis goes down still stops with exit 0.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startSingle, stopAll } from '@tickler/testkit';
import { redisAnswers } from '../src/runtime/redis';
import { freePort } from '../src/start/free-port';
import { cleanPrefix, killAll, startCli, uniquePrefix, waitUntil, type StoredEmail } from './helpers/cli';

jest.setTimeout(180_000);

/** A reminder or digest subject in any of the demo organizations' languages. */
const REMINDER_SUBJECT = /license|maintenance|Lizenz|Wartung|ライセンス|保守契約|^Renewal reminders|^Verlängerungserinnerungen|の更新のお知らせ/;

const prefixes: string[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await killAll();
  await stopAll();
  for (const p of prefixes) await cleanPrefix(p);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function urlAfter(output: string, label: string): string {
  const match = new RegExp(`${label}:\\s+(\\S+)`).exec(output);
  if (!match) throw new Error(`no "${label}" URL in:\n${output}`);
  return match[1]!;
}

async function startEmbedded(extra: Record<string, string> = {}, options: { ownGroup?: boolean } = {}) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'tickler-start-'));
  dirs.push(cwd);
  const prefix = uniquePrefix('start');
  prefixes.push(prefix);
  const port = await freePort(0);
  const proc = startCli(['start'], { QUEUE_PREFIX: prefix, HTTP_PORT: String(port), ...extra }, cwd, options);
  await proc.waitFor(/Dashboard \(BullMQ\):/, 120_000);
  return { proc, port, output: proc.output() };
}

it('runs everything from an empty folder, demo reminders reach the inbox, SIGINT exits 0', async () => {
  const { proc, output } = await startEmbedded();
  const app = urlAfter(output, 'App \\(newsletter sign-up\\)');
  const inbox = urlAfter(output, 'Inbox \\(local SES\\)');
  const dashboard = urlAfter(output, 'Dashboard \\(BullMQ\\)');
  // The banner reports the first scan that really enqueued the demo reminders (it used to say 0).
  expect(output).toMatch(/First scan:\s+[1-9]\d* reminders enqueued/);

  expect((await fetch(app)).status).toBe(200);
  expect(await (await fetch(app)).text()).toMatch(/newsletter/i);
  expect((await fetch(inbox)).status).toBe(200);
  // The token in the printed link is traded for a signed session cookie, and the URL loses the token.
  const login = await fetch(dashboard, { redirect: 'manual' });
  expect(login.status).toBe(303);
  expect(login.headers.get('location')).not.toContain('token=');
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const board = await fetch(new URL(login.headers.get('location')!, dashboard), { headers: { cookie } });
  expect(board.status).toBe(200);
  expect(await board.text()).toMatch(/<html/i);

  // The dashboard link works in a real browser: the token in the URL becomes a cookie for the UI's API calls.
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(dashboard);
    await page.getByText('reminders', { exact: true }).first().waitFor({ timeout: 30_000 });
    await page.getByText('send', { exact: true }).first().waitFor({ timeout: 30_000 });
  } finally {
    await browser.close();
  }

  let emails: StoredEmail[] = [];
  await waitUntil(async () => {
    emails = ((await (await fetch(`${inbox.replace(/\/$/, '')}/store`)).json()) as { emails: StoredEmail[] }).emails;
    return emails.filter((e) => REMINDER_SUBJECT.test(e.subject)).length >= 6
      && emails.some((e) => e.destination.to.includes('carl@acme.example'));
  }, 60_000, () => `reminders in the inbox (have ${emails.length})`);
  expect(emails.some((e) => /invited you to join/.test(e.subject))).toBe(true);
  // Digests (on by default): carl, a contact of three Acme orders due today, gets ONE email naming
  // them — in German, Acme's locale.
  const carl = emails.filter((e) => e.destination.to.includes('carl@acme.example'));
  expect(carl.map((e) => e.subject)).toEqual([expect.stringMatching(/^Verlängerungserinnerungen für Acme GmbH: \d+ Verlängerungen$/)]);
  for (const orderId of ['ORD-1001', 'ORD-1002', 'ORD-1003']) expect(carl[0]!.body?.text).toContain(orderId);
  expect(carl[0]!.body?.text).toMatch(/(Lizenz|Wartungsvertrag) (läuft|ist seit)/);
  expect(carl[0]!.headers?.find((h) => h.name.toLowerCase() === 'list-id')?.value).toBe('<renewal-digest.org-acme.localhost>');
  // Acme (locale de) writes German, Initech (ja) Japanese, Globex (none) the default, English.
  const subjectsTo = (domain: string) => emails.filter((e) => e.destination.to.some((to) => to.endsWith(domain))).map((e) => e.subject);
  expect(subjectsTo('@acme.example')).toContainEqual(expect.stringMatching(/^(Ihre .*(Lizenz|Wartung) läuft|Verlängerungserinnerungen für)/));
  expect(subjectsTo('@initech.example')).toContainEqual(expect.stringMatching(/(ライセンス|保守契約)の有効期限|の更新のお知らせ/));
  expect(subjectsTo('@globex.example')).toContainEqual(expect.stringMatching(/^(Your .*(license|maintenance)|Renewal reminders for)/));
  const reminder = emails.find((e) => /license|^Renewal reminders/.test(e.subject))!;
  expect(reminder.headers?.find((h) => h.name.toLowerCase() === 'list-unsubscribe-post')?.value).toBe('List-Unsubscribe=One-Click');

  const metrics = await (await fetch(app.replace('/newsletter', '/metrics'))).text();
  expect(metrics).toMatch(/tickler_ses_send_total\{outcome="accepted"\} [1-9]/);

  proc.child.kill('SIGINT');
  const exit = await proc.exited;
  expect(exit.code).toBe(0);
  expect(proc.output()).toMatch(/SIGINT: stopping/);
});

const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
(hasRedisServer ? it : it.skip)('starts a private redis-server when REDIS_URL does not answer; Ctrl-C as a terminal sends it (and pnpm echoes it) stops gracefully and stops that Redis', async () => {
  const unused = await freePort(0);
  const { proc, output } = await startEmbedded({ REDIS_URL: `redis://127.0.0.1:${unused}` }, { ownGroup: true });
  const match = /Redis:\s+(redis:\/\/127\.0\.0\.1:\d+) \(private redis-server/.exec(output);
  expect(match).not.toBeNull();
  const privateUrl = match![1]!;
  expect(await redisAnswers(privateUrl)).toBe(true);
  // Ctrl-C: SIGINT to the whole process group; a wrapper such as pnpm forwards it once more.
  process.kill(-proc.child.pid!, 'SIGINT');
  await new Promise((r) => setTimeout(r, 30));
  proc.child.kill('SIGINT');
  expect((await proc.exited).code).toBe(0);
  expect(proc.output()).toMatch(/SIGINT: stopping/);
  expect(proc.output()).not.toMatch(/again, exiting now/);
  await waitUntil(async () => !(await redisAnswers(privateUrl, 300)), 10_000, () => 'private redis to stop');
});

(hasRedisServer ? it : it.skip)('exits 0 on SIGTERM while its Redis is down, after /metrics answered that Redis is down', async () => {
  const redis = await startSingle();
  const { proc, port } = await startEmbedded({ REDIS_URL: redis.url, SHUTDOWN_TIMEOUT: '3s' });
  await redis.stop();
  const metrics = await fetch(`http://localhost:${port}/metrics`, { signal: AbortSignal.timeout(20_000) });
  expect(await metrics.text()).toMatch(/^tickler_redis_up 0$/m);
  const stopping = Date.now();
  proc.child.kill('SIGTERM');
  const exit = await Promise.race([proc.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000))]);
  expect({ exit, output: exit?.code === 0 ? '' : proc.output().slice(-2000) }).toEqual({ exit: { code: 0, signal: null }, output: '' });
  // SHUTDOWN_TIMEOUT for the roles, then at most 2 s for each connection.
  expect(Date.now() - stopping).toBeLessThan(15_000);
});

it('without Redis and without redis-server it says how to get one, in one line, and exits 1', async () => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'tickler-start-'));
  dirs.push(cwd);
  const unused = await freePort(0);
  // An empty PATH: no redis-server binary can be found.
  const proc = startCli(['start'], { REDIS_URL: `redis://127.0.0.1:${unused}`, PATH: path.join(cwd, 'no-bin') }, cwd);
  const exit = await proc.exited;
  expect(exit.code).toBe(1);
  const lines = proc.output().trim().split('\n');
  expect(lines).toEqual([expect.stringMatching(/^tickler: no Redis answers at redis:\/\/127\.0\.0\.1:\d+ and redis-server is not installed: install Redis 7/)]);
});
