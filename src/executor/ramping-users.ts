/**
 * `ramping-users` (k6's ramping-vus, Locust's stages): the number of closed-model users follows
 * the stages, floor(target) at every instant. User k (1-based, spawn order) runs while the
 * target is at least k; on a ramp down the highest-numbered users are asked to stop after their
 * current task (k6's graceful ramp-down). Segment I of N owns users k with (k-1) mod N = I.
 */
import { SimUsageError } from '../core/errors.js';
import type { LoadUser } from '../load/load-user.js';
import type { ExecutionContext, Executor, ExecutorKind } from './executor.js';
import { parseStages } from './load-options.js';
import { owns, share, type Segment } from './segment.js';
import { peakTarget, stageLabel, stagesDurationS, targetAt, userIntervals, type Stage } from './stages.js';
import { closedLoop, refuseOpenModelFlags, UserPool } from './user-pool.js';

export interface RampingUsersLoad {
  executor: 'ramping-users';
  /** Users at the start (default 0). */
  startUsers: number;
  stages: Stage[];
}

/** Stages of users (`--stage 1m:100`, or the scenario's `stages` with whole-user targets). */
export const rampingUsersKind: ExecutorKind<RampingUsersLoad> = {
  name: 'ramping-users',
  claims: (input) => !input.rateMode && input.stageSpecs.length > 0,
  resolve(input) {
    const o = input.flags;
    refuseOpenModelFlags(o);
    if (o.spawnRate !== undefined) throw new SimUsageError('--spawn-rate does not apply to stages: each stage ramps the users linearly over its duration.');
    const stages = parseStages(input.stageSpecs, false, input.stageFlag);
    if (!(stagesDurationS(stages) > 0)) throw new SimUsageError(`${input.stageFlag} must last longer than 0 s in total.`);
    const startUsers = o.users ?? 0;
    if (!Number.isInteger(startUsers) || startUsers < 0) throw new SimUsageError(`--users must be a whole number of at least 0, got ${startUsers}.`);
    return { executor: 'ramping-users', startUsers, stages };
  },
  create: (load, ctx) => rampingUsers(load, ctx),
  describe: (load, segment: Segment) =>
    `users ramping ${share(segment, load.startUsers)} → ${load.stages.map((s) => `${share(segment, Math.floor(s.target))} in ${s.durationS} s`).join(' → ')}`,
  peakUsers: (load) => Math.floor(peakTarget(load.startUsers, load.stages)),
  // The stages start from their own first target: no connections are opened ahead.
  firstSecondUsers: () => 0,
  spawnRate: () => 0,
};

export function rampingUsers(load: RampingUsersLoad, ctx: ExecutionContext): Executor {
  const pool = new UserPool(ctx);
  const durationS = stagesDurationS(load.stages);
  let t0 = ctx.clock.now();
  return {
    name: 'ramping-users',
    get activeUsers() {
      return pool.activeUsers;
    },
    describe: () => rampingUsersKind.describe(load, ctx.segment),
    progress: () => {
      const tS = (ctx.clock.now() - t0) / 1000;
      return { target: share(ctx.segment, Math.floor(targetAt(load.startUsers, load.stages, tS))), unit: 'users', stage: stageLabel(load.stages, tS) };
    },
    async run(signal) {
      const { clock } = ctx;
      t0 = clock.now();
      const events = rampEvents(load, ctx);
      const running = new Map<number, LoadUser>();
      const stop = new AbortController();
      const onAbort = (): void => stop.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) stop.abort();
      try {
        for (const e of events) {
          if (e.atS >= durationS) break;
          const wait = t0 + e.atS * 1000 - clock.now();
          if (wait > 0.5) await clock.sleep(wait, stop.signal);
          if (stop.signal.aborted) break;
          if (e.start) running.set(e.user, pool.launch(e.user, closedLoop));
          else running.get(e.user)?.requestStop();
        }
        const rest = t0 + durationS * 1000 - clock.now();
        if (rest > 0 && !stop.signal.aborted) await clock.sleep(rest, stop.signal);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      const interrupted = signal?.aborted === true && clock.now() < t0 + durationS * 1000 - 1;
      const unfinishedUsers = await pool.stopAll();
      return { interrupted, unfinishedUsers, durationS: (clock.now() - t0) / 1000, users: pool.users };
    },
  };
}

/** Starts and stops of this segment's users in time order (stops first at the same instant). */
export function rampEvents(load: Pick<RampingUsersLoad, 'startUsers' | 'stages'>, ctx: Pick<ExecutionContext, 'segment'>): { atS: number; user: number; start: boolean }[] {
  const events: { atS: number; user: number; start: boolean }[] = [];
  const peak = Math.floor(peakTarget(load.startUsers, load.stages));
  for (let k = 1; k <= peak; k++) {
    if (!owns(ctx.segment, k - 1)) continue;
    for (const iv of userIntervals(load.startUsers, load.stages, k)) {
      events.push({ atS: iv.from, user: k, start: true });
      if (iv.to !== Infinity) events.push({ atS: iv.to, user: k, start: false });
    }
  }
  return events.sort((a, b) => a.atS - b.atS || Number(a.start) - Number(b.start) || (a.start ? a.user - b.user : b.user - a.user));
}
