/**
 * `mlop-sim capacity` as a library call (docs/cli.md "`capacity`"): checks the options
 * once, starts the embedded target once (so its state and the --server-capacity queue carry over
 * from step to step, like a real stack's), drives the search (src/executor/capacity/search.ts)
 * with one runSimulation() per step, and builds the report: the figure, its bracket, what failed
 * first, every step; then latest.json and the HTML page.
 */
import { SimUsageError } from '../../core/errors.js';
import { EXIT_CODES, type ExitCode } from '../../core/exit-codes.js';
import { VISIBLE_ENTRY_NAME } from '../../core/entry-names.js';
import { parseDuration } from '../../core/duration.js';
import { searchCapacity } from '../../executor/capacity/search.js';
import { resolveScenario } from '../../load/scenario-resolve.js';
import { usesSdk } from '../../load/scenario.js';
import type { CapacityReport } from '../../metrics/capacity-report.js';
import { capacitySummary, writeCapacityFiles } from '../../output/capacity/index.js';
import { startEmbeddedTarget, type EmbeddedTarget } from '../embedded-target.js';
import { resolvePlan, type SimulationOptions } from '../plan.js';
import { assessCapacity } from '../judging/gates.js';
import { judgedEntries } from '../judging/result-builder.js';
import { TargetControl } from '../target-control.js';
import { resolveWorkers } from '../distributed/fleet-driver.js';
import { capacitySpecs, samplesNeeded } from './slo.js';
import { runCapacityStep } from './step-run.js';

export interface CapacityOptions extends SimulationOptions {
  /** SLOs in the threshold syntax (`e2e:p95<1500`); default the seed's limits on the judged entries. */
  slos?: string[];
  /** Budget of the whole search (default 5 minutes). */
  maxTime?: string | number;
  /** The first load: requests/s (http, stress) or runs (sdk); default 20/s or 2 runs. */
  startLoad?: number;
  /** Never offer more than this. */
  maxLoad?: number;
  /** Stop bisecting when the bracket is narrower than this share of the figure (default 0.03). */
  resolution?: number;
  /** Gate: exit 1 when the figure is below this (a floor below it too). */
  expectCapacity?: number;
}

export interface CapacityOutcome {
  report: CapacityReport;
  scenario: string;
  seed: number;
  exitCode: ExitCode;
  /** Why the exit code is not 0, one sentence each. */
  reasons: string[];
  files: string[];
}

export const DEFAULT_MAX_TIME_S = 300;
/** Half a step at least, s: SDK runs log in, create their run and start syncing within ~2 s. */
const MIN_HALF_S = { http: 3, sdk: 5 } as const;
/** Half a step at most on its first run, and on a rerun (a marginal step gets more samples). */
const FIRST_HALF_MAX_S = 5;
const MAX_HALF_S = 15;
/** A step's start and stop beyond its length, first guess (the search learns the real one). */
const OVERHEAD_S = 2;

