/**
 * The database computes 09:00 local itself when the scan plans a slice (`tickler_send_at`, migration
 * 0001). It must equal the domain's rule (`sendAtMs`, `zonedWallTimeToInstant`) for every zone
 * this runtime knows, on ordinary days and across daylight-saving gaps (the first instant after the
 * gap) and overlaps (the first occurrence) — PostgreSQL's own `AT TIME ZONE` differs at both.
 * With a send calendar (weekends skipped, holidays global or per zone: migration 0005) it must move
 * send days exactly as the domain's `sendDayMs` does.
 */
import fc from 'fast-check';
import { addDays, createSendCalendar, sendAtMs, zonedWallTimeToInstant, zoneOffsetMs } from '@tickler/domain';
import { migrateDatabase } from '../../src/open-store';
import { createTestDatabase, type TestDatabase, withClient } from './helpers';

const ZONES = Intl.supportedValuesOf('timeZone');
const MINUTE = 60_000;
const DAY = 86_400_000;
/** 1980-01-01 .. 2060-12-31: offsets are whole minutes everywhere since (Liberia's −0:44:30 ended in 1972). */
const FIRST_DAY = Date.UTC(1980, 0, 1);
const LAST_DAY = Date.UTC(2060, 11, 31);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await migrateDatabase(database.url);
});
afterAll(async () => database?.drop());

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** A wall-clock time (encoded as if UTC) as PostgreSQL `timestamp` text. */
const wallText = (localMs: number) => new Date(localMs).toISOString().replace('T', ' ').replace('Z', '');

/** The instants in [fromMs, fromMs + days) at which `zone`'s UTC offset changes, to the minute. */
function transitionsIn(zone: string, fromMs: number, days: number): number[] {
  const found: number[] = [];
  for (let day = 0; day < days; day++) {
    let low = fromMs + day * DAY;
    let high = low + DAY;
    if (zoneOffsetMs(zone, low) === zoneOffsetMs(zone, high)) continue;
    while (high - low > MINUTE) {
      const mid = low + Math.floor((high - low) / 2 / MINUTE) * MINUTE;
      if (zoneOffsetMs(zone, mid) === zoneOffsetMs(zone, low)) low = mid;
      else high = mid;
    }
    found.push(high);
  }
  return found;
}

interface WallSample { zone: string; localMs: number }

/**
 * A wall time near one of the zone's offset changes in a random year (within 2 h either side, so
 * inside the gap or overlap about half the time), or a random wall time when that year has none.
 */
const nearTransitionArb: fc.Arbitrary<WallSample> = fc.record({
  zone: fc.constantFrom(...ZONES),
  year: fc.integer({ min: 1980, max: 2060 }),
  pick: fc.nat(),
  minutes: fc.integer({ min: -120, max: 120 }),
}).map(({ zone, year, pick, minutes }) => {
  const start = Date.UTC(year, 0, 1);
  const transitions = transitionsIn(zone, start, 366);
  if (transitions.length === 0) return { zone, localMs: start + (pick % 525_600) * MINUTE };
  const at = transitions[pick % transitions.length]!;
  // The wall clock just before the change, shifted by `minutes`.
  return { zone, localMs: at + zoneOffsetMs(zone, at - MINUTE) + minutes * MINUTE };
});

/** Whether a wall time is skipped (gap), repeated (overlap), or neither in its zone. */
function edgeOf({ zone, localMs }: WallSample): 'gap' | 'overlap' | null {
  const wallAt = (t: number) => t + zoneOffsetMs(zone, t);
  const instant = zonedWallTimeToInstant(localMs, zone).getTime();
  if (wallAt(instant) !== localMs) return 'gap';
  const offsets = new Set([zoneOffsetMs(zone, localMs - DAY), zoneOffsetMs(zone, localMs + DAY)]);
  return [...offsets].some((offset) => localMs - offset !== instant && wallAt(localMs - offset) === localMs) ? 'overlap' : null;
}

async function databaseInstants(samples: WallSample[]): Promise<number[]> {
  return withClient(database.url, async (client) => {
    const { rows } = await client.query<{ ms: string }>(`SELECT floor(extract(epoch FROM tickler_local_to_instant(t.local_time, t.zone)) * 1000)::bigint AS ms
      FROM unnest($1::timestamp[], $2::text[]) WITH ORDINALITY AS t(local_time, zone, ord) ORDER BY ord`,
    [samples.map((s) => wallText(s.localMs)), samples.map((s) => s.zone)]);
    return rows.map((r) => Number(r.ms));
  });
}

