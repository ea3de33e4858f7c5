/**
 * In-process send metrics: how long SES takes to accept an email and how calls end (accepted,
 * throttled, transient, permanent, paused). The composition root wraps the mailer's transport
 * with `instrument`; the registry is merged into the edge's /metrics when both run in one process
 * (`tickler start`), or served by the mailer itself on METRICS_PORT (`serveMetrics`).
 */
import http, { type Server } from 'node:http';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MailTransport } from '../transport';

const OUTCOME_BY_ERROR: Record<string, string> = {
  ThrottledError: 'throttled', TransientSendError: 'transient', PermanentSendError: 'permanent', SendingPausedError: 'paused',
};

export interface TransportMetrics {
  registry: Registry;
  /** The same transport, timing and counting every `send`. */
  instrument(transport: MailTransport): MailTransport;
}

export function makeTransportMetrics(): TransportMetrics {
  const registry = new Registry();
  const duration = new Histogram({
    name: 'tickler_ses_send_duration_seconds',
    help: 'Time for the provider (SES) to accept or refuse one email',
    labelNames: ['outcome'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const calls = new Counter({
    name: 'tickler_ses_send_total',
    help: 'Provider send calls by outcome: accepted, throttled, transient, permanent, paused',
    labelNames: ['outcome'],
    registers: [registry],
  });
  return {
    registry,
    instrument(transport) {
      return {
        async send(message) {
          const stop = duration.startTimer();
          try {
            const result = await transport.send(message);
            stop({ outcome: 'accepted' });
            calls.inc({ outcome: 'accepted' });
            return result;
          } catch (error) {
            const outcome = OUTCOME_BY_ERROR[(error as Error)?.name] ?? 'transient';
            stop({ outcome });
            calls.inc({ outcome });
            throw error;
          }
        },
        close: transport.close?.bind(transport),
      };
    },
  };
}

/** Serves `registries` (plus process metrics) as Prometheus text at GET /metrics on `port`. */
export async function serveMetrics(registries: Registry[], port: number, host = '0.0.0.0'): Promise<{ port: number; close(): Promise<void> }> {
  const processRegistry = new Registry();
  collectDefaultMetrics({ register: processRegistry, prefix: 'tickler_' });
  const merged = Registry.merge([processRegistry, ...registries]);
  const server: Server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found","message":"Only GET /metrics is served here."}');
      return;
    }
    merged.metrics().then(
      (text) => res.writeHead(200, { 'content-type': merged.contentType }).end(text),
      (error: Error) => res.writeHead(500).end(error.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
