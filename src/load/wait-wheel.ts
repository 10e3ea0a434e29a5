/**
 * One timer for every user's think time. With Node's own timers each wait of a random length
 * creates a Timeout (and, with an abort signal, a listener), and every distinct millisecond
 * duration gets its own timer list: at 1,000 users that is thousands of timer objects a second.
 * Here waiters sit in one min-heap by due time and a single Node timer is armed for the earliest;
 * when it fires, every waiter due by then wakes in the same callback. A waiter is any object with
 * a `wake()` method (the virtual user itself), so a wait allocates nothing but its promise.
 */

export interface Waiter {
  /** Called once, at or after the due time. */
  wake(): void;
}

export class WaitWheel {
  private dues: number[] = [];
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedAt = Infinity;

  /** Wakes `w` `ms` from now (never earlier; at the timer's 1 ms granularity). */
  add(w: Waiter, ms: number): void {
    const due = performance.now() + ms;
    this.push(due, w);
    if (due < this.armedAt) this.arm(due);
  }

  /** Waiters not woken yet (for tests). */
  get size(): number {
    return this.dues.length;
  }

  private arm(due: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.armedAt = due;
    // Unref'd: a stopped user's entry may linger until its due time, and must not hold the process
    // open; while a load runs, its own run-time timer does.
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(due - performance.now())));
    this.timer.unref();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedAt = Infinity;
    const now = performance.now();
    while (this.dues.length > 0 && this.dues[0] <= now) this.pop().wake();
    if (this.dues.length > 0) this.arm(this.dues[0]);
  };

  // A binary min-heap over two parallel arrays (no entry object per wait).
  private push(due: number, w: Waiter): void {
    const { dues, waiters } = this;
    let i = dues.length;
    dues.push(due);
    waiters.push(w);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (dues[parent] <= due) break;
      dues[i] = dues[parent];
      waiters[i] = waiters[parent];
      i = parent;
    }
    dues[i] = due;
    waiters[i] = w;
  }

  private pop(): Waiter {
    const { dues, waiters } = this;
    const top = waiters[0];
    const lastDue = dues.pop() as number;
    const last = waiters.pop() as Waiter;
    const n = dues.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && dues[c + 1] < dues[c]) c++;
        if (dues[c] >= lastDue) break;
        dues[i] = dues[c];
        waiters[i] = waiters[c];
        i = c;
      }
      dues[i] = lastDue;
      waiters[i] = last;
    }
    return top;
  }
}

/** The wheel every virtual user of this process waits on. */
export const thinkTimes = new WaitWheel();
