/** SQLite: the expiry scan's query plan (index seeks merged without a sort). */
import Database from 'better-sqlite3';
import { expiringOrdersSql } from '../../src/sqlite/directory-repository';
import { openTempStore } from './helpers';

describe('findOrdersExpiringBetween on SQLite', () => {
  it.each(['license', 'maintenance'] as const)('uses the %s due index, with no sort step', async (kind) => {
    const { url, close } = await openTempStore();
    const sqlite = new Database(url.slice('file:'.length), { readonly: true });
    const plan = (sqlite.prepare(`EXPLAIN QUERY PLAN ${expiringOrdersSql(kind)}`).all('2027-01-01', 'UTC', 'X', '2027-01-01', 'UTC', '2027-01-01', '2027-02-01', 5000) as Array<{ detail: string }>)
      .map((row) => row.detail);
    // The rest of the current zone, the later zones of the date, the later dates: index seeks, merged without a sort.
    expect(plan).toContain(`SEARCH o USING INDEX orders_${kind}_due_idx (${kind}_expires_on=? AND time_zone=? AND id>?)`);
    expect(plan).toContain(`SEARCH o USING INDEX orders_${kind}_due_idx (${kind}_expires_on=? AND time_zone>?)`);
    expect(plan).toContain(`SEARCH o USING INDEX orders_${kind}_due_idx (${kind}_expires_on>? AND ${kind}_expires_on<?)`);
    expect(plan).toContain('MERGE (UNION ALL)');
    expect(plan.join('\n')).not.toMatch(/SCAN o|TEMP B-TREE/);
    sqlite.close();
    await close();
  });
});
