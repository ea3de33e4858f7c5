/** PostgreSQL implementation of DirectoryRepository: organizations, users, memberships, orders, contacts. */
import { reminderKind, type Organization } from '@tickler/domain';
import type pg from 'pg';
import type { Contact, DirectoryRepository, RemoveContactOutcome } from '../repositories/types';
import { emailKey, normalizeEmail } from '../email';
import { batchedByKey, batchedPairTest } from './batched';
import { makePgOrderEvents } from './order-events';
import { withTransaction } from './pool';
import { ORDER_COLUMNS } from './rows';
import { type MembershipSqlRow, type OrderSqlRow, toMembership, toOrder, toUser, type UserSqlRow } from '../sql-rows';
import { expiringOrdersSql } from './sql/expiring-orders';

/** Rows per page of `findOrdersExpiringBetween`: large enough to amortise the query, small enough to stream. */
export const EXPIRY_PAGE_SIZE = 5000;

interface ContactSqlRow { email: string; user_id: number; membership_status: Contact['membershipStatus']; created_at: Date }

const ordersWhere = (where: string) => `SELECT ${ORDER_COLUMNS} FROM orders o JOIN organizations g ON g.id = o.organization_id WHERE ${where}`;
const MEMBERSHIPS = `SELECT m.organization_id, m.user_id, u.email, m.status, m.role FROM memberships m JOIN users u ON u.id = m.user_id`;

