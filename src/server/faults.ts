/**
 * Fault injection, off by default: added latency (fixed or a distribution), a fraction of
 * requests answered with an error status, connection resets, a stalled or failing flusher.
 * Choices come from a seeded generator so a run with a seed is repeatable.
 */
import { validateLatency, type LatencySpec } from '../core/latency-spec.js';
import { mulberry32 } from '../core/random.js';
import { CapacityQueue } from './capacity-queue.js';

export { parseLatencySpec, type LatencySpec } from '../core/latency-spec.js';

export interface FaultOptions {
  latency?: LatencySpec;
  /** Which routes the request faults (latency, errors, resets) hit; default 'ingest'. */
  latencyRoutes?: 'ingest' | 'all';
  /** Fraction 0..1 of requests answered with `errorStatus`. */
  errorRate?: number;
  errorStatus?: 500 | 503 | 429;
  /** Fraction 0..1 of requests whose socket is reset instead of answered. */
  resetRate?: number;
  /** Each flush takes this long (a slow ClickHouse). */
  flushStallMs?: number;
  /** Every flush attempt fails → retries → DLQ. */
  flushFailing?: boolean;
  /** Fraction 0..1 of flushed rows silently not stored (a writer that loses acked rows). */
  dropRate?: number;
  /** Fraction 0..1 of flushed batches stored twice (an insert that timed out after it was written, then retried). */
  duplicateRate?: number;
  /**
   * Stop answering for `durationMs`, starting `atMs` after the faults were set (at the server's
   * start for its initial faults): a request whose body ends in the window is answered when it
   * closes (`serve --server-stall D@T`; docs/server.md "Faults").
   */
  stall?: { durationMs: number; atMs: number };
  /**
   * Serve the ingest routes through one FIFO queue that completes at most this many requests a
   * second (`--server-capacity R`; src/server/capacity-queue.ts, docs/server.md "Capacity").
   */
  capacityRps?: number;
  seed?: number;
}

/** Checks a FaultOptions value from an untrusted source (a control route, a CLI flag). */
export function validateFaults(value: unknown): FaultOptions {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('faults must be a JSON object');
  const f = value as Record<string, unknown>;
  const out: FaultOptions = {};
  const known = ['latency', 'latencyRoutes', 'errorRate', 'errorStatus', 'resetRate', 'flushStallMs', 'flushFailing', 'dropRate', 'duplicateRate', 'stall', 'capacityRps', 'seed'];
  for (const k of Object.keys(f)) if (!known.includes(k)) throw new Error(`unknown fault option "${k}"`);
  const fraction = (k: string): number | undefined => {
    const v = f[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`${k} must be a number between 0 and 1`);
    return v;
  };
  const nonNegative = (v: unknown, name: string): number => {
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new Error(`${name} must be a non-negative number`);
    return v;
  };
  out.errorRate = fraction('errorRate');
  out.resetRate = fraction('resetRate');
  out.dropRate = fraction('dropRate');
  out.duplicateRate = fraction('duplicateRate');
  if (f.errorStatus !== undefined) {
    if (f.errorStatus !== 500 && f.errorStatus !== 503 && f.errorStatus !== 429) throw new Error('errorStatus must be 500, 503 or 429');
    out.errorStatus = f.errorStatus;
  }
  if (f.latencyRoutes !== undefined) {
    if (f.latencyRoutes !== 'ingest' && f.latencyRoutes !== 'all') throw new Error('latencyRoutes must be "ingest" or "all"');
    out.latencyRoutes = f.latencyRoutes;
  }
  if (f.flushStallMs !== undefined) out.flushStallMs = nonNegative(f.flushStallMs, 'flushStallMs');
  if (f.flushFailing !== undefined) {
    if (typeof f.flushFailing !== 'boolean') throw new Error('flushFailing must be true or false');
    out.flushFailing = f.flushFailing;
  }
  if (f.seed !== undefined) out.seed = nonNegative(f.seed, 'seed');
  if (f.capacityRps !== undefined && !(nonNegative(f.capacityRps, 'capacityRps') > 0)) throw new Error('capacityRps must be a number of requests per second above 0');
  if (f.capacityRps !== undefined) out.capacityRps = f.capacityRps as number;
  if (f.stall !== undefined) {
    const st = f.stall as Record<string, unknown> | null;
    if (st === null || typeof st !== 'object') throw new Error('stall must be {durationMs, atMs}');
    out.stall = { durationMs: nonNegative(st.durationMs, 'stall.durationMs'), atMs: nonNegative(st.atMs, 'stall.atMs') };
  }
  if (f.latency !== undefined) out.latency = validateLatency(f.latency);
  for (const k of Object.keys(out) as Array<keyof FaultOptions>) if (out[k] === undefined) delete out[k];
  return out;
}

