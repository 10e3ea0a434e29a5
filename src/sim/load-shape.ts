/**
 * The load shape: spawn `users` virtual users at `spawnRate` users/s, keep them running until
 * `runTimeS` has passed since the start (or the signal aborts), then stop them all and give
 * them `shutdownTimeoutS` to finish their runs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { VirtualUser, type UserEnvironment } from './virtual-user.js';

/** Extra time past the SDK's own drain budget for its status update and socket close. */
const SHUTDOWN_GRACE_MS = 2_000;
/** Longest run of spawning in one event-loop turn before yielding to I/O. */
const SPAWN_TURN_MS = 1;

export interface LoadShape {
  users: number;
  /** Users started per second. */
  spawnRate: number;
  runTimeS: number;
  /** Budget for the users' onStop + finish() after the stop. */
  shutdownTimeoutS: number;
}

export interface LoadOutcome {
  /** True when the signal stopped the load before its run time. */
  interrupted: boolean;
  /** Users whose end (onStop, finish) did not complete within the shutdown budget. */
  unfinishedUsers: number;
  /** Seconds from the first spawn to the end of the shutdown. */
  durationS: number;
  users: VirtualUser[];
}

export class UserPool {
  private active = 0;
  private readonly users: VirtualUser[] = [];
  private readonly ends: Promise<void>[] = [];

  constructor(
    private readonly env: UserEnvironment,
    private readonly shape: LoadShape,
    private readonly onActiveUsers: (n: number) => void,
  ) {}

  get activeUsers(): number {
    return this.active;
  }

  async run(signal?: AbortSignal): Promise<LoadOutcome> {
    const t0 = performance.now();
    const deadline = t0 + this.shape.runTimeS * 1000;
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) stop.abort();
    const timer = setTimeout(onAbort, Math.max(0, deadline - performance.now()));
    try {
      await this.spawnAll(t0, stop.signal);
      if (!stop.signal.aborted) await waitForAbort(stop.signal);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    const interrupted = signal?.aborted === true && performance.now() < deadline - 1;
    for (const u of this.users) u.stop();
    const unfinishedUsers = await this.awaitEnds(this.shape.shutdownTimeoutS * 1000 + SHUTDOWN_GRACE_MS);
    return { interrupted, unfinishedUsers, durationS: (performance.now() - t0) / 1000, users: this.users };
  }

  private async spawnAll(t0: number, stop: AbortSignal): Promise<void> {
    const rate = this.shape.spawnRate > 0 ? this.shape.spawnRate : this.shape.users;
    let turnStart = performance.now();
    for (let i = 1; i <= this.shape.users && !stop.aborted; i++) {
      const due = t0 + ((i - 1) / rate) * 1000 - performance.now();
      if (due > 1) {
        try {
          await sleep(due, undefined, { signal: stop });
        } catch {
          break;
        }
        turnStart = performance.now();
      } else if (performance.now() - turnStart > SPAWN_TURN_MS) {
        // Many users due at once: let the event loop read (and time) the responses of those
        // already started instead of timing them after the whole wave was spawned.
        await new Promise<void>((resolve) => setImmediate(resolve));
        turnStart = performance.now();
      }
      this.spawn(i);
    }
  }

  private spawn(index: number): void {
    const user = new VirtualUser(this.env, index);
    this.users.push(user);
    this.active++;
    this.onActiveUsers(this.active);
    this.ends.push(
      user.main().finally(() => {
        this.active--;
        this.onActiveUsers(this.active);
      }),
    );
  }

  /** Waits for every user's end, at most `budgetMs`; returns how many were still running. */
  private async awaitEnds(budgetMs: number): Promise<number> {
    let done = 0;
    const all = Promise.all(this.ends.map((p) => p.then(() => void done++)));
    const budget = new AbortController();
    await Promise.race([all, sleep(budgetMs, undefined, { signal: budget.signal }).catch(() => undefined)]);
    budget.abort();
    return this.ends.length - done;
  }
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
