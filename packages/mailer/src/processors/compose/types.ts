import type { Logger } from 'pino';
import type { DeliveryRow, Store } from '@tickler/db';
import type { MailerConfig } from '../../config';
import type { TemplateSet } from '../../templates';
import type { OutgoingEmail } from '../../transport';

/** What composing needs: storage (read-only here), templates, config. */
export interface ComposeDeps {
  store: Store;
  templates: TemplateSet;
  config: MailerConfig;
  logger: Logger;
}

/** Either the email to send, or why this delivery is (now) not to be sent: a value, not an error. */
export type Composed = { send: OutgoingEmail } | { skip: string };

export type Composer = (deps: ComposeDeps, delivery: DeliveryRow, now: Date) => Promise<Composed>;

/**
 * A transactional email (invitation, confirmation): From the reminders sender, no list headers
 * (nothing to unsubscribe from), tags carrying ids only.
 */
export function transactionalEmail(
  config: MailerConfig, delivery: DeliveryRow, rendered: Pick<OutgoingEmail, 'subject' | 'html' | 'text'>, tags: Record<string, string>,
): Composed {
  return {
    send: { from: config.fromReminders, to: delivery.email, ...rendered, headers: {}, tags: { delivery: String(delivery.id), source: delivery.sourceType, ...tags } },
  };
}
