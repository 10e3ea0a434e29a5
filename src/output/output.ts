/**
 * The output seam: everything that leaves a run — the live console line, latest.json, Locust
 * CSVs, the HTML page, JUnit, streams — is an Output. The runner prepares every output before the
 * first user starts, starts them with a live feed when the load starts, and stops them with the
 * final result. Outputs read snapshots and results; they never reach into the runner.
 * Adding one: a folder here whose index.ts makes the Output, and an entry in registry.ts.
 */
import type { SimulationResult } from '../metrics/result.js';
import type { SecondSnapshot } from './stream/second-snapshot.js';

/** What the live outputs show of the running load, one snapshot at a time. */
export interface LiveSample {
  elapsedS: number;
  users: number;
  /** HTTP requests per second; NaN before the window has a complete second. */
  rps: number;
  /** NaN when the window holds no sample of the judged entry. */
  p50Ms: number;
  p95Ms: number;
  failures: number;
  failRate: number;
  /** Name of the judged entry whose p50/p95 are shown, e.g. `e2e log→ack`. */
  judged: string;
  /** Stages and arrival rates: the target now (`stage 2/3 → 80 users`, `50.0 it/s`) and iterations dropped so far. */
  load?: { target: string; dropped?: number };
}

/** A fresh snapshot of the running load each time it is called (cheap; outputs pull at their own cadence). */
export type LiveFeed = () => LiveSample;

export interface Output {
  /** Its name in messages, e.g. `latest.json`, `html`. */
  readonly name: string;
  /** Before any user starts: check and create what it will write to; throws SimUsageError (exit 2) on a bad path. */
  prepare?(): Promise<void>;
  /** The load starts. */
  start?(live: LiveFeed): void;
  /**
   * A streaming output: the second that just ended. The runner builds one snapshot per second for
   * all outputs that have this method (and a last one, up to the stop, before end()).
   */
  second?(s: SecondSnapshot): void;
  /** The load has ended; judging (audit, gates) follows. */
  end?(): void;
  /** The run is judged: write the result; returns the files written (none for streams). */
  stop(result: SimulationResult): Promise<string[]>;
}
