/**
 * Test sends: one row per `[TEST]` email asked for (CLI `templates send-test`, the admin preview
 * page). Kept apart from `deliveries` on purpose: a test send is never a delivery, never blocks or
 * counts as a real email, and leaves the reminders ledger untouched. See types.ts for the terms.
 */

export type TestSendStatus = 'queued' | 'sending' | 'sent' | 'failed';
export type TestSendRequester = 'cli' | 'admin';

export interface NewTestSend {
  template: string;
  locale: string;
  sample: string;
  /** The address the test goes to (normalised by the caller). */
  email: string;
  requestedBy: TestSendRequester;
}

export interface TestSendRow extends NewTestSend {
  id: number;
  status: TestSendStatus;
  /** The subject as sent (with its `[TEST] ` prefix); null until sent. */
  subject: string | null;
  providerMessageId: string | null;
  error: string | null;
  createdAt: Date;
  updatedAt: Date | null;
}

/**
 * Every method is one statement. A test send is sent at most once: only the caller whose `claim`
 * moved the row from `queued` to `sending` sends it (of concurrent claims on any host, one wins);
 * a row left in `sending` by a crashed sender stays so (a test is re-asked, never re-sent).
 */
export interface TestSendsRepository {
  /** Records a new test send as `queued`. */
  create(input: NewTestSend, now: Date): Promise<TestSendRow>;
  get(id: number): Promise<TestSendRow | null>;
  /** `queued` → `sending`; the row when this call won, null when it does not exist or was claimed before. */
  claim(id: number, now: Date): Promise<TestSendRow | null>;
  /** `sending` → `sent` with the subject and the provider's message id; false when the row was not `sending`. */
  markSent(id: number, subject: string, providerMessageId: string, now: Date): Promise<boolean>;
  /** Any unfinished state → `failed` with the reason; false when the row was already sent or failed. */
  markFailed(id: number, error: string, now: Date): Promise<boolean>;
  /** The newest test sends first, at most `limit`. */
  recent(limit: number): Promise<TestSendRow[]>;
}
