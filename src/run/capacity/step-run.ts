/**
 * One step of a capacity search, run with runSimulation() so the run flags apply (target, key,
 * scenario, ClickHouse): an arrival rate of `load` iterations/s (http, stress, raw-HTTP files) or
 * `load` concurrent SDK runs for `lengthS`, judged over its second half only. At half time the
 * step's statistics start afresh (the recorder's reset, as --reset-stats); just before the end the
 * window is read: the SLOs on the judged entries, how much of the offered load completed, and the
 * target's dead-letter queue at both ends. Under --workers the step is measured by
 * step-on-workers.ts and judged here the same way.
 */
import { AGGREGATED, ITERATION_ACTUAL_NAME, isHttpEntry } from '../../core/entry-names.js';
import { keptUpShare, queueTrend, type QueueSample } from '../../executor/capacity/queue-trend.js';
import type { StepMeasure } from '../../executor/capacity/step-verdict.js';
import type { SdkRun } from '../../load/sdk-session.js';
import { Recorder } from '../../metrics/recorder.js';
import type { SimulationResult } from '../../metrics/result.js';
import { evaluateThresholds, type ThresholdSpec } from '../../metrics/thresholds.js';
import type { SimulationOptions } from '../plan.js';
import { runSimulation } from '../runner.js';
import type { TargetControl } from '../target-control.js';
import { QUEUE_READING_MS } from '../distributed/worker-protocol.js';
import { measureOnWorkers } from './step-on-workers.js';
import { READ_BEFORE_END_MS, secondsWithin, sleep, stepRows, visibilityLagIn, type StepWindow as Window } from './step-window.js';

export interface StepContext {
  /** The run's options with the target resolved (host and key); the step sets the load. */
  base: SimulationOptions;
  sdk: boolean;
  specs: readonly ThresholdSpec[];
  judged: readonly string[];
  /** Samples of the judged entry the SLO's quantile needs (docs/cli.md "`capacity`"). */
  samplesNeeded: number;
  control: TargetControl;
  /** Worker processes per step (--workers; 1 = this process). */
  workers: number;
  ingestUrl: string;
  signal?: AbortSignal;
}

/** How often the SDK runs' queues are sampled in the window (a --workers worker reads its own as often). */
const QUEUE_SAMPLE_MS = QUEUE_READING_MS;
/** Budget for a step's users to stop and its runs to finish (the next step must not wait 30 s). */
const STEP_SHUTDOWN_S = 5;

export async function runCapacityStep(outer: StepContext, load: number, lengthS: number): Promise<StepMeasure> {
  // Each step gets its own signal, linked to the search's: the listeners a run adds go with it.
  const step = new AbortController();
  const forward = (): void => step.abort();
  outer.signal?.addEventListener('abort', forward, { once: true });
  try {
    return await measureStep({ ...outer, signal: step.signal }, load, lengthS);
  } finally {
    outer.signal?.removeEventListener('abort', forward);
  }
}

async function measureStep(ctx: StepContext, load: number, lengthS: number): Promise<StepMeasure> {
  const loadOptions: SimulationOptions = ctx.sdk
    ? { users: load, runTime: lengthS }
    : { arrivalRate: `${load}/s`, runTime: lengthS };
  const options: SimulationOptions = {
    ...ctx.base,
    ...loadOptions,
    stages: undefined, reportDir: false, csv: undefined, html: undefined, junit: undefined, out: undefined,
    baseline: undefined, console: false, thresholds: [], resetStats: false, fullHistory: false,
    shutdownTimeout: STEP_SHUTDOWN_S, signal: ctx.signal, handleSignals: false,
  };
  const { result, w } = ctx.workers > 1 ? await measureOnWorkers(ctx, options, lengthS) : await measureInProcess(ctx, options, lengthS);
  const rows = w.rows;
  const judged = rows.get(ctx.judged[0]);
  const windowRate = (name: string): number => (rows.get(name)?.count ?? 0) / w.windowS;
  const ingest = [...rows.values()].filter((s) => isHttpEntry(s.name) && /\/ingest\/|\/files$|\/step$/.test(s.route));
  let keepUp: number;
  if (ctx.sdk) {
    keepUp = w.keptUp ?? 0;
  } else {
    // Completed iterations (each one request in the built-in scenarios) against those due.
    const completed = rows.has(ITERATION_ACTUAL_NAME) ? windowRate(ITERATION_ACTUAL_NAME) : windowRate(AGGREGATED);
    keepUp = completed / load;
  }
  keepUp = Math.min(1, Math.max(0, keepUp));
  const slos = evaluateThresholds(ctx.specs, (name) => rows.get(name));
  return {
    offered: load,
    achieved: round(load * keepUp, 2),
    keepUp: round(keepUp, 4),
    requestsPerS: round(windowRate(AGGREGATED), 1),
    ingestRequestsPerS: round(ingest.reduce((n, s) => n + s.count, 0) / w.windowS, 1),
    lengthS,
    windowS: round(w.windowS, 2),
    samples: judged?.count ?? 0,
    samplesNeeded: ctx.samplesNeeded,
    p50Ms: round(judged?.percentiles.p50 ?? 0, 2),
    p95Ms: round(judged?.percentiles.p95 ?? 0, 2),
    p99Ms: round(judged?.percentiles.p99 ?? 0, 2),
    p999Ms: round(judged?.percentiles['p99.9'] ?? 0, 2),
    maxMs: round(judged?.maxMs ?? 0, 2),
    errorRate: judged && judged.count > 0 ? round(judged.failures / judged.count, 5) : 0,
    dlqGrowth: w.dlqGrowth,
    ...(w.lag ? { visibilityLag: { levelMs: round(w.lag.levelMs, 1), growthMs: round(w.lag.growthMs, 1), slopeMsPerS: round(w.lag.slopeMsPerS, 2), grew: w.lag.grew } } : {}),
    // One process: its own monitor; --workers: any worker's (each watches its own, step-on-workers.ts).
    generatorSaturated: w.generatorSaturated ?? result.generator?.saturated === true,
    slos,
  };
}

