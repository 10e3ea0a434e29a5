/**
 * The fleet driver (`--workers N`): the session of the coordinator. The session has resolved the
 * plan and opened the target once; this driver forks N worker processes that each run their
 * segment (worker-main.ts) against that target, merges their stats every second for the live
 * line and the streaming outputs (--out) and everything at the end. Ctrl+C stops every worker
 * and the reports are still written; a worker that dies is reported (exit code, reason) and what
 * it sent until then is kept, its SDK runs too.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { SimUsageError } from '../../core/errors.js';
import { isHttpEntry, VISIBLE_ENTRY_NAME } from '../../core/entry-names.js';
import { describeLoad } from '../../executor/registry.js';
import type { SegmentStatus, SimulationResult } from '../../metrics/result.js';
import { defineRun } from '../definition.js';
import type { SimulationOptions } from '../plan.js';
import { liveSample } from '../judging/result-builder.js';
import { runSession, type DriveContext, type Driven, type RunDriver } from '../session.js';
import { displayUrl } from '../target-control.js';
import { MergedLive } from './merged-live.js';
import { mergeSegments, type MergedSegments } from './merge.js';
import type { SegmentResult } from './segment-result.js';
import { segmentResultOf } from './segment-result-of.js';
import { mergeVisibility } from './visibility-merge.js';
import { subSegment } from './segment-of.js';
import { WorkerHandle } from './worker-handle.js';
import type { QueueReading, WorkerOptions } from './worker-protocol.js';

/** Time the workers get between the start message and the common start (their target checks). */
const START_LEAD_MS = 300;
/** How long a worker may take to load the scenario before the run gives up. */
const READY_TIMEOUT_MS = 60_000;

/**
 * `--workers`: a whole number ≥ 1, or `auto` = cores − 1 (one left for the embedded server or the
 * OS), at least 1. In a container the cores are its CPU limit (cgroup v2 cpu.max), not the node's.
 */
export function resolveWorkers(w: number | string | undefined): number {
  if (w === undefined) return 1;
  if (w === 'auto') return Math.max(1, Math.min(availableParallelism(), cgroupCpuLimit() ?? Infinity) - 1);
  const n = typeof w === 'number' ? w : Number(w);
  if (!Number.isInteger(n) || n < 1) throw new SimUsageError(`--workers must be a whole number of at least 1 or "auto", got ${w}.`);
  return n;
}

export interface FleetDriver extends RunDriver {
  /** The merged result of this run's segment (what a shard writes to its file), once finished. */
  segmentResult(result: SimulationResult): SegmentResult;
  /** Each worker's SDK queue readings (QueueReading), in segment order, once finished. */
  queues(): QueueReading[][];
}

export function fleetDriver(options: SimulationOptions, workers: number): FleetDriver {
  const cpu0 = process.cpuUsage();
  let merged: MergedSegments | undefined;
  let queues: QueueReading[][] = [];
  let segment = options.segment ?? { index: 0, count: 1 };
  return {
    sendsLoad: true,
    async define(o) {
      if (o.scenario !== undefined && typeof o.scenario !== 'string') {
        throw new SimUsageError('--workers needs the scenario as a name or a file path: a scenario object cannot be sent to another process.');
      }
      const def = await defineRun(o);
      if (def.plan.duet) throw new SimUsageError('a duet run drives both targets from one process: --workers does not apply to it.');
      segment = def.plan.segment;
      return def;
    },
    async drive(ctx) {
      const driven = await driveFleet(options, workers, ctx);
      merged = driven.merged;
      queues = driven.queues;
      return driven.driven;
    },
    finished(result) {
      const cpu = process.cpuUsage(cpu0);
      if (result.scaleOut) result.scaleOut.coordinatorCpuS = (cpu.user + cpu.system) / 1e6;
    },
    segmentResult(result) {
      if (!merged) throw new Error('the fleet has not run');
      return { ...segmentResultOf(segment, merged.recorder, result), startedAtMs: merged.startedAtMs, durationS: merged.durationS };
    },
    queues: () => queues,
  };
}

