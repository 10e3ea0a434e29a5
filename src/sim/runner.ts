/**
 * runSimulation(): resolve the plan, start or check the target, run the users, judge, write the
 * reports, return the result (the data of latest.json). Never exits the process; installs signal
 * handlers only when asked.
 */
import { Agent } from 'undici';
import { Recorder } from '../metrics/recorder.js';
import type { DlqHealth, SimulationResult } from '../metrics/result.js';
import { LiveConsole } from '../report/index.js';
import { auditDelivery } from './audit.js';
import { startEmbeddedTarget, type EmbeddedTarget } from './embedded-target.js';
import { SimTargetError, SimUsageError } from './errors.js';
import { readBaseline, thresholdSpecs } from './gates.js';
import { PoolSet } from './http-client.js';
import { UserPool } from './load-shape.js';
import { resolveOptions, type ResolvedOptions, type SimulationOptions } from './options.js';
import { buildResult, judgedEntries, liveSample } from './result-builder.js';
import { writeReports } from './report-files.js';
import { DEFAULT_PROJECT, TaskPicker } from './scenario.js';
import { resolveScenario } from './scenario-resolve.js';
import { sdkKeyAccepted, type SdkRun, type SdkTarget } from './sdk-session.js';
import { TargetControl, displayUrl } from './target.js';

export const EXIT_CODES = { pass: 0, failed: 1, usage: 2, target: 3, internal: 70, interrupted: 130 } as const;

/** Same as SimulationOptions (kept as a name for callers). */
export type RunSimulationOptions = SimulationOptions;

export async function runSimulation(options: RunSimulationOptions): Promise<SimulationResult> {
  const o = resolveOptions(options);
  const log = options.log ?? (() => undefined);
  const resolved = await resolveScenario(o.scenarioRef);
  const scenario = o.wait ? { ...resolved, wait: o.wait } : resolved;
  const judged = judgedEntries(scenario);
  const specs = thresholdSpecs({ expressions: o.thresholds, env: o.env, overrides: o.overrides }, judged);
  const baseline = o.baseline ? await readBaseline(o.baseline) : undefined;

  const abort = new AbortController();
  const unhook = linkAbort(abort, options.signal, options.handleSignals === true);
  const control = new TargetControl();
  const pools = new PoolSet(o.users);
  // The SDK runs share one pool per simulation (the SDK's default size), closed at the end.
  const sdkDispatcher = new Agent({ connections: 64, keepAliveTimeout: 4_000 });
  let embedded: EmbeddedTarget | undefined;
  try {
    let ingestUrl: string, apiUrl: string, key: string | undefined;
    if (o.host) {
      ingestUrl = o.host;
      apiUrl = o.apiUrl ?? o.host;
      key = o.key;
    } else {
      embedded = await startEmbeddedTarget(o.embeddedServer, o.seed);
      ingestUrl = embedded.url;
      apiUrl = o.apiUrl ?? embedded.url;
      key = o.key ?? embedded.key;
      log(`started the embedded reference server at ${embedded.url}`);
    }
    if (!key) throw new SimUsageError('no API key: pass --key or set TEST_API_KEY');
    const target: SdkTarget = { ingestUrl, apiUrl, key, shutdownTimeoutS: o.shutdownTimeoutS, dispatcher: sdkDispatcher };
    const project = (typeof scenario.sdk === 'object' ? scenario.sdk.project : undefined) ?? DEFAULT_PROJECT;
    await preflight(control, target, project, scenario.sdk !== undefined && scenario.sdk !== false);
    const isReference = await control.isReferenceServer(ingestUrl);
    const dlqStart = await control.readDlq(ingestUrl);

    log(`${scenario.name} scenario, ${o.users} users at ${o.spawnRate}/s for ${o.runTimeS} s against ${displayUrl(ingestUrl)}` +
      `${embedded ? ' (embedded)' : isReference ? ' (reference server)' : ''}, seed ${o.seed}`);
    // Start-up work stays out of the measured window: raw-HTTP users find the connections of
    // the first second's spawn open (SDK users connect through the SDK's own pool).
    if (!scenario.sdk) await pools.preconnect(ingestUrl, Math.min(o.users, Math.max(1, Math.ceil(o.spawnRate))));
    const recorder = new Recorder();
    const pool = new UserPool(
      { scenario, picker: new TaskPicker(scenario.tasks), stats: recorder, pools, target, seed: o.seed },
      { users: o.users, spawnRate: o.spawnRate, runTimeS: o.runTimeS, shutdownTimeoutS: o.shutdownTimeoutS },
      (n) => recorder.setUsers(n),
    );
    const live = options.console ? new LiveConsole(options.console.out, { tty: options.console.tty ?? isTty(options.console.out), intervalMs: options.console.intervalMs }) : undefined;
    const startedAt = new Date();
    const t0 = performance.now();
    live?.start(() => liveSample(recorder, judged, pool.activeUsers, (performance.now() - t0) / 1000));
    const outcome = await pool.run(abort.signal);
    live?.stop();
    if (outcome.unfinishedUsers > 0) log(`${outcome.unfinishedUsers} users did not finish within the shutdown budget of ${o.shutdownTimeoutS} s`);

    const runs = outcome.users.map((u) => u.run).filter((r): r is SdkRun => r !== undefined);
    const audit = runs.length > 0 ? await auditDelivery(runs, project, control, ingestUrl, isReference) : undefined;
    const dlqEnd: DlqHealth | undefined = await control.readDlq(ingestUrl);
    const result = buildResult({
      recorder, scenario, judged, specs, baseline, baselineFile: o.baseline, audit,
      plan: o, startedAt, endedAt: new Date(), durationS: outcome.durationS,
      target: { ingestUrl: displayUrl(ingestUrl), apiUrl: displayUrl(apiUrl), embedded: embedded !== undefined },
      dlq: { start: dlqStart, end: dlqEnd },
      interrupted: outcome.interrupted,
    });
    for (const file of await writeReports(result, o)) log(`wrote ${file}`);
    return result;
  } finally {
    unhook();
    await pools.close();
    await sdkDispatcher.destroy().catch(() => undefined);
    await control.close();
    if (embedded) await embedded.stop();
  }
}

