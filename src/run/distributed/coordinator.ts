/**
 * `--workers N`: one machine's cores. The coordinator resolves the plan once, starts the embedded
 * target once (or checks the given one), forks N worker processes that each run their segment
 * (worker-main.ts), merges their stats every second for the live line and the streaming outputs
 * (--out) and everything at the end, audits all their runs in one read of the stored rows (and
 * with --clickhouse-url in ClickHouse; the workers probe time to visible), and judges and writes
 * the reports once. Ctrl+C stops every worker and the reports are still written; a worker that
 * dies is reported (exit code, reason) and what it sent until then is kept, its SDK runs too.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import { SimUsageError } from '../../core/errors.js';
import type { Segment } from '../../executor/segment.js';
import { sdkProject, usesSdk } from '../../load/scenario.js';
import { resolveScenario } from '../../load/scenario-resolve.js';
import { isHttpEntry, VISIBLE_ENTRY_NAME } from '../../core/entry-names.js';
import type { DlqHealth, SegmentStatus, SimulationResult, StorageAudit } from '../../metrics/result.js';
import { outputsFor } from '../../output/index.js';
import { linkAbort } from '../abort-link.js';
import { auditRuns } from '../audit.js';
import { readBaseline } from '../baseline-file.js';
import type { EmbeddedTarget } from '../embedded-target.js';
import { thresholdSpecs } from '../judging.js';
import { resolvePlan, type SimulationOptions } from '../plan.js';
import { preflight } from '../preflight.js';
import { openRunStorage, type StorageCheck } from '../storage-check.js';
import { judgedEntries, liveSample } from '../result-builder.js';
import { stopOutputs } from '../runner.js';
import { startSecondTicker, type SecondTicker } from '../second-ticker.js';
import { TargetControl, displayUrl } from '../target-control.js';
import { openTarget } from '../target-session.js';
import { MergedLive } from './merged-live.js';
import { mergeSegments } from './merge.js';
import { loadForScenario } from '../load-plan.js';
import { mergedResult } from './merged-result.js';
import type { SegmentResult } from './segment-result.js';
import { mergeVisibility } from './visibility-merge.js';
import { subSegment } from './segment-of.js';
import { WorkerHandle } from './worker-handle.js';
import type { WorkerOptions } from './worker-protocol.js';

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

export interface WorkersRun {
  result: SimulationResult;
  /** The merged result of this run's segment (what a shard writes to its file). */
  merged: SegmentResult;
}

