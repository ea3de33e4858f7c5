/** Configuration the mailer role needs; parsed from the environment once, by the composition root. */
import type { NewsletterTopic } from '@tickler/domain';

export interface MailerConfig {
  /** https base URL used in links, e.g. https://tickler.example.com (no trailing slash). */
  publicBaseUrl: string;
  /** Token signing secrets, newest first (links are signed with the first). */
  tokenSecrets: string[];
  /** Sender of reminders, invitations and confirmations (SES_FROM_REMINDERS). */
  fromReminders: string;
  /** Sender of newsletters (SES_FROM_NEWSLETTER). */
  fromNewsletter: string;
  /** SES configuration set for event publishing (SES_CONFIGURATION_SET). */
  configurationSet?: string;
  /** Support address shown in every footer. */
  supportEmail: string;
  /**
   * Where the renew button points; `{orderId}` is replaced by the URL-encoded order id.
   * Default: a mail to the support address naming the order.
   */
  renewUrlTemplate?: string;
  /** Labels of newsletter topics (topic id → label); the id is shown when missing. */
  newsletterTopics?: NewsletterTopic[];
  /**
   * REMINDER_DIGEST: an organization's reminders due at the same send time go to each person as one
   * email naming every order (default true); false sends one email per reminder.
   */
  reminderDigest?: boolean;
  /** How long a digest waits for reminders of its group planned moments later, ms (default 15 s). */
  digestSettleMs?: number;
  /** How long the send queue pauses after the provider throttles us, ms (default 1000). */
  throttleDelayMs?: number;
}
