/** SQLite implementation of DirectoryRepository: organizations, users, memberships, orders, contacts. */
import { reminderKind, type IsoDate, type Organization, type ReminderKind } from '@tickler/domain';
import type { Contact, DirectoryRepository, OrderWithZone, RemoveContactOutcome } from '../repositories/types';
import type { Sqlite } from './connection';
import { emailKey, normalizeEmail } from './email';
import { makeOrderEvents } from './order-events';
import { ORDER_COLUMNS, type OrderSqlRow } from './rows';
import { type MembershipSqlRow, toMembership, toOrder, toUser, type UserSqlRow } from '../sql-rows';
import { makeStatementCache } from './statements';

/** Rows per page of `findOrdersExpiringBetween`: large enough to amortise the query, small enough to stream. */
export const EXPIRY_PAGE_SIZE = 5000;

interface ContactSqlRow { email: string; user_id: number; membership_status: Contact['membershipStatus']; created_at: number }

/** Where the next keyset page of `findOrdersExpiringBetween` starts: after this (expiry, time zone, id). */
export interface ExpiryKey { expiry: string; timeZone: string; id: string }

/**
 * One keyset page of active orders whose `kind` expiry lies in [key.expiry, to], after `key`;
 * parameters (expiry, timeZone, id, expiry, timeZone, expiry, to, limit). The first page starts
 * after (from, '', ''). (expiry, time zone, id) is exactly the order of `orders_<kind>_due_idx`
 * (partial: active orders): the three parts seek the rest of the current zone, the later zones of
 * the current date and the later dates, and SQLite merges them without sorting (a row-value
 * comparison would seek on its first column only). INDEXED BY makes a missing index an error.
 */
export function expiringOrdersSql(kind: ReminderKind): string {
  const column = `o.${reminderKind(kind).expiryColumn}`;
  const select = `SELECT ${ORDER_COLUMNS} FROM orders o INDEXED BY orders_${kind}_due_idx
    JOIN organizations g ON g.id = o.organization_id`;
  const active = `o.status = 'active'`;
  return `SELECT * FROM (${select} WHERE ${column} = ? AND o.time_zone = ? AND o.id > ? AND ${active})
    UNION ALL SELECT * FROM (${select} WHERE ${column} = ? AND o.time_zone > ? AND ${active})
    UNION ALL SELECT * FROM (${select} WHERE ${column} > ? AND ${column} <= ? AND ${active})
    ORDER BY ${reminderKind(kind).expiryColumn}, time_zone, id LIMIT ?`;
}

