/**
 * One closed-model virtual user (like Locust's): start (SDK run + onStart), then pick a task by
 * weight, run it, wait, repeat until told to stop; then onStop and finish() of its SDK run.
 * It waits for each task to end before the next, so a stalled server slows the user down
 * rather than piling up requests (coordinated omission, measurement.md; see docs/cli.md).
 */
import { PoolSet, ScenarioHttpClient } from './http-client.js';
import { userRandom } from './random.js';
import { DEFAULT_PROJECT, DEFAULT_WAIT, TaskPicker, type ScenarioContext, type ScenarioDefinition, type SdkRunOptions } from './scenario.js';
import { startSdkRun, type SdkRun, type SdkTarget } from './sdk-session.js';
import type { StatsSink } from './stats-sink.js';
import { thinkTimes, type Waiter } from './wait-wheel.js';

export const DEFAULT_RUN_CONFIG = { test_type: 'load_test', target_rps: 1000 } as const;

/** What every user of one simulation shares. */
export interface UserEnvironment {
  scenario: ScenarioDefinition;
  picker: TaskPicker;
  stats: StatsSink;
  pools: PoolSet;
  target: SdkTarget;
  seed: number;
}

export class VirtualUser implements Waiter {
  private readonly stopper = new AbortController();
  /** Ends the current wait between tasks (null when not waiting). */
  private wakeUp: (() => void) | null = null;
  private readonly ctx: ScenarioContext;
  private sdkRun: SdkRun | undefined;
  /** Set once the user's SDK run exists (for the delivery audit). */
  get run(): SdkRun | undefined {
    return this.sdkRun;
  }

  constructor(
    private readonly env: UserEnvironment,
    readonly index: number,
  ) {
    const random = userRandom(env.seed, index);
    // Seed rule (server-protocol.md §6): run id = epoch ms + a per-user number below 10^6.
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

  /** Asks the user to stop after its current task (and to cut its current wait short). */
  stop(): void {
    this.stopper.abort();
    this.wake();
  }

  /** The wait between tasks is over (its time came, or the user was stopped). */
  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  get stopping(): boolean {
    return this.stopper.signal.aborted;
  }

  /** Runs the user to the end; never throws (failures are recorded). */
  async main(): Promise<void> {
    const { scenario } = this.env;
    try {
      if (!(await this.start())) return;
      while (!this.stopping) {
        const task = this.env.picker.pick(this.ctx.random);
        // Inline rather than through guard(): no closure and no extra async frame per task.
        const t0 = performance.now();
        try {
          await task.run(this.ctx);
        } catch (err) {
          this.env.stats.record('TASK', task.name, performance.now() - t0, false, 0, errorText(err));
        }
        if (this.stopping) break;
        await this.waitBetweenTasks(scenario.wait ?? DEFAULT_WAIT);
      }
    } finally {
      await this.end();
    }
  }

  private async start(): Promise<boolean> {
    const opts = sdkOptions(this.env.scenario);
    if (opts) {
      const spec = {
        project: this.ctx.project,
        name: opts.runName ? opts.runName(this.index) : `load-test-run-${this.index}`,
        config: opts.config ?? { ...DEFAULT_RUN_CONFIG },
      };
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

  private async end(): Promise<void> {
    const onStop = this.env.scenario.onStop;
    if (onStop) await this.guard('TASK', 'onStop', () => onStop(this.ctx));
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
      return false;
    }
  }

  private waitBetweenTasks(wait: { minS: number; maxS: number }): Promise<void> | undefined {
    const ms = this.ctx.random.uniform(wait.minS, wait.maxS) * 1000;
    if (ms <= 0 || this.stopping) return undefined;
    return new Promise<void>((resolve) => {
      this.wakeUp = resolve;
      thinkTimes.add(this, ms);
    });
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