export async function runCapacity(options: CapacityOptions): Promise<CapacityOutcome> {
  const log = options.log ?? (() => undefined);
  if (options.scaleOut?.shard !== undefined || options.scaleOut?.shards !== undefined) {
    throw new SimUsageError('mlop-sim capacity runs each step on one machine: drop --shard / --shards (--workers N applies; docs/cli.md "`capacity`").');
  }
  const workers = resolveWorkers(options.scaleOut?.workers);
  const scenario = await resolveScenario(options.scenario ?? 'sdk');
  const sdk = usesSdk(scenario);
  // Checked with a step's kind of load, so the open model's own flags (--max-users, …) are accepted.
  const plan = resolvePlan({ ...options, ...(sdk ? { users: 1 } : { arrivalRate: '1/s' }), runTime: 10 });
  const maxTimeS = options.maxTime === undefined ? DEFAULT_MAX_TIME_S : parseDuration(options.maxTime, '--max-time');
  const unit = sdk ? 'runs' : 'requests/s';
  const judged = judgedEntries(scenario);
  const specs = capacitySpecs(options.slos ?? [], judged, plan);
  if (!plan.clickhouse && specs.some((s) => s.entry === VISIBLE_ENTRY_NAME)) {
    throw new SimUsageError(`the SLO "${specs.find((s) => s.entry === VISIBLE_ENTRY_NAME)!.expression}" needs --clickhouse-url: time to visible is measured in ClickHouse.`);
  }
  const minHalf = sdk ? MIN_HALF_S.sdk : MIN_HALF_S.http;
  const shortest = 2 * minHalf + OVERHEAD_S;
  if (!(maxTimeS >= shortest)) throw new SimUsageError(`--max-time ${maxTimeS} s is shorter than one step (at least ${shortest} s).`);
  for (const [flag, v] of [['--start-load', options.startLoad], ['--max-load', options.maxLoad], ['--expect-capacity', options.expectCapacity]] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new SimUsageError(`${flag} must be a number above 0, got ${v}.`);
  }
  if (options.resolution !== undefined && !(options.resolution > 0 && options.resolution < 1)) {
    throw new SimUsageError(`--resolution must be a share between 0 and 1 (e.g. 0.03), got ${options.resolution}.`);
  }
  const needed = samplesNeeded(specs);

  let embedded: EmbeddedTarget | undefined;
  const control = new TargetControl();
  try {
    if (!plan.host) {
      embedded = await startEmbeddedTarget(plan.embeddedServer, plan.seed, plan.clickhouse);
      log(`embedded reference server at ${embedded.url}${plan.embeddedServer.capacityRps ? ` (capacity ${plan.embeddedServer.capacityRps} requests/s)` : ''}`);
    }
    const ingestUrl = plan.host ?? embedded!.url;
    if (workers > 1) log(`each step runs on ${workers} worker processes; its window is read from their merged per-second digests${sdk ? ', the runs\' queues from their readings' : ''}; each worker watches its own generator's saturation`);
    const base: SimulationOptions = {
      ...options, host: ingestUrl, key: plan.key ?? embedded?.key, seed: plan.seed, scaleOut: undefined, log: undefined,
      users: undefined, arrivalRate: undefined, runTime: undefined, auditStorage: false,
    };
    // Samples of the judged entry per unit of load per second: 1 per request; learned for SDK runs.
    let perLoad = sdk ? 3 : 1;
    // A first run is short (a step far from the limits needs no more); a marginal one is rerun
    // with enough samples for the SLO's quantile (samplesNeeded), twice the first length at least.
    const lengthFor = (load: number, rerun: boolean): number => {
      const forSamples = Math.ceil(needed / Math.max(1e-9, perLoad * load));
      const half = rerun ? Math.min(MAX_HALF_S, Math.max(2 * minHalf, forSamples)) : Math.min(Math.max(FIRST_HALF_MAX_S, minHalf), Math.max(minHalf, forSamples));
      return 2 * half;
    };
    const started = Date.now();
    const search = await searchCapacity(
      (load, lengthS) => runCapacityStep({ base, sdk, specs, judged, samplesNeeded: needed, control, ingestUrl, workers, signal: options.signal }, load, lengthS),
      {
        start: options.startLoad ?? (sdk ? 2 : 20), integer: true, maxLoad: options.maxLoad, resolution: options.resolution, maxTimeS,
        now: () => (Date.now() - started) / 1000, lengthFor, overheadS: OVERHEAD_S, keepUpCause: sdk ? 'backlog' : 'throughput',
        onStep: (s) => {
          if (s.index === 1) assertEntriesExist(s.slos);
          if (sdk && s.samples > 0) perLoad = s.samples / s.windowS / s.offered;
          log(`step ${s.index} (${s.phase}): ${s.offered} ${unit} for ${s.lengthS} s → achieved ${s.achieved} (${(s.keepUp * 100).toFixed(1)} %), p95 ${s.p95Ms} ms, p99 ${s.p99Ms} ms: ${s.verdict.toUpperCase()}${s.marginal ? ' (marginal)' : ''}${s.reasons.length ? ` — ${s.reasons.join('; ')}` : ''}`);
        },
      },
    );
    const report: CapacityReport = { unit, ...search, summary: '', slos: specs.map((s) => s.expression) };
    report.summary = capacitySummary(report);
    const reasons: string[] = [];
    if (report.kind === 'below-lowest') reasons.push(report.summary);
    if (options.expectCapacity !== undefined && report.figure < options.expectCapacity) {
      reasons.push(`the capacity found (${report.kind === 'floor' ? 'at least ' : ''}${report.figure} ${unit}) is below --expect-capacity ${options.expectCapacity}.`);
    }
    const interrupted = options.signal?.aborted === true;
    const exitCode = interrupted ? EXIT_CODES.interrupted : reasons.length > 0 ? EXIT_CODES.failed : EXIT_CODES.pass;
    // The stress scenario's assessment (its seed summary) comes from the step at the figure.
    const atFigure = [...report.steps].reverse().find((s) => s.verdict === 'pass' && s.offered === report.figure);
    const stress = scenario.capacityAssessment ? { assessment: report.kind === 'below-lowest' || !atFigure ? 'overloaded' : assessCapacity(atFigure.errorRate) } : undefined;
    const files = await writeCapacityFiles(report, { reportDir: plan.outputs.reportDir, html: options.html, scenario: scenario.name, seed: plan.seed, exitCode, reasons, stress });
    return { report, scenario: scenario.name, seed: plan.seed, exitCode, reasons, files };
  } finally {
    await embedded?.stop();
  }
}

/** An SLO on an entry that was never recorded cannot be judged: exit 2 after the first step. */
function assertEntriesExist(slos: { expression: string; entry: string; note?: string }[]): void {
  const missing = slos.find((s) => s.note?.startsWith('no entry named'));
  if (missing) {
    throw new SimUsageError(`the SLO "${missing.expression}" names no entry of this scenario ("${missing.entry}" was not recorded); use e2e, agg, sdk_http, corrected or an entry name from the report.`);
  }
}