/** Reachability and key checks before any user starts (exit 3 on failure). */
async function preflight(control: TargetControl, target: SdkTarget, project: string, usesSdk: boolean): Promise<void> {
  await control.assertReachable(target.ingestUrl);
  if (usesSdk && target.apiUrl !== target.ingestUrl) await control.assertReachable(target.apiUrl);
  await control.assertIngestKeyAccepted(target.ingestUrl, target.key, project);
  if (usesSdk) {
    let accepted: boolean;
    try {
      accepted = await sdkKeyAccepted(target);
    } catch (err) {
      const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new SimTargetError(`login at ${displayUrl(target.apiUrl)} failed (${msg.split(target.key).join('***').replace(/\.$/, '')}).`);
    }
    if (!accepted) throw new SimTargetError(`${displayUrl(target.apiUrl)} rejected the API key (login answered 401).`);
  }
}

/** Aborts `abort` on the caller's signal and, when asked, on SIGINT/SIGTERM; returns the unhook. */
function linkAbort(abort: AbortController, signal: AbortSignal | undefined, handleSignals: boolean): () => void {
  const onAbort = (): void => abort.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) abort.abort();
  if (handleSignals) {
    process.on('SIGINT', onAbort);
    process.on('SIGTERM', onAbort);
  }
  return () => {
    signal?.removeEventListener('abort', onAbort);
    if (handleSignals) {
      process.off('SIGINT', onAbort);
      process.off('SIGTERM', onAbort);
    }
  };
}

function isTty(out: NodeJS.WritableStream): boolean {
  return (out as { isTTY?: boolean }).isTTY === true;
}

export type { ResolvedOptions };
