/**
 * The local driver: the run's executor drives its virtual users in this process (the whole plan,
 * or one segment of it for a --workers worker or a --shard) against the session's target.
 */
import type { Agent } from 'undici';
import { realClock } from '../core/clock.js';
import { isHttpEntry } from '../core/entry-names.js';
import { createExecutor, firstSecondUsers, peakUsers } from '../executor/registry.js';
import { share } from '../executor/segment.js';
import { usesSdk } from '../load/scenario.js';
import type { SdkRun, SdkTarget } from '../load/sdk-session.js';
import { TaskPicker } from '../load/task-picker.js';
import { loadSdkSession, VirtualUser } from '../load/virtual-user.js';
import { Recorder } from '../metrics/recorder.js';
import type { VisibilitySummary } from '../metrics/result.js';
import { PoolSet } from '../transport/http-client.js';
import { runDeliveries } from './judging/audit.js';
import { defineRun } from './definition.js';
import { GeneratorHealthMonitor } from './health/generator-health.js';
import { followTarget, iterationSink, liveLoad } from './load-feed.js';
import type { SimulationOptions } from './plan.js';
import { liveSample } from './judging/result-builder.js';
import type { DriveContext, Driven, RunDriver } from './session.js';
import { displayUrl } from './target-control.js';

export function localDriver(options: SimulationOptions): RunDriver {
  return {
    sendsLoad: true,
    define: defineRun,
    drive: (ctx) => driveLocally(options, ctx),
  };
}

async function driveLocally(options: SimulationOptions, ctx: DriveContext): Promise<Driven> {
  const { def: { plan, scenario, judged }, log, signal } = ctx;
  const target = ctx.target!;
  const load = plan.load;
  const withSdk = usesSdk(scenario);
  const pools = new PoolSet(peakUsers(load));
  let sdkDispatcher: Agent | undefined;
  try {
    if (withSdk) {
      // SDK scenarios only (raw-HTTP runs start without the SDK and undici): the SDK's code, and
      // one pool for all the SDK runs of this simulation (the SDK's default size), closed at the end.
      await loadSdkSession();
      const { Agent } = await import('undici');
      sdkDispatcher = new Agent({ connections: 64, keepAliveTimeout: 4_000 });
    }
    const { ingestUrl, apiUrl, key, storage } = target;
    const sdkTarget: SdkTarget = {
      ingestUrl, apiUrl, key, shutdownTimeoutS: plan.shutdownTimeoutS, dispatcher: sdkDispatcher, onRecordSettled: storage?.onRecordSettled,
      systemMetrics: plan.sdk.systemMetrics, console: plan.sdk.console, onRunStarted: options.onSdkRun,
    };
    // Start-up work stays out of the measured window: raw-HTTP users find the connections of
    // the first second's spawn open (SDK users connect through the SDK's own pool).
    if (!withSdk) await pools.preconnect(ingestUrl, firstSecondUsers(load, plan.segment));
    const recorder = new Recorder();
    options.onRecorder?.(recorder);
    const env = { scenario, picker: new TaskPicker(scenario.tasks), stats: recorder, pools, target: sdkTarget, seed: plan.seed };
    let statsReset = false;
    const executor = createExecutor(load, {
      newUser: (index) => new VirtualUser(env, index),
      onActiveUsers: (n) => {
        recorder.setUsers(n);
        // Locust's --reset-stats: once every user (of this segment) is running, start the statistics afresh.
        if (plan.resetStats && !statsReset && n >= share(plan.segment, peakUsers(load))) {
          statsReset = true;
          recorder.reset();
          log('all users started: statistics reset (--reset-stats)');
        }
      },
      clock: realClock,
      segment: plan.segment,
      shutdownTimeoutS: plan.shutdownTimeoutS,
      iterations: iterationSink(recorder),
    });
    log(`${scenario.name} scenario, ${executor.describe()} against ${displayUrl(ingestUrl)}` +
      `${target.embedded ? ' (embedded)' : target.isReference ? ' (reference server)' : ''}, seed ${plan.seed}`);
    if (options.startAt !== undefined) await sleepUntil(Number(options.startAt), signal);
    const startedAt = new Date();
    const t0 = performance.now();
    // A --workers worker runs none: its coordinator does not merge the workers' figures.
    const health = options.generatorHealth === false ? undefined : new GeneratorHealthMonitor();
    health?.start();
    const following = followTarget(executor, recorder);
    ctx.startLive(
      () => liveSample(recorder, judged, executor.activeUsers, (performance.now() - t0) / 1000, liveLoad(executor)),
      { recorder, users: () => executor.activeUsers, droppedIterations: () => executor.progress?.().dropped ?? 0, t0 },
    );
    // The probe's budget is a share of the run's HTTP requests, read from the recorder when it polls.
    if (withSdk) storage?.startProbe(recorder, () => recorder.count(isHttpEntry), log);
    const outcome = await executor.run(signal).finally(() => following.stop());
    ctx.endLive();
    const generator = health?.stop();
    if (outcome.unfinishedUsers > 0) log(`${outcome.unfinishedUsers} users did not finish within the shutdown budget of ${plan.shutdownTimeoutS} s`);
    const sdkRuns = outcome.users.map((u) => u.run).filter((r): r is SdkRun => r !== undefined);
    // The probe's last samples before the audit: its flush of the reference server would make them visible early.
    let visibility: VisibilitySummary | undefined;
    if (storage) {
      if (!signal.aborted) log('waiting for the last time-to-visible samples');
      visibility = signal.aborted ? await storage.stopProbe() : await storage.finishProbe();
    }
    return {
      stats: recorder, startedAt, endedAt: new Date(), durationS: outcome.durationS, interrupted: outcome.interrupted,
      loadDescription: executor.describe(), runs: runDeliveries(sdkRuns), sdkRuns, visibility, generator, outcome,
    };
  } finally {
    await pools.close();
    await sdkDispatcher?.destroy().catch(() => undefined);
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