/** One process: the statistics start afresh at half time (the recorder's reset) and are read just before the end. */
async function measureInProcess(ctx: StepContext, options: SimulationOptions, lengthS: number): Promise<{ result: SimulationResult; w: Window }> {
  const runs: SdkRun[] = [];
  let recorder: Recorder | undefined;
  let window: Promise<Window> | undefined;
  const result = await runSimulation({
    ...options,
    onSdkRun: (run) => runs.push(run),
    onRecorder: (r) => {
      recorder = r;
      window = readWindow(ctx, r, runs, lengthS);
    },
  });
  if (!recorder || !window) throw new Error('the step ended before its load started');
  const w = await window;
  // The lag's trend from the per-second digests recorded since the reset (the probe reports after the run's end too).
  if (w.fromMs !== undefined) {
    const lag = visibilityLagIn(recorder, secondsWithin(w.fromMs, w.fromMs + w.windowS * 1000));
    if (lag) w.lag = lag;
  }
  return { result, w };
}

/** Resets the statistics at half time and reads them just before the end. */
async function readWindow(ctx: StepContext, recorder: Recorder, runs: readonly SdkRun[], lengthS: number): Promise<Window> {
  const halfMs = (lengthS * 1000) / 2;
  await sleep(halfMs, ctx.signal);
  recorder.reset();
  const from = performance.now();
  const fromMs = Date.now();
  const dlqAtStart = ctx.control.readDlq(ctx.ingestUrl);
  const queue = ctx.sdk ? sampleQueues(runs, from) : undefined;
  await sleep(Math.max(0, halfMs - READ_BEFORE_END_MS), ctx.signal);
  const windowS = (performance.now() - from) / 1000;
  const rows = stepRows(recorder.summaries(windowS), (label, select) => recorder.group(label, select, windowS), ctx.sdk);
  const w: Window = { rows, windowS, fromMs };
  if (queue) {
    const { samples, logged } = queue.stop();
    w.keptUp = keptUpShare(queueTrend(samples), logged / windowS);
  }
  const [a, b] = await Promise.all([dlqAtStart, ctx.control.readDlq(ctx.ingestUrl)]);
  if (a && b) w.dlqGrowth = Math.max(0, b.batches_pending - a.batches_pending);
  return w;
}

/** Samples the runs' pending records every QUEUE_SAMPLE_MS; stop() gives the samples and the records logged meanwhile. */
function sampleQueues(runs: readonly SdkRun[], from: number): { stop(): { samples: QueueSample[]; logged: number } } {
  const samples: QueueSample[] = [];
  const total = (): { pending: number; logged: number } => {
    let pending = 0, logged = 0;
    for (const r of runs) {
      const d = r.delivery();
      pending += d.pending;
      logged += d.logged;
    }
    return { pending, logged };
  };
  const first = total();
  const take = (): void => void samples.push({ t: (performance.now() - from) / 1000, pending: total().pending });
  take();
  const timer = setInterval(take, QUEUE_SAMPLE_MS);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return { samples, logged: total().logged - first.logged };
    },
  };
}


const round = (x: number, digits: number): number => Number(x.toFixed(digits));
