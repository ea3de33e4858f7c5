/** PostgreSQL implementation of InvitationsRepository: organization invitations and their acceptance. */
import type pg from 'pg';
import type { InvitationRow, InvitationsRepository, LimitedInvitation, NewInvitation } from '../repositories/types';
import { normalizeEmail } from '../email';
import { type Queryable, withTransaction } from './pool';

interface InvitationSqlRow {
  id: number; organization_id: string; email: string; invited_by_email: string; expires_at: Date;
  accepted_at: Date | null; revoked_at: Date | null; created_at: Date;
}
const SELECT = `SELECT i.id, i.organization_id, i.email, u.email AS invited_by_email, i.expires_at, i.accepted_at, i.revoked_at, i.created_at
  FROM invitations i JOIN users u ON u.id = i.invited_by_user_id`;

function toInvitation(row: InvitationSqlRow): InvitationRow {
  return {
    id: row.id, organizationId: row.organization_id, email: row.email, invitedByEmail: row.invited_by_email,
    expiresAt: row.expires_at, acceptedAt: row.accepted_at, revokedAt: row.revoked_at, createdAt: row.created_at,
  };
}

const byId = async (db: Queryable, id: number) => (await db.query<InvitationSqlRow>(`${SELECT} WHERE i.id = $1`, [id])).rows[0];
const ensureUserId = async (db: Queryable, email: string) =>
  (await db.query<{ id: number }>(`INSERT INTO users (email) VALUES ($1) ON CONFLICT (email) DO UPDATE SET email = excluded.email RETURNING id`, [email])).rows[0]!.id;

/** One (organization, address) at a time: otherwise two concurrent first invitations would both find no open one. */
const lockInvitee = (tx: Queryable, organizationId: string, email: string) =>
  tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('tickler.invitation:' || $1 || ':' || $2, 0))`, [organizationId, email]);

/** createOrRenew's work, inside a transaction holding the invitee's lock; `email` normalised. */
async function createOrRenewLocked(tx: Queryable, input: NewInvitation, email: string): Promise<InvitationRow> {
  const inviterId = await ensureUserId(tx, normalizeEmail(input.invitedByEmail));
  const inviteeId = await ensureUserId(tx, email);
  // The invitee shows up as an `invited` member until they accept; an active member stays active.
  await tx.query(`INSERT INTO memberships (organization_id, user_id, status, role) VALUES ($1, $2, 'invited', 'member')
    ON CONFLICT (organization_id, user_id) DO NOTHING`, [input.organizationId, inviteeId]);
  const { rows: [open] } = await tx.query<{ id: number }>(`SELECT id FROM invitations
    WHERE organization_id = $1 AND email = $2 AND accepted_at IS NULL AND revoked_at IS NULL ORDER BY id DESC LIMIT 1`, [input.organizationId, email]);
  let id: number;
  if (open) {
    await tx.query(`UPDATE invitations SET token_hash = $2, expires_at = $3, invited_by_user_id = $4 WHERE id = $1`, [open.id, input.tokenHash, input.expiresAt, inviterId]);
    id = open.id;
  } else {
    const { rows: [created] } = await tx.query<{ id: number }>(`INSERT INTO invitations (organization_id, email, invited_by_user_id, token_hash, expires_at)
      VALUES ($1, $2, $3, $4, $5) RETURNING id`, [input.organizationId, email, inviterId, input.tokenHash, input.expiresAt]);
    id = created!.id;
  }
  return toInvitation((await byId(tx, id))!);
}

export function makePgInvitationsRepository(pool: pg.Pool): InvitationsRepository {
  return {
    async createOrRenew(input) {
      const email = normalizeEmail(input.email);
      return withTransaction(pool, async (tx) => {
        await lockInvitee(tx, input.organizationId, email);
        return createOrRenewLocked(tx, input, email);
      });
    },
    async createOrRenewWithinLimit(input, at, limit) {
      const email = normalizeEmail(input.email);
      // The limit lives beside the invitation: a refused request cannot have renewed the link. The
      // invitee's lock makes count-then-insert atomic across hosts.
      return withTransaction(pool, async (tx): Promise<LimitedInvitation> => {
        await lockInvitee(tx, input.organizationId, email);
        const since = new Date(at.getTime() - limit.windowMs);
        await tx.query(`DELETE FROM invitation_sends WHERE organization_id = $1 AND email = $2 AND sent_at <= $3`, [input.organizationId, email, since]);
        const { rows: [window] } = await tx.query<{ sent: number; oldest: Date | null }>(`SELECT count(*) AS sent, min(sent_at) AS oldest FROM invitation_sends
          WHERE organization_id = $1 AND email = $2`, [input.organizationId, email]);
        if (window!.sent >= limit.max) {
          return { ok: false, retryAfterMs: Math.max(1, (window!.oldest ?? at).getTime() + limit.windowMs - at.getTime()) };
        }
        await tx.query(`INSERT INTO invitation_sends (organization_id, email, sent_at) VALUES ($1, $2, $3)`, [input.organizationId, email, at]);
        return { ok: true, invitation: await createOrRenewLocked(tx, input, email) };
      });
    },
    async get(id) {
      const row = await byId(pool, id);
      return row ? toInvitation(row) : null;
    },
    async findByTokenHash(tokenHash) {
      const { rows: [row] } = await pool.query<InvitationSqlRow>(`${SELECT} WHERE i.token_hash = $1`, [tokenHash]);
      return row ? toInvitation(row) : null;
    },
    async accept(id, at) {
      return withTransaction(pool, async (tx) => {
        const { rows: [invitation] } = await tx.query<{ organization_id: string; email: string; revoked_at: Date | null }>(
          `SELECT organization_id, email, revoked_at FROM invitations WHERE id = $1 FOR UPDATE`, [id]);
        if (!invitation) throw new Error(`invitation ${id} does not exist`);
        if (invitation.revoked_at !== null) throw new Error(`invitation ${id} was revoked`);
        const userId = await ensureUserId(tx, invitation.email);
        await tx.query(`INSERT INTO memberships (organization_id, user_id, status, role, activated_at) VALUES ($1, $2, 'active', 'member', $3)
          ON CONFLICT (organization_id, user_id) DO UPDATE SET status = 'active', activated_at = coalesce(memberships.activated_at, excluded.activated_at)`,
        [invitation.organization_id, userId, at]);
        await tx.query(`UPDATE invitations SET accepted_at = coalesce(accepted_at, $2) WHERE id = $1`, [id, at]);
        return toInvitation((await byId(tx, id))!);
      });
    },
  };
}
