/**
 * Turns the recorder and the gates into the SimulationResult (latest.json). The seed's keys
 * (p50_ms … rps) come from the primary judged entry: `E2E log→ack` for SDK scenarios,
 * `Aggregated` otherwise (docs/cli.md "Which entries are judged").
 */
import type { EntrySelector, Recorder } from '../../metrics/recorder.js';
import type {
  BaselineVerdict, ControlAction, DeliveryAudit, DlqHealth, EntrySummary, GeneratorHealth, SimulationResult, StorageAudit, ThresholdVerdict,
  TimeSeriesPoint, VisibilitySummary,
} from '../../metrics/result.js';
import { healthSummary, type GeneratorHealthReport } from '../health/generator-health.js';
import type { BaselineFigures } from '../../metrics/baseline.js';
import type { ThresholdSpec } from '../../metrics/thresholds.js';
import type { LiveSample } from '../../output/index.js';
import { assessCapacity, failureReasons, judgeBaseline, judgeThresholds } from './gates.js';
import type { Plan } from '../plan.js';
import type { ScenarioDefinition } from '../../load/scenario.js';
import { savedDistributions } from './distribution-entries.js';
import { judgeAgainstBaseline } from './baseline-verdict.js';
import {
  AGGREGATED, E2E_ENTRY_NAME, isHttpEntry, ITERATION_ACTUAL_NAME, ITERATION_CORRECTED_NAME, ITERATION_DROPPED_NAME,
  SDK_HTTP_GROUP, VISIBLE_ENTRY_NAME,
} from '../../core/entry-names.js';
import type { ExecutionOutcome } from '../../executor/executor.js';
import type { LoadPlan } from '../../executor/registry.js';
import { peakUsers, spawnRateOf } from '../../executor/registry.js';
import { EXIT_CODES } from '../../core/exit-codes.js';
import { wordVerdicts } from './gate-text.js';


/** Entry names the gates judge, primary first. */
export function judgedEntries(def: ScenarioDefinition): string[] {
  const mode = def.judge ?? (def.sdk ? 'sdk' : 'aggregated');
  return mode === 'sdk' ? [E2E_ENTRY_NAME, SDK_HTTP_GROUP] : [AGGREGATED];
}

/** Which recorder entries make up a judged name. */
export function selectorFor(name: string): EntrySelector {
  if (name === AGGREGATED) return isHttpEntry; // HTTP requests only: records and SDK calls are other units
  if (name === SDK_HTTP_GROUP) return isHttpEntry;
  return [name];
}

/** Seconds of the live line's window: Locust's current_rps averages ten complete seconds. */
export const LIVE_WINDOW_S = 10;

/**
 * The live line's figures: HTTP requests per second and the judged entry's p50/p95 over the
 * last LIVE_WINDOW_S complete seconds (NaN, printed as "–", before there is a sample), and the
 * judged entry's failures since the start.
 */
export function liveSample(recorder: Recorder, judged: readonly string[], users: number, elapsedS: number, load?: LiveSample['load']): LiveSample {
  const primary = recorder.completeWindow(selectorFor(judged[0]), LIVE_WINDOW_S);
  const requests = recorder.completeWindow(isHttpEntry, LIVE_WINDOW_S);
  const total = recorder.group('live', selectorFor(judged[0]), Math.max(elapsedS, 1));
  return {
    elapsedS,
    users,
    rps: requests.rps,
    p50Ms: primary.p50Ms,
    p95Ms: primary.p95Ms,
    failures: total.failures,
    failRate: total.count > 0 ? total.failures / total.count : 0,
    judged: judged[0],
    ...(load ? { load } : {}),
  };
}

