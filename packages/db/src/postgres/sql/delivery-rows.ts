/** The deliveries ledger's row shape and mapping, shared by its queries. */
import type { DeliverySource, DeliveryStatus, ListId } from '@tickler/domain';
import type { DeliveryRow } from '../../repositories/types';

export interface DeliverySqlRow {
  id: number; source_type: DeliverySource; source_id: number; email: string; list_id: ListId | null; order_id: string | null;
  status: DeliveryStatus; reason: string | null; provider_message_id: string | null; attempts: number; last_error: string | null;
  created_at: Date; sent_at: Date | null; digest_id: number | null;
}

export const DELIVERY_COLUMNS = 'id, source_type, source_id, email, list_id, order_id, status, reason, provider_message_id, attempts, last_error, created_at, sent_at, digest_id';

export function toDelivery(row: DeliverySqlRow): DeliveryRow {
  return {
    id: row.id, sourceType: row.source_type, sourceId: row.source_id, email: row.email, listId: row.list_id, orderId: row.order_id,
    status: row.status, reason: row.reason, providerMessageId: row.provider_message_id, attempts: row.attempts, lastError: row.last_error,
    createdAt: row.created_at, sentAt: row.sent_at, digestId: row.digest_id,
  };
}
