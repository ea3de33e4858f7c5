/** Row shapes of the SQLite queries beyond the dialect-neutral ones in ../sql-rows.ts. */
import { expiryColumnList, type OrderSqlRow as SharedOrderSqlRow } from '../sql-rows';

/** An order row as SQLite selects it: with when its newest event occurred (ms since the epoch). */
export type OrderSqlRow = SharedOrderSqlRow & { last_event_at: number | null };

/**
 * Columns selected for an `OrderSqlRow` (orders `o` joined with organizations `g`). The time zone is
 * the order's copy of its organization's (kept equal by triggers), so index order can serve it.
 */
export const ORDER_COLUMNS = `o.id, o.organization_id, o.product, ${expiryColumnList('o')},
  o.status, o.last_event_at, o.time_zone, g.name AS organization_name, g.locale AS organization_locale`;
