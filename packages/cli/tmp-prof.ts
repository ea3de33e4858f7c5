import { execSync } from 'node:child_process';
import { benchScan } from './src/bench/scan';
execSync('cp /tmp/sched-bench/seeded.db /tmp/sched-bench/run.db && rm -f /tmp/sched-bench/run.db-wal /tmp/sched-bench/run.db-shm');
benchScan({ databaseFile: '/tmp/sched-bench/run.db', now: new Date('2026-11-27T00:00:00Z') }).then(() => process.exit(0));
