/**
 * SNS signing certificates: looked up in `SNS_CERT_CACHE_DIR` as `<sha256 hex of URL>.pem` (a file
 * there is used without fetching — operators may pre-seed it), else fetched once and written there.
 */
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '@tickler/domain';

export interface SnsCertStore {
  /** The PEM text of the certificate at `url` (already checked by `checkSigningCertUrl`). */
  load(url: string): Promise<string>;
}

export function makeSnsCertStore(opts: { dir: string; fetchText: (url: string) => Promise<string> }): SnsCertStore {
  const memory = new Map<string, string>();
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
        pem = await opts.fetchText(url);
        new X509Certificate(pem); // throws on anything that is not a certificate: never cache junk
        await mkdir(opts.dir, { recursive: true });
        const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
        await writeFile(tmp, pem, 'utf8');
        await rename(tmp, path);
      }
      memory.set(url, pem);
      return pem;
    },
  };
}
