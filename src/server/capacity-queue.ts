/**
 * A service queue of known capacity (`capacityRps`, `--server-capacity R`): one FIFO server with a
 * deterministic service time of 1/R seconds in front of the ingest routes, so the reference
 * server completes at most R requests a second and, above that, queueing latency and backlog
 * grow as in a saturated ingest. A D/D/1 queue when the arrivals are evenly spaced, M/D/1 with
 * Poisson arrivals; its analytic behaviour is in docs/server.md "Capacity".
 *
 * A request joins the queue when its body has arrived; its answer leaves at its completion time
 * c_n = max(arrival_n, c_{n−1}) + 1/R (Lindley's recursion for the departure times of a FIFO
 * single server). No timer runs while the queue is idle.
 */

export interface CapacityQueueStats {
  /** The service rate R, requests/s (0 = no capacity limit). */
  rps: number;
  /** Requests that went through the queue. */
  served: number;
  /** Requests waiting or in service now. */
  backlog: number;
  /** Largest backlog seen. */
  maxBacklog: number;
  /** Longest time a request spent in the queue (waiting + service), ms. */
  maxSojournMs: number;
}

export class CapacityQueue {
  private rps = 0;
  /** When the last admitted request completes (performance.now() ms). */
  private busyUntil = 0;
  /** Completion times of requests still in the queue, oldest first (a ring would do; counts stay small). */
  private readonly pending: number[] = [];
  private head = 0;
  private served = 0;
  private maxBacklog = 0;
  private maxSojournMs = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Sets the service rate (requests/s); 0 or undefined removes the limit. Requests already queued keep their times. */
  setRate(rps: number | undefined): void {
    this.rps = rps !== undefined && rps > 0 ? rps : 0;
  }

  get active(): boolean {
    return this.rps > 0;
  }

  /**
   * Admits a request whose body arrived now; returns how long its answer must wait (ms): the
   * time until its completion, waiting included.
   */
  admit(): number {
    const now = this.now();
    this.drop(now);
    const serviceMs = 1000 / this.rps;
    const completion = Math.max(now, this.busyUntil) + serviceMs;
    this.busyUntil = completion;
    this.pending.push(completion);
    this.served++;
    const backlog = this.pending.length - this.head;
    if (backlog > this.maxBacklog) this.maxBacklog = backlog;
    const sojourn = completion - now;
    if (sojourn > this.maxSojournMs) this.maxSojournMs = sojourn;
    return sojourn;
  }

  stats(): CapacityQueueStats {
    this.drop(this.now());
    return {
      rps: this.rps, served: this.served, backlog: this.pending.length - this.head,
      maxBacklog: this.maxBacklog, maxSojournMs: Math.round(this.maxSojournMs * 10) / 10,
    };
  }

  /** Forgets the requests completed by `now`. */
  private drop(now: number): void {
    while (this.head < this.pending.length && this.pending[this.head] <= now) this.head++;
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending.splice(0, this.head);
      this.head = 0;
    }
  }
}
