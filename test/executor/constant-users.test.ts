/**
 * constant-users and the user pool under a manual clock: when each user starts, when the load
 * ends, what an abort and a slow shutdown report, how many users are active, which users a
 * segment runs, and the closed loop's order of steps.
 */
import { describe, expect, it } from 'vitest';
import { constantUsers, type ConstantUsersLoad } from '../../src/executor/constant-users.js';
import type { ExecutionContext, ExecutionOutcome } from '../../src/executor/executor.js';
import { createExecutor } from '../../src/executor/registry.js';
import { SHUTDOWN_GRACE_MS } from '../../src/executor/user-pool.js';
import { WHOLE, type Segment } from '../../src/executor/segment.js';
import type { VirtualUser } from '../../src/load/virtual-user.js';
import { ManualClock } from './manual-clock.js';

type Step = 'start' | 'iterate' | 'think' | 'stop';

interface Behaviour {
  /** What start() answers (default true). */
  startOk?: (index: number) => boolean;
  iterateMs?: number;
  thinkMs?: number;
  /** How long stop() takes; Infinity never ends. */
  stopMs?: (index: number) => number;
}

interface Event {
  index: number;
  step: Step;
  at: number;
}

/** The parts of VirtualUser an executor uses, timed by the manual clock, logging each step. */
class FakeUser {
  private readonly stopper = new AbortController();
  constructor(
    readonly index: number,
    private readonly clock: ManualClock,
    private readonly b: Behaviour,
    private readonly log: Event[],
  ) {}
  private note(step: Step): void {
    this.log.push({ index: this.index, step, at: this.clock.now() });
  }
  requestStop(): void {
    this.stopper.abort();
  }
  get stopping(): boolean {
    return this.stopper.signal.aborted;
  }
  async start(): Promise<boolean> {
    this.note('start');
    return this.b.startOk ? this.b.startOk(this.index) : true;
  }
  async iterate(): Promise<void> {
    this.note('iterate');
    await this.clock.sleep(this.b.iterateMs ?? 100); // a task runs to its end
  }
  async think(): Promise<void> {
    this.note('think');
    await this.clock.sleep(this.b.thinkMs ?? 100, this.stopper.signal); // a wait is cut short by a stop
  }
  async stop(): Promise<void> {
    this.requestStop();
    this.note('stop');
    const ms = this.b.stopMs ? this.b.stopMs(this.index) : 0;
    if (ms === Infinity) await new Promise(() => undefined);
    await this.clock.sleep(ms);
  }
}

interface Harness {
  clock: ManualClock;
  events: Event[];
  active: number[];
  outcome: ExecutionOutcome;
}

async function runLoad(
  load: Omit<ConstantUsersLoad, 'executor'>,
  opts: { behaviour?: Behaviour; segment?: Segment; shutdownTimeoutS?: number; abortAt?: number } = {},
): Promise<Harness> {
  const clock = new ManualClock();
  const events: Event[] = [];
  const active: number[] = [];
  const ctx: ExecutionContext = {
    newUser: (index) => new FakeUser(index, clock, opts.behaviour ?? {}, events) as unknown as VirtualUser,
    onActiveUsers: (n) => active.push(n),
    clock,
    segment: opts.segment ?? WHOLE,
    shutdownTimeoutS: opts.shutdownTimeoutS ?? 30,
  };
  const ac = new AbortController();
  if (opts.abortAt !== undefined) clock.at(opts.abortAt, () => ac.abort());
  const executor = createExecutor({ executor: 'constant-users', ...load }, ctx);
  const outcome = await clock.runUntil(executor.run(ac.signal));
  return { clock, events, active, outcome };
}

const starts = (h: Harness): [number, number][] => h.events.filter((e) => e.step === 'start').map((e) => [e.index, e.at]);

