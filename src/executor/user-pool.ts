/**
 * The users an executor has started: counts the active ones, and at the end asks them all to
 * stop and waits for their ends within the shutdown budget. Shared by every executor.
 */
import type { Clock } from '../core/clock.js';
import { SimUsageError } from '../core/errors.js';
import type { LoadUser } from '../load/load-user.js';
import type { ExecutionContext } from './executor.js';
import type { LoadOptions } from './load-options.js';

/** Extra time past the SDK's own drain budget for its status update and socket close. */
export const SHUTDOWN_GRACE_MS = 2_000;

export class UserPool {
  private active = 0;
  readonly users: LoadUser[] = [];
  private readonly ends: Promise<void>[] = [];

  constructor(private readonly ctx: ExecutionContext) {}

  get activeUsers(): number {
    return this.active;
  }

  /** Creates user `index` and runs `life` on it; the user counts as active until `life` ends. */
  launch(index: number, life: (user: LoadUser) => Promise<unknown>): LoadUser {
    const user = this.ctx.newUser(index);
    this.users.push(user);
    this.setActive(this.active + 1);
    this.ends.push(
      life(user)
        .then(() => undefined, () => undefined) // a user's steps never throw; keep one bug from sinking the others' ends
        .finally(() => this.setActive(this.active - 1)),
    );
    return user;
  }

  /** Asks every user to stop, then waits for their ends at most the shutdown budget; returns how many were still running. */
  async stopAll(): Promise<number> {
    for (const u of this.users) u.requestStop();
    const budgetMs = this.ctx.shutdownTimeoutS * 1000 + SHUTDOWN_GRACE_MS;
    let done = 0;
    const all = Promise.all(this.ends.map((p) => p.then(() => void done++)));
    const budget = new AbortController();
    await Promise.race([all, this.ctx.clock.sleep(budgetMs, budget.signal)]);
    budget.abort();
    return this.ends.length - done;
  }

  private setActive(n: number): void {
    this.active = n;
    this.ctx.onActiveUsers(n);
  }
}

/** How a closed-model life went: whether the user started, and whether a stop request cut it short. */
export interface LifeEnd {
  started: boolean;
  cutShort: boolean;
}

/**
 * A closed-model user's life (Locust's): start, then iterate and think until asked to stop — or,
 * given `until` (an SDK run's length under an arrival rate), until that moment of the clock —
 * then stop.
 */
export async function closedLoop(user: LoadUser, until?: { clock: Clock; atMs: number }): Promise<LifeEnd> {
  const over = (): boolean => user.stopping || (until !== undefined && until.clock.now() >= until.atMs);
  let started = false;
  let cutShort = false;
  try {
    started = await user.start();
    while (started && !over()) {
      await user.iterate();
      if (over()) break;
      await user.think();
    }
  } finally {
    cutShort = user.stopping;
    await user.stop();
  }
  return { started, cutShort };
}

/** The closed-model executors take no pool flags: those size an arrival rate's pool. */
export function refuseOpenModelFlags(o: LoadOptions): void {
  if (o.maxUsers !== undefined || o.preAllocatedUsers !== undefined || o.onSaturation !== undefined || o.arrivals !== undefined) {
    throw new SimUsageError('--max-users, --pre-allocated-users, --arrivals and --on-saturation need --arrival-rate (or rate stages such as 1m:50/s).');
  }
}

/** Resolves when the signal aborts. */
export function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
