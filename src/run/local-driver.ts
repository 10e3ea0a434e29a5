/**
 * The local driver: the run's executor drives its virtual users in this process (the whole plan,
 * or one segment of it for a --workers worker or a --shard) against the session's target — and,
 * in a duet run, against a second target B at the same moments (the users take turns, see
 * load/duet-user.ts; each side keeps its own statistics, runs and audits).
 */
import type { Agent } from 'undici';
import { realClock } from '../core/clock.js';
import { isHttpEntry } from '../core/entry-names.js';
import type { IterationSink } from '../executor/executor.js';
import { createExecutor, firstSecondUsers, peakUsers } from '../executor/registry.js';
import { share } from '../executor/segment.js';
import { DuetUser, sideOfIndex, type DuetSide } from '../load/duet-user.js';
import type { LoadUser } from '../load/load-user.js';
import { usesSdk } from '../load/scenario.js';
import type { SdkRun, SdkTarget } from '../load/sdk-session.js';
import { TaskPicker } from '../load/task-picker.js';
import { loadSdkSession, VirtualUser, type UserEnvironment } from '../load/virtual-user.js';
import { Recorder } from '../metrics/recorder.js';
import type { VisibilitySummary } from '../metrics/result.js';
import { PoolSet } from '../transport/http-client.js';
import { defineRun } from './definition.js';
import { GeneratorHealthMonitor } from './health/generator-health.js';
import { runDeliveries } from './judging/audit.js';
import { followTarget, iterationSink, liveLoad } from './load-feed.js';
import { openLiveTarget, type LiveTarget } from './live-target.js';
import type { Plan, SimulationOptions } from './plan.js';
import { liveSample } from './judging/result-builder.js';
import type { DriveContext, Driven, DuetDriven, RunDefinition, RunDriver } from './session.js';
import { displayUrl } from './target-control.js';

export function localDriver(options: SimulationOptions): RunDriver {
  return {
    sendsLoad: true,
    define: defineRun,
    drive: (ctx) => driveLocally(options, ctx),
  };
}

/** One target's share of the run: its target, the SDK's view of it, its statistics. */
interface Side {
  name: DuetSide;
  target: LiveTarget;
  recorder: Recorder;
  env: UserEnvironment;
}

