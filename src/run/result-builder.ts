/**
 * Turns the recorder and the gates into the SimulationResult (latest.json). The seed's keys
 * (p50_ms … rps) come from the primary judged entry: `E2E log→ack` for SDK scenarios,
 * `Aggregated` otherwise (docs/cli.md "Which entries are judged").
 */
import type { EntrySelector, Recorder } from '../metrics/recorder.js';
import type { BaselineVerdict, DeliveryAudit, DlqHealth, EntrySummary, SimulationResult, TimeSeriesPoint } from '../metrics/result.js';
import type { BaselineFigures } from '../metrics/baseline.js';
import type { ThresholdSpec } from '../metrics/thresholds.js';
import type { LiveSample } from '../output/index.js';
import { assessCapacity, failureReasons, judgeBaseline, judgeThresholds } from './judging.js';
import type { Plan } from './plan.js';
import type { ScenarioDefinition } from '../load/scenario.js';
import { AGGREGATED, E2E_ENTRY_NAME, isHttpEntry, SDK_HTTP_GROUP } from '../core/entry-names.js';
import { EXIT_CODES } from '../core/exit-codes.js';


/** Entry names the gates judge, primary first. */
export function judgedEntries(def: ScenarioDefinition): string[] {
  const mode = def.judge ?? (def.sdk ? 'sdk' : 'aggregated');
  return mode === 'sdk' ? [E2E_ENTRY_NAME, SDK_HTTP_GROUP] : [AGGREGATED];
}

/** Which recorder entries make up a judged name. */
export function selectorFor(name: string): EntrySelector {
  if (name === AGGREGATED) return () => true;
  if (name === SDK_HTTP_GROUP) return isHttpEntry;
  return [name];
}

export function liveSample(recorder: Recorder, judged: readonly string[], users: number, elapsedS: number): LiveSample {
  const primary = recorder.window(selectorFor(judged[0]), 2);
  const requests = recorder.window(judged[0] === AGGREGATED ? () => true : isHttpEntry, 2);
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
  plan: Plan;
  startedAt: Date;
  endedAt: Date;
  durationS: number;
  target: SimulationResult['target'];
  dlq: { start?: DlqHealth; end?: DlqHealth };
  interrupted: boolean;
}

export function buildResult(i: ResultInputs): SimulationResult {
  const { recorder, durationS } = i;
  const entries = recorder.summaries(durationS);
  const aggregated = recorder.group(AGGREGATED, () => true, durationS);
  const rows = new Map<string, EntrySummary>(entries.map((e) => [e.name, e]));
  rows.set(AGGREGATED, aggregated);
  if (i.judged.includes(SDK_HTTP_GROUP)) rows.set(SDK_HTTP_GROUP, recorder.group(SDK_HTTP_GROUP, isHttpEntry, durationS));
  const primary = rows.get(i.judged[0]) ?? recorder.group(i.judged[0], [], durationS);
  const seedKeys = {
    p50_ms: primary.percentiles.p50,
    p95_ms: primary.percentiles.p95,
    p99_ms: primary.percentiles.p99,
    error_rate: primary.count > 0 ? primary.failures / primary.count : 0,
    total_requests: primary.count,
    rps: primary.rps,
  };
  const history: Record<string, TimeSeriesPoint[]> = { [AGGREGATED]: recorder.history(AGGREGATED, () => true) };
  for (const name of i.judged) history[name] ??= recorder.history(name, selectorFor(name));
  if (i.plan.fullHistory) for (const name of recorder.names()) history[name] ??= recorder.history(name, [name]);

  const thresholds = judgeThresholds(i.specs, rows);
  const baseline: BaselineVerdict | undefined =
    i.baseline && i.baselineFile ? judgeBaseline(i.baseline, seedKeys, i.baselineFile) : undefined;
  const failsBuild = i.scenario.failsBuild !== false;
  const reasons = failsBuild ? failureReasons(thresholds, baseline, i.audit) : [];
  const pass = reasons.length === 0;
  const aggErrorRate = aggregated.count > 0 ? aggregated.failures / aggregated.count : 0;
  return {
    ...seedKeys,
    scenario: i.scenario.name,
    users: i.plan.load.users,
    spawnRate: i.plan.load.spawnRate,
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
    audit: i.audit,
    capacity: i.scenario.capacityAssessment ? { assessment: assessCapacity(aggErrorRate), error_rate: aggErrorRate } : undefined,
    dlq: i.dlq,
    interrupted: i.interrupted,
    pass,
    reasons,
    exitCode: i.interrupted ? EXIT_CODES.interrupted : pass ? EXIT_CODES.pass : EXIT_CODES.failed,
  };
}