export interface ResultInputs {
  recorder: Recorder;
  scenario: ScenarioDefinition;
  judged: string[];
  specs: ThresholdSpec[];
  baseline?: BaselineFigures;
  baselineFile?: string;
  audit?: DeliveryAudit;
  storage?: StorageAudit;
  visibility?: VisibilitySummary;
  plan: Plan;
  startedAt: Date;
  endedAt: Date;
  durationS: number;
  target: SimulationResult['target'];
  dlq: { start?: DlqHealth; end?: DlqHealth };
  interrupted: boolean;
  /** What the generator-health monitor saw during the load. */
  generator?: GeneratorHealthReport;
  /** The load that ran (resolved with the scenario) and what the executor reported. */
  load: LoadPlan;
  loadDescription: string;
  outcome?: Pick<ExecutionOutcome, 'iterations'>;
  /** The result so far for the live page (--web): no distributions and no regression verdict, both are of the end. */
  live?: boolean;
  /** The live page's updates: no history (they carry recent chart points, see historySeries). */
  withoutHistory?: boolean;
  /** Changes made by hand from the live page (--web). */
  control?: readonly ControlAction[];
}

/**
 * The series a result's history holds, by name: Aggregated, the judged entries, an open model's
 * iteration entries, and with `fullHistory` (the live page) every entry.
 */
export function historySeries(i: Pick<ResultInputs, 'judged' | 'outcome' | 'load' | 'plan'>, recorder: Recorder): Map<string, EntrySelector> {
  const series = new Map<string, EntrySelector>([[AGGREGATED, isHttpEntry]]);
  for (const name of i.judged) if (!series.has(name)) series.set(name, selectorFor(name));
  if (openModel(i)) for (const name of [ITERATION_ACTUAL_NAME, ITERATION_CORRECTED_NAME, ITERATION_DROPPED_NAME]) series.set(name, [name]);
  if (i.plan.fullHistory) for (const name of recorder.names()) if (!series.has(name)) series.set(name, [name]);
  return series;
}

/** The open model's load, when one ran: the executor reported iterations (a load shape of users did not). */
function openModel(i: Pick<ResultInputs, 'outcome' | 'load'>): Extract<LoadPlan, { onSaturation: unknown }> | undefined {
  return i.outcome?.iterations && 'onSaturation' in i.load ? i.load : undefined;
}

