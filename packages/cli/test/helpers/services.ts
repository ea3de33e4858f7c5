/** Test services: the local SES (aws-ses-v2-local) on a free port, a switchable failing SES in front of it, and due orders. */
import { mkdtempSync, rmSync } from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sesServer from 'aws-ses-v2-local';
import { openStore } from '@tickler/db';
import { latestDueDay } from '../../src/start/demo-data';
import { cleanPrefix, killAll, SECRETS, uniquePrefix } from './cli';

export async function startSes(): Promise<{ url: string; close(): Promise<void> }> {
  const server = await sesServer({ host: '127.0.0.1', port: 0 });
  const { port } = server.address() as AddressInfo;
  await fetch(`http://127.0.0.1:${port}/clear-store`, { method: 'POST' });
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/**
 * An SES endpoint that refuses (MessageRejected, a permanent error) mail to addresses matching
 * `failFor` while `failing` is true, and forwards everything else to the real local SES.
 */
export async function startFlakySes(upstream: string, failFor: RegExp) {
  const state = { failing: true, refused: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (state.failing && failFor.test(body.toString())) {
        state.refused += 1;
        res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'MessageRejected' });
        res.end(JSON.stringify({ message: 'Email address is not verified (test stub)' }));
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)).map(([k, v]) => [k, String(v)]));
      fetch(`${upstream}${req.url}`, { method: req.method, headers, body: ['GET', 'HEAD'].includes(req.method ?? '') ? undefined : body })
        .then(async (r) => {
          res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
          res.end(Buffer.from(await r.arrayBuffer()));
        })
        .catch((error: Error) => {
          res.writeHead(502);
          res.end(error.message);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, state, close: () => closeServer(server) };
}

/** Creates `emails.length` orders (UTC) whose expiry-day reminder is due now, one purchaser (= contact) each. */
export async function loadDueOrders(dbUrl: string, emails: string[], now = new Date()): Promise<string[]> {
  const store = await openStore({ url: dbUrl });
  const expiresOn = latestDueDay('UTC', now);
  const ids: string[] = [];
  try {
    for (const [i, email] of emails.entries()) {
      const orderId = `ORD-T-${i + 1}`;
      await store.directory.applyOrderUpsert({
        orderId, organization: { id: `org-t-${i + 1}`, name: `Test Org ${i + 1}`, timeZone: 'UTC' }, product: 'Barcode Reader SDK',
        licenseExpiresOn: expiresOn, maintenanceExpiresOn: null, purchaserEmail: email, purchaserName: null, occurredAt: new Date(now.getTime() - 86_400_000),
      });
      ids.push(orderId);
    }
  } finally {
    await store.close();
  }
  return ids;
}

export interface CliSuite {
  /** The suite's own BullMQ queue prefix (cleaned up afterwards). */
  prefix: string;
  /** A temporary folder for the suite's SQLite files (removed afterwards). */
  dir: string;
  /** The local SES the suite's roles send to. */
  ses: Awaited<ReturnType<typeof startSes>>;
  /** Environment for CLI roles: its own SQLite file, the queue prefix and SES, plus `extra`. */
  env(extra?: Record<string, string>): SuiteEnv;
}

/** CLI role environment; the named variables are always present. */
export type SuiteEnv = Record<string, string> & { DATABASE_URL: string; QUEUE_PREFIX: string; SES_ENDPOINT: string };

/**
 * Jest hooks for a suite that drives `tickler` processes: a unique queue prefix, a temporary folder
 * and a local SES; afterwards every spawned process is killed and everything is removed.
 */
export function useCliSuite(name: string): CliSuite {
  const suite: CliSuite = {
    prefix: uniquePrefix(name),
    dir: '',
    ses: undefined as unknown as CliSuite['ses'],
    env(extra: Record<string, string> = {}): SuiteEnv {
      return {
        ...SECRETS, DATABASE_URL: `file:${path.join(suite.dir, 't.db')}`, QUEUE_PREFIX: suite.prefix, PUBLIC_BASE_URL: 'https://tickler.example.com',
        SES_ENDPOINT: suite.ses.url, SES_FROM_REMINDERS: 'reminders@tickler.example', SES_FROM_NEWSLETTER: 'news@tickler.example', SES_MAX_SEND_RATE: '100',
        ...extra,
      };
    },
  };
  beforeAll(async () => {
    suite.dir = mkdtempSync(path.join(tmpdir(), `tickler-${name}-`));
    suite.ses = await startSes();
  });
  afterAll(async () => {
    await killAll();
    await suite.ses?.close();
    await cleanPrefix(suite.prefix);
    rmSync(suite.dir, { recursive: true, force: true });
  });
  return suite;
}
