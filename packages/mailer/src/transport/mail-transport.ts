/**
 * The one seam between the send pipeline and an email provider. Implementations: SES v2
 * (`makeSesTransport`) and in-memory (`makeMemoryTransport`, for unit tests). A failed `send` throws
 * one of the classified errors of `./errors` so the send processor knows whether to retry.
 */

export interface OutgoingEmail {
  /** Sender, e.g. `Tickler <reminders@example.com>`. */
  from: string;
  /** One recipient address: every delivery is one email to one person. */
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Extra MIME headers (List-Unsubscribe, List-Unsubscribe-Post, List-Id). */
  headers: Record<string, string>;
  /** Provider tags for event correlation; ids only, never personal data. */
  tags: Record<string, string>;
  /** SES configuration set (event publishing); defaults to the transport's own. */
  configurationSet?: string;
}

export interface MailTransport {
  /** Hands the email to the provider; resolves with the provider's message id once accepted. */
  send(message: OutgoingEmail): Promise<{ messageId: string }>;
  /** Releases sockets. */
  close?(): Promise<void> | void;
}
