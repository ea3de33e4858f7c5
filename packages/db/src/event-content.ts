/**
 * What makes a repeat of an inbound event (same source and id) the same event: the SHA-256 of its
 * `content` (the billing edge passes the canonical JSON of the parsed event), else of its raw
 * `payload`. Both stores record this hash and compare repeats with it, so a sender that
 * re-serialises an event on retry gets "duplicate", and only another event under a reused id is a
 * conflict. Rows recorded before `content` existed hold the hash of their raw payload: a repeat
 * matching that is a duplicate too.
 */
import { createHash } from 'node:crypto';
import type { InboundEventInput } from './repositories/types';

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The hash recorded for a new event. */
export function contentSha256(input: InboundEventInput): string {
  return sha256Hex(input.content ?? input.payload);
}

/** Whether a repeat (`input`, whose `contentSha256` is `inputSha`) carries the stored event. */
export function sameContent(stored: { payload: string; payload_sha256: string | null }, input: InboundEventInput, inputSha: string): boolean {
  const storedSha = stored.payload_sha256 ?? sha256Hex(stored.payload);
  return storedSha === inputSha || (input.content !== undefined && storedSha === sha256Hex(input.payload));
}