export function makePgDirectoryRepository(pool: pg.Pool, options: { pageSize?: number } = {}): DirectoryRepository {
  const events = makePgOrderEvents(pool);
  const pageSize = options.pageSize ?? EXPIRY_PAGE_SIZE;
  const one = async <R extends pg.QueryResultRow>(sql: string, params: unknown[]) => (await pool.query<R>(sql, params)).rows[0];
  // What every reminder send re-checks, batched across the process's concurrent send jobs (see batched.ts).
  const orders = batchedByKey(async (ids: string[]) => (await pool.query<OrderSqlRow>(ordersWhere('o.id = ANY($1::text[])'), [ids])).rows.map((row) => [row.id, toOrder(row)] as const));
  const isContact = batchedPairTest(async (orderIds, emails) => (await pool.query<{ order_id: string; email: string }>(`SELECT c.order_id, u.email
    FROM order_contacts c JOIN users u ON u.id = c.user_id JOIN unnest($1::text[], $2::text[]) AS p(order_id, email) ON c.order_id = p.order_id AND u.email = p.email`,
  [orderIds, emails])).rows.map((r) => [r.order_id, r.email] as const));

  return {
    async getOrganization(id) {
      const row = await one<{ id: string; name: string; time_zone: string; locale: string | null }>(`SELECT id, name, time_zone, locale FROM organizations WHERE id = $1`, [id]);
      return row ? ({ id: row.id, name: row.name, timeZone: row.time_zone, locale: row.locale } satisfies Organization) : null;
    },
    async getUserByEmail(email) {
      const row = await one<UserSqlRow>(`SELECT id, email, name FROM users WHERE email = $1`, [emailKey(email)]);
      return row ? toUser(row) : null;
    },
    async ensureUser(email, name = null) {
      const row = await one<UserSqlRow>(`INSERT INTO users (email, name) VALUES ($1, $2)
        ON CONFLICT (email) DO UPDATE SET name = coalesce(users.name, excluded.name) RETURNING id, email, name`, [normalizeEmail(email), name]);
      return toUser(row!);
    },
    async getMembership(organizationId, email) {
      const row = await one<MembershipSqlRow>(`${MEMBERSHIPS} WHERE m.organization_id = $1 AND u.email = $2`, [organizationId, emailKey(email)]);
      return row ? toMembership(row) : null;
    },
    async listMembers(organizationId) {
      const { rows } = await pool.query<MembershipSqlRow>(`${MEMBERSHIPS} WHERE m.organization_id = $1 ORDER BY m.created_at, u.email`, [organizationId]);
      return rows.map(toMembership);
    },
    async getOrder(orderId) {
      return orders(orderId);
    },
    async applyOrderUpsert(event, mark) {
      return events.applyOrderUpsert(event, mark);
    },
    async applyOrderCancel(orderId, occurredAt) {
      return events.applyOrderCancel(orderId, occurredAt);
    },
    async *findOrdersExpiringBetween(kind, from, to) {
      if (from > to) return;
      const column = reminderKind(kind).expiryColumn;
      // Start just before `from`: (from, '', '') sorts before every order of that date.
      let after = { expiry: from, timeZone: '', id: '' };
      for (;;) {
        const { rows } = await pool.query<OrderSqlRow>(expiringOrdersSql(kind), [after.expiry, after.timeZone, after.id, to, pageSize]);
        if (rows.length === 0) return;
        const last = rows[rows.length - 1]!;
        after = { expiry: last[column] ?? '', timeZone: last.time_zone, id: last.id };
        yield rows.map(toOrder);
        if (rows.length < pageSize) return;
      }
    },
    async listContacts(orderId) {
      const { rows } = await pool.query<ContactSqlRow>(`SELECT u.email, u.id AS user_id, m.status AS membership_status, c.created_at FROM order_contacts c
        JOIN users u ON u.id = c.user_id JOIN orders o ON o.id = c.order_id
        LEFT JOIN memberships m ON m.organization_id = o.organization_id AND m.user_id = c.user_id
        WHERE c.order_id = $1 ORDER BY c.created_at, u.email`, [orderId]);
      return rows.map((r) => ({ email: r.email, userId: r.user_id, membershipStatus: r.membership_status, addedAt: r.created_at }));
    },
    async isContact(orderId, email) {
      return isContact(orderId, emailKey(email));
    },
    async addContact(orderId, email, addedByEmail) {
      const address = emailKey(email);
      return withTransaction(pool, async (tx) => {
        // FOR SHARE: the order cannot move to another organization until this commits (see contract).
        const { rows: [order] } = await tx.query<{ organization_id: string }>(`SELECT organization_id FROM orders WHERE id = $1 FOR SHARE`, [orderId]);
        if (!order) throw new Error(`cannot add a contact to order ${orderId}: the order does not exist`);
        const { rows: [member] } = await tx.query<{ id: number }>(`SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id
          WHERE u.email = $1 AND m.organization_id = $2 AND m.status = 'active'`, [address, order.organization_id]);
        if (!member) throw new Error(`cannot add ${address} as a contact of order ${orderId}: not an active member of organization ${order.organization_id}`);
        const added = await tx.query(`INSERT INTO order_contacts (order_id, user_id, added_by_user_id)
          VALUES ($1, $2, (SELECT id FROM users WHERE email = $3)) ON CONFLICT DO NOTHING`, [orderId, member.id, emailKey(addedByEmail)]);
        return added.rowCount === 1;
      });
    },
    async removeContact(orderId, email, options = {}) {
      const address = emailKey(email);
      return withTransaction(pool, async (tx): Promise<RemoveContactOutcome> => {
        // The order row lock serialises removals (and adds, and moves) of one order's contacts, so two
        // removals at once cannot both take its last two recipients.
        await tx.query(`SELECT 1 FROM orders WHERE id = $1 FOR NO KEY UPDATE`, [orderId]);
        const { rows: [contact] } = await tx.query<{ user_id: number; membership_status: string | null }>(`SELECT c.user_id, m.status AS membership_status
          FROM order_contacts c JOIN users u ON u.id = c.user_id JOIN orders o ON o.id = c.order_id
          LEFT JOIN memberships m ON m.organization_id = o.organization_id AND m.user_id = c.user_id
          WHERE c.order_id = $1 AND u.email = $2`, [orderId, address]);
        if (!contact) return 'not-a-contact';
        if (options.force !== true && contact.membership_status === 'active') {
          const { rows: [count] } = await tx.query<{ others: number }>(`SELECT count(*) AS others FROM order_contacts c JOIN orders o ON o.id = c.order_id
            JOIN memberships m ON m.organization_id = o.organization_id AND m.user_id = c.user_id AND m.status = 'active'
            WHERE c.order_id = $1 AND c.user_id <> $2`, [orderId, contact.user_id]);
          if (count!.others === 0) return 'last-recipient';
        }
        await tx.query(`DELETE FROM order_contacts WHERE order_id = $1 AND user_id = $2`, [orderId, contact.user_id]);
        return 'removed';
      });
    },
    async listOrdersForContact(email) {
      const { rows } = await pool.query<OrderSqlRow>(ordersWhere(`o.id IN (SELECT c.order_id FROM order_contacts c JOIN users u ON u.id = c.user_id WHERE u.email = $1)
        ORDER BY o.id`), [emailKey(email)]);
      return rows.map(toOrder);
    },
    async listActiveOrdersOfOrganization(organizationId) {
      const { rows } = await pool.query<OrderSqlRow>(ordersWhere(`o.organization_id = $1 AND o.status = 'active' ORDER BY o.id`), [organizationId]);
      return rows.map(toOrder);
    },
  };
}
