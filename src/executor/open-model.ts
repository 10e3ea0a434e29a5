/**
 * The open model shared by the arrival-rate executors (k6's constant/ramping-arrival-rate,
 * wrk2's intended start): iteration i is due at its scheduled time whether or not the target
 * keeps up. At its due time it starts on a free user; when none is free it is dropped and
 * counted (the default, k6's dropped_iterations) or, with `onSaturation: 'queue'`, started as
 * soon as a user frees (wrk2) — its latency still measured from the due time. The pool grows in
 * the background up to `maxUsers` (k6: a new user must start before it takes iterations).
 *
 * An iteration is one task on a free user (`task`), or a whole SDK training run on a fresh user
 * (`run`: start, then iterate/think for the run length, then stop).
 */
import type { LoadUser } from '../load/load-user.js';
import type { ExecutionContext, ExecutionOutcome, IterationSink } from './executor.js';
import { share } from './segment.js';
import { closedLoop, SHUTDOWN_GRACE_MS, type LifeEnd } from './user-pool.js';

export type Saturation = 'drop' | 'queue';

/** The pool and iteration options every arrival-rate load has. */
export interface ArrivalPool {
  /** Users started before the first iteration (whole plan; tasks only). */
  preAllocatedUsers: number;
  /** Most users at once (whole plan). */
  maxUsers: number;
  onSaturation: Saturation;
  /** `task` (one task per iteration) or `run` (a whole SDK run of `runLengthS`). */
  iteration: 'task' | 'run';
  runLengthS: number;
}

/** One due iteration: its plan-wide 0-based index and its due time in ms after the start. */
export interface Due {
  index: number;
  atMs: number;
}

/** This segment's due iterations in order; null when the schedule is over. */
export interface DueSource {
  next(): Due | null | Promise<Due | null>;
}

/** What the engine reports while it runs. */
export interface OpenModelState {
  dropped: number;
  queued: number;
  started: number;
  /** Iterations that started after their due time (queued, or the scheduler itself was late by > 1 ms). */
  lateStarts: number;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const NO_SINK: IterationSink = { completed: () => undefined, dropped: () => undefined };

export class OpenModel {
  readonly state: OpenModelState = { dropped: 0, queued: 0, started: 0, lateStarts: 0 };
  private readonly users: LoadUser[] = [];
  private readonly free: LoadUser[] = [];
  private readonly queue: Due[] = [];
  private queueHead = 0;
  private allocated = 0;
  private active = 0;
  private readonly ends = new Set<Promise<void>>();
  private readonly localMax: number;
  private readonly sink: IterationSink;
  private t0 = 0;
  private stopping = false;

  constructor(private readonly pool: ArrivalPool, private readonly ctx: ExecutionContext) {
    this.localMax = share(ctx.segment, pool.maxUsers);
    this.sink = ctx.iterations ?? NO_SINK;
  }

  get activeUsers(): number {
    return this.active;
  }

  /** Runs the schedule until it ends or `signal` aborts, then stops every user. */
  async run(source: DueSource, signal: AbortSignal, endMs: number): Promise<ExecutionOutcome> {
    const { clock } = this.ctx;
    if (this.pool.iteration === 'task') {
      const pre = Math.min(this.localMax, share(this.ctx.segment, this.pool.preAllocatedUsers));
      await Promise.all(Array.from({ length: pre }, () => this.allocate()));
    }
    this.t0 = clock.now();
    const t0 = this.t0;
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) stop.abort();
    try {
      for (;;) {
        const got = source.next();
        const due = got instanceof Promise ? await got : got;
        if (due === null || due.atMs >= endMs || stop.signal.aborted) break;
        const at = t0 + due.atMs;
        const wait = at - clock.now();
        if (wait > 0.5) await clock.sleep(wait, stop.signal);
        if (stop.signal.aborted) break;
        // No user free: let completions already waiting in the event loop hand their users
        // back first, so a drop means no user was free, not that the loop was busy.
        if (this.pool.iteration === 'task' && this.free.length === 0 && this.allocated > 0) await yieldToEventLoop();
        if (stop.signal.aborted) break;
        this.dispatch(due, at);
      }
      // The schedule is over: the load lasts until its planned end unless aborted (a shape
      // without a planned end stops when it says so).
      const rest = t0 + endMs - clock.now();
      if (rest > 0 && rest < Infinity && !stop.signal.aborted) await clock.sleep(rest, stop.signal);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    const interrupted = signal.aborted && (endMs === Infinity || clock.now() < t0 + endMs - 1);
    const unfinishedUsers = await this.shutdown(signal.aborted);
    const { started, dropped, lateStarts } = this.state;
    return { interrupted, unfinishedUsers, durationS: (clock.now() - t0) / 1000, users: this.users, iterations: { started, dropped, lateStarts } };
  }

