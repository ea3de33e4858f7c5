/**
 * A BullMQ worker that replaces itself when its blocking read is wedged, and whose close is bounded.
 *
 * Why: a `Worker` waits for jobs on a dedicated blocking connection (BullMQ duplicates the role's
 * connection for it) and, when one wait does not return within its block time plus 1 s, BullMQ's
 * watchdog disconnects that connection and awaits `client.connect()` on it. On a Redis Cluster this
 * can hang for good: if the reset lands while `cluster_state` is `fail` (a master has died and its
 * replica is not promoted yet), ioredis's ready check fails, ioredis retries with a connect of its
 * own, and the promise BullMQ awaits is never settled (ioredis 6 `Cluster.connect` drops its `close`
 * listener once the slots are refreshed). The worker then takes no job again, and `close()` hangs
 * too, as it waits for that fetch (seen in `cluster.test.ts`; upstream bullmq #4138, #3185). The
 * maintainers' advice is to replace such a worker, which is what this does, once for every role.
 *
 * How it sees a wedge: BullMQ bounds one wait for a job (`waitForJob` on the worker's backend) to
 * its block time (at most 10 s) plus a 1 s watchdog, then resets its blocking connection if needed.
 * A wait still pending `stuckAfterMs` (default 8 s) past that bound while the role's own connection
 * is ready (so Redis answers: an outage is waited out, not churned through) means that reset is
 * stuck. The worker is then replaced: a new `Worker` on the same queue starts at once, and the old
 * one is closed in the background (its in-flight jobs finish: they run on the role's shared connection and
 * keep their locks); its blocking connection is torn down if it has not closed `closeTimeoutMs`
 * after its last job. Nothing is lost or doubled by a replacement: a job is only ever taken by
 * BullMQ's atomic move to active.
 */
import { EventEmitter } from 'node:events';
import type { Worker } from 'bullmq';
import type { Logger } from 'pino';

export interface SupervisionOptions {
  /**
   * A wait for a job still pending this long after BullMQ's own bound (its block time plus a 1 s
   * watchdog), while the role's own connection is ready, is wedged (ms; default 8 000: room for the
   * watchdog's reconnect, which waits out a cluster failover of a few seconds).
   */
  stuckAfterMs?: number;
  /** How often the wait is checked (ms; default 1 000). */
  checkEveryMs?: number;
  /** How long a close may take once no job is in flight before its blocking connection is torn down (ms; default 5 000). */
  closeTimeoutMs?: number;
  /** The longest one wait for a job blocks (s; default 2; BullMQ's own maximum is 10). */
  maxBlockSeconds?: number;
}

/** The events a supervised worker passes on from whichever BullMQ `Worker` is current. */
const FORWARDED = ['completed', 'failed', 'active', 'progress', 'stalled', 'drained', 'error'] as const;

/** Resolves true when `promise` settles within `ms`, false otherwise (the promise is left running). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Caps each wait for a job at `maxBlockSeconds` and returns when the current one should have
 * returned by, as BullMQ bounds it (null: none pending). The cap: after an error BullMQ blocks for
 * its maximum (10 s) and relies on a marker to wake it for a due delayed job, and a failover can lose
 * that marker with the old master; every wake-up runs BullMQ's move to active, which promotes due
 * delayed jobs, so a due job (the scan's next run) waits at most the cap.
 */
function watchWaits(worker: Worker, maxBlockSeconds: number): () => number | null {
  const backend = worker.getBackend();
  const waitForJob = backend.waitForJob.bind(backend);
  let dueBy: number | null = null;
  backend.waitForJob = async (blockTimeout: number) => {
    const block = Math.min(blockTimeout, maxBlockSeconds);
    // The block, then BullMQ's 1 s watchdog.
    dueBy = Date.now() + Math.max(0, block) * 1000 + 1000;
    try {
      return await waitForJob(block);
    } finally {
      dueBy = null;
    }
  };
  return () => dueBy;
}

/** Whether the worker's main connection (the role's own, shared by its queues) is ready, i.e. Redis answers. */
async function connectionReady(worker: Worker): Promise<boolean> {
  const client = await Promise.race([worker.getBackend().client, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1000).unref())]);
  return client?.status === 'ready' || client?.status === 'connect';
}

/** Drops the worker's blocking connection at once (after its close timed out): no socket or reconnect timer is left. */
async function tearDownBlocking(worker: Worker): Promise<void> {
  const pending = worker.getBackend().blockingClient;
  if (!pending) return;
  const client = await Promise.race([pending, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1000).unref())]);
  client?.disconnect();
}

/**
 * A worker whose close stays wedged is left behind: nothing is passed on from it any more (its late
 * errors are dropped, not thrown), and its lock renewal timer, which BullMQ stops only at the end of
 * a close that will not come, is stopped so it neither keeps the process alive nor runs forever.
 * `lockManager` is not public API: if a BullMQ upgrade renames it, only that timer is left running.
 */
