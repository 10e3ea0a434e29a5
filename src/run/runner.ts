/**
 * runSimulation(): resolve the plan, prepare the outputs, start or check the target, let the
 * executor run the users, judge, stop the outputs, return the result (the data of latest.json).
 * Never exits the process; installs signal handlers only when asked.
 */
import type { Agent } from 'undici';
import { realClock } from '../core/clock.js';
import { SimUsageError } from '../core/errors.js';
import { createExecutor, type LoadPlan } from '../executor/registry.js';
import { share, type Segment } from '../executor/segment.js';
import { sdkProject, usesSdk } from '../load/scenario.js';
import { resolveScenario } from '../load/scenario-resolve.js';
import type { SdkRun, SdkTarget } from '../load/sdk-session.js';
import { TaskPicker } from '../load/task-picker.js';
import { loadSdkSession, VirtualUser } from '../load/virtual-user.js';
import { Recorder } from '../metrics/recorder.js';
import type { DlqHealth, SimulationResult, StorageAudit, VisibilitySummary } from '../metrics/result.js';
import { isHttpEntry } from '../core/entry-names.js';
import { outputsFor, type Output } from '../output/index.js';
import { PoolSet } from '../transport/http-client.js';
import { followTarget, iterationSink, liveLoad } from './load-feed.js';
import { loadForScenario, peakUsers } from './load-plan.js';
import { linkAbort } from './abort-link.js';
import { auditDelivery } from './audit.js';
import { assertComparable, readBaseline } from './baseline-file.js';
import type { EmbeddedTarget } from './embedded-target.js';
import { thresholdSpecs } from './judging.js';
import { resolvePlan, type Plan, type SimulationOptions } from './plan.js';
import { GeneratorHealthMonitor } from './generator-health.js';
import { preflight } from './preflight.js';
import { openRunStorage, type StorageCheck } from './storage-check.js';
import { startSecondTicker, type SecondTicker } from './second-ticker.js';
import { filterTasksByTags } from '../load/task-tags.js';
import { openTarget } from './target-session.js';
import { buildResult, judgedEntries, liveSample } from './result-builder.js';
import { TargetControl, displayUrl } from './target-control.js';

/** Same as SimulationOptions (kept as a name for callers). */
export type RunSimulationOptions = SimulationOptions;