describe('constant-users: spawning', () => {
  it('starts user i at (i-1)/spawnRate s, in index order', async () => {
    const h = await runLoad({ users: 5, spawnRate: 2, runTimeS: 10 });
    expect(starts(h)).toEqual([
      [1, 0],
      [2, 500],
      [3, 1000],
      [4, 1500],
      [5, 2000],
    ]);
    expect(h.outcome.users.map((u) => u.index)).toEqual([1, 2, 3, 4, 5]);
  });

  it('starts no user after the run time, even if the spawn schedule is not done', async () => {
    const h = await runLoad({ users: 10, spawnRate: 1, runTimeS: 3.5 });
    expect(starts(h).map(([i]) => i)).toEqual([1, 2, 3, 4]);
    expect(h.outcome.users).toHaveLength(4);
  });

  it('starts every user at once when the spawn rate equals the users (the default)', async () => {
    const h = await runLoad({ users: 4, spawnRate: 4, runTimeS: 1 });
    // 0, 250, 500, 750 ms: all within the first second
    expect(starts(h).map(([, at]) => at)).toEqual([0, 250, 500, 750]);
  });
});

describe('constant-users: ending', () => {
  it('stops at the run time: no iteration starts after it, and the run is not interrupted', async () => {
    const h = await runLoad({ users: 3, spawnRate: 3, runTimeS: 2 }, { behaviour: { iterateMs: 300, thinkMs: 50 } });
    expect(h.outcome.interrupted).toBe(false);
    expect(h.outcome.unfinishedUsers).toBe(0);
    const iterations = h.events.filter((e) => e.step === 'iterate');
    expect(Math.max(...iterations.map((e) => e.at))).toBeLessThan(2000);
    // every user stops once, within one task of the deadline
    const stops = h.events.filter((e) => e.step === 'stop');
    expect(stops.map((e) => e.index).sort()).toEqual([1, 2, 3]);
    for (const s of stops) expect(s.at).toBeGreaterThanOrEqual(2000);
    for (const s of stops) expect(s.at).toBeLessThanOrEqual(2300);
    expect(h.outcome.durationS).toBeGreaterThanOrEqual(2);
    expect(h.outcome.durationS).toBeLessThanOrEqual(2.3);
  });

  it('marks the run interrupted when the signal aborts before the run time, and ends then', async () => {
    const h = await runLoad({ users: 3, spawnRate: 1, runTimeS: 60 }, { abortAt: 1500, behaviour: { iterateMs: 100, thinkMs: 100 } });
    expect(h.outcome.interrupted).toBe(true);
    expect(starts(h).map(([i]) => i)).toEqual([1, 2]);
    expect(h.outcome.durationS).toBeGreaterThanOrEqual(1.5);
    expect(h.outcome.durationS).toBeLessThanOrEqual(1.6);
  });

  it('does not call a run interrupted when the signal is never aborted', async () => {
    const h = await runLoad({ users: 1, spawnRate: 1, runTimeS: 1 });
    expect(h.outcome.interrupted).toBe(false);
  });

  it('waits the shutdown budget (timeout + grace) for stop(), then counts the users still stopping', async () => {
    expect(SHUTDOWN_GRACE_MS).toBe(2000);
    const behaviour: Behaviour = { stopMs: (i) => (i % 2 === 0 ? Infinity : 500) };
    const h = await runLoad({ users: 4, spawnRate: 4, runTimeS: 1 }, { behaviour, shutdownTimeoutS: 1 });
    expect(h.outcome.unfinishedUsers).toBe(2);
    // the load ends at ~1 s (plus the task in flight), then 1 s + 2 s of budget
    expect(h.outcome.durationS).toBeGreaterThanOrEqual(4);
    expect(h.outcome.durationS).toBeLessThanOrEqual(4.1);
  });

  it('does not wait out the budget when every stop() ends in time', async () => {
    const h = await runLoad({ users: 4, spawnRate: 4, runTimeS: 1 }, { behaviour: { stopMs: () => 500 }, shutdownTimeoutS: 30 });
    expect(h.outcome.unfinishedUsers).toBe(0);
    expect(h.outcome.durationS).toBeLessThanOrEqual(1.7);
  });
});

