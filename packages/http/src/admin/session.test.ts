import { createHmac } from 'node:crypto';
import { ADMIN_SESSION_TTL_MS, createAdminSession, verifyAdminSession } from './session';

const TOKEN = 'admin-token-0123456789';
const NOW = new Date('2026-11-27T10:00:00Z');
const later = (ms: number) => new Date(NOW.getTime() + ms);

describe('admin sessions', () => {
  it('verify until 12 hours have passed, then expire', () => {
    const value = createAdminSession(TOKEN, NOW);
    expect(verifyAdminSession(TOKEN, value, NOW)).toEqual({ ok: true, expiresAt: later(ADMIN_SESSION_TTL_MS) });
    expect(verifyAdminSession(TOKEN, value, later(ADMIN_SESSION_TTL_MS - 1000)).ok).toBe(true);
    expect(verifyAdminSession(TOKEN, value, later(ADMIN_SESSION_TTL_MS))).toEqual({ ok: false, reason: 'expired' });
  });

  it('never contain the token, and differ each time', () => {
    const a = createAdminSession(TOKEN, NOW);
    const b = createAdminSession(TOKEN, NOW);
    expect(a).not.toContain(TOKEN);
    expect(a).not.toContain(Buffer.from(TOKEN).toString('base64url'));
    expect(a).not.toBe(b);
  });

  it('end when ADMIN_TOKEN is rotated', () => {
    expect(verifyAdminSession('another-admin-token-0123', createAdminSession(TOKEN, NOW), NOW)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuse a longer expiry written into a real session (the MAC covers it)', () => {
    const [v, , id, sig] = createAdminSession(TOKEN, NOW).split('.');
    const extended = [v, String(Math.floor(later(365 * 86_400_000).getTime() / 1000)), id, sig].join('.');
    expect(verifyAdminSession(TOKEN, extended, later(ADMIN_SESSION_TTL_MS * 2))).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuse a session signed with the token itself instead of the derived key', () => {
    const payload = `v1.${Math.floor(later(3_600_000).getTime() / 1000)}.AAAAAAAAAAAAAAAAAAAAAA`;
    const forged = `${payload}.${createHmac('sha256', TOKEN).update(payload).digest('base64url')}`;
    expect(verifyAdminSession(TOKEN, forged, NOW)).toEqual({ ok: false, reason: 'forged' });
  });

  it.each([
    ['empty', ''], ['the token itself', TOKEN], ['a bare version', 'v1'], ['short parts', 'v1.1.2.3'], ['broken percent-encoding', '%E0%A4%A'],
    ['another version', 'v2.9999999999.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'], ['5000 characters', 'x'.repeat(5000)],
  ])('call %s malformed', (_label, value) => {
    expect(verifyAdminSession(TOKEN, value, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('cannot be made or verified with an empty ADMIN_TOKEN', () => {
    expect(() => createAdminSession('', NOW)).toThrow(/empty/);
    const payload = `v1.${Math.floor(later(3_600_000).getTime() / 1000)}.AAAAAAAAAAAAAAAAAAAAAA`;
    const fromEmpty = `${payload}.${createHmac('sha256', createHmac('sha256', '').update('tickler admin session key v1').digest()).update(payload).digest('base64url')}`;
    expect(verifyAdminSession('', fromEmpty, NOW)).toEqual({ ok: false, reason: 'forged' });
  });
});
