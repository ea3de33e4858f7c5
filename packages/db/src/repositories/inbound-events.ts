/** Inbound events (billing, SES) as recorded before they are applied. See types.ts for what the guarantees below mean. */

/**
 * pending: recorded, not applied yet; applied: done; partial: applied except the part `reason`
 * names (e.g. an organization change older than the organization's newest event); ignored: nothing
 * done (e.g. out of order); rejected: unusable payload.
 */
export type InboundStatus = 'pending' | 'applied' | 'partial' | 'ignored' | 'rejected';
export interface InboundEventRow {
  id: number; source: string; eventId: string; type: string; status: InboundStatus; reason: string | null;
  orderId: string | null; email: string | null; occurredAt: Date | null; payload: string; receivedAt: Date; appliedAt: Date | null;
  /** Hex SHA-256 of the event's content (see `InboundEventInput.content`; null on rows recorded before it was kept). */
  payloadSha256: string | null;
  /** Random, fixed at insert: the part of the row's job id that a reused row id cannot repeat. */
  jobKey: string;
  /** How often the same (source, eventId) came again with a different payload, and when last. */
  conflicts: number; lastConflictAt: Date | null;
}
export type InboundEventInput = {
  source: string; eventId: string; type: string; status: InboundStatus; reason?: string | null; orderId?: string | null;
  email?: string | null; occurredAt?: Date | null; payload: string;
  /**
   * The event as a repeat is compared with it (default `payload`): the billing edge passes the
   * canonical JSON of the parsed body, so the same event re-serialised by the sender (whitespace,
   * key order) is a duplicate, not a conflict.
   */
  content?: string;
};
/**
 * `duplicate`: (source, eventId) was already recorded; `row` is the stored one. `conflict`: a
 * duplicate whose content differs from the stored one (counted on the row: `conflicts`).
 */
export interface RecordedEvent { row: InboundEventRow; duplicate: boolean; conflict: boolean }
export interface InboundEventsRepository {
  /**
   * Records an event once per (source, eventId); resolves only once committed (a failed write
   * rejects, so the caller can refuse what it did not store). A repeat with another payload is
   * counted on the stored row and reported as `conflict`. Concurrent records of one event (two
   * edges): one row; exactly one call gets `duplicate: false`; each differing repeat is counted once.
   */
  record(input: InboundEventInput): Promise<RecordedEvent>;
  /**
   * Records several events in one transaction and one statement per kind of work (one commit
   * instead of one per event); each result is what `record` would have returned, in input order,
   * with the same guarantee under concurrent calls.
   */
  recordMany(inputs: InboundEventInput[]): Promise<RecordedEvent[]>;
  get(id: number): Promise<InboundEventRow | null>;
  /** Sets an event's outcome; last writer wins. */
  mark(id: number, status: InboundStatus, reason: string | null, at: Date): Promise<void>;
  listPending(limit: number): Promise<InboundEventRow[]>;
  listByOrder(orderId: string): Promise<InboundEventRow[]>;
  listByEmail(email: string): Promise<InboundEventRow[]>;
  countBySourceAndStatus(): Promise<Array<{ source: string; status: InboundStatus; count: number }>>;
}