export type RequestFault = { kind: 'none' } | { kind: 'reset' } | { kind: 'error'; status: 500 | 503 | 429 };

export class FaultInjector {
  private faults: FaultOptions = {};
  private random: () => number = Math.random;
  private spare: number | null = null;
  /** The `capacityRps` service queue (inactive without it). */
  readonly capacity = new CapacityQueue();

  constructor(initial?: FaultOptions) {
    this.set(initial ?? {});
  }

  private setAt = performance.now();

  set(f: FaultOptions): void {
    this.faults = { ...f };
    this.setAt = performance.now();
    this.random = f.seed !== undefined ? mulberry32(f.seed) : Math.random;
    this.spare = null;
    this.capacity.setRate(f.capacityRps);
  }

  get current(): FaultOptions {
    return { ...this.faults };
  }

  /** True when request faults are configured at all (the fast path skips everything else). */
  get requestFaultsActive(): boolean {
    const f = this.faults;
    return f.latency !== undefined || (f.errorRate ?? 0) > 0 || (f.resetRate ?? 0) > 0;
  }

  appliesTo(isIngestRoute: boolean): boolean {
    return isIngestRoute || this.faults.latencyRoutes === 'all';
  }

  /** Decides a request's fate: reset first, then an error status. */
  chooseRequestFault(): RequestFault {
    const f = this.faults;
    if ((f.resetRate ?? 0) > 0 && this.random() < f.resetRate!) return { kind: 'reset' };
    if ((f.errorRate ?? 0) > 0 && this.random() < f.errorRate!) return { kind: 'error', status: f.errorStatus ?? 500 };
    return { kind: 'none' };
  }

  /** Added latency in ms for one request (0 when none is configured). */
  sampleLatencyMs(): number {
    const l = this.faults.latency;
    if (!l) return 0;
    switch (l.kind) {
      case 'fixed':
        return l.ms;
      case 'uniform':
        return l.minMs + (l.maxMs - l.minMs) * this.random();
      case 'lognormal':
        return l.medianMs * Math.exp(l.sigma * this.gaussian());
      case 'normal':
        return Math.max(0, l.meanMs + l.stdMs * this.gaussian());
    }
  }

  /** True when a stall window is configured (the router then checks each request's end). */
  get stallConfigured(): boolean {
    return this.faults.stall !== undefined && this.faults.stall.durationMs > 0;
  }

  /** How long a request ending now must wait for the stall window to close (0 outside it). */
  stallHoldMs(now = performance.now()): number {
    const st = this.faults.stall;
    if (!st) return 0;
    const from = this.setAt + st.atMs;
    const to = from + st.durationMs;
    return now >= from && now < to ? to - now : 0;
  }

  get flushStallMs(): number {
    return this.faults.flushStallMs ?? 0;
  }

  get flushFailing(): boolean {
    return this.faults.flushFailing === true;
  }

  /** The rows of a flushed batch that the writer keeps (all of them unless `dropRate` is set). */
  keptRows<T>(rows: readonly T[]): readonly T[] {
    const rate = this.faults.dropRate ?? 0;
    if (rate <= 0) return rows;
    return rows.filter(() => this.random() >= rate);
  }

  /** Whether this flushed batch is written twice (`duplicateRate`). */
  writeTwice(): boolean {
    const rate = this.faults.duplicateRate ?? 0;
    return rate > 0 && this.random() < rate;
  }

  /** Box–Muller with the spare value kept. */
  private gaussian(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** Bodies of injected error statuses, in the ingest's envelope (docs/protocol/ingest.md §1.6). */
export function injectedErrorBody(status: 500 | 503 | 429): string {
  const code = status === 500 ? 'INTERNAL_ERROR' : status === 503 ? 'SERVICE_UNAVAILABLE' : 'RATE_LIMIT_EXCEEDED';
  return JSON.stringify({ code, message: `Injected fault: ${status}` });
}
