/**
 * One virtual user (Locust's User), in separate steps an executor drives: start() (its SDK run,
 * then onStart), iterate() (one task picked by weight), think() (the wait between tasks), and
 * stop() (onStop, then finish() of its SDK run). A user never loops on its own: the closed loop
 * of constant users and the open schedules of arrival rates live in src/executor.
 */
import { userRandom } from '../core/random.js';
import type { StatsSink } from '../metrics/stats-sink.js';
import { PoolSet, ScenarioHttpClient } from '../transport/http-client.js';
import { DEFAULT_PROJECT, DEFAULT_WAIT, type ScenarioContext, type ScenarioDefinition, type SdkRunOptions } from './scenario.js';
import type { LoadUser } from './load-user.js';
import type { SdkRun, SdkTarget } from './sdk-session.js';
import type { TaskPicker } from './task-picker.js';
import { thinkTimes, type Waiter } from './wait-wheel.js';

export const DEFAULT_RUN_CONFIG = { test_type: 'load_test', target_rps: 1000 } as const;

let sdkSession: Promise<typeof import('./sdk-session.js')> | undefined;
/**
 * The SDK (and undici, which it uses), loaded once, for SDK scenarios only: a raw-HTTP run, and
 * each of its worker processes, starts without them. The runner loads it before the load starts.
 */
export function loadSdkSession(): Promise<typeof import('./sdk-session.js')> {
  return (sdkSession ??= import('./sdk-session.js'));
}

/** What every user of one simulation shares. */
export interface UserEnvironment {
  scenario: ScenarioDefinition;
  picker: TaskPicker;
  stats: StatsSink;
  pools: PoolSet;
  target: SdkTarget;
  seed: number;
}

export class VirtualUser implements Waiter, LoadUser {
  private readonly stopper = new AbortController();
  /** Ends the current think time (null when not thinking). */
  private wakeUp: (() => void) | null = null;
  private readonly ctx: ScenarioContext;
  private sdkRun: SdkRun | undefined;
  private started = false;

  constructor(
    private readonly env: UserEnvironment,
    /** 1-based index of the user in the whole plan (the same in every shard and worker). */
    readonly index: number,
  ) {
    const random = userRandom(env.seed, index);
    // Seed rule (docs/protocol/load-test-suite.md): run id = epoch ms + a per-user number below 10^6.
    const runId = String(Date.now() + random.int(0, 999_999));
    const project = sdkOptions(env.scenario)?.project ?? DEFAULT_PROJECT;
    const auth = `Bearer ${env.target.key}`;
    const common = { authorization: auth, 'x-run-id': runId, 'x-project-name': project };
    const self = this;
    this.ctx = {
      userIndex: index,
      random,
      http: new ScenarioHttpClient(env.pools, env.target.ingestUrl, { ...common, 'content-type': 'application/x-ndjson' }, env.stats),
      api: new ScenarioHttpClient(env.pools, env.target.apiUrl, { ...common, 'content-type': 'application/json' }, env.stats),
      get run() {
        return self.sdkRun;
      },
      runId,
      project,
      signal: this.stopper.signal,
      state: {},
      record: (method, route, durationMs, ok, bytes, error) => env.stats.record(method, route, durationMs, ok, bytes, error),
    };
  }

  /** The user's SDK run once it exists (for the delivery audit). */
  get run(): SdkRun | undefined {
    return this.sdkRun;
  }

  /** Asks the user to stop after its current task (and cuts its current think time short). */
  requestStop(): void {
    this.stopper.abort();
    this.wake();
  }

  /** The think time is over (its time came, or the user was stopped). */
  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  get stopping(): boolean {
    return this.stopper.signal.aborted;
  }

  /**
   * Creates the SDK run (login + init) when the scenario asks for one, then runs onStart.
   * False when either failed (recorded); the user should then be stopped without iterating.
   */
  async start(): Promise<boolean> {
    this.started = true;
    const opts = sdkOptions(this.env.scenario);
    if (opts) {
      const spec = {
        project: this.ctx.project,
        name: opts.runName ? opts.runName(this.index) : `load-test-run-${this.index}`,
        config: opts.config ?? { ...DEFAULT_RUN_CONFIG },
      };
      const { startSdkRun } = await loadSdkSession();
      const t0 = performance.now();
      try {
        this.sdkRun = await startSdkRun(this.env.target, this.env.stats, spec);
      } catch (err) {
        this.env.stats.record('SDK', 'init', performance.now() - t0, false, 0, errorText(err));
        return false;
      }
    }
    const onStart = this.env.scenario.onStart;
    return onStart ? this.guard('TASK', 'onStart', () => onStart(this.ctx)) : true;
  }

  /** Runs one task picked by weight; never throws (a task's error is recorded as `TASK <name>`); false when it threw. */
  async iterate(): Promise<boolean> {
    const task = this.env.picker.pick(this.ctx.random);
    // Inline rather than through guard(): no closure and no extra async frame per task.
    const t0 = performance.now();
    try {
      await task.run(this.ctx);
      return true;
    } catch (err) {
      this.env.stats.record('TASK', task.name, performance.now() - t0, false, 0, errorText(err));
      this.env.stats.exception?.(err);
      return false;
    }
  }

  /** The scenario's wait between tasks (Locust's wait_time); ends early when the user is stopped. */
  think(): Promise<void> | undefined {
    const wait = this.env.scenario.wait ?? DEFAULT_WAIT;
    const ms = this.ctx.random.uniform(wait.minS, wait.maxS) * 1000;
    if (ms <= 0 || this.stopping) return undefined;
    // On the shared wheel: no Timeout and no abort listener per think time.
    return new Promise<void>((resolve) => {
      this.wakeUp = resolve;
      thinkTimes.add(this, ms);
    });
  }

  /** Runs onStop (if the user started) and finishes its SDK run; never throws. */
  async stop(): Promise<void> {
    this.requestStop();
    const onStop = this.env.scenario.onStop;
    if (onStop && this.started) await this.guard('TASK', 'onStop', () => onStop(this.ctx));
    const run = this.sdkRun;
    if (run) {
      const t0 = performance.now();
      try {
        await run.finish();
      } catch (err) {
        this.env.stats.record('SDK', 'finish', performance.now() - t0, false, 0, errorText(err));
      }
    }
  }

  /** Runs user code; a thrown error becomes a failure of entry `TASK <name>`. */
  private async guard(method: string, name: string, fn: () => void | Promise<void>): Promise<boolean> {
    const t0 = performance.now();
    try {
      await fn();
      return true;
    } catch (err) {
      this.env.stats.record(method, name, performance.now() - t0, false, 0, errorText(err));
      this.env.stats.exception?.(err);
      return false;
    }
  }
}

function sdkOptions(def: ScenarioDefinition): SdkRunOptions | undefined {
  if (!def.sdk) return undefined;
  return def.sdk === true ? {} : def.sdk;
}

function errorText(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0] ?? msg;
}
