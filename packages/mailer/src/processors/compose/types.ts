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