export async function runWorkers(options: SimulationOptions, workers: number): Promise<WorkersRun> {
  const cpu0 = process.cpuUsage();
  const plan = resolvePlan(options);
  if (typeof plan.scenarioRef !== 'string') {
    throw new SimUsageError('--workers needs the scenario as a name or a file path: a scenario object cannot be sent to another process.');
  }
  const log = options.log ?? (() => undefined);
  const resolved = await resolveScenario(plan.scenarioRef);
  const scenario = plan.wait ? { ...resolved, wait: plan.wait } : resolved;
  plan.load = loadForScenario(plan, scenario); // the whole plan's load, for the merged result
  const judged = judgedEntries(scenario);
  const specs = thresholdSpecs({ expressions: plan.thresholds, env: plan.env, overrides: plan.overrides }, judged);
  const baseline = plan.baseline ? await readBaseline(plan.baseline) : undefined;
  const outputs = outputsFor(plan.outputs, { log });
  for (const output of outputs) await output.prepare?.();

  const abort = new AbortController();
  const unhook = linkAbort(abort, options.signal, options.handleSignals === true);
  const control = new TargetControl();
  const dispatcher = new Agent({ connections: 4 });
  const handles: WorkerHandle[] = [];
  let storage: StorageCheck | undefined;
  let ticker: SecondTicker | undefined;
  let embedded: EmbeddedTarget | undefined;
  try {
    const project = sdkProject(scenario);
    const withSdk = usesSdk(scenario);
    // As in a single run. The workers probe time to visible; the coordinator audits every run's rows.
    storage = await openRunStorage(plan.clickhouse, scenario, !plan.host, log);
    const opened = await openTarget(plan, log);
    embedded = opened.embedded;
    const { ingestUrl, apiUrl, key } = opened;
    const scrub = (s: string): string => (key.length >= 6 ? s.split(key).join('***') : s);
    await preflight(control, { ingestUrl, apiUrl, key, shutdownTimeoutS: plan.shutdownTimeoutS, dispatcher }, project, withSdk);
    const isReference = await control.isReferenceServer(ingestUrl);
    const dlqStart = await control.readDlq(ingestUrl);

    const workerOptions: WorkerOptions = {
      ...jsonSafe(options),
      host: ingestUrl, apiUrl, key, seed: plan.seed,
      // The coordinator writes every report and stream (--out) from the merged stats, and has checked the target.
      reportDir: false, csv: undefined, html: undefined, junit: undefined, baseline: undefined, out: undefined,
      handleSignals: false, auditStorage: false, targetChecked: true, generatorHealth: false,
      // Each worker probes its own users' records at its share of the rate.
      clickhouse: plan.clickhouse && {
        url: plan.clickhouse.url, user: plan.clickhouse.username, password: plan.clickhouse.password, database: plan.clickhouse.database,
        settleTimeout: plan.clickhouse.settleTimeoutS, probeRate: plan.clickhouse.probeRate / workers, probeBudget: plan.clickhouse.probeBudget,
      },
    };
    for (let w = 0; w < workers; w++) handles.push(new WorkerHandle(subSegment(plan.segment, w, workers)));
    handles.forEach((h) => log(`worker ${h.segment.index} of ${h.segment.count} started (pid ${h.pid})`));
    await Promise.all(handles.map((h) => Promise.race([h.booted.then(() => h.prepare(workerOptions)), h.exited])));
    await allReady(handles, abort.signal);
    const refused = handles.find((h) => h.failure !== undefined);
    if (refused?.failure) throw Object.assign(new Error(scrub(refused.failure.message)), { exitCode: refused.failure.exitCode });

    const startAtMs = Math.max(Date.now() + START_LEAD_MS, Number(options.startAt ?? 0));
    for (const h of handles) h.send({ type: 'start', startAtMs });
    const onAbort = (): void => handles.forEach((h) => h.send({ type: 'stop' }));
    abort.signal.addEventListener('abort', onAbort, { once: true });
    if (abort.signal.aborted) onAbort();
    log(`${scenario.name} scenario, ${workers} worker processes against ${displayUrl(ingestUrl)}` +
      `${embedded ? ' (embedded)' : isReference ? ' (reference server)' : ''}, seed ${plan.seed}`);
    const startedAt = new Date(startAtMs);
    const view = new MergedLive(handles, startAtMs);
    for (const output of outputs) output.start?.(() => liveSample(view.recent(), judged, view.users(), Math.max(0, Date.now() - startAtMs) / 1000));
    // The streaming outputs get the single run's per-second rows, from the merged reports.
    ticker = startSecondTicker(outputs, {
      recorder: view, users: () => view.users(), droppedIterations: () => view.droppedIterations(),
      t0: performance.now() + (startAtMs - Date.now()), firstT: Math.floor(startAtMs / 1000),
      saturation: () => view.saturation(), completeUpTo: () => view.completeUpTo(),
    });
    await Promise.all(handles.map((h) => h.exited));
    ticker?.stop();
    for (const output of outputs) output.end?.();

    const parts = handles.map((h) => h.result ?? partial(h, startAtMs));
    const merged = mergeSegments(parts, workers);
    // (the workers' probes saw their last samples before they ended; the audit's flush comes after)
    const audit = merged.runs.length > 0 ? await auditRuns(merged.runs, project, control, ingestUrl, isReference) : undefined;
    let storageAudit: StorageAudit | undefined;
    if (storage && merged.runs.length > 0) {
      log(`counting stored rows in ClickHouse once the flush window has passed (at most ${plan.clickhouse!.settleTimeoutS} s)`);
      storageAudit = await storage.auditDeliveries(merged.runs, abort.signal);
    }
    const visibility = mergeVisibility(
      parts.flatMap((p) => (p.visibility ? [p.visibility] : [])),
      merged.recorder.count(isHttpEntry),
      merged.recorder.summary(VISIBLE_ENTRY_NAME, 1)?.percentiles.p50 ?? 0,
    );
    const dlqEnd: DlqHealth | undefined = await control.readDlq(ingestUrl);
    const statuses: SegmentStatus[] = handles.map((h) => ({
      index: h.segment.index,
      complete: h.result !== undefined,
      exitCode: h.end?.code ?? null,
      signal: h.end?.signal ?? null,
      ...(h.problem(scrub) ? { reason: h.problem(scrub) } : {}),
      ...(!h.result && h.runs.size > 0 ? { sdkRuns: h.runs.size, unaccountedRecords: [...h.runs.values()].reduce((n, r) => n + r.pending, 0) } : {}),
      ...(h.cpuS !== undefined ? { cpuS: h.cpuS } : {}),
      ...(h.heap ? { heapBaseMB: h.heap.baseMB, heapPeakMB: h.heap.peakMB, heapAfterGc: h.heap.afterGc } : {}),
    }));
    for (const s of statuses) if (!s.complete) log(`worker ${s.index} of ${workers}: ${s.reason}`);
    const result = mergedResult({
      merged, scenario, judged, specs, baseline, baselineFile: plan.baseline, audit, storage: storageAudit, visibility, plan,
      startedAt, target: { ingestUrl: displayUrl(ingestUrl), apiUrl: displayUrl(apiUrl), embedded: embedded !== undefined },
      dlq: { start: dlqStart, end: dlqEnd },
      interrupted: abort.signal.aborted || merged.interrupted,
      scaleOut: { mode: 'workers', segments: workers, parts: statuses },
    });
    const cpu = process.cpuUsage(cpu0);
    if (result.scaleOut) result.scaleOut.coordinatorCpuS = (cpu.user + cpu.system) / 1e6;
    for (const file of await stopOutputs(outputs, result)) log(`wrote ${file}`);
    const segmentResult: SegmentResult = {
      segment: plan.segment, startedAtMs: merged.startedAtMs, durationS: merged.durationS, interrupted: result.interrupted,
      stats: merged.recorder.snapshot(), runs: audit?.runs ?? [], storageChecked: audit?.storageChecked ?? false,
      ...(audit ? { storage: audit.storage } : {}), ...(audit?.storageProblem ? { storageProblem: audit.storageProblem } : {}),
      ...(visibility ? { visibility } : {}), ...(storageAudit ? { clickhouse: storageAudit } : {}),
    };
    return { result, merged: segmentResult };
  } finally {
    ticker?.stop();
    for (const output of outputs) output.end?.();
    unhook();
    for (const h of handles) h.kill();
    await dispatcher.destroy().catch(() => undefined);
    await control.close();
    await storage?.close();
    if (embedded) await embedded.stop();
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

export type { Segment };
