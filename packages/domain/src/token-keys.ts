import { hkdfSync } from 'node:crypto';

/** What a token opens; each purpose has its own keys, so a token of one kind never verifies as another. */
export type TokenPurpose = 'list' | 'address' | 'invitation' | 'confirm' | 'topic-change' | 'digest';

/** The HKDF salt of each token format: a format's keys never verify another format's tokens. */
export type TokenFormat = 'tickler-token-v1' | 'tickler-token-v2';

export interface TokenKeys {
  /** AES-256-CTR key (32 bytes). */
  enc: Buffer;
  /** HMAC-SHA256 key (32 bytes). */
  mac: Buffer;
}

// Bounded by (secrets × purposes × formats): secrets come from TOKEN_SECRETS only.
const cache = new Map<string, TokenKeys>();

/** The keys of one secret for one purpose and format, derived with HKDF-SHA256 (cached). */
export function tokenKeys(format: TokenFormat, secret: string, purpose: TokenPurpose): TokenKeys {
  const cacheKey = `${format}\u0000${purpose}\u0000${secret}`;
  let keys = cache.get(cacheKey);
  if (!keys) {
    const derive = (use: string) => Buffer.from(hkdfSync('sha256', secret, format, `${purpose}:${use}`, 32));
    keys = { enc: derive('enc'), mac: derive('mac') };
    cache.set(cacheKey, keys);
  }
  return keys;
}
