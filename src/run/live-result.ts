/**
 * The live page's side of the session (--web): what a driver tells of its running load
 * (LiveState), the RunControl built on it, and the result as it would stand if the run ended now
 * — the same buildResult() as the final one, fed the statistics so far, the generator's figures
 * so far, the delivery audit's running counts (the SDK's acks, not yet the stored rows) and the
 * hand-made changes, with every entry's history for the page's latency picker. Built only when a
 * page asks. Nothing here runs without an output that attaches (the live page).
 */
import type { Executor } from '../executor/executor.js';
import type { Recorder } from '../metrics/recorder.js';
import type { ChartPoint, RunAudit, ScaleOutReport, SimulationResult } from '../metrics/result.js';
import type { Output, RecentResult, RunControl } from '../output/index.js';
import { auditTotals } from './judging/audit.js';
import { buildResult, historySeries, type ResultInputs } from './judging/result-builder.js';
import type { GeneratorHealthReport } from './health/generator-health.js';
import { linkAbort } from './abort-link.js';
import type { SimulationOptions } from './plan.js';
import { createRunControl } from './run-control.js';

/** What a driver tells the session of its running load, for the live page. */
export interface LiveState {
  /** The statistics so far (local: the recorder; --workers: the workers' reports merged). */
  stats(): Recorder;
  activeUsers(): number;
  startedAt: Date;
  /** performance.now() at the start of the load. */
  t0: number;
  loadDescription: string;
  /** What the page may change: the executor (local)… */
  executor?: Pick<Executor, 'name' | 'setUsers' | 'setRate' | 'progress'>;
  /** …the statistics it may reset (local)… */
  resettable?: Pick<Recorder, 'reset' | 'setTarget'>;
  /** …or why only stop applies (--workers). */
  refusal?: string;
  generator?(): GeneratorHealthReport | undefined;
  /** The SDK runs' delivery counts so far. */
  runs?(): RunAudit[];
  scaleOut?: ScaleOutReport;
}

/** What the session judges with (the same inputs as the final result's). */
export type LiveJudging = Pick<ResultInputs, 'scenario' | 'judged' | 'specs' | 'baseline' | 'baselineFile' | 'plan' | 'target' | 'dlq'>;

/** Hands the outputs that show the run live their RunControl and live result; returns the control (undefined when none attaches). */
export function attachLive(
  outputs: readonly Output[], state: LiveState, judging: LiveJudging, abort: AbortController, log: (line: string) => void,
): RunControl | undefined {
  const watched = outputs.filter((o) => o.attach !== undefined);
  if (watched.length === 0) return undefined;
  const control = createRunControl({
    executor: state.executor ?? { name: 'this run' }, recorder: state.resettable, abort, t0: () => state.t0, log, refusal: state.refusal,
  });
  // The result so far; without history for the page's updates, which take recent chart points instead.
  const build = (withoutHistory: boolean): { built: SimulationResult; inputs: ResultInputs } => {
    const progress = state.executor?.progress?.();
    const runs = state.runs?.() ?? [];
    // The delivery audit is a gate of the end: while the run goes, records in flight are no failure.
    const audit = runs.length > 0 ? { ...auditTotals(runs, 'acked-only'), pass: true } : undefined;
    const inputs: ResultInputs = {
      ...judging,
      recorder: state.stats(),
      plan: { ...judging.plan, fullHistory: true },
      startedAt: state.startedAt,
      endedAt: new Date(),
      durationS: Math.max(0, (performance.now() - state.t0) / 1000),
      interrupted: false,
      generator: state.generator?.(),
      audit,
      load: judging.plan.load,
      loadDescription: state.loadDescription,
      outcome: progress?.dropped !== undefined ? { iterations: { started: 0, dropped: progress.dropped, lateStarts: 0 } } : undefined,
      control: control.actions(),
      withoutHistory,
      live: true,
    };
    const built = buildResult(inputs);
    if (state.scaleOut) built.scaleOut = state.scaleOut;
    if (built.audit) built.audit.sentence = liveAuditSentence(built.audit.totals, runs.length);
    return { built, inputs };
  };
  const result = (): SimulationResult => build(false).built;
  const recent = (fromT: number): RecentResult => {
    const { built, inputs } = build(true);
    const history: Record<string, ChartPoint[]> = {};
    for (const [name, select] of historySeries(inputs, inputs.recorder)) history[name] = inputs.recorder.recentHistory(select, fromT);
    return { result: built, history };
  };
  for (const o of watched) o.attach!({ control, result, recent, activeUsers: () => state.activeUsers() });
  return control;
}

/** The audit's running counts in words: what the SDK says so far; the stored rows are counted at the end. */
function liveAuditSentence(t: { logged: number; acked: number; failed: number; pending: number; expectedRows: number }, runs: number): string {
  return `Delivery so far over ${runs} run${runs === 1 ? '' : 's'}: ${t.logged} records logged, ${t.acked} acked, ${t.failed} failed, ${t.pending} in flight; ` +
    `${t.expectedRows} rows expected. The audit (every record acked, stored rows counted where the target allows) is judged when the run ends.`;
}

/** Outputs that keep serving after the run (the live page until --autoquit or Ctrl+C): waits for them. */
export async function lingerOutputs(outputs: readonly Output[], options: Pick<SimulationOptions, 'signal' | 'handleSignals'>): Promise<void> {
  const lingering = outputs.filter((output) => output.linger !== undefined);
  if (lingering.length === 0) return;
  const done = new AbortController();
  // A run stopped by the caller's signal still lingers until the next one (a second Ctrl+C quits the CLI).
  const unhook = linkAbort(done, options.signal?.aborted ? undefined : options.signal, options.handleSignals === true);
  try {
    await Promise.all(lingering.map((output) => output.linger!(done.signal)));
  } finally {
    unhook();
  }
}