export function buildResult(i: ResultInputs): SimulationResult {
  const { recorder, durationS } = i;
  const entries = recorder.summaries(durationS);
  // Aggregated adds up HTTP requests only; records (E2E), SDK calls and iterations keep their own rows.
  const aggregated = recorder.group(AGGREGATED, isHttpEntry, durationS);
  const rows = new Map<string, EntrySummary>(entries.map((e) => [e.name, e]));
  rows.set(AGGREGATED, aggregated);
  if (i.judged.includes(SDK_HTTP_GROUP)) {
    // The judged group is an entry like any other: in the tables, the CSVs and latest.json.
    const group = recorder.group(SDK_HTTP_GROUP, isHttpEntry, durationS);
    rows.set(SDK_HTTP_GROUP, group);
    entries.push(group);
  }
  // `dropped_iterations<1` judges the count of this row; a closed model drops nothing.
  if (!rows.has(ITERATION_DROPPED_NAME)) rows.set(ITERATION_DROPPED_NAME, recorder.group(ITERATION_DROPPED_NAME, [], durationS));
  const primary = rows.get(i.judged[0]) ?? recorder.group(i.judged[0], [], durationS);
  const seedKeys = {
    p50_ms: primary.percentiles.p50,
    p95_ms: primary.percentiles.p95,
    p99_ms: primary.percentiles.p99,
    error_rate: primary.count > 0 ? primary.failures / primary.count : 0,
    total_requests: primary.count,
    rps: primary.rps,
  };
  const history: Record<string, TimeSeriesPoint[]> = {};
  if (!i.withoutHistory) for (const [name, select] of historySeries(i, recorder)) history[name] = recorder.history(name, select);
  const open = openModel(i);
  const corrected = rows.get(ITERATION_CORRECTED_NAME);

  const generator = i.generator ? healthSummary(i.generator, seedKeys.p99_ms) : undefined;
  const thresholds = judgeThresholds(i.specs, rows);
  const baseline: BaselineVerdict | undefined =
    i.baseline && i.baselineFile ? judgeBaseline(i.baseline, { ...seedKeys, visible_p95_ms: rows.get(VISIBLE_ENTRY_NAME)?.percentiles.p95 }, i.baselineFile) : undefined;
  // Issue 20: distributions for later verdicts, and the verdict against a baseline that has them.
  const distributions = i.live ? undefined : savedDistributions(recorder, i.judged, selectorFor, durationS);
  const judgement = distributions && baseline && i.baseline && i.baselineFile
    ? judgeAgainstBaseline(i.baseline, i.baselineFile, baseline, { ...seedKeys, scenario: i.scenario.name, judged: i.judged, distributions }, i.plan.baselineRule, i.plan)
    : undefined;
  const failsBuild = i.scenario.failsBuild !== false;
  const reasons = failsBuild
    ? [...failureReasons(thresholds, judgement?.seedDecides === false ? undefined : baseline, i.audit, i.storage), ...(judgement?.reasons ?? [])]
    : [];
  const pass = reasons.length === 0;
  const aggErrorRate = aggregated.count > 0 ? aggregated.failures / aggregated.count : 0;
  return wordVerdicts({
    ...seedKeys,
    scenario: i.scenario.name,
    users: peakUsers(i.load),
    spawnRate: spawnRateOf(i.load),
    load: {
      executor: i.load.executor,
      description: i.loadDescription,
      ...(open ? { iteration: open.iteration, onSaturation: open.onSaturation } : {}),
      ...(i.outcome?.iterations ? { started: i.outcome.iterations.started, lateStarts: i.outcome.iterations.lateStarts } : {}),
    },
    ...(open ? {
      dropped_iterations: rows.get(ITERATION_DROPPED_NAME)?.count ?? 0,
      corrected: { p50_ms: corrected?.percentiles.p50 ?? 0, p95_ms: corrected?.percentiles.p95 ?? 0, p99_ms: corrected?.percentiles.p99 ?? 0 },
    } : {}),
    seed: i.plan.seed,
    startedAt: i.startedAt.toISOString(),
    endedAt: i.endedAt.toISOString(),
    durationS,
    target: i.target,
    judged: i.judged,
    entries,
    aggregated,
    failures: recorder.failures(),
    exceptions: recorder.exceptions(),
    history,
    thresholds,
    baseline,
    ...(judgement?.verdict ? { verdict: judgement.verdict } : {}),
    ...(distributions ? { distributions } : {}),
    audit: i.audit,
    storage: i.storage,
    visibility: i.visibility,
    capacity: i.scenario.capacityAssessment ? { assessment: assessCapacity(aggErrorRate), error_rate: aggErrorRate } : undefined,
    dlq: i.dlq,
    generator,
    warnings: [...(generator ? generatorWarnings(generator, thresholds) : []), ...(judgement?.warning ? [judgement.warning] : [])],
    ...(i.control?.length ? { control: [...i.control] } : {}),
    interrupted: i.interrupted,
    pass,
    reasons,
    exitCode: i.interrupted ? EXIT_CODES.interrupted : pass ? EXIT_CODES.pass : EXIT_CODES.failed,
  });
}

/**
 * The saturated generator's sentence (and, when a latency threshold failed, that the failure may
 * be the generator's: its queueing is inside every latency it measured), then the timing one.
 */
function generatorWarnings(g: GeneratorHealth, thresholds: readonly ThresholdVerdict[]): string[] {
  const warnings: string[] = [];
  if (g.saturated) {
    const latencyFailed = thresholds.some((t) => !t.pass && t.metric !== 'error_rate' && t.metric !== 'rps');
    warnings.push(latencyFailed ? `${g.warning} The failed latency thresholds may be the generator's doing, not the target's.` : g.warning);
  }
  if (g.timingWarning) warnings.push(g.timingWarning);
  return warnings;
}
