/**
 * The run's one lifecycle — prepare → open → drive → finish — for every way a run is made: in
 * this process (local-driver.ts), over worker processes (distributed/fleet-driver.ts) or from
 * shard files (distributed/shard-files-driver.ts). What differs is the driver plugged in; every
 * check that can refuse a run (an unloadable scenario, a tag filter that leaves no task, bad
 * thresholds, an incomparable baseline, an output path that cannot be written) happens here,
 * once, in prepare, before any user or worker starts.
 */
import { SimUsageError } from '../core/errors.js';
import type { SdkRun } from '../load/sdk-session.js';
import type { ScenarioDefinition } from '../load/scenario.js';
import type { ExecutionOutcome } from '../executor/executor.js';
import type { Recorder } from '../metrics/recorder.js';
import type { DeliveryAudit, DlqHealth, RunAudit, ScaleOutReport, SimulationResult, StorageAudit, VisibilitySummary } from '../metrics/result.js';
import { outputsFor, type LiveFeed, type Output, type RunControl } from '../output/index.js';
import { linkAbort } from './abort-link.js';
import { assertComparable, readBaseline } from './judging/baseline-file.js';
import type { GeneratorHealthReport } from './health/generator-health.js';
import { thresholdSpecs, type ThresholdInputs } from './judging/gates.js';
import { judgeDuet } from './judging/duet.js';
import { applySegmentStatuses } from './judging/segment-statuses.js';
import { openLiveTarget, type LiveTarget } from './live-target.js';
import type { Plan, SimulationOptions } from './plan.js';
import { buildResult } from './judging/result-builder.js';
import { startSecondTicker, type SecondTicker, type TickerSources } from './second-ticker.js';
import { attachLive, lingerOutputs, type LiveState } from './live-result.js';

/** What a run executes and how it is judged, as its driver knows it. */
export interface RunDefinition {
  plan: Plan;
  scenario: ScenarioDefinition;
  /** Entry names the gates judge, primary first. */
  judged: string[];
  /** The thresholds' inputs (default: the plan's expressions, env and overrides; merge: the shards' gates). */
  gates?: ThresholdInputs;
}

/** What the session hands a driver for the drive. */
export interface DriveContext {
  def: RunDefinition;
  signal: AbortSignal;
  log: (line: string) => void;
  /** The opened target: set for the drivers that send load. */
  target?: LiveTarget;
  /**
   * Starts the outputs' live feeds (the live line, the per-second streams) when the load starts;
   * `live` lets the live page (--web) watch and control it.
   */
  startLive(sample: LiveFeed, ticker: TickerSources, live?: LiveState): void;
  /** An output can change the load while it runs (--web): the driver tells its executor (ExecutionContext.liveControl). */
  liveControl: boolean;
  /** Ends them when the load ends (before the audits). */
  endLive(): void;
}

/** What a drive measured on one side of a duet (the session audits it on its own target). */
export interface DuetDriven {
  stats: Recorder;
  runs: RunAudit[];
  sdkRuns?: SdkRun[];
  visibility?: VisibilitySummary;
}

/** What a drive measured. */
export interface Driven {
  /** The run's statistics (for merged segments, the merged recorder). */
  stats: Recorder;
  startedAt: Date;
  endedAt: Date;
  durationS: number;
  interrupted: boolean;
  loadDescription: string;
  /** The SDK runs' delivery counts, for the delivery audit. */
  runs: RunAudit[];
  /** This process's SDK runs (their acked rows feed the ClickHouse audit). */
  sdkRuns?: SdkRun[];
  visibility?: VisibilitySummary;
  generator?: GeneratorHealthReport;
  outcome?: Pick<ExecutionOutcome, 'iterations'>;
  scaleOut?: ScaleOutReport;
  /** Drivers that send no load bring their audits, DLQ and target (shard files). */
  audit?: DeliveryAudit;
  storage?: StorageAudit;
  dlq?: { start?: DlqHealth; end?: DlqHealth };
  target?: SimulationResult['target'];
  /**
   * A duet run: the rest of this Driven is the candidate side B (judged by the thresholds, audited
   * by the driver on its own target); `a` is the baseline side, audited on the session's target.
   */
  duet?: { a: DuetDriven };
}

export interface RunDriver {
  /** Whether the driver sends load: the session then opens (and at the end audits) the target. */
  readonly sendsLoad: boolean;
  /** The run's definition from the options (local, workers) or from what was recorded (shard files). */
  define(options: SimulationOptions): Promise<RunDefinition>;
  drive(ctx: DriveContext): Promise<Driven>;
  /** Called with the finished result (e.g. the fleet's coordinator CPU), before the outputs write. */
  finished?(result: SimulationResult): void;
}

