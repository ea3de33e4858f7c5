import { seedDatabase } from '@tickler/db';
seedDatabase('file:/tmp/sched-bench/seeded.db', { orders: 1_000_000, now: new Date('2026-11-27T00:00:00Z') }).then((r) => console.log(r));
