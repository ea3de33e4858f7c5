/**
 * SNS signing certificates: looked up in `SNS_CERT_CACHE_DIR` as `<sha256 hex of URL>.pem` (a file
 * there is used without fetching — operators may pre-seed it), else fetched once and written there.
 *
 * Anyone who knows an allowed topic ARN can make the edge look up certificate URLs (any `.pem` path
 * on an SNS host passes the URL check), so fetching is bounded: at most `maxConcurrentFetches` at
 * once (more are refused at once, SNS retries), one fetch per URL at a time, and a URL that failed
 * is not fetched again for `failureTtlMs`. Redirects, size and time are bounded by the fetcher
 * (fetch-text.ts).
 */
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '@tickler/domain';

export interface SnsCertStore {
  /** The PEM text of the certificate at `url` (already checked by `checkSigningCertUrl`). */
  load(url: string): Promise<string>;
}

export interface SnsCertStoreOptions {
  dir: string;
  fetchText: (url: string) => Promise<string>;
  /** The clock (for the failure cache). */
  now: () => Date;
  /** Fetches in flight at most (default 4). */
  maxConcurrentFetches?: number;
  /** How long a failed URL is not fetched again, ms (default 5 minutes). */
  failureTtlMs?: number;
  /** Failed URLs remembered at most; the oldest is forgotten first (default 1000). */
  maxRememberedFailures?: number;
}

/** A certificate that cannot be had right now; the message says why (never retried inside a request). */
export class SnsCertUnavailableError extends Error {
  override readonly name = 'SnsCertUnavailableError';
}

export function makeSnsCertStore(opts: SnsCertStoreOptions): SnsCertStore {
  const maxConcurrent = opts.maxConcurrentFetches ?? 4;
  const failureTtlMs = opts.failureTtlMs ?? 5 * 60_000;
  const maxFailures = opts.maxRememberedFailures ?? 1000;
  const memory = new Map<string, string>();
  const failedUntil = new Map<string, { until: number; reason: string }>();
  const inFlight = new Map<string, Promise<string>>();

  function rememberFailure(url: string, reason: string): void {
    failedUntil.delete(url);
    failedUntil.set(url, { until: opts.now().getTime() + failureTtlMs, reason });
    while (failedUntil.size > maxFailures) failedUntil.delete(failedUntil.keys().next().value as string);
  }

  async function fetchAndKeep(url: string, path: string): Promise<string> {
    try {
      const pem = await opts.fetchText(url);
      new X509Certificate(pem); // throws on anything that is not a certificate: never cache junk
      await mkdir(opts.dir, { recursive: true });
      const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, pem, 'utf8');
      await rename(tmp, path);
      return pem;
    } catch (error) {
      rememberFailure(url, (error as Error).message);
      throw error;
    }
  }

  /** One fetch per URL at a time, and no more than `maxConcurrent` in all. */
  function fetchOnce(url: string, path: string): Promise<string> {
    const running = inFlight.get(url);
    if (running) return running;
    if (inFlight.size >= maxConcurrent) {
      return Promise.reject(new SnsCertUnavailableError(`${maxConcurrent} certificate fetches are already in flight`));
    }
    const fetching = fetchAndKeep(url, path).finally(() => inFlight.delete(url));
    inFlight.set(url, fetching);
    return fetching;
  }

  return {
    async load(url) {
      const cached = memory.get(url);
      if (cached) return cached;
      const path = join(opts.dir, `${sha256Hex(url)}.pem`);
      let pem: string;
      try {
        pem = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        const failure = failedUntil.get(url);
        if (failure && failure.until > opts.now().getTime()) {
          throw new SnsCertUnavailableError(`fetching ${url} failed recently (${failure.reason}); not tried again until ${new Date(failure.until).toISOString()}`);
        }
        pem = await fetchOnce(url, path);
      }
      memory.set(url, pem);
      return pem;
    },
  };
}
