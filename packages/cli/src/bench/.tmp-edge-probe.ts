import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import pino from 'pino';
import { makeQueues, openStore, closeQueues } from '@tickler/db';
import { createBillingSignatureHeader, parseBillingEvent, verifyBillingSignature } from '@tickler/domain';
import { makeHttpServer } from '@tickler/mailer';

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-'));
  const store = await openStore({ url: `file:${path.join(dir, 'x.db')}` });
  const queues = makeQueues({ host: '127.0.0.1', port: 6379 }, `probe-${randomUUID()}`);
  const secret = 's';
  const app = makeHttpServer({ store, queues, logger: pino({ level: 'warn' }), now: () => new Date(), fetchText: async () => '',
    config: { publicBaseUrl: 'https://x', tokenSecrets: ['a'], adminToken: 'a', portalApiKey: 'a', billingWebhookSecret: secret, snsTopicArns: [], snsCertCacheDir: dir, newsletterTopics: [], emailDomainAllowlist: [], supportEmail: 'a@b.c', bodyLimitBytes: 65536 } });
  await app.ready();
  const body = (n: number) => JSON.stringify({ id: `e${n}`, type: 'order.upserted', occurredAt: new Date().toISOString(), data: { orderId: `O${n}`, organization: { id: 'o', name: 'O', timeZone: 'Europe/Berlin' }, product: 'P', licenseExpiresOn: '2028-01-01', maintenanceExpiresOn: null, purchaserEmail: 'a@acme.com', purchaserName: null } });
  // pure parts
  let t = performance.now();
  for (let i = 0; i < 2000; i++) { const b = body(i); const h = createBillingSignatureHeader(secret, Math.floor(Date.now()/1000), b); verifyBillingSignature({ header: h, rawBody: b, secret, now: new Date() }); parseBillingEvent(JSON.parse(b)); }
  console.log('pure verify+parse per event ms', ((performance.now() - t) / 2000).toFixed(3));
  t = performance.now();
  for (let i = 0; i < 2000; i++) await store.events.record({ source: 'x', eventId: `e${i}`, type: 't', status: 'pending', payload: body(i) });
  console.log('record per event ms', ((performance.now() - t) / 2000).toFixed(3));
  t = performance.now();
  for (let i = 0; i < 500; i++) await queues['order-events'].add('order-event', { inboundEventId: i + 1 }, { jobId: `event-${i + 1}` });
  console.log('bullmq add per job ms (sequential)', ((performance.now() - t) / 500).toFixed(3));
  t = performance.now();
  await Promise.all(Array.from({ length: 2000 }, (_, i) => { const b = body(10000 + i); return app.inject({ method: 'POST', url: '/webhooks/billing', headers: { 'content-type': 'application/json', 'tickler-signature': createBillingSignatureHeader(secret, Math.floor(Date.now()/1000), b) }, payload: b }); }));
  console.log('inject 2000 concurrent, per event ms', ((performance.now() - t) / 2000).toFixed(3));
  await Promise.all(Object.values(queues).map((q) => q.obliterate({ force: true })));
  await closeQueues(queues); await app.close(); await store.close();
}
main();
