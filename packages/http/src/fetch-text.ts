/**
 * The edge's outbound GET (SNS signing certificates, SubscribeURL confirmations): bounded in every
 * way a caller could abuse. Redirects are not followed (a URL that passed the SNS host check must
 * not lead elsewhere), the whole exchange has a deadline, and the body a size cap.
 */

export interface FetchTextOptions {
  /** Deadline for the whole request, headers and body, ms (default 5000). */
  timeoutMs?: number;
  /** Largest body accepted, bytes (default 64 KiB; an SNS certificate is about 2 KiB). */
  maxBytes?: number;
}

/** Why a fetch failed; `message` names the URL and the reason. */
export class FetchTextError extends Error {
  override readonly name = 'FetchTextError';
}

async function readCapped(response: Response, url: string, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw new FetchTextError(`GET ${url}: body of ${declared} bytes is larger than ${maxBytes}`);
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new FetchTextError(`GET ${url}: body is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Makes `fetchText(url)`: the body of a 2xx answer as text; anything else rejects with FetchTextError. */
export function makeFetchText(options: FetchTextOptions = {}): (url: string) => Promise<string> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBytes = options.maxBytes ?? 64 * 1024;
  return async (url) => {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await fetch(url, { redirect: 'manual', signal, headers: { accept: '*/*' } });
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel().catch(() => undefined);
        throw new FetchTextError(`GET ${url} answered ${response.status} (redirects are not followed)`);
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw new FetchTextError(`GET ${url} answered ${response.status}`);
      }
      return await readCapped(response, url, maxBytes);
    } catch (error) {
      if (error instanceof FetchTextError) throw error;
      if (signal.aborted) throw new FetchTextError(`GET ${url}: no complete answer within ${timeoutMs} ms`);
      throw new FetchTextError(`GET ${url} failed: ${(error as Error).message}`);
    }
  };
}
