/** Builds the email of one delivery by its source type; suppression is checked first for every kind. */
import type { DeliverySource } from '@tickler/domain';
import { composeBroadcast } from './compose-broadcast';
import { composeConfirmation } from './compose-confirmation';
import { composeInvitation } from './compose-invitation';
import { composeReminder } from './compose-reminder';
import { composeTopicChange } from './compose-topic-change';
import type { Composer } from './types';

const COMPOSERS: Record<DeliverySource, Composer> = {
  reminder: composeReminder,
  broadcast: composeBroadcast,
  invitation: composeInvitation,
  'newsletter-confirmation': composeConfirmation,
  'newsletter-topic-change': composeTopicChange,
};

export const composeEmail: Composer = async (deps, delivery, now) => {
  if ((await deps.store.lists.suppressedAmong([delivery.email])).size > 0) return { skip: 'suppressed' };
  return COMPOSERS[delivery.sourceType](deps, delivery, now);
};

export type { ComposeDeps, Composed } from './types';