export function makeSqliteDirectoryRepository(sqlite: Sqlite, options: { pageSize?: number } = {}): DirectoryRepository {
  const prepare = makeStatementCache(sqlite);
  const orderEvents = makeOrderEvents(sqlite, prepare);
  const pageSize = options.pageSize ?? EXPIRY_PAGE_SIZE;

  const userByEmail = (email: string) =>
    prepare(`SELECT id, email, name FROM users WHERE email = ?`).get(emailKey(email)) as UserSqlRow | undefined;
  const orderIdsSql = (where: string) => `SELECT ${ORDER_COLUMNS} FROM orders o JOIN organizations g ON g.id = o.organization_id WHERE ${where}`;

  const expiringPage = (kind: ReminderKind, to: IsoDate, key: ExpiryKey) =>
    prepare(expiringOrdersSql(kind)).all(key.expiry, key.timeZone, key.id, key.expiry, key.timeZone, key.expiry, to, pageSize) as OrderSqlRow[];

  /** Counted and deleted in one IMMEDIATE transaction, so concurrent removals cannot both take the last two recipients. */
  const removeContact = sqlite.transaction((orderId: string, email: string, force: boolean): RemoveContactOutcome => {
    const contact = prepare(`SELECT c.user_id, m.status AS membership_status FROM order_contacts c
      JOIN users u ON u.id = c.user_id JOIN orders o ON o.id = c.order_id
      LEFT JOIN memberships m ON m.organization_id = o.organization_id AND m.user_id = c.user_id
      WHERE c.order_id = ? AND u.email = ?`).get(orderId, email) as { user_id: number; membership_status: string | null } | undefined;
    if (!contact) return 'not-a-contact';
    if (!force && contact.membership_status === 'active') {
      const { others } = prepare(`SELECT count(*) AS others FROM order_contacts c JOIN orders o ON o.id = c.order_id
        JOIN memberships m ON m.organization_id = o.organization_id AND m.user_id = c.user_id AND m.status = 'active'
        WHERE c.order_id = ? AND c.user_id <> ?`).get(orderId, contact.user_id) as { others: number };
      if (others === 0) return 'last-recipient';
    }
    prepare(`DELETE FROM order_contacts WHERE order_id = ? AND user_id = ?`).run(orderId, contact.user_id);
    return 'removed';
  });

  return {
    async getOrganization(id) {
      const row = prepare(`SELECT id, name, time_zone, locale FROM organizations WHERE id = ?`).get(id) as { id: string; name: string; time_zone: string; locale: string | null } | undefined;
      return row ? ({ id: row.id, name: row.name, timeZone: row.time_zone, locale: row.locale } satisfies Organization) : null;
    },
    async getUserByEmail(email) {
      const row = userByEmail(email);
      return row ? toUser(row) : null;
    },
    async ensureUser(email, name = null) {
      const row = prepare(`INSERT INTO users (email, name) VALUES (?, ?)
        ON CONFLICT(email) DO UPDATE SET name = coalesce(users.name, excluded.name) RETURNING id, email, name`)
        .get(normalizeEmail(email), name) as UserSqlRow;
      return toUser(row);
    },
    async getMembership(organizationId, email) {
      const row = prepare(`SELECT m.organization_id, m.user_id, u.email, m.status, m.role FROM memberships m
        JOIN users u ON u.id = m.user_id WHERE m.organization_id = ? AND u.email = ?`)
        .get(organizationId, emailKey(email)) as MembershipSqlRow | undefined;
      return row ? toMembership(row) : null;
    },
    async listMembers(organizationId) {
      const rows = prepare(`SELECT m.organization_id, m.user_id, u.email, m.status, m.role FROM memberships m
        JOIN users u ON u.id = m.user_id WHERE m.organization_id = ? ORDER BY m.created_at, u.email`)
        .all(organizationId) as MembershipSqlRow[];
      return rows.map(toMembership);
    },
    async getOrder(orderId) {
      const row = prepare(orderIdsSql('o.id = ?')).get(orderId) as OrderSqlRow | undefined;
      return row ? toOrder(row) : null;
    },
    async applyOrderUpsert(event) {
      return orderEvents.applyOrderUpsert(event);
    },
    async applyOrderCancel(orderId, occurredAt) {
      return orderEvents.applyOrderCancel(orderId, occurredAt);
    },
    async *findOrdersExpiringBetween(kind, from, to) {
      if (from > to) return;
      let after: ExpiryKey = { expiry: from, timeZone: '', id: '' };
      for (;;) {
        const rows = expiringPage(kind, to, after);
        if (rows.length === 0) return;
        const last = rows[rows.length - 1]!;
        after = { expiry: last[reminderKind(kind).expiryColumn] ?? '', timeZone: last.time_zone, id: last.id };
        yield rows.map(toOrder);
        if (rows.length < pageSize) return;
      }
    },
    async listContacts(orderId) {
      const rows = prepare(`SELECT u.email, u.id AS user_id, m.status AS membership_status, c.created_at FROM order_contacts c
        JOIN users u ON u.id = c.user_id JOIN orders o ON o.id = c.order_id
        LEFT JOIN memberships m ON m.organization_id = o.organization_id AND m.user_id = c.user_id
        WHERE c.order_id = ? ORDER BY c.created_at, u.email`).all(orderId) as ContactSqlRow[];
      return rows.map((r) => ({ email: r.email, userId: r.user_id, membershipStatus: r.membership_status, addedAt: new Date(r.created_at) }));
    },
    async isContact(orderId, email) {
      return prepare(`SELECT 1 FROM order_contacts c JOIN users u ON u.id = c.user_id WHERE c.order_id = ? AND u.email = ?`)
        .get(orderId, emailKey(email)) !== undefined;
    },
    async addContact(orderId, email, addedByEmail) {
      const add = sqlite.transaction(() => {
        const order = prepare(`SELECT organization_id FROM orders WHERE id = ?`).get(orderId) as { organization_id: string } | undefined;
        if (!order) throw new Error(`cannot add a contact to order ${orderId}: the order does not exist`);
        const member = prepare(`SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id
          WHERE u.email = ? AND m.organization_id = ? AND m.status = 'active'`)
          .get(emailKey(email), order.organization_id) as { id: number } | undefined;
        if (!member) throw new Error(`cannot add ${emailKey(email)} as a contact of order ${orderId}: not an active member of organization ${order.organization_id}`);
        const addedBy = userByEmail(addedByEmail)?.id ?? null;
        return prepare(`INSERT INTO order_contacts (order_id, user_id, added_by_user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`)
          .run(orderId, member.id, addedBy).changes > 0;
      });
      return add.immediate();
    },
    async removeContact(orderId, email, options = {}) {
      return removeContact.immediate(orderId, emailKey(email), options.force === true);
    },
    async listOrdersForContact(email) {
      const rows = prepare(orderIdsSql(`o.id IN (SELECT c.order_id FROM order_contacts c JOIN users u ON u.id = c.user_id WHERE u.email = ?)
        ORDER BY o.id`)).all(emailKey(email)) as OrderSqlRow[];
      return rows.map(toOrder) satisfies OrderWithZone[];
    },
    async listActiveOrdersOfOrganization(organizationId) {
      const rows = prepare(orderIdsSql(`o.organization_id = ? AND o.status = 'active' ORDER BY o.id`)).all(organizationId) as OrderSqlRow[];
      return rows.map(toOrder);
    },
  };
}
