/**
 * The output seam: everything that leaves a run — the live console line, latest.json, Locust
 * CSVs, the HTML page, JUnit, streams — is an Output. The runner prepares every output before the
 * first user starts, starts them with a live feed when the load starts, and stops them with the
 * final result. Outputs read snapshots and results; they never reach into the runner.
 * Adding one: a folder here whose index.ts makes the Output, and an entry in registry.ts.
 */
import type { ChartPoint, ControlAction, SimulationResult } from '../metrics/result.js';
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

/** What a control request answers: applied, or not and why (one sentence). */
export interface ControlAnswer {
  applied: boolean;
  reason?: string;
}

/**
 * The narrow port through which anything outside the run (the live page) acts on it. The session
 * provides it (src/run/run-control.ts); an output never reaches into the executor. Every call is
 * recorded in the result's `control` list.
 */
export interface RunControl {
  /** As Ctrl+C: the users stop, runs finish, the reports are written. */
  stop(by: string): ControlAnswer;
  /** Closed model: run this many users from now on (whole plan). */
  setUsers(n: number, by: string): ControlAnswer;
  /** Open model: this many iterations per second from now on (whole plan). */
  setRate(rate: number, by: string): ControlAnswer;
  /** Forget the statistics so far (Locust's "Reset stats"). */
  resetStats(by: string): ControlAnswer;
  /** What can change live: `users`, `rate` or neither, and why not. */
  readonly capabilities: { users: boolean; rate: boolean; reason?: string };
  /** The actions so far. */
  actions(): readonly ControlAction[];
}

/** The live page's update: the result so far without history, and each series' recent chart points. */
export interface RecentResult {
  result: SimulationResult;
  history: Record<string, ChartPoint[]>;
}

/** What the session hands an output that shows the run live: the control port and the result so far. */
export interface LiveRun {
  control?: RunControl;
  /** The result as it would stand if the run ended now (the same builder as the final one, every entry's history). */
  result(): SimulationResult;
  /** The same without its history, and the chart points of the same series from epoch second `fromT` on: the page's update. */
  recent(fromT: number): RecentResult;
  /** Users running now. */
  activeUsers(): number;
}

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
  /** The load starts and the session can be watched and controlled (outputs that show the run live). */
  attach?(run: LiveRun): void;
  /** The load has ended; judging (audit, gates) follows. */
  end?(): void;
  /** The run is judged: write the result; returns the files written (none for streams). */
  stop(result: SimulationResult): Promise<string[]>;
  /** After every output stopped: keep serving until this resolves (the live page's --autoquit, or the signal). */
  linger?(signal: AbortSignal): Promise<void>;
}
