/**
 * `load-shape` (Locust's LoadTestShape): a scenario file's `shape` function, called about once a
 * second with the seconds since the start, returns `{users, spawnRate}` (closed-model users,
 * Locust's tick), `{rate}` (iterations per second for the next second, the open model of
 * src/executor/open-model.ts) or `null` to stop. One shape keeps one kind for the whole run.
 * Every segment calls the shape itself and runs its share: users k with (k-1) mod N = I,
 * iterations i with i mod N = I.
 */
import { SimUsageError } from '../core/errors.js';
import type { LoadShape, ShapeTick } from '../load/scenario.js';
import type { LoadUser } from '../load/load-user.js';
import { arrivalPool } from './arrival-pool.js';
import type { ExecutionContext, ExecutionOutcome, Executor, ExecutorKind, LoadProgress } from './executor.js';
import { DEFAULT_USERS, parseRunTime } from './load-options.js';
import { OpenModel, type ArrivalPool, type Due, type DueSource } from './open-model.js';
import { owns, share } from './segment.js';
import { closedLoop, UserPool } from './user-pool.js';

export type { LoadShape, ShapeTick };

export interface LoadShapeLoad extends ArrivalPool {
  executor: 'load-shape';
  shape: LoadShape;
  /** Stops the load at this time even if the shape has not returned null (Infinity: no limit). */
  runTimeS: number;
}

/** A scenario's `shape`, when no `--stage` or `--arrival-rate` overrides it. */
export const loadShapeKind: ExecutorKind<LoadShapeLoad> = {
  name: 'load-shape',
  claims: (input) => input.fromScenario && input.scenario?.shape !== undefined,
  resolve(input) {
    const o = input.flags;
    return {
      executor: 'load-shape', shape: input.scenario!.shape!,
      runTimeS: o.runTime !== undefined ? parseRunTime(o.runTime) : Infinity,
      ...arrivalPool(input, Math.max(1, o.users ?? DEFAULT_USERS)),
    };
  },
  create: (load, ctx) => loadShape(load, ctx),
  describe: (load) => `the scenario's load shape${load.runTimeS < Infinity ? ` for at most ${load.runTimeS} s` : ''}`,
  peakUsers: (load) => load.maxUsers,
  // A shape starts from its own first tick: no connections are opened ahead.
  firstSecondUsers: () => 0,
  spawnRate: () => 0,
};

export function loadShape(load: LoadShapeLoad, ctx: ExecutionContext): Executor {
  const pool = new UserPool(ctx);
  const model = new OpenModel(load, ctx);
  let kind: 'users' | 'rate' | undefined;
  let progress: LoadProgress = { target: 0, unit: 'users' };
  return {
    name: 'load-shape',
    get activeUsers() {
      return kind === 'rate' ? model.activeUsers : pool.activeUsers;
    },
    describe: () => loadShapeKind.describe(load, ctx.segment),
    progress: () => (kind === 'rate' ? { ...progress, dropped: model.state.dropped } : progress),
    async run(signal) {
      const aborted = signal ?? new AbortController().signal;
      const first = await tick(load.shape, 0);
      if (first !== null && 'rate' in first) {
        kind = 'rate';
        const source = shapeSource(load.shape, first, ctx, (rate) => (progress = { target: rate / ctx.segment.count, unit: 'iterations/s' }));
        return model.run(source, aborted, load.runTimeS * 1000);
      }
      kind = 'users';
      return usersByShape(load, ctx, pool, first, aborted, (users) => (progress = { target: users, unit: 'users' }));
    },
  };

  async function usersByShape(
    l: LoadShapeLoad, c: ExecutionContext, p: UserPool, first: ShapeTick, signal: AbortSignal, told: (users: number) => void,
  ): Promise<ExecutionOutcome> {
    const { clock } = c;
    const t0 = clock.now();
    const running = new Map<number, LoadUser>();
    let next: ShapeTick = first;
    let highest = 0; // highest plan-wide user number started and not asked to stop
    // A shape that throws or returns a bad value mid-run ends the load like null would — every
    // started user still stops and finishes its run — and then the error is reported (exit 2).
    let shapeError: unknown;
    try {
      for (let k = 0; next !== null && !signal.aborted && k < l.runTimeS; k++) {
        if ('rate' in next) throw new SimUsageError('the load shape returned {rate} after {users}; one shape keeps one kind');
        const target = Math.max(0, Math.floor(next.users));
        told(share(c.segment, target));
        const perS = next.spawnRate !== undefined && next.spawnRate > 0 ? next.spawnRate : Math.max(1, target);
        const tickEnd = t0 + (k + 1) * 1000;
        // Ramp down at once (highest numbers first), ramp up at spawnRate within this tick.
        for (; highest > target; highest--) running.get(highest)?.requestStop();
        for (let j = 0; highest < target && !signal.aborted; j++) {
          const at = t0 + k * 1000 + (j / perS) * 1000;
          if (at >= tickEnd) break;
          const wait = at - clock.now();
          if (wait > 0.5) await clock.sleep(wait, signal);
          if (signal.aborted) break;
          highest++;
          if (owns(c.segment, highest - 1)) running.set(highest, p.launch(highest, closedLoop));
        }
        const rest = tickEnd - clock.now();
        if (rest > 0) await clock.sleep(rest, signal);
        if (!signal.aborted) next = await tick(l.shape, k + 1);
      }
    } catch (err) {
      shapeError = err;
    }
    const interrupted = signal.aborted;
    const unfinishedUsers = await p.stopAll();
    if (shapeError !== undefined) throw shapeError;
    return { interrupted, unfinishedUsers, durationS: (clock.now() - t0) / 1000, users: p.users };
  }
}

async function tick(shape: LoadShape, elapsedS: number): Promise<ShapeTick> {
  let v: ShapeTick;
  try {
    v = await shape({ elapsedS });
  } catch (err) {
    throw new SimUsageError(`the scenario's load shape threw at ${elapsedS} s: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (v === null || v === undefined) return null;
  if (typeof v === 'object' && 'rate' in v && Number.isFinite(v.rate) && v.rate >= 0) return { rate: v.rate };
  if (typeof v === 'object' && 'users' in v && Number.isFinite(v.users) && v.users >= 0) return v;
  throw new SimUsageError(`the load shape returned ${JSON.stringify(v)}; it must return {users, spawnRate}, {rate} or null`);
}

/**
 * Due times under a rate the shape sets one second at a time: within second k the rate is
 * constant, iteration i due when the running count reaches i (uniform). The shape for second k
 * is asked at second k (the source waits for it).
 */
function shapeSource(shape: LoadShape, first: { rate: number }, ctx: ExecutionContext, told: (rate: number) => void): DueSource {
  const { clock, segment } = ctx;
  let t0 = -1;
  let k = 0, rate = first.rate, countAtTick = 0, i = segment.index;
  told(rate);
  return {
    async next(): Promise<Due | null> {
      if (t0 < 0) t0 = clock.now();
      for (;;) {
        if (rate > 0) {
          const x = (i - countAtTick) / rate;
          if (x < 1) {
            const due = { index: i, atMs: (k + x) * 1000 };
            i += segment.count;
            return due;
          }
        }
        countAtTick += rate;
        k++;
        const wait = t0 + k * 1000 - clock.now();
        if (wait > 0) await clock.sleep(wait);
        const v = await tick(shape, k);
        if (v === null) return null;
        if (!('rate' in v)) throw new SimUsageError('the load shape returned {users} after {rate}; one shape keeps one kind');
        rate = v.rate;
        told(rate);
      }
    },
  };
}