  /** Hands a due iteration to a free user, or grows the pool and drops or queues it. */
  private dispatch(due: Due, at: number): void {
    if (this.pool.iteration === 'run') {
      if (this.active < this.localMax) return this.startRun(due, at);
    } else {
      const user = this.free.pop();
      if (user !== undefined) return this.startTask(user, due, at);
      if (this.allocated < this.localMax) void this.allocate();
    }
    if (this.pool.onSaturation === 'queue') {
      this.queue.push(due);
      this.state.queued++;
    } else {
      this.state.dropped++;
      this.sink.dropped(at, due.index);
    }
  }

  /** Creates and starts one more task user in the background; it then takes queued work or waits. */
  private async allocate(): Promise<void> {
    this.allocated++;
    const seg = this.ctx.segment;
    const user = this.ctx.newUser(seg.index + (this.allocated - 1) * seg.count + 1);
    this.users.push(user);
    this.setActive(this.active + 1);
    const ok = await user.start().catch(() => false);
    if (!ok || this.stopping) {
      this.track(user.stop());
      this.setActive(this.active - 1);
      return;
    }
    this.release(user);
  }

  private startTask(user: LoadUser, due: Due, dueAt: number): void {
    const { clock } = this.ctx;
    const startedAt = clock.now();
    // The scheduler may start an iteration up to 0.5 ms before its due time (timers have 1 ms grain).
    const at = Math.min(dueAt, startedAt);
    this.noteStart(startedAt, at);
    const end = user.iterate().then(
      (ok) => {
        this.sink.completed(at, startedAt, clock.now(), ok !== false, user);
        this.release(user);
      },
      () => this.release(user),
    );
    this.track(end);
  }

  /** A free user takes the oldest queued iteration, or waits for the next due one. */
  private release(user: LoadUser): void {
    if (this.stopping) return this.retire(user);
    const next = this.takeQueued();
    if (next !== undefined) this.startTask(user, next, this.t0 + next.atMs);
    else this.free.push(user);
  }

  private startRun(due: Due, at: number): void {
    const { clock } = this.ctx;
    const user = this.ctx.newUser(due.index + 1);
    this.users.push(user);
    this.setActive(this.active + 1);
    const startedAt = clock.now();
    at = Math.min(at, startedAt);
    this.noteStart(startedAt, at);
    // The closed loop of a user for the run's length: an SDK run's life is any closed-model user's.
    const life = async (): Promise<void> => {
      let end: LifeEnd = { started: false, cutShort: true };
      try {
        end = await closedLoop(user, { clock, atMs: startedAt + this.pool.runLengthS * 1000 });
      } finally {
        if (!end.cutShort) this.sink.completed(at, startedAt, clock.now(), end.started, user);
        this.setActive(this.active - 1);
        const next = this.stopping ? undefined : this.takeQueued();
        if (next !== undefined) this.startRun(next, this.t0 + next.atMs);
      }
    };
    this.track(life().catch(() => undefined));
  }

  private takeQueued(): Due | undefined {
    if (this.queueHead >= this.queue.length) return undefined;
    const next = this.queue[this.queueHead++];
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue.splice(0, this.queueHead);
      this.queueHead = 0;
    }
    return next;
  }

  private noteStart(startedAt: number, at: number): void {
    this.state.started++;
    if (startedAt - at > 1) this.state.lateStarts++;
  }

  private track(p: Promise<void>): void {
    this.ends.add(p);
    void p.finally(() => this.ends.delete(p));
  }

  /**
   * The end of the arrivals: iterations still queued were never sent and count as dropped;
   * running ones finish — a task within the shutdown budget, a training run at the end of its
   * run length (plus the budget) unless the load was interrupted, which asks runs to stop now.
   * Then every user stops. Returns how many did not end in time.
   */
  private async shutdown(interrupted: boolean): Promise<number> {
    this.stopping = true;
    const { clock } = this.ctx;
    for (let q = this.takeQueued(); q !== undefined; q = this.takeQueued()) {
      this.state.dropped++;
      this.sink.dropped(this.t0 + q.atMs, q.index);
    }
    const runs = this.pool.iteration === 'run';
    if (runs && interrupted) for (const u of this.users) u.requestStop();
    for (const u of this.free.splice(0)) this.retire(u);
    const runLengthMs = runs && !interrupted ? this.pool.runLengthS * 1000 : 0;
    const deadline = clock.now() + runLengthMs + this.ctx.shutdownTimeoutS * 1000 + SHUTDOWN_GRACE_MS;
    const budget = new AbortController();
    // One timer for the whole wait (a sleep per ended iteration left one abort listener each).
    const overrun = clock.sleep(deadline - clock.now(), budget.signal).catch(() => undefined);
    while (this.ends.size > 0 && clock.now() < deadline) {
      await Promise.race([Promise.race([...this.ends]), overrun]);
    }
    budget.abort();
    if (runs) for (const u of this.users) u.requestStop(); // overran even that: cut short
    return this.ends.size;
  }

  /** Stops a task user that has no more work (its stop counts as its end). */
  private retire(user: LoadUser): void {
    this.track(user.stop().catch(() => undefined).finally(() => this.setActive(this.active - 1)));
  }

  private setActive(n: number): void {
    this.active = n;
    this.ctx.onActiveUsers(n);
  }
}