export async function runSession(options: SimulationOptions, driver: RunDriver): Promise<SimulationResult> {
  const log = options.log ?? (() => undefined);
  // prepare: every refusal before any user or worker starts
  const def = await driver.define(options);
  const { plan } = def;
  const specs = thresholdSpecs(def.gates ?? { expressions: plan.thresholds, env: plan.env, overrides: plan.overrides }, def.judged);
  if (plan.duet && plan.baseline) throw new SimUsageError('a duet run compares its candidate side B with its baseline side A: --baseline does not apply to it.');
  const baseline = plan.baseline ? await readBaseline(plan.baseline) : undefined;
  if (baseline && plan.baseline) assertComparable(baseline, plan.baseline, def.scenario.name, def.judged);
  const outputs = outputsFor(plan.outputs, { log });
  for (const output of outputs) await output.prepare?.();

  const abort = new AbortController();
  const unhook = linkAbort(abort, options.signal, options.handleSignals === true);
  let target: LiveTarget | undefined;
  let ticker: SecondTicker | undefined;
  let control: RunControl | undefined; // --web: the live page's actions
  try {
    // open
    if (driver.sendsLoad) target = await openTarget(plan, def, log, options);
    // drive
    const endLive = (): void => {
      ticker?.stop();
      for (const output of outputs) output.end?.();
    };
    const driven = await driver.drive({
      def, signal: abort.signal, log, target, endLive,
      liveControl: outputs.some((output) => output.attach !== undefined),
      startLive(sample, sources, live) {
        for (const output of outputs) output.start?.(sample);
        ticker = startSecondTicker(outputs, sources);
        const judging = { scenario: def.scenario, judged: def.judged, specs, baseline, baselineFile: plan.baseline, plan, dlq: {} };
        if (live) control = attachLive(outputs, live, { ...judging, target: target?.resultTarget() ?? { ingestUrl: '', apiUrl: '', embedded: false } }, abort, log);
      },
    });
    endLive();
    // finish: audits, judging, outputs
    const sideA = driven.duet && target ? await finishSideA(driven, driven.duet.a, target, def, plan, abort.signal, log) : undefined;
    const checked = target && !driven.duet ? await target.finish(driven, abort.signal, log) : driven;
    const result = buildResult({
      recorder: driven.stats, scenario: def.scenario, judged: def.judged, specs, baseline, baselineFile: plan.baseline,
      audit: checked.audit, storage: checked.storage, visibility: driven.visibility, plan,
      startedAt: driven.startedAt, endedAt: driven.endedAt, durationS: driven.durationS,
      target: driven.target ?? target?.resultTarget() ?? { ingestUrl: '', apiUrl: '', embedded: false },
      dlq: checked.dlq ?? {}, interrupted: driven.interrupted,
      generator: driven.generator, load: plan.load, loadDescription: driven.loadDescription, outcome: driven.outcome,
      control: control?.actions(),
    });
    if (driven.scaleOut) applySegmentStatuses(result, driven.scaleOut);
    if (sideA) judgeDuet(result, sideA, plan);
    driver.finished?.(result);
    for (const warning of result.warnings ?? []) log(`warning: ${warning}`);
    for (const file of await stopOutputs(outputs, result)) log(`wrote ${file}`);
    await lingerOutputs(outputs, options);
    return result;
  } finally {
    ticker?.stop();
    for (const output of outputs) output.end?.();
    unhook();
    await target?.close();
  }
}

/** The run's target (in a duet, side A: an error names it). */
async function openTarget(plan: Plan, def: RunDefinition, log: (line: string) => void, options: SimulationOptions): Promise<LiveTarget> {
  try {
    return await openLiveTarget(plan, def.scenario, plan.duet ? (line) => log(`A: ${line}`) : log, {
      checked: options.targetChecked === true, auditStorage: options.auditStorage !== false,
    });
  } catch (err) {
    if (plan.duet && err instanceof Error) err.message = `the baseline side A: ${err.message}`;
    throw err;
  }
}

/** The baseline side of a duet, audited on its target and built like any result, without gates. */
async function finishSideA(
  driven: Driven, a: DuetDriven, target: LiveTarget, def: RunDefinition, plan: Plan, signal: AbortSignal, log: (line: string) => void,
): Promise<SimulationResult> {
  const checked = await target.finish(a, signal, (line) => log(`A: ${line}`));
  return buildResult({
    recorder: a.stats, scenario: def.scenario, judged: def.judged, specs: [], plan,
    audit: checked.audit, storage: checked.storage, visibility: a.visibility,
    startedAt: driven.startedAt, endedAt: driven.endedAt, durationS: driven.durationS, target: target.resultTarget(),
    dlq: checked.dlq, interrupted: driven.interrupted, load: plan.load, loadDescription: driven.loadDescription, outcome: driven.outcome,
  });
}

/** Stops every output with the result; a write that fails is a usage error naming the path. */
async function stopOutputs(outputs: readonly Output[], result: SimulationResult): Promise<string[]> {
  const files: string[] = [];
  try {
    for (const output of outputs) files.push(...(await output.stop(result)));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SimUsageError(`cannot write the reports (${e.code ?? e.message}${e.path ? ` at ${e.path}` : ''}).`);
  }
  return files;
}