async function driveFleet(options: SimulationOptions, workers: number, ctx: DriveContext): Promise<{ driven: Driven; merged: MergedSegments; queues: QueueReading[][] }> {
  const { def: { plan, scenario, judged }, log, signal } = ctx;
  const target = ctx.target!;
  const { ingestUrl, apiUrl, key } = target;
  const scrub = (s: string): string => (key.length >= 6 ? s.split(key).join('***') : s);
  const workerOptions: WorkerOptions = {
    ...jsonSafe(options),
    host: ingestUrl, apiUrl, key, seed: plan.seed,
    // The load as resolved here: a worker runs its segment of it.
    plannedLoad: plan.load,
    // The coordinator writes every report and stream (--out) from the merged stats, and has checked the target.
    reportDir: false, csv: undefined, html: undefined, junit: undefined, baseline: undefined, out: undefined, web: undefined,
    // The generator's health only when the caller asks for it (`mlop-sim capacity`): each worker
    // then watches its own and its status says whether it saturated (docs/architecture.md).
    handleSignals: false, auditStorage: false, targetChecked: true, generatorHealth: options.generatorHealth === true,
    // Each worker probes its own users' records at its share of the rate.
    clickhouse: plan.clickhouse && {
      url: plan.clickhouse.url, user: plan.clickhouse.username, password: plan.clickhouse.password, database: plan.clickhouse.database,
      settleTimeout: plan.clickhouse.settleTimeoutS, probeRate: plan.clickhouse.probeRate / workers, probeBudget: plan.clickhouse.probeBudget,
    },
  };
  const handles: WorkerHandle[] = [];
  try {
    for (let w = 0; w < workers; w++) handles.push(new WorkerHandle(subSegment(plan.segment, w, workers)));
    handles.forEach((h) => log(`worker ${h.segment.index} of ${h.segment.count} started (pid ${h.pid})`));
    await Promise.all(handles.map((h) => Promise.race([h.booted.then(() => h.prepare(workerOptions)), h.exited])));
    await allReady(handles, signal);
    const refused = handles.find((h) => h.failure !== undefined);
    if (refused?.failure) throw Object.assign(new Error(scrub(refused.failure.message)), { exitCode: refused.failure.exitCode });

    const startAtMs = Math.max(Date.now() + START_LEAD_MS, Number(options.startAt ?? 0));
    for (const h of handles) h.send({ type: 'start', startAtMs });
    const onAbort = (): void => handles.forEach((h) => h.send({ type: 'stop' }));
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    log(`${scenario.name} scenario, ${workers} worker processes against ${displayUrl(ingestUrl)}` +
      `${target.embedded ? ' (embedded)' : target.isReference ? ' (reference server)' : ''}, seed ${plan.seed}`);
    const startedAt = new Date(startAtMs);
    const view = new MergedLive(handles, startAtMs);
    // The streaming outputs get the single run's per-second rows, from the merged reports.
    ctx.startLive(
      () => liveSample(view.recent(), judged, view.users(), Math.max(0, Date.now() - startAtMs) / 1000),
      {
        recorder: view, users: () => view.users(), droppedIterations: () => view.droppedIterations(),
        t0: performance.now() + (startAtMs - Date.now()), firstT: Math.floor(startAtMs / 1000),
        saturation: () => view.saturation(), completeUpTo: () => view.completeUpTo(),
      },
      // --web: the page shows the workers' reports merged; from here it can stop the run, nothing more.
      {
        stats: () => mergeSegments(handles.map((h) => h.result ?? partial(h, startAtMs)), workers).recorder, activeUsers: () => view.users(),
        startedAt, t0: performance.now() + (startAtMs - Date.now()), loadDescription: describeLoad(plan.load),
        refusal: 'under --workers the page can stop the run; the load and the statistics live in the worker processes and do not change from here',
        runs: () => handles.flatMap((h) => [...h.runs.values()]),
      },
    );
    await Promise.all(handles.map((h) => h.exited));
    ctx.endLive();

    const parts = handles.map((h) => h.result ?? partial(h, startAtMs));
    const merged = mergeSegments(parts, workers);
    // (the workers' probes saw their last samples before they ended; the audit's flush comes after)
    const visibility = mergeVisibility(
      parts.flatMap((p) => (p.visibility ? [p.visibility] : [])),
      merged.recorder.count(isHttpEntry),
      merged.recorder.summary(VISIBLE_ENTRY_NAME, 1)?.percentiles.p50 ?? 0,
    );
    const statuses: SegmentStatus[] = handles.map((h) => ({
      index: h.segment.index,
      complete: h.result !== undefined,
      exitCode: h.end?.code ?? null,
      signal: h.end?.signal ?? null,
      ...(h.problem(scrub) ? { reason: h.problem(scrub) } : {}),
      ...(!h.result && h.runs.size > 0 ? { sdkRuns: h.runs.size, unaccountedRecords: [...h.runs.values()].reduce((n, r) => n + r.pending, 0) } : {}),
      ...(h.cpuS !== undefined ? { cpuS: h.cpuS } : {}),
      ...(h.heap ? { heapBaseMB: h.heap.baseMB, heapPeakMB: h.heap.peakMB, heapAfterGc: h.heap.afterGc } : {}),
      ...(h.result?.generator ? { generatorSaturated: h.result.generator.saturated, ...(h.result.generator.warning ? { generatorWarning: h.result.generator.warning } : {}) } : {}),
    }));
    for (const s of statuses) if (!s.complete) log(`worker ${s.index} of ${workers}: ${s.reason}`);
    const endedAt = new Date(Math.max(merged.endedAtMs, startedAt.getTime()));
    return {
      merged,
      queues: handles.map((h) => h.queue),
      driven: {
        stats: merged.recorder, startedAt, endedAt, durationS: (endedAt.getTime() - startedAt.getTime()) / 1000,
        interrupted: signal.aborted || merged.interrupted, loadDescription: describeLoad(plan.load),
        runs: merged.runs, visibility, scaleOut: { mode: 'workers', segments: workers, parts: statuses },
      },
    };
  } finally {
    for (const h of handles) h.kill();
  }
}

