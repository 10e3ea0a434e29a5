/** Users for executor tests: each iteration takes a set time on the manual clock (or blocks). */
import type { ExecutionContext } from '../../src/executor/executor.js';
import type { VirtualUser } from '../../src/load/virtual-user.js';
import { WHOLE, type Segment } from '../../src/executor/segment.js';
import type { ManualClock } from './manual-clock.js';

export interface Recorded {
  completed: { dueAt: number; startedAt: number; endedAt: number }[];
  dropped: number[];
  started: number[];
  users: number[];
}

/** A context whose users iterate for `iterationMs` (Infinity: block until stopped). */
export function fakeContext(clock: ManualClock, iterationMs: number, segment: Segment = WHOLE): { ctx: ExecutionContext; rec: Recorded } {
  const rec: Recorded = { completed: [], dropped: [], started: [], users: [] };
  const ctx: ExecutionContext = {
    clock,
    segment,
    shutdownTimeoutS: 0,
    onActiveUsers: () => undefined,
    iterations: {
      completed: (dueAt, startedAt, endedAt) => void rec.completed.push({ dueAt, startedAt, endedAt }),
      dropped: (dueAt) => void rec.dropped.push(dueAt),
    },
    newUser(index) {
      rec.users.push(index);
      const stopper = new AbortController();
      const user = {
        index,
        run: undefined,
        get stopping() {
          return stopper.signal.aborted;
        },
        requestStop: () => stopper.abort(),
        start: async () => true,
        iterate: async () => {
          rec.started.push(clock.now());
          if (iterationMs === Infinity) await new Promise<void>((r) => stopper.signal.addEventListener('abort', () => r(), { once: true }));
          else await clock.sleep(iterationMs);
          return true;
        },
        think: async () => clock.sleep(100, stopper.signal),
        stop: async () => stopper.abort(),
      };
      return user as unknown as VirtualUser;
    },
  };
  return { ctx, rec };
}
