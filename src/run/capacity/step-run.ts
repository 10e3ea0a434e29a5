/**
 * One step of a capacity search, run with runSimulation() so the run flags apply (target, key,
 * scenario, ClickHouse): an arrival rate of `load` iterations/s (http, stress, raw-HTTP files) or
 * `load` concurrent SDK runs for `lengthS`, judged over its second half only. At half time the
 * step's statistics start afresh (the recorder's reset, as --reset-stats); just before the end the
 * window is read: the SLOs on the judged entries, how much of the offered load completed, and the
 * target's dead-letter queue at both ends.
 */
import { AGGREGATED, E2E_ENTRY_NAME, ITERATION_ACTUAL_NAME, ITERATION_DROPPED_NAME, SDK_HTTP_GROUP, isHttpEntry } from '../../core/entry-names.js';
import { keptUpShare, queueTrend, type QueueSample } from '../../executor/capacity/queue-trend.js';
import type { StepMeasure } from '../../executor/capacity/step-verdict.js';
import type { SdkRun } from '../../load/sdk-session.js';
import type { Recorder } from '../../metrics/recorder.js';
import type { EntrySummary } from '../../metrics/result.js';
import { evaluateThresholds, type ThresholdSpec } from '../../metrics/thresholds.js';
import type { SimulationOptions } from '../plan.js';
import { runSimulation } from '../runner.js';
import type { TargetControl } from '../target-control.js';

export interface StepContext {
  /** The run's options with the target resolved (host and key); the step sets the load. */
  base: SimulationOptions;
  sdk: boolean;
  specs: readonly ThresholdSpec[];
  judged: readonly string[];
  /** Samples of the judged entry the SLO's quantile needs (docs/cli.md "`capacity`"). */
  samplesNeeded: number;
  control: TargetControl;
  ingestUrl: string;
  signal?: AbortSignal;
}

/** The window is read this long before the step's end, so the users' stop is not in it. */
const READ_BEFORE_END_MS = 100;
/** How often the SDK runs' queues are sampled in the window. */
const QUEUE_SAMPLE_MS = 250;
/** Budget for a step's users to stop and its runs to finish (the next step must not wait 30 s). */
const STEP_SHUTDOWN_S = 5;

interface Window {
  rows: Map<string, EntrySummary>;
  windowS: number;
  dlqGrowth?: number;
  /** SDK: the share of the logged records the runs' queues did not pile up (src/executor/capacity/queue-trend.ts). */
  keptUp?: number;
}

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
  const runs: SdkRun[] = [];
  let recorder: Recorder | undefined;
  let window: Promise<Window> | undefined;
  const loadOptions: SimulationOptions = ctx.sdk
    ? { users: load, runTime: lengthS }
    : { arrivalRate: `${load}/s`, runTime: lengthS };
  const result = await runSimulation({
    ...ctx.base,
    ...loadOptions,
    stages: undefined, reportDir: false, csv: undefined, html: undefined, junit: undefined, out: undefined,
    baseline: undefined, console: false, thresholds: [], resetStats: false, fullHistory: false,
    shutdownTimeout: STEP_SHUTDOWN_S, signal: ctx.signal, handleSignals: false,
    onSdkRun: (run) => runs.push(run),
    onRecorder: (r) => {
      recorder = r;
      window = readWindow(ctx, r, runs, lengthS);
    },
  });
  if (!recorder || !window) throw new Error('the step ended before its load started');
  const w = await window;
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
    generatorSaturated: result.generator?.saturated === true,
    slos,
  };
}

/** Resets the statistics at half time and reads them just before the end. */
async function readWindow(ctx: StepContext, recorder: Recorder, runs: readonly SdkRun[], lengthS: number): Promise<Window> {
  const halfMs = (lengthS * 1000) / 2;
  await sleep(halfMs, ctx.signal);
  recorder.reset();
  const from = performance.now();
  const dlqAtStart = ctx.control.readDlq(ctx.ingestUrl);
  const queue = ctx.sdk ? sampleQueues(runs, from) : undefined;
  await sleep(Math.max(0, halfMs - READ_BEFORE_END_MS), ctx.signal);
  const windowS = (performance.now() - from) / 1000;
  const rows = new Map(recorder.summaries(windowS).map((s) => [s.name, s]));
  rows.set(AGGREGATED, recorder.group(AGGREGATED, isHttpEntry, windowS));
  if (ctx.sdk) rows.set(SDK_HTTP_GROUP, recorder.group(SDK_HTTP_GROUP, isHttpEntry, windowS));
  if (!rows.has(ITERATION_DROPPED_NAME)) rows.set(ITERATION_DROPPED_NAME, recorder.group(ITERATION_DROPPED_NAME, [], windowS));
  if (!rows.has(E2E_ENTRY_NAME) && ctx.sdk) rows.set(E2E_ENTRY_NAME, recorder.group(E2E_ENTRY_NAME, [], windowS));
  const w: Window = { rows, windowS };
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

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));