/** The CPU limit of this container in whole cores (cgroup v2 `cpu.max`: quota period), if any. */
function cgroupCpuLimit(): number | undefined {
  try {
    const [quota, period] = readFileSync('/sys/fs/cgroup/cpu.max', 'utf8').trim().split(/\s+/);
    if (quota === 'max') return undefined;
    const cores = Math.ceil(Number(quota) / Number(period));
    return Number.isFinite(cores) && cores >= 1 ? cores : undefined;
  } catch {
    return undefined;
  }
}

/** Waits until every worker has loaded the scenario, failed, or exited. */
async function allReady(handles: readonly WorkerHandle[], signal: AbortSignal): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), READY_TIMEOUT_MS)));
  const aborted = new Promise<'aborted'>((resolve) => signal.addEventListener('abort', () => resolve('aborted'), { once: true }));
  const all = Promise.all(handles.map((h) => Promise.race([h.ready, h.exited]))).then(() => 'ready' as const);
  const how = await Promise.race([all, timeout, aborted]);
  clearTimeout(timer);
  if (how === 'timeout') throw new Error(`the worker processes were not ready within ${READY_TIMEOUT_MS / 1000} s`);
}

/** What a worker that did not deliver its result sent until it stopped. */
function partial(h: WorkerHandle, startAtMs: number): SegmentResult {
  const stats = h.live.snapshot();
  const lastT = Math.max(0, ...stats.entries.flatMap((e) => e.series.map((b) => b.t)));
  return {
    segment: h.segment,
    startedAtMs: startAtMs,
    durationS: lastT > 0 ? Math.max(0, (lastT + 1) * 1000 - startAtMs) / 1000 : 0,
    // Not an interruption of the run: the status reports the death and fails the run (exit 1).
    interrupted: false,
    stats,
    // Its runs' delivery counts as it last reported them: the audit checks what they had acked
    // and counts what was still pending as unaccounted for.
    runs: [...h.runs.values()],
    storageChecked: false,
  };
}

/** The options without what cannot cross a process boundary (functions, the signal). */
function jsonSafe(o: SimulationOptions): WorkerOptions {
  const { signal: _s, console: _c, log: _l, onRecorder: _r, onSdkRun: _k, ...rest } = o;
  return rest;
}

export interface WorkersRun {
  result: SimulationResult;
  /** The merged result of this run's segment (what a shard writes to its file). */
  merged: SegmentResult;
  /** Each worker's SDK queue readings, in segment order. */
  queues: QueueReading[][];
}

/** A run over `workers` worker processes, through the session's one lifecycle. */
export async function runWorkers(options: SimulationOptions, workers: number): Promise<WorkersRun> {
  const driver = fleetDriver(options, workers);
  const result = await runSession(options, driver);
  return { result, merged: driver.segmentResult(result), queues: driver.queues() };
}