describe('tickler_local_to_instant (PostgreSQL) equals zonedWallTimeToInstant (domain)', () => {
  it('on the documented edges: a New York gap and overlap, a Berlin overlap, Lord Howe\'s half-hour shift', async () => {
    const edges: WallSample[] = [
      { zone: 'America/New_York', localMs: Date.UTC(2026, 2, 8, 2, 30) }, // gap → 03:00 EDT = 07:00Z
      { zone: 'America/New_York', localMs: Date.UTC(2026, 10, 1, 1, 30) }, // overlap → first (EDT) = 05:30Z
      { zone: 'Europe/Berlin', localMs: Date.UTC(2026, 9, 25, 2, 30) }, // overlap → first (CEST) = 00:30Z
      { zone: 'Australia/Lord_Howe', localMs: Date.UTC(2026, 9, 4, 2, 15) }, // 30-minute gap
    ];
    expect((await databaseInstants(edges)).map((ms) => new Date(ms).toISOString())).toEqual([
      '2026-03-08T07:00:00.000Z', '2026-11-01T05:30:00.000Z', '2026-10-25T00:30:00.000Z', edges[3] && zonedWallTimeToInstant(edges[3].localMs, edges[3].zone).toISOString(),
    ]);
  });

  it('for random zones and wall times near daylight-saving changes (gaps and overlaps)', async () => {
    const edges = { gap: 0, overlap: 0 };
    await fc.assert(fc.asyncProperty(fc.array(nearTransitionArb, { minLength: 40, maxLength: 40 }), async (samples) => {
      const actual = await databaseInstants(samples);
      const expected = samples.map((s) => zonedWallTimeToInstant(s.localMs, s.zone).getTime());
      for (const s of samples) {
        const edge = edgeOf(s);
        if (edge) edges[edge] += 1;
      }
      expect(actual.map((ms, i) => [samples[i]!.zone, wallText(samples[i]!.localMs), ms])).toEqual(expected.map((ms, i) => [samples[i]!.zone, wallText(samples[i]!.localMs), ms]));
    }), { numRuns: 25 });
    // The samples really met the edges this property is about.
    expect(edges.gap).toBeGreaterThan(20);
    expect(edges.overlap).toBeGreaterThan(20);
  });
});

describe('tickler_send_at (PostgreSQL) equals sendAtMs (domain)', () => {
  const sampleArb = fc.record({
    zone: fc.constantFrom(...ZONES),
    expiresOn: fc.integer({ min: FIRST_DAY / DAY + 400, max: LAST_DAY / DAY }).map((d) => isoDate(d * DAY)),
    offsetDays: fc.integer({ min: -366, max: 366 }),
  });

  it('for random zones, expiry dates and offsets', async () => {
    await fc.assert(fc.asyncProperty(fc.array(sampleArb, { minLength: 50, maxLength: 50 }), async (samples) => {
      const actual = await withClient(database.url, async (client) => (await client.query<{ ms: string }>(
        `SELECT floor(extract(epoch FROM tickler_send_at(t.expires_on, t.offset_days, t.zone)) * 1000)::bigint AS ms
         FROM unnest($1::date[], $2::integer[], $3::text[]) WITH ORDINALITY AS t(expires_on, offset_days, zone, ord) ORDER BY ord`,
        [samples.map((s) => s.expiresOn), samples.map((s) => s.offsetDays), samples.map((s) => s.zone)])).rows.map((r) => Number(r.ms)));
      expect(actual).toEqual(samples.map((s) => sendAtMs(s.expiresOn, s.offsetDays, s.zone)));
    }), { numRuns: 30 });
  });

  it('on every day of a year in zones whose changes fall near 09:00 or skip whole days', async () => {
    // Days around each zone's changes; Pacific/Apia and Pacific/Kiritimati skipped a whole day (2011, 1994).
    const zones = ['America/Havana', 'America/Santiago', 'Asia/Beirut', 'Africa/Casablanca', 'Pacific/Apia', 'Pacific/Kiritimati', 'America/Godthab', 'Asia/Tehran'];
    const samples = zones.flatMap((zone) => [1994, 2011, 2026].flatMap((year) =>
      Array.from({ length: 366 }, (_, i) => ({ zone, expiresOn: addDays(`${year}-01-01`, i), offsetDays: 0 }))));
    const actual = await withClient(database.url, async (client) => (await client.query<{ ms: string }>(
      `SELECT floor(extract(epoch FROM tickler_send_at(t.expires_on, 0, t.zone)) * 1000)::bigint AS ms
       FROM unnest($1::date[], $2::text[]) WITH ORDINALITY AS t(expires_on, zone, ord) ORDER BY ord`,
      [samples.map((s) => s.expiresOn), samples.map((s) => s.zone)])).rows.map((r) => Number(r.ms)));
    const mismatches = samples.filter((s, i) => actual[i] !== sendAtMs(s.expiresOn, s.offsetDays, s.zone));
    expect(mismatches).toEqual([]);
  });

  it('knows every zone this runtime knows', async () => {
    const unknown = await withClient(database.url, async (client) => (await client.query<{ zone: string }>(
      `SELECT zone FROM unnest($1::text[]) AS zone WHERE zone NOT IN (SELECT name FROM pg_timezone_names)`, [ZONES])).rows.map((r) => r.zone));
    expect(unknown).toEqual([]);
  });

  it('fails naming the zone for one PostgreSQL does not know', async () => {
    await expect(withClient(database.url, (client) => client.query(`SELECT tickler_send_at('2027-01-31', 7, 'Mars/Olympus')`)))
      .rejects.toThrow(/time zone "Mars\/Olympus" not recognized/);
  });
});

