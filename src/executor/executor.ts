/**
 * The executor seam: an executor decides when virtual users start, when their iterations are
 * due and when they stop (k6's executors, Locust's load shapes). It drives users through their
 * steps (start / iterate / think / stop) and knows nothing of targets, stats or reports.
 * Adding one: a file in this folder exporting a factory, and a line in registry.ts.
 */
import type { Clock } from '../core/clock.js';
import type { VirtualUser } from '../load/virtual-user.js';
import type { Segment } from './segment.js';

/** What the runner gives an executor. */
export interface ExecutionContext {
  /** Creates the virtual user of plan-wide 1-based `index` (not yet started). */
  newUser(index: number): VirtualUser;
  /** Told each time the number of active users changes. */
  onActiveUsers(n: number): void;
  clock: Clock;
  /** The part of the plan this process runs (the whole plan by default). */
  segment: Segment;
  /** Budget for the users' stop() (onStop, finish of SDK runs) after the load ends. */
  shutdownTimeoutS: number;
}

export interface ExecutionOutcome {
  /** True when the signal stopped the load before its planned end. */
  interrupted: boolean;
  /** Users whose stop() did not complete within the shutdown budget. */
  unfinishedUsers: number;
  /** Seconds from the first start to the end of the shutdown. */
  durationS: number;
  /** Every user created, in creation order. */
  users: VirtualUser[];
}

export interface Executor {
  /** Its registry name, e.g. `constant-users`. */
  readonly name: string;
  /** Users running now. */
  readonly activeUsers: number;
  /** The load in a few words for the start line, e.g. `50 users at 50/s for 30 s`. */
  describe(): string;
  /** Applies the load until its end or the signal; never throws for a user's failure. */
  run(signal?: AbortSignal): Promise<ExecutionOutcome>;
}
