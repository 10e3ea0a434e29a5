/**
 * `constant-users` (Locust's default, k6's constant-vus with a spawn rate): start `users`
 * closed-model users at `spawnRate` users/s, keep them iterating until `runTimeS` has passed
 * since the start (or the signal aborts), then stop them all within the shutdown budget.
 * A closed-model user waits for each task before the next, so a stalled target slows the users
 * down rather than piling up requests (coordinated omission, docs/cli.md).
 */
import { SimUsageError } from '../core/errors.js';
import type { ExecutionContext, ExecutionOutcome, Executor, ExecutorKind } from './executor.js';
import { DEFAULT_USERS, parseRunTime, type LoadInput } from './load-options.js';
import type { LoadUser } from '../load/load-user.js';
import { share, type Segment } from './segment.js';
import { closedLoop, refuseOpenModelFlags, UserPool } from './user-pool.js';

/**
 * Longest run of launching users in one event-loop turn. Many users due at once (spawn rate =
 * users) would otherwise all send before any response is read, and the first responses would be
 * timed after the whole wave; yielding lets the loop read (and time) them in between.
 */
const SPAWN_TURN_MS = 1;

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface ConstantUsersLoad {
  executor: 'constant-users';
  /** Users of the whole plan (a segment runs its share). */
  users: number;
  /** Users started per second, over the whole plan. */
  spawnRate: number;
  runTimeS: number;
}

/** The default: no stages, no arrival rate — `--users` at `--spawn-rate` for `--run-time`. */
export const constantUsersKind: ExecutorKind<ConstantUsersLoad> = {
  name: 'constant-users',
  claims: () => true,
  resolve(input: LoadInput): ConstantUsersLoad {
    const o = input.flags;
    refuseOpenModelFlags(o);
    const users = o.users ?? DEFAULT_USERS;
    if (!Number.isInteger(users) || users < 1) throw new SimUsageError(`--users must be a whole number of at least 1, got ${users}.`);
    const spawnRate = o.spawnRate ?? users;
    if (!(spawnRate > 0) || !Number.isFinite(spawnRate)) throw new SimUsageError(`--spawn-rate must be above 0, got ${spawnRate}.`);
    return { executor: 'constant-users', users, spawnRate, runTimeS: parseRunTime(o.runTime) };
  },
  create: (load, ctx) => constantUsers(load, ctx),
  describe: (load, segment: Segment) =>
    `${share(segment, load.users)} users at ${+(load.spawnRate * share(segment, load.users) / load.users).toFixed(3)}/s for ${load.runTimeS} s`,
  peakUsers: (load) => load.users,
  firstSecondUsers: (load) => Math.min(load.users, Math.max(1, Math.ceil(load.spawnRate))),
  spawnRate: (load) => load.spawnRate,
};

export function constantUsers(load: ConstantUsersLoad, ctx: ExecutionContext): Executor {
  const pool = new UserPool(ctx);
  const seg = ctx.segment;
  const rate = load.spawnRate > 0 ? load.spawnRate : load.users;
  // Live changes (setUsers): this segment's wanted users, the ones started and not asked to stop,
  // and a wake-up for a spawner that has reached its target.
  let want = share(seg, load.users);
  let launched = 0;
  const live: LoadUser[] = [];
  let wake: (() => void) | undefined;
  let idle = false;
  // Launch k (0-based, this segment) is due at base + ((k − baseK)·N + I) / rate s: the plan's
  // schedule at first (user i = I + kN + 1 due (i−1)/rate s after the start), from now after a change.
  let base = 0, baseK = 0;
  const executor: Executor = {
    name: 'constant-users',
    get activeUsers() {
      return pool.activeUsers;
    },
    describe: () => constantUsersKind.describe(load, seg),
    setUsers(n) {
      if (!ctx.liveControl) return 'live changes are off for this run (they come with --web)';
      if (!Number.isInteger(n) || n < 0) return `users must be a whole number of at least 0, got ${n}`;
      if (n > load.users) return `at most ${load.users} users: the connections are sized for --users ${load.users}; start with more and lower it here`;
      want = share(seg, n);
      while (live.length > want) live.pop()!.requestStop();
      if (idle) {
        base = ctx.clock.now() - (seg.index / rate) * 1000;
        baseK = launched;
      }
      executor.progress = () => ({ target: share(seg, n), unit: 'users' });
      wake?.();
      return undefined;
    },
    async run(signal) {
      const { clock } = ctx;
      const t0 = clock.now();
      base = t0;
      const deadline = t0 + load.runTimeS * 1000;
      const stop = new AbortController();
      const onAbort = (): void => stop.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) stop.abort();
      const timer = clock.sleep(Math.max(0, deadline - clock.now()), stop.signal).then(onAbort);
      try {
        let turnStart = performance.now();
        while (!stop.signal.aborted) {
          if (live.length >= want) {
            idle = true;
            await new Promise<void>((resolve) => {
              wake = resolve;
              if (stop.signal.aborted) resolve();
              else stop.signal.addEventListener('abort', () => resolve(), { once: true });
            });
            idle = false;
            wake = undefined;
            continue;
          }
          const due = base + (((launched - baseK) * seg.count + seg.index) / rate) * 1000 - clock.now();
          if (due > 1) await clock.sleep(due, stop.signal);
          else if (performance.now() - turnStart > SPAWN_TURN_MS) await nextTurn();
          if (stop.signal.aborted) break;
          if (due > 1) turnStart = performance.now();
          if (live.length >= want) continue; // lowered while waiting
          live.push(pool.launch(seg.index + launched * seg.count + 1, closedLoop));
          launched++;
        }
      } finally {
        signal?.removeEventListener('abort', onAbort);
        stop.abort();
        await timer;
      }
      const interrupted = signal?.aborted === true && clock.now() < deadline - 1;
      const unfinishedUsers = await pool.stopAll();
      const outcome: ExecutionOutcome = { interrupted, unfinishedUsers, durationS: (clock.now() - t0) / 1000, users: pool.users };
      return outcome;
    },
  };
  return executor;
}
