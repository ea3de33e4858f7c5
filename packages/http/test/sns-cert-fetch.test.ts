/**
 * Bounded certificate fetching against a real local HTTP server: no redirects, a size cap and a
 * deadline (fetch-text.ts); one fetch per URL at a time, a cap on fetches in flight, and failures
 * remembered for a while (sns-certs.ts). The SNS host check stays in front of all of this (see
 * http-ses.test.ts); here the store's fetcher maps SNS URLs to the local server.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFetchText } from '../src';
import { makeSnsCertStore, SnsCertUnavailableError } from '../src/webhooks/sns-certs';

const pki = mkdtempSync(join(tmpdir(), 'tickler-sns-fetch-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '2', '-subj', '/CN=sns.amazonaws.com'], { cwd: pki, stdio: 'pipe' });
const CERT = readFileSync(join(pki, 'c.pem'), 'utf8');

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let base: string;
const hits: string[] = [];
const routes = new Map<string, Handler>();

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const route = routes.get(req.url ?? '');
    if (route) route(req, res);
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(pki, { recursive: true, force: true });
});
beforeEach(() => { hits.length = 0; routes.clear(); });

describe('makeFetchText', () => {
  // 1.5 s: long enough for a loaded CI machine to answer a local request, short enough to test the give-up.
  const fetchText = makeFetchText({ timeoutMs: 1500, maxBytes: 4096 });

  it('returns the body of a 2xx answer', async () => {
    routes.set('/cert.pem', (_req, res) => res.end(CERT));
    await expect(fetchText(`${base}/cert.pem`)).resolves.toBe(CERT);
  });

  it('does not follow a redirect', async () => {
    routes.set('/moved.pem', (_req, res) => res.writeHead(302, { location: `${base}/elsewhere.pem` }).end());
    routes.set('/elsewhere.pem', (_req, res) => res.end(CERT));
    await expect(fetchText(`${base}/moved.pem`)).rejects.toThrow(`GET ${base}/moved.pem answered 302 (redirects are not followed)`);
    expect(hits).toEqual(['/moved.pem']);
  });

  it('refuses a body over the cap, declared or streamed', async () => {
    routes.set('/declared.pem', (_req, res) => res.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000)));
    routes.set('/streamed.pem', (_req, res) => {
      res.writeHead(200); // chunked: no length up front
      for (let i = 0; i < 100; i += 1) res.write('x'.repeat(1000));
      res.end();
    });
    await expect(fetchText(`${base}/declared.pem`)).rejects.toThrow(/body of 5000 bytes is larger than 4096/);
    await expect(fetchText(`${base}/streamed.pem`)).rejects.toThrow(/body is larger than 4096 bytes/);
  });

  it('gives up on a server that answers too slowly, headers or body', async () => {
    routes.set('/silent.pem', () => undefined);
    routes.set('/drip.pem', (_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('x'), 100);
      res.on('close', () => clearInterval(timer));
    });
    for (const path of ['/silent.pem', '/drip.pem']) {
      const started = Date.now();
      await expect(fetchText(`${base}${path}`)).rejects.toThrow(`GET ${base}${path}: no complete answer within 1500 ms`);
      expect(Date.now() - started).toBeLessThan(5000);
    }
  });

  it('rejects an error status', async () => {
    await expect(fetchText(`${base}/missing.pem`)).rejects.toThrow(`GET ${base}/missing.pem answered 404`);
  });
});

describe('makeSnsCertStore', () => {
  const SNS = 'https://sns.us-east-1.amazonaws.com';
  let dir: string;
  let now: Date;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tickler-sns-cache-'));
    now = new Date('2026-11-27T10:00:00Z');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A store whose fetcher sends SNS URLs to the local server, through the production fetcher. */
  function store(over: { maxConcurrentFetches?: number } = {}) {
    const real = makeFetchText({ timeoutMs: 2000 });
    return makeSnsCertStore({ dir, now: () => now, fetchText: (url) => real(url.replace(SNS, base)), ...over });
  }

  it('remembers a failed URL for 5 minutes instead of fetching it on every message', async () => {
    const certs = store();
    await expect(certs.load(`${SNS}/missing.pem`)).rejects.toThrow(/answered 404/);
    for (let i = 0; i < 20; i += 1) await expect(certs.load(`${SNS}/missing.pem`)).rejects.toThrow(SnsCertUnavailableError);
    expect(hits).toEqual(['/missing.pem']);
    now = new Date(now.getTime() + 5 * 60_000);
    routes.set('/missing.pem', (_req, res) => res.end(CERT));
    await expect(certs.load(`${SNS}/missing.pem`)).resolves.toBe(CERT);
    expect(hits).toEqual(['/missing.pem', '/missing.pem']);
  });

  it('never caches what is not a certificate, and remembers that as a failure too', async () => {
    routes.set('/junk.pem', (_req, res) => res.end('hello'));
    const certs = store();
    await expect(certs.load(`${SNS}/junk.pem`)).rejects.toThrow();
    await expect(certs.load(`${SNS}/junk.pem`)).rejects.toThrow(SnsCertUnavailableError);
    expect(hits).toEqual(['/junk.pem']);
  });

  it('fetches one URL once even when many messages ask at the same moment, then serves it from the cache', async () => {
    routes.set('/cert.pem', (_req, res) => setTimeout(() => res.end(CERT), 200));
    const certs = store();
    const loads = await Promise.all(Array.from({ length: 10 }, () => certs.load(`${SNS}/cert.pem`)));
    expect(loads).toEqual(Array(10).fill(CERT));
    await expect(store().load(`${SNS}/cert.pem`)).resolves.toBe(CERT); // a fresh store finds the file
    expect(hits).toEqual(['/cert.pem']);
  });

  it('has at most 4 fetches in flight; more are refused at once (SNS retries) without reaching the network', async () => {
    const release: Array<() => void> = [];
    for (let i = 0; i < 10; i += 1) routes.set(`/slow-${i}.pem`, (_req, res) => release.push(() => res.end(CERT)));
    const certs = store();
    const settled = Array.from({ length: 10 }, (_, i) => certs.load(`${SNS}/slow-${i}.pem`).then(() => 'ok', (e: Error) => e));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hits).toHaveLength(4);
    release.forEach((r) => r());
    const results = await Promise.all(settled);
    expect(results.filter((r) => r === 'ok')).toHaveLength(4);
    const refused = results.filter((r): r is Error => r instanceof Error);
    expect(refused).toHaveLength(6);
    for (const e of refused) expect(e).toEqual(new SnsCertUnavailableError('4 certificate fetches are already in flight'));
    expect(hits).toHaveLength(4);
  });

  it('does not follow a redirect to a certificate elsewhere', async () => {
    routes.set('/moved.pem', (_req, res) => res.writeHead(301, { location: '/real.pem' }).end());
    routes.set('/real.pem', (_req, res) => res.end(CERT));
    await expect(store().load(`${SNS}/moved.pem`)).rejects.toThrow(/answered 301 \(redirects are not followed\)/);
    expect(hits).toEqual(['/moved.pem']);
  });
});
