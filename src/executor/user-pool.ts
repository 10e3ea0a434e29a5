/**
 * The users an executor has started: counts the active ones, and at the end asks them all to
 * stop and waits for their ends within the shutdown budget. Shared by every executor.
 */
import type { VirtualUser } from '../load/virtual-user.js';
import type { ExecutionContext } from './executor.js';

/** Extra time past the SDK's own drain budget for its status update and socket close. */
export const SHUTDOWN_GRACE_MS = 2_000;

export class UserPool {
  private active = 0;
  readonly users: VirtualUser[] = [];
  private readonly ends: Promise<void>[] = [];

  constructor(private readonly ctx: ExecutionContext) {}

  get activeUsers(): number {
    return this.active;
  }

  /** Creates user `index` and runs `life` on it; the user counts as active until `life` ends. */
  launch(index: number, life: (user: VirtualUser) => Promise<void>): VirtualUser {
    const user = this.ctx.newUser(index);
    this.users.push(user);
    this.setActive(this.active + 1);
    this.ends.push(
      life(user)
        .catch(() => undefined) // a user's steps never throw; keep one bug from sinking the others' ends
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

/** A closed-model user's life (Locust's): start, then iterate and think until asked to stop, then stop. */
export async function closedLoop(user: VirtualUser): Promise<void> {
  try {
    if (!(await user.start())) return;
    while (!user.stopping) {
      await user.iterate();
      if (user.stopping) break;
      await user.think();
    }
  } finally {
    await user.stop();
  }
}

/** Resolves when the signal aborts. */
export function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
