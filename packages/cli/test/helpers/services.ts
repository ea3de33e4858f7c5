/** Test services: the local SES (aws-ses-v2-local) on a free port, a switchable failing SES in front of it, and due orders. */
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesServer from 'aws-ses-v2-local';
import { openStore } from '@tickler/db';
import { latestDueDay } from '../../src/start/demo-data';

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