async function driveLocally(options: SimulationOptions, ctx: DriveContext): Promise<Driven> {
  const { def, log, signal } = ctx;
  const { plan, scenario, judged } = def;
  const load = plan.load;
  const withSdk = usesSdk(scenario);
  const pools = new PoolSet(peakUsers(load));
  let sdkDispatcher: Agent | undefined;
  let targetB: LiveTarget | undefined;
  try {
    if (withSdk) {
      // SDK scenarios only (raw-HTTP runs start without the SDK and undici): the SDK's code, and
      // one pool for all the SDK runs of this simulation (the SDK's default size), closed at the end.
      await loadSdkSession();
      const { Agent } = await import('undici');
      sdkDispatcher = new Agent({ connections: 64, keepAliveTimeout: 4_000 });
    }
    if (plan.duet) targetB = await openCandidate(plan, def, log, options);
    const picker = new TaskPicker(scenario.tasks);
    // --web: the SDK runs started so far, for the live page's delivery counts.
    const liveRuns: SdkRun[] = [];
    const onRunStarted = ctx.liveControl ? (run: SdkRun): void => void (liveRuns.push(run), options.onSdkRun?.(run)) : options.onSdkRun;
    const side = (name: DuetSide, target: LiveTarget): Side => {
      const recorder = new Recorder();
      const sdkTarget: SdkTarget = {
        ingestUrl: target.ingestUrl, apiUrl: target.apiUrl, key: target.key, shutdownTimeoutS: plan.shutdownTimeoutS, dispatcher: sdkDispatcher,
        onRecordSettled: target.storage?.onRecordSettled, systemMetrics: plan.sdk.systemMetrics, console: plan.sdk.console, explicitLogUpload: plan.sdk.explicitLogUpload, onRunStarted,
      };
      return { name, target, recorder, env: { scenario, picker, stats: recorder, pools, target: sdkTarget, seed: plan.seed } };
    };
    // Without a duet the one side is the session's target; in a duet the session's target is A.
    const sides: Side[] = targetB ? [side('a', ctx.target!), side('b', targetB)] : [side('a', ctx.target!)];
    const primary = sides[sides.length - 1];
    // Start-up work stays out of the measured window: raw-HTTP users find the connections of
    // the first second's spawn open (SDK users connect through the SDK's own pool).
    if (!withSdk) for (const s of sides) await pools.preconnect(s.target.ingestUrl, firstSecondUsers(load, plan.segment));
    options.onRecorder?.(primary.recorder);
    const sideOf = (name: DuetSide): Side => sides.find((s) => s.name === name) ?? primary;
    const sinks = new Map(sides.map((s) => [s.name, iterationSink(s.recorder)]));
    let statsReset = false;
    const executor = createExecutor(load, {
      newUser: (index): LoadUser => {
        if (!targetB) return new VirtualUser(primary.env, index);
        if (withSdk) return new VirtualUser(sideOf(sideOfIndex(plan.seed, index)).env, index);
        return new DuetUser(new VirtualUser(sideOf('a').env, index), new VirtualUser(sideOf('b').env, index), plan.seed);
      },
      onActiveUsers: (n) => {
        for (const s of sides) s.recorder.setUsers(n);
        // Locust's --reset-stats: once every user (of this segment) is running, start the statistics afresh.
        if (plan.resetStats && !statsReset && n >= share(plan.segment, peakUsers(load))) {
          statsReset = true;
          for (const s of sides) s.recorder.reset();
          log('all users started: statistics reset (--reset-stats)');
        }
      },
      clock: realClock,
      segment: plan.segment,
      shutdownTimeoutS: plan.shutdownTimeoutS,
      iterations: targetB ? duetSink(sinks, plan.seed) : sinks.get('a'),
      liveControl: ctx.liveControl,
    });
    const targets = sides.map((s) => `${displayUrl(s.target.ingestUrl)}${s.target.embedded ? ' (embedded)' : s.target.isReference ? ' (reference server)' : ''}`);
    log(`${scenario.name} scenario, ${executor.describe()} against ${targetB ? `A ${targets[0]} and B ${targets[1]} (duet)` : targets[0]}, seed ${plan.seed}`);
    if (options.startAt !== undefined) await sleepUntil(Number(options.startAt), signal);
    const startedAt = new Date();
    const t0 = performance.now();
    // A --workers worker runs none: its coordinator does not merge the workers' figures.
    const health = options.generatorHealth === false ? undefined : new GeneratorHealthMonitor();
    health?.start();
    const following = sides.map((s) => followTarget(executor, s.recorder));
    ctx.startLive(
      () => liveSample(primary.recorder, judged, executor.activeUsers, (performance.now() - t0) / 1000, liveLoad(executor)),
      { recorder: primary.recorder, users: () => executor.activeUsers, droppedIterations: () => executor.progress?.().dropped ?? 0, t0 },
      {
        stats: () => primary.recorder, activeUsers: () => executor.activeUsers, startedAt, t0, loadDescription: executor.describe(), executor,
        resettable: { reset: () => sides.forEach((s) => s.recorder.reset()), setTarget: (n) => sides.forEach((s) => s.recorder.setTarget(n)) },
        generator: () => health?.peek(), runs: () => runDeliveries(liveRuns),
      },
    );
    // The probe's budget is a share of the run's HTTP requests, read from the recorder when it polls.
    if (withSdk) for (const s of sides) s.target.storage?.startProbe(s.recorder, () => s.recorder.count(isHttpEntry), log);
    const outcome = await executor.run(signal).finally(() => following.forEach((f) => f.stop()));
    ctx.endLive();
    const generator = health?.stop();
    if (outcome.unfinishedUsers > 0) log(`${outcome.unfinishedUsers} users did not finish within the shutdown budget of ${plan.shutdownTimeoutS} s`);
    const users = outcome.users.flatMap((u) => (u instanceof DuetUser ? [u.sides().a, u.sides().b] : [u]));
    const runsOf = (s: Side): SdkRun[] =>
      users.flatMap((u) => (u.run && (!targetB || sideOfIndex(plan.seed, u.index) === s.name) ? [u.run] : []));
    // The probe's last samples before the audit: its flush of the reference server would make them visible early.
    const visibilityOf = async (s: Side): Promise<VisibilitySummary | undefined> => {
      if (!s.target.storage) return undefined;
      if (!signal.aborted) log('waiting for the last time-to-visible samples');
      return signal.aborted ? s.target.storage.stopProbe() : s.target.storage.finishProbe();
    };
    const measured = async (s: Side): Promise<DuetDriven> => {
      const sdkRuns = runsOf(s);
      return { stats: s.recorder, runs: runDeliveries(sdkRuns), sdkRuns, visibility: await visibilityOf(s) };
    };
    const common = { startedAt, endedAt: new Date(), durationS: outcome.durationS, interrupted: outcome.interrupted, loadDescription: executor.describe(), generator, outcome };
    if (!targetB) return { ...common, ...(await measured(primary)) };
    // A duet: the session audits A (its target); B is audited here, on its own target.
    const a = await measured(sides[0]);
    const b = await measured(sides[1]);
    const checkedB = await targetB.finish(b, signal, log);
    return { ...common, ...b, ...checkedB, target: targetB.resultTarget(), duet: { a } };
  } finally {
    await pools.close();
    await sdkDispatcher?.destroy().catch(() => undefined);
    await targetB?.close();
  }
}

/** B's target: --duet-host, or a second embedded server that differs from A only in its faults. */
async function openCandidate(plan: Plan, def: RunDefinition, log: (line: string) => void, options: SimulationOptions): Promise<LiveTarget> {
  const duet = plan.duet!;
  // Its own seed for the embedded server's fault draws: the two sides' draws are independent.
  const planB: Plan = { ...plan, host: duet.host, apiUrl: duet.apiUrl, key: duet.key, embeddedServer: duet.embeddedServer, seed: plan.seed + 1 };
  try {
    return await openLiveTarget(planB, def.scenario, (line) => log(`B: ${line}`), { checked: options.targetChecked === true, auditStorage: options.auditStorage !== false });
  } catch (err) {
    if (err instanceof Error) err.message = `the candidate side B: ${err.message}`;
    throw err;
  }
}

/** Iterations of a duet go to the side that ran them; a dropped one to the side its index pairs it with. */
function duetSink(sinks: ReadonlyMap<DuetSide, IterationSink>, seed: number): IterationSink {
  const sideOfUser = (user: LoadUser | undefined): DuetSide => (user instanceof DuetUser ? user.lastSide : sideOfIndex(seed, user?.index ?? 1));
  return {
    completed: (dueAt, startedAt, endedAt, ok, user) => sinks.get(sideOfUser(user))?.completed(dueAt, startedAt, endedAt, ok),
    dropped: (dueAt, index) => sinks.get(sideOfIndex(seed, (index ?? 0) + 1))?.dropped(dueAt),
  };
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