function abandon(worker: Worker): void {
  worker.removeAllListeners();
  worker.on('error', () => undefined);
  void (worker as unknown as { lockManager?: { close?: () => Promise<void> } }).lockManager?.close?.().catch(() => undefined);
}

/**
 * One catalog queue's worker under supervision. It behaves like the BullMQ `Worker` it holds (events,
 * `pause`, `resume`, `waitUntilReady`, `close`); `worker` is the current one, `replacements` counts wedges.
 */
export class SupervisedWorker extends EventEmitter {
  private current: Worker;
  private dueBy: () => number | null;
  private readonly timer: NodeJS.Timeout;
  private readonly retiring = new Set<Promise<void>>();
  /** Jobs each worker has taken and not yet finished (a close waits for these, not for a wedged connection). */
  private readonly inFlight = new WeakMap<Worker, number>();
  private closing: Promise<void> | null = null;
  private paused = false;
  private checking = false;
  private readonly stuckAfterMs: number;
  private readonly closeTimeoutMs: number;
  private readonly maxBlockSeconds: number;
  replacements = 0;

  constructor(
    private readonly queue: string,
    private readonly create: () => Worker,
    private readonly logger: Pick<Logger, 'warn' | 'error'>,
    options: SupervisionOptions = {},
  ) {
    super();
    this.stuckAfterMs = options.stuckAfterMs ?? 8000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    this.maxBlockSeconds = options.maxBlockSeconds ?? 2;
    [this.current, this.dueBy] = this.start();
    this.timer = setInterval(() => void this.check(), options.checkEveryMs ?? 1000);
    this.timer.unref();
  }

  /** The BullMQ worker taking jobs now (a new one after each replacement). */
  get worker(): Worker {
    return this.current;
  }

  private start(): [Worker, () => number | null] {
    const worker = this.create();
    for (const event of FORWARDED) worker.on(event, (...args: unknown[]) => this.emit(event, ...args));
    this.inFlight.set(worker, 0);
    worker.on('active', () => this.inFlight.set(worker, (this.inFlight.get(worker) ?? 0) + 1));
    for (const end of ['completed', 'failed'] as const) worker.on(end, () => this.inFlight.set(worker, Math.max(0, (this.inFlight.get(worker) ?? 1) - 1)));
    return [worker, watchWaits(worker, this.maxBlockSeconds)];
  }

  private async check(): Promise<void> {
    const dueBy = this.dueBy();
    if (this.checking || this.closing || this.paused || dueBy === null || Date.now() - dueBy < this.stuckAfterMs) return;
    this.checking = true;
    try {
      // Redis itself away (the role's own connection not ready): every worker waits, a new one would too.
      if (!(await connectionReady(this.current)) || this.closing || this.dueBy() !== dueBy) return;
      const old = this.current;
      this.replacements += 1;
      this.logger.warn({ queue: this.queue, overdueMs: Date.now() - dueBy, replacements: this.replacements },
        'worker wedged: its wait for a job did not return; replacing it');
      [this.current, this.dueBy] = this.start();
      const retired = this.retire(old).finally(() => this.retiring.delete(retired));
      this.retiring.add(retired);
    } finally {
      this.checking = false;
    }
  }

  /**
   * Closes `worker`, letting its in-flight jobs finish; once none is in flight and it still has not
   * closed after `closeTimeoutMs`, its close is wedged: its blocking connection is torn down and it is
   * left behind (a wedged close waits on that connection only).
   */
  private async retire(worker: Worker): Promise<void> {
    const closed = worker.close();
    let idleSince = Date.now();
    while (!(await settlesWithin(closed, 250))) {
      if (this.inFlight.get(worker)) idleSince = Date.now();
      else if (Date.now() - idleSince >= this.closeTimeoutMs) {
        this.logger.warn({ queue: this.queue, closeTimeoutMs: this.closeTimeoutMs }, 'worker did not close in time; dropping its blocking connection');
        await tearDownBlocking(worker).catch(() => undefined);
        if (!(await settlesWithin(closed, 1000))) abandon(worker);
        return;
      }
    }
  }

  async waitUntilReady(): Promise<void> {
    await this.current.waitUntilReady();
  }

  isRunning(): boolean {
    return this.current.isRunning();
  }

  async pause(doNotWaitActive?: boolean): Promise<void> {
    this.paused = true;
    await this.current.pause(doNotWaitActive);
  }

  resume(): void {
    this.paused = false;
    this.current.resume();
  }

  /** Whether Redis answers the current worker's own connection (false while it reconnects). */
  redisReady(): Promise<boolean> {
    return connectionReady(this.current);
  }

  /**
   * Stops taking jobs, lets in-flight ones finish, and returns at most about `closeTimeoutMs` + 1 s
   * after the last one did; emits `closed` then.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      await Promise.all([this.retire(this.current), ...this.retiring]);
      this.emit('closed');
    })();
    return this.closing;
  }
}
