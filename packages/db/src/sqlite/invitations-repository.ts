/** SQLite implementation of InvitationsRepository: organization invitations and their acceptance. */
import type { InvitationRow, InvitationsRepository, LimitedInvitation, NewInvitation, SendLimit } from '../repositories/types';
import type { Sqlite } from './connection';
import { normalizeEmail } from './email';
import { makeStatementCache } from './statements';

interface InvitationSqlRow {
  id: number; organization_id: string; email: string; invited_by_email: string; expires_at: number;
  accepted_at: number | null; revoked_at: number | null; created_at: number;
}
const SELECT = `SELECT i.id, i.organization_id, i.email, u.email AS invited_by_email, i.expires_at, i.accepted_at, i.revoked_at, i.created_at
  FROM invitations i JOIN users u ON u.id = i.invited_by_user_id`;

function toInvitation(row: InvitationSqlRow): InvitationRow {
  return {
    id: row.id, organizationId: row.organization_id, email: row.email, invitedByEmail: row.invited_by_email,
    expiresAt: new Date(row.expires_at), acceptedAt: row.accepted_at === null ? null : new Date(row.accepted_at),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at), createdAt: new Date(row.created_at),
  };
}

export function makeSqliteInvitationsRepository(sqlite: Sqlite): InvitationsRepository {
  const prepare = makeStatementCache(sqlite);
  const byId = (id: number) => prepare(`${SELECT} WHERE i.id = ?`).get(id) as InvitationSqlRow | undefined;
  const ensureUserId = (email: string) =>
    (prepare(`INSERT INTO users (email) VALUES (?) ON CONFLICT(email) DO UPDATE SET email = excluded.email RETURNING id`).get(email) as { id: number }).id;

  const createOrRenew = sqlite.transaction((input: NewInvitation): InvitationRow => {
    const email = normalizeEmail(input.email);
    const inviterId = ensureUserId(normalizeEmail(input.invitedByEmail));
    const inviteeId = ensureUserId(email);
    // The invitee shows up as an `invited` member until they accept; an active member stays active.
    prepare(`INSERT INTO memberships (organization_id, user_id, status, role) VALUES (?, ?, 'invited', 'member')
      ON CONFLICT(organization_id, user_id) DO NOTHING`).run(input.organizationId, inviteeId);
    const open = prepare(`SELECT id FROM invitations WHERE organization_id = ? AND email = ? AND accepted_at IS NULL AND revoked_at IS NULL
      ORDER BY id DESC LIMIT 1`).get(input.organizationId, email) as { id: number } | undefined;
    let id: number;
    if (open) {
      prepare(`UPDATE invitations SET token_hash = ?, expires_at = ?, invited_by_user_id = ? WHERE id = ?`)
        .run(input.tokenHash, input.expiresAt.getTime(), inviterId, open.id);
      id = open.id;
    } else {
      id = Number(prepare(`INSERT INTO invitations (organization_id, email, invited_by_user_id, token_hash, expires_at) VALUES (?, ?, ?, ?, ?)`)
        .run(input.organizationId, email, inviterId, input.tokenHash, input.expiresAt.getTime()).lastInsertRowid);
    }
    return toInvitation(byId(id)!);
  });

  /** The limit lives beside the invitation rather than in Redis so a refused request cannot have renewed the link. */
  const createOrRenewWithinLimit = sqlite.transaction((input: NewInvitation, at: Date, limit: SendLimit): LimitedInvitation => {
    const email = normalizeEmail(input.email);
    const since = at.getTime() - limit.windowMs;
    prepare(`DELETE FROM invitation_sends WHERE organization_id = ? AND email = ? AND sent_at <= ?`).run(input.organizationId, email, since);
    const window = prepare(`SELECT count(*) AS sent, min(sent_at) AS oldest FROM invitation_sends WHERE organization_id = ? AND email = ?`)
      .get(input.organizationId, email) as { sent: number; oldest: number | null };
    if (window.sent >= limit.max) return { ok: false, retryAfterMs: Math.max(1, (window.oldest ?? at.getTime()) + limit.windowMs - at.getTime()) };
    prepare(`INSERT INTO invitation_sends (organization_id, email, sent_at) VALUES (?, ?, ?)`).run(input.organizationId, email, at.getTime());
    return { ok: true, invitation: createOrRenew(input) };
  });

  const accept = sqlite.transaction((id: number, at: Date): InvitationRow => {
    const invitation = byId(id);
    if (!invitation) throw new Error(`invitation ${id} does not exist`);
    if (invitation.revoked_at !== null) throw new Error(`invitation ${id} was revoked`);
    const userId = ensureUserId(invitation.email);
    prepare(`INSERT INTO memberships (organization_id, user_id, status, role, activated_at) VALUES (?, ?, 'active', 'member', ?)
      ON CONFLICT(organization_id, user_id) DO UPDATE SET status = 'active', activated_at = coalesce(memberships.activated_at, excluded.activated_at)`)
      .run(invitation.organization_id, userId, at.getTime());
    prepare(`UPDATE invitations SET accepted_at = coalesce(accepted_at, ?) WHERE id = ?`).run(at.getTime(), id);
    return toInvitation(byId(id)!);
  });

  return {
    async createOrRenew(input) {
      return createOrRenew.immediate(input);
    },
    async createOrRenewWithinLimit(input, at, limit) {
      return createOrRenewWithinLimit.immediate(input, at, limit);
    },
    async get(id) {
      const row = byId(id);
      return row ? toInvitation(row) : null;
    },
    async findByTokenHash(tokenHash) {
      const row = prepare(`${SELECT} WHERE i.token_hash = ?`).get(tokenHash) as InvitationSqlRow | undefined;
      return row ? toInvitation(row) : null;
    },
    async accept(id, at) {
      return accept.immediate(id, at);
    },
  };
}
