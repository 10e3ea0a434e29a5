/**
 * One step of a capacity search, run with runSimulation() so the run flags apply (target, key,
 * scenario, ClickHouse): an arrival rate of `load` iterations/s (http, stress, raw-HTTP files) or
 * `load` concurrent SDK runs for `lengthS`, judged over its second half only. At half time the
 * step's statistics start afresh (the recorder's reset, as --reset-stats); just before the end the
 * window is read: the SLOs on the judged entries, how much of the offered load completed, and the
 * target's dead-letter queue at both ends.
 */
import { AGGREGATED, ITERATION_ACTUAL_NAME, isHttpEntry } from '../../core/entry-names.js';
import { keptUpShare, queueTrend, type QueueSample } from '../../executor/capacity/queue-trend.js';
import type { StepMeasure } from '../../executor/capacity/step-verdict.js';
import type { SdkRun } from '../../load/sdk-session.js';
import type { LagTrend } from '../../executor/capacity/lag-trend.js';
import { Recorder } from '../../metrics/recorder.js';
import type { EntrySummary, SimulationResult } from '../../metrics/result.js';
import { evaluateThresholds, type ThresholdSpec } from '../../metrics/thresholds.js';
import type { SimulationOptions } from '../plan.js';
import { runSimulation } from '../runner.js';
import type { TargetControl } from '../target-control.js';
import { runWorkers } from '../distributed/fleet-driver.js';
import { secondsWithin, stepRows, visibilityLagIn, windowRows } from './step-window.js';

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

/** The window is read this long before the step's end, so the users' stop is not in it. */
const READ_BEFORE_END_MS = 100;
/** How often the SDK runs' queues are sampled in the window. */
const QUEUE_SAMPLE_MS = 250;
/** Budget for a step's users to stop and its runs to finish (the next step must not wait 30 s). */
const STEP_SHUTDOWN_S = 5;
/** How often the target's DLQ is read through a --workers step (the window is known only after it). */
const DLQ_SAMPLE_MS = 500;

interface Window {
  rows: Map<string, EntrySummary>;
  windowS: number;
  dlqGrowth?: number;
  /** SDK: the share of the logged records the runs' queues did not pile up (src/executor/capacity/queue-trend.ts). */
  keptUp?: number;
  /** Epoch ms the window began (one process), for the lag's per-second windows. */
  fromMs?: number;
  /** The time-to-visible lag's trend over the window (--clickhouse-url). */
  lag?: LagTrend;
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
    generatorSaturated: result.generator?.saturated === true,
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

/**
 * --workers: the coordinator merges the workers' recorders at the end; the window is read from
 * the merged per-second digests (step-window.ts), the DLQ from samples taken through the step.
 * SDK runs live in the workers, so their queues cannot be sampled here: refused up front.
 */
async function measureOnWorkers(ctx: StepContext, options: SimulationOptions, lengthS: number): Promise<{ result: SimulationResult; w: Window }> {
  const dlq: { atMs: number; pending: number }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling && !ctx.signal?.aborted) {
      const atMs = Date.now();
      const d = await ctx.control.readDlq(ctx.ingestUrl);
      if (d) dlq.push({ atMs, pending: d.batches_pending });
      await sleep(DLQ_SAMPLE_MS, ctx.signal);
    }
  })();
  let run: Awaited<ReturnType<typeof runWorkers>>;
  try {
    run = await runWorkers({ ...options, scaleOut: { workers: ctx.workers } }, ctx.workers);
  } finally {
    sampling = false;
    await sampler;
  }
  const recorder = new Recorder();
  recorder.mergeSnapshot(run.merged.stats);
  const startMs = run.merged.startedAtMs;
  const secs = secondsWithin(startMs + (lengthS * 1000) / 2, startMs + lengthS * 1000 - READ_BEFORE_END_MS);
  const w: Window = { rows: windowRows(recorder, secs, ctx.sdk), windowS: Math.max(1e-9, secs.toSec - secs.fromSec) };
  const first = dlq.find((d) => d.atMs >= secs.fromSec * 1000);
  const last = [...dlq].reverse().find((d) => d.atMs <= secs.toSec * 1000);
  if (first && last && last.atMs >= first.atMs) w.dlqGrowth = Math.max(0, last.pending - first.pending);
  const lag = visibilityLagIn(recorder, secs);
  if (lag) w.lag = lag;
  return { result: run.result, w };
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
