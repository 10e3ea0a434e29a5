/**
 * runSimulation(): resolve the plan, prepare the outputs, start or check the target, let the
 * executor run the users, judge, stop the outputs, return the result (the data of latest.json).
 * Never exits the process; installs signal handlers only when asked.
 */
import { Agent } from 'undici';
import { realClock } from '../core/clock.js';
import { SimUsageError } from '../core/errors.js';
import { createExecutor } from '../executor/registry.js';
import { DEFAULT_PROJECT } from '../load/scenario.js';
import { resolveScenario } from '../load/scenario-resolve.js';
import type { SdkRun, SdkTarget } from '../load/sdk-session.js';
import { TaskPicker } from '../load/task-picker.js';
import { VirtualUser } from '../load/virtual-user.js';
import { Recorder } from '../metrics/recorder.js';
import type { DlqHealth, SimulationResult } from '../metrics/result.js';
import { outputsFor, type Output } from '../output/index.js';
import { PoolSet } from '../transport/http-client.js';
import { linkAbort } from './abort-link.js';
import { auditDelivery } from './audit.js';
import { readBaseline } from './baseline-file.js';
import type { EmbeddedTarget } from './embedded-target.js';
import { thresholdSpecs } from './judging.js';
import { resolvePlan, type Plan, type SimulationOptions } from './plan.js';
import { preflight } from './preflight.js';
import { openTarget } from './target-session.js';
import { buildResult, judgedEntries, liveSample } from './result-builder.js';
import { TargetControl, displayUrl } from './target-control.js';

/** Same as SimulationOptions (kept as a name for callers). */
export type RunSimulationOptions = SimulationOptions;

export async function runSimulation(options: RunSimulationOptions): Promise<SimulationResult> {
  const o = resolvePlan(options);
  const log = options.log ?? (() => undefined);
  const resolved = await resolveScenario(o.scenarioRef);
  const scenario = o.wait ? { ...resolved, wait: o.wait } : resolved;
  const judged = judgedEntries(scenario);
  const specs = thresholdSpecs({ expressions: o.thresholds, env: o.env, overrides: o.overrides }, judged);
  const baseline = o.baseline ? await readBaseline(o.baseline) : undefined;
  const outputs = outputsFor(o.outputs);
  for (const output of outputs) await output.prepare?.();

  const abort = new AbortController();
  const unhook = linkAbort(abort, options.signal, options.handleSignals === true);
  const control = new TargetControl();
  const pools = new PoolSet(o.load.users);
  // The SDK runs share one pool per simulation (the SDK's default size), closed at the end.
  const sdkDispatcher = new Agent({ connections: 64, keepAliveTimeout: 4_000 });
  let embedded: EmbeddedTarget | undefined;
  try {
    const opened = await openTarget(o, log);
    embedded = opened.embedded;
    const { ingestUrl, apiUrl, key } = opened;
    const target: SdkTarget = { ingestUrl, apiUrl, key, shutdownTimeoutS: o.shutdownTimeoutS, dispatcher: sdkDispatcher };
    const project = (typeof scenario.sdk === 'object' ? scenario.sdk.project : undefined) ?? DEFAULT_PROJECT;
    await preflight(control, target, project, scenario.sdk !== undefined && scenario.sdk !== false);
    const isReference = await control.isReferenceServer(ingestUrl);
    const dlqStart = await control.readDlq(ingestUrl);

    const recorder = new Recorder();
    options.onRecorder?.(recorder);
    const env = { scenario, picker: new TaskPicker(scenario.tasks), stats: recorder, pools, target, seed: o.seed };
    const executor = createExecutor(o.load, {
      newUser: (index) => new VirtualUser(env, index),
      onActiveUsers: (n) => recorder.setUsers(n),
      clock: realClock,
      segment: o.segment,
      shutdownTimeoutS: o.shutdownTimeoutS,
    });
    log(`${scenario.name} scenario, ${executor.describe()} against ${displayUrl(ingestUrl)}` +
      `${embedded ? ' (embedded)' : isReference ? ' (reference server)' : ''}, seed ${o.seed}`);
    if (options.startAt !== undefined) await sleepUntil(Number(options.startAt), abort.signal);
    const startedAt = new Date();
    const t0 = performance.now();
    for (const output of outputs) output.start?.(() => liveSample(recorder, judged, executor.activeUsers, (performance.now() - t0) / 1000));
    const outcome = await executor.run(abort.signal);
    for (const output of outputs) output.end?.();
    if (outcome.unfinishedUsers > 0) log(`${outcome.unfinishedUsers} users did not finish within the shutdown budget of ${o.shutdownTimeoutS} s`);

    const runs = outcome.users.map((u) => u.run).filter((r): r is SdkRun => r !== undefined);
    const audit = runs.length > 0 ? await auditDelivery(runs, project, control, ingestUrl, isReference && options.auditStorage !== false) : undefined;
    const dlqEnd: DlqHealth | undefined = await control.readDlq(ingestUrl);
    const result = buildResult({
      recorder, scenario, judged, specs, baseline, baselineFile: o.baseline, audit,
      plan: o, startedAt, endedAt: new Date(), durationS: outcome.durationS,
      target: { ingestUrl: displayUrl(ingestUrl), apiUrl: displayUrl(apiUrl), embedded: embedded !== undefined },
      dlq: { start: dlqStart, end: dlqEnd },
      interrupted: outcome.interrupted,
    });
    for (const file of await stopOutputs(outputs, result)) log(`wrote ${file}`);
    return result;
  } finally {
    for (const output of outputs) output.end?.();
    unhook();
    await pools.close();
    await sdkDispatcher.destroy().catch(() => undefined);
    await control.close();
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