describe('constant-users: active users', () => {
  it('reports each change: up as users start, down to 0 as they end', async () => {
    const h = await runLoad({ users: 3, spawnRate: 1, runTimeS: 5 });
    expect(h.active.slice(0, 3)).toEqual([1, 2, 3]);
    expect(h.active.slice(3)).toEqual([2, 1, 0]);
  });

  it('counts a user whose start failed only until its stop', async () => {
    const h = await runLoad({ users: 2, spawnRate: 1, runTimeS: 5 }, { behaviour: { startOk: (i) => i !== 1 } });
    // user 1 comes and goes at once; user 2 runs until the end
    expect(h.active).toEqual([1, 0, 1, 0]);
  });

  it('exposes the current count on the executor', async () => {
    const clock = new ManualClock();
    const seen: number[] = [];
    const ctx: ExecutionContext = {
      newUser: (index) => new FakeUser(index, clock, {}, []) as unknown as VirtualUser,
      onActiveUsers: () => undefined,
      clock,
      segment: WHOLE,
      shutdownTimeoutS: 30,
    };
    const ex = constantUsers({ executor: 'constant-users', users: 3, spawnRate: 1, runTimeS: 4 }, ctx);
    for (const t of [500, 1500, 2500]) clock.at(t, () => seen.push(ex.activeUsers));
    await clock.runUntil(ex.run());
    expect(seen).toEqual([1, 2, 3]);
    expect(ex.activeUsers).toBe(0);
  });
});

describe('constant-users: segments', () => {
  it('segment I of N spawns exactly the users with (i-1) mod N = I, on the plan-wide schedule', async () => {
    const h = await runLoad({ users: 10, spawnRate: 10, runTimeS: 2 }, { segment: { index: 1, count: 3 } });
    expect(starts(h)).toEqual([
      [2, 100],
      [5, 400],
      [8, 700],
    ]);
  });

  it('adds up to the whole plan over all segments, with no user twice', async () => {
    for (const count of [1, 2, 3, 4, 7]) {
      const seen: number[] = [];
      for (let index = 0; index < count; index++) {
        const h = await runLoad({ users: 11, spawnRate: 11, runTimeS: 2 }, { segment: { index, count } });
        seen.push(...h.outcome.users.map((u) => u.index));
      }
      expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 11 }, (_, k) => k + 1));
    }
  });

  it('describes its share of users and of the spawn rate', () => {
    const ctx = { segment: { index: 0, count: 4 } } as unknown as ExecutionContext;
    expect(constantUsers({ executor: 'constant-users', users: 10, spawnRate: 5, runTimeS: 30 }, ctx).describe()).toBe('3 users at 1.5/s for 30 s');
    const whole = { segment: WHOLE } as unknown as ExecutionContext;
    expect(constantUsers({ executor: 'constant-users', users: 50, spawnRate: 50, runTimeS: 30 }, whole).describe()).toBe('50 users at 50/s for 30 s');
  });
});

describe('closed loop', () => {
  it('runs start → iterate → think … → stop, one step after the other', async () => {
    const h = await runLoad({ users: 1, spawnRate: 1, runTimeS: 1 }, { behaviour: { iterateMs: 150, thinkMs: 100 } });
    const steps = h.events.map((e) => e.step).join(',');
    expect(steps).toMatch(/^start(,iterate,think)+(,iterate)?,stop$/);
    // the next step starts when the previous one ended: iterate at 0, 250, 500, 750
    expect(h.events.filter((e) => e.step === 'iterate').map((e) => e.at)).toEqual([0, 250, 500, 750]);
  });

  it('stops a user whose start failed without iterating', async () => {
    const h = await runLoad({ users: 1, spawnRate: 1, runTimeS: 1 }, { behaviour: { startOk: () => false } });
    expect(h.events.map((e) => e.step)).toEqual(['start', 'stop']);
    expect(h.events[1].at).toBe(0);
  });
});
