/**
 * Errors thrown by scenario code, grouped by message and stack, for Locust's `_exceptions.csv`
 * (Count, Message, Traceback, Nodes). Only user code throws here — never the request hot path.
 */
import type { ExceptionGroup } from './result.js';

/** Distinct (message, stack) pairs kept; more are counted under the last kept one's message. */
export const MAX_EXCEPTION_KINDS = 100;

export class ExceptionLog {
  private readonly groups = new Map<string, ExceptionGroup>();

  add(err: unknown, n = 1): void {
    const { message, traceback } = describe(err);
    this.addGroup({ count: n, message, traceback });
  }

  addGroup(g: ExceptionGroup): void {
    const key = `${g.message}\n${g.traceback}`;
    const seen = this.groups.get(key);
    if (seen) seen.count += g.count;
    else if (this.groups.size < MAX_EXCEPTION_KINDS) this.groups.set(key, { ...g });
  }

  clear(): void {
    this.groups.clear();
  }

  /** Most frequent first. */
  list(): ExceptionGroup[] {
    return [...this.groups.values()].map((g) => ({ ...g })).sort((a, b) => b.count - a.count || (a.message < b.message ? -1 : 1));
  }
}

function describe(err: unknown): { message: string; traceback: string } {
  if (err instanceof Error) {
    const head = `${err.name}: ${err.message}`;
    const stack = err.stack ?? '';
    // Node's own scheduling frames (timers, microtask queue) vary call by call: leaving them out
    // groups one throw site under one traceback, as Locust groups by traceback.
    const frames = stack.split('\n').filter((l) => /^\s+at /.test(l) && !l.includes('node:internal')).map((l) => l.trim());
    return { message: head, traceback: frames.join('\n') };
  }
  return { message: String(err), traceback: '' };
}
