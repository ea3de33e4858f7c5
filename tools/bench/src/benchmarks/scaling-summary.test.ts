import { printScalingSummary, type ScalingRow } from './scaling-summary';
import { describeWork, type WorkFigures } from './work-counters';

const work = (over: Partial<WorkFigures> = {}): WorkFigures => ({ pgStatements: null, postgresMicros: null, redisCommands: 40, redisMicros: 120, lockWaits: null, ...over });
const row = (group: string, processes: number, round: number, perCpuSecond: number, w: Partial<WorkFigures> = {}): ScalingRow => ({ group, processes, round, perCpuSecond, work: work(w) });

function printed(rows: ScalingRow[]): string[] {
  const lines: string[] = [];
  printScalingSummary((line) => lines.push(line), 'email', rows);
  return lines;
}

describe('printScalingSummary', () => {
  it('compares each count with the first count of the same round and gives the median ratio', () => {
    // Round 2 ran on a machine 2x slower: its pair still compares alike (−10 %); pooled medians would not.
    const lines = printed([
      row('sqlite', 1, 1, 1000), row('sqlite', 2, 1, 900),
      row('sqlite', 1, 2, 500), row('sqlite', 2, 2, 450),
      row('sqlite', 1, 3, 1000), row('sqlite', 2, 3, 1100),
    ]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('median of 3 round(s)');
    expect(lines[1]).toContain('1 → 2: 1,000 → 900 emails per CPU-second, −10.0 % (rounds −10.0 %, −10.0 %, +10.0 %)');
  });

  it('reports the units of work and lock waits, per group', () => {
    const lines = printed([
      row('postgres', 1, 1, 1000, { pgStatements: 0.33, postgresMicros: 129, redisCommands: 40, redisMicros: 120, lockWaits: { samples: 50, withWaiters: 0, mostWaiting: 0 } }),
      row('postgres', 2, 1, 800, { pgStatements: 0.5, postgresMicros: 140, redisCommands: 41, redisMicros: 164, lockWaits: { samples: 60, withWaiters: 2, mostWaiting: 1 } }),
      row('sqlite', 1, 1, 1200), row('sqlite', 2, 1, 1200),
    ]);
    expect(lines[1]).toContain('postgres');
    expect(lines[1]).toContain('−20.0 %');
    expect(lines[1]).toContain('PostgreSQL statements/email 0.33 → 0.50, its CPU µs/email 129 → 140');
    expect(lines[1]).toContain('Redis commands/email 40.0 → 41.0, µs per command 3.0 → 4.0');
    expect(lines[1]).toContain('lock waits in 2 of 60 samples');
    expect(lines[2]).toContain('+0.0 %');
    expect(lines[2]).not.toContain('PostgreSQL');
  });

  it('prints nothing for a single process count', () => {
    expect(printed([row('sqlite', 1, 1, 1000), row('sqlite', 1, 2, 900)])).toEqual([]);
  });
});

describe('describeWork', () => {
  it('names statements, commands and lock samples per item', () => {
    expect(describeWork('event', work({ pgStatements: 0.14, redisCommands: 40.2, redisMicros: 152.8, lockWaits: { samples: 80, withWaiters: 0, mostWaiting: 0 } })))
      .toBe('PostgreSQL 0.14 statements/event; Redis 40.2 commands/event, 3.8 µs CPU per command; sessions waiting for a lock in 0 of 80 samples (most at once 0)');
    expect(describeWork('email', work())).toBe('Redis 40.0 commands/email, 3.0 µs CPU per command');
  });
});