export async function runSimulation(options: RunSimulationOptions): Promise<SimulationResult> {
  const o = resolvePlan(options);
  const log = options.log ?? (() => undefined);
  const resolved = await resolveScenario(o.scenarioRef);
  const tagged = filterTasksByTags(resolved, o.tags, o.excludeTags);
  const scenario = o.wait ? { ...tagged, wait: o.wait } : tagged;
  const load = loadForScenario(o, scenario);
  o.load = load;
  const judged = judgedEntries(scenario);
  const specs = thresholdSpecs({ expressions: o.thresholds, env: o.env, overrides: o.overrides }, judged);
  const baseline = o.baseline ? await readBaseline(o.baseline) : undefined;
  if (baseline && o.baseline) assertComparable(baseline, o.baseline, scenario.name, judged);
  const outputs = outputsFor(o.outputs, { log });
  for (const output of outputs) await output.prepare?.();

  const abort = new AbortController();
  const unhook = linkAbort(abort, options.signal, options.handleSignals === true);
  const control = new TargetControl();
  const pools = new PoolSet(peakUsers(load));
  const withSdk = usesSdk(scenario);
  let sdkDispatcher: Agent | undefined;
  let embedded: EmbeddedTarget | undefined;
  let storage: StorageCheck | undefined;
  let ticker: SecondTicker | undefined;
  try {
    if (withSdk) {
      // SDK scenarios only (raw-HTTP runs start without the SDK and undici): the SDK's code, and
      // one pool for all the SDK runs of this simulation (the SDK's default size), closed at the end.
      await loadSdkSession();
      const { Agent } = await import('undici');
      sdkDispatcher = new Agent({ connections: 64, keepAliveTimeout: 4_000 });
    }
    const project = sdkProject(scenario);
    storage = await openRunStorage(o.clickhouse, scenario, !o.host, log);
    const opened = await openTarget(o, log);
    embedded = opened.embedded;
    const { ingestUrl, apiUrl, key } = opened;
    const target: SdkTarget = {
      ingestUrl, apiUrl, key, shutdownTimeoutS: o.shutdownTimeoutS, dispatcher: sdkDispatcher, onRecordSettled: storage?.onRecordSettled,
      systemMetrics: o.sdk.systemMetrics, console: o.sdk.console, onRunStarted: options.onSdkRun,
    };
    const checked = options.targetChecked === true;
    if (!checked) await preflight(control, target, project, withSdk);
    const isReference = checked ? false : await control.isReferenceServer(ingestUrl);
    const dlqStart = checked ? undefined : await control.readDlq(ingestUrl);

    // Start-up work stays out of the measured window: raw-HTTP users find the connections of
    // the first second's spawn open (SDK users connect through the SDK's own pool).
    if (!withSdk) await pools.preconnect(ingestUrl, firstSecondUsers(load, o.segment));
    const recorder = new Recorder();
    options.onRecorder?.(recorder);
    const env = { scenario, picker: new TaskPicker(scenario.tasks), stats: recorder, pools, target, seed: o.seed };
    let statsReset = false;
    const executor = createExecutor(load, {
      newUser: (index) => new VirtualUser(env, index),
      onActiveUsers: (n) => {
        recorder.setUsers(n);
        // Locust's --reset-stats: once every user (of this segment) is running, start the statistics afresh.
        if (o.resetStats && !statsReset && n >= share(o.segment, peakUsers(load))) {
          statsReset = true;
          recorder.reset();
          log('all users started: statistics reset (--reset-stats)');
        }
      },
      clock: realClock,
      segment: o.segment,
      shutdownTimeoutS: o.shutdownTimeoutS,
      iterations: iterationSink(recorder),
    });
    log(`${scenario.name} scenario, ${executor.describe()} against ${displayUrl(ingestUrl)}` +
      `${embedded ? ' (embedded)' : isReference ? ' (reference server)' : ''}, seed ${o.seed}`);
    if (options.startAt !== undefined) await sleepUntil(Number(options.startAt), abort.signal);
    const startedAt = new Date();
    const t0 = performance.now();
    // A --workers worker runs none: its coordinator does not merge the workers' figures.
    const health = options.generatorHealth === false ? undefined : new GeneratorHealthMonitor();
    health?.start();
    const following = followTarget(executor, recorder);
    for (const output of outputs) output.start?.(() => liveSample(recorder, judged, executor.activeUsers, (performance.now() - t0) / 1000, liveLoad(executor)));
    ticker = startSecondTicker(outputs, { recorder, users: () => executor.activeUsers, droppedIterations: () => executor.progress?.().dropped ?? 0, t0 });
    // The probe's budget is a share of the run's HTTP requests, read from the recorder when it polls.
    if (withSdk) storage?.startProbe(recorder, () => recorder.count(isHttpEntry), log);
    const outcome = await executor.run(abort.signal).finally(() => following.stop());
    ticker?.stop();
    const generator = health?.stop();
    for (const output of outputs) output.end?.();
    if (outcome.unfinishedUsers > 0) log(`${outcome.unfinishedUsers} users did not finish within the shutdown budget of ${o.shutdownTimeoutS} s`);

    const runs = outcome.users.map((u) => u.run).filter((r): r is SdkRun => r !== undefined);
    // The probe's last samples first: the delivery audit flushes the reference server, which
    // would make them visible early.
    let visibility: VisibilitySummary | undefined;
    if (storage) {
      if (!abort.signal.aborted) log('waiting for the last time-to-visible samples');
      visibility = abort.signal.aborted ? await storage.stopProbe() : await storage.finishProbe();
    }
    const audit = runs.length > 0 ? await auditDelivery(runs, project, control, ingestUrl, isReference && options.auditStorage !== false) : undefined;
    let storageAudit: StorageAudit | undefined;
    if (storage && runs.length > 0 && options.auditStorage !== false) {
      log(`counting stored rows in ClickHouse once the flush window has passed (at most ${o.clickhouse!.settleTimeoutS} s)`);
      storageAudit = await storage.audit(runs, abort.signal);
    }
    const dlqEnd: DlqHealth | undefined = checked ? undefined : await control.readDlq(ingestUrl);
    const result = buildResult({
      recorder, scenario, judged, specs, baseline, baselineFile: o.baseline, audit, storage: storageAudit, visibility,
      plan: o, startedAt, endedAt: new Date(), durationS: outcome.durationS,
      target: { ingestUrl: displayUrl(ingestUrl), apiUrl: displayUrl(apiUrl), embedded: embedded !== undefined },
      dlq: { start: dlqStart, end: dlqEnd },
      interrupted: outcome.interrupted,
      generator,
      load, loadDescription: executor.describe(), outcome,
    });
    for (const warning of result.warnings ?? []) log(`warning: ${warning}`);
    for (const file of await stopOutputs(outputs, result)) log(`wrote ${file}`);
    return result;
  } finally {
    ticker?.stop();
    for (const output of outputs) output.end?.();
    unhook();
    await pools.close();
    await sdkDispatcher?.destroy().catch(() => undefined);
    await control.close();
    await storage?.close();
    if (embedded) await embedded.stop();
  }
}

/** Waits until epoch ms `at` (at once if it has passed) or the abort. */
function sleepUntil(at: number, signal: AbortSignal): Promise<void> {
  const ms = at - Date.now();
  if (!(ms > 0) || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Stops every output with the result; a write that fails is a usage error naming the path. */
export async function stopOutputs(outputs: readonly Output[], result: SimulationResult): Promise<string[]> {
  const files: string[] = [];
  try {
    for (const output of outputs) files.push(...(await output.stop(result)));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SimUsageError(`cannot write the reports (${e.code ?? e.message}${e.path ? ` at ${e.path}` : ''}).`);
  }
  return files;
}

export type { Plan };

/** Users the load starts within its first second (this segment's share): the connections opened ahead. */
function firstSecondUsers(load: LoadPlan, segment: Segment): number {
  switch (load.executor) {
    case 'constant-users':
      return share(segment, Math.min(load.users, Math.max(1, Math.ceil(load.spawnRate))));
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate':
      return share(segment, load.preAllocatedUsers);
    default:
      return 0; // stages and shapes start from their own first target
  }
}