describe('tickler_send_at with a send calendar (PostgreSQL) equals sendAtMs with it (domain)', () => {
  /** Holidays near the sample's send day (so they matter), global or in its zone or another. */
  const sampleArb = fc.record({
    zone: fc.constantFrom(...ZONES),
    expiresOn: fc.integer({ min: Date.UTC(2000, 0, 1) / DAY, max: Date.UTC(2040, 0, 1) / DAY }).map((d) => isoDate(d * DAY)),
    offsetDays: fc.integer({ min: -60, max: 60 }),
    skipWeekends: fc.boolean(),
    holidays: fc.array(fc.tuple(fc.integer({ min: -6, max: 6 }), fc.constantFrom('global', 'own', 'other')), { maxLength: 6 }),
  }).map(({ zone, expiresOn, offsetDays, skipWeekends, holidays }) => {
    const day = addDays(expiresOn, -offsetDays);
    const keys = holidays.map(([near, scope]) => {
      const date = addDays(day, near);
      return scope === 'global' ? date : `${scope === 'own' ? zone : 'Asia/Tokyo'} ${date}`;
    });
    return { zone, expiresOn, offsetDays, calendar: createSendCalendar({ skipWeekends, holidays: keys }) };
  });

  it('for random zones, dates, offsets, weekends on or off and holidays around the send day', async () => {
    let moved = 0;
    await fc.assert(fc.asyncProperty(fc.array(sampleArb, { minLength: 40, maxLength: 40 }), async (samples) => {
      // Each sample has its own holidays: one query each (a text[][] would need equal lengths).
      const actual = await withClient(database.url, async (client) => {
        const instants: number[] = [];
        for (const s of samples) {
          instants.push(Number((await client.query<{ ms: string }>(
            `SELECT floor(extract(epoch FROM tickler_send_at($1::date, $2::integer, $3, $4::boolean, $5::text[])) * 1000)::bigint AS ms`,
            [s.expiresOn, s.offsetDays, s.zone, s.calendar.skipWeekends, [...s.calendar.holidays]])).rows[0]!.ms));
        }
        return instants;
      });
      const expected = samples.map((s) => sendAtMs(s.expiresOn, s.offsetDays, s.zone, s.calendar));
      moved += samples.filter((s, i) => expected[i] !== sendAtMs(s.expiresOn, s.offsetDays, s.zone)).length;
      expect(actual.map((ms, i) => [samples[i]!.zone, samples[i]!.expiresOn, samples[i]!.offsetDays, ms]))
        .toEqual(expected.map((ms, i) => [samples[i]!.zone, samples[i]!.expiresOn, samples[i]!.offsetDays, ms]));
    }), { numRuns: 15 });
    // The samples really moved send days.
    expect(moved).toBeGreaterThan(100);
  });

  it('on every day of 2026 in DST zones with weekends skipped (European and American changes fall on Sundays)', async () => {
    const calendar = createSendCalendar({ skipWeekends: true, holidays: ['2026-12-25', 'Europe/Berlin 2026-10-02', 'America/New_York 2026-11-27'] });
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'America/Santiago', 'Pacific/Chatham'];
    const samples = zones.flatMap((zone) => [1, 0].flatMap((offsetDays) =>
      Array.from({ length: 365 }, (_, i) => ({ zone, expiresOn: addDays('2026-01-01', i), offsetDays }))));
    const actual = await withClient(database.url, async (client) => (await client.query<{ ms: string }>(
      `SELECT floor(extract(epoch FROM tickler_send_at(t.expires_on, t.offset_days, t.zone, true, $4::text[])) * 1000)::bigint AS ms
       FROM unnest($1::date[], $2::integer[], $3::text[]) WITH ORDINALITY AS t(expires_on, offset_days, zone, ord) ORDER BY ord`,
      [samples.map((s) => s.expiresOn), samples.map((s) => s.offsetDays), samples.map((s) => s.zone), [...calendar.holidays]])).rows.map((r) => Number(r.ms)));
    const mismatches = samples.filter((s, i) => actual[i] !== sendAtMs(s.expiresOn, s.offsetDays, s.zone, calendar));
    expect(mismatches).toEqual([]);
  });
});
