/**
 * The executor seam: an executor decides when virtual users start, when their iterations are
 * due and when they stop (k6's executors, Locust's load shapes). It drives users through their
 * steps (start / iterate / think / stop) and knows nothing of targets, stats or reports.
 * Adding one: a file in this folder exporting its ExecutorKind, and a line in registry.ts.
 */
import type { Clock } from '../core/clock.js';
import type { LoadUser } from '../load/load-user.js';
import type { LoadInput } from './load-options.js';
import type { Segment } from './segment.js';

/**
 * An executor's config, owned by its file (k6's way): when it takes the load, how it parses,
 * defaults and checks its options, how it says the load, and the users the run must size for.
 */
export interface ExecutorKind<L extends { executor: string }> {
  readonly name: L['executor'];
  /** Whether this executor takes the load (asked in registry order; the last takes any). */
  claims(input: LoadInput): boolean;
  /** The load, parsed, defaulted and checked; a SimUsageError names the flag. */
  resolve(input: LoadInput): L;
  create(load: L, ctx: ExecutionContext): Executor;
  /** The load in a few words for `segment`'s share, e.g. `50 users at 50/s for 30 s`. */
  describe(load: L, segment: Segment): string;
  /** The most users the whole plan may run at once (pools are sized for it; the result reports it). */
  peakUsers(load: L): number;
  /** Users the whole plan starts within its first second (their connections are opened ahead). */
  firstSecondUsers(load: L): number;
  /** Users started per second, for the result; 0 where users are not spawned at a rate. */
  spawnRate(load: L): number;
}

/** What the runner gives an executor. */
export interface ExecutionContext {
  /** Creates the virtual user of plan-wide 1-based `index` (not yet started). */
  newUser(index: number): LoadUser;
  /** Told each time the number of active users changes. */
  onActiveUsers(n: number): void;
  clock: Clock;
  /** The part of the plan this process runs (the whole plan by default). */
  segment: Segment;
  /** Budget for the users' stop() (onStop, finish of SDK runs) after the load ends. */
  shutdownTimeoutS: number;
  /** The load may be changed while it runs (setUsers/setRate; the live page, --web): off by default, so nothing on the request path changes without it. */
  liveControl?: boolean;
  /** Told of each open-model iteration (arrival-rate executors); none by default. */
  iterations?: IterationSink;
}

/**
 * Where an open-model executor reports its iterations. Times are the clock's ms: `dueAt` when
 * the schedule wanted it to start, `startedAt` when a user actually started it.
 */
export interface IterationSink {
  /** `user` ran it (a duet attributes it to that user's side). */
  completed(dueAt: number, startedAt: number, endedAt: number, ok: boolean, user?: LoadUser): void;
  /** An iteration that was due but never started (no free user, or still queued at the end); `index` is its plan-wide 0-based index. */
  dropped(dueAt: number, index?: number): void;
}

/** What an executor is aiming at now, for the live line and the time series. */
export interface LoadProgress {
  /** The current target: users (closed model) or iterations per second (open model). */
  target: number;
  unit: 'users' | 'iterations/s';
  /** e.g. `stage 2/3`; absent when the load has no stages. */
  stage?: string;
  /** Open model only: iterations dropped so far. */
  dropped?: number;
}

export interface ExecutionOutcome {
  /** True when the signal stopped the load before its planned end. */
  interrupted: boolean;
  /** Users whose stop() did not complete within the shutdown budget. */
  unfinishedUsers: number;
  /** Seconds from the first start to the end of the shutdown. */
  durationS: number;
  /** Every user created, in creation order. */
  users: LoadUser[];
  /** Open model only: iterations started, dropped, and started more than 1 ms after their due time. */
  iterations?: { started: number; dropped: number; lateStarts: number };
}

export interface Executor {
  /** Its registry name, e.g. `constant-users`. */
  readonly name: string;
  /** Users running now. */
  readonly activeUsers: number;
  /** The load in a few words for the start line, e.g. `50 users at 50/s for 30 s`. */
  describe(): string;
  /** Where the load stands now (absent for loads without a moving target or drops). */
  progress?(): LoadProgress;
  /**
   * Live change (the live page): a closed-model executor that can run a new number of users from
   * now on, or an open-model one a new rate. Returns undefined when applied, else why not. Absent
   * when the executor follows a plan it cannot leave (stages, a shape).
   */
  setUsers?(n: number): string | undefined;
  setRate?(rate: number): string | undefined;
  /** Applies the load until its end or the signal; never throws for a user's failure. */
  run(signal?: AbortSignal): Promise<ExecutionOutcome>;
}
