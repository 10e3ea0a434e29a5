import { EventEmitter } from 'node:events';
import type { Dispatcher } from 'undici';
import { RunConsole } from './console-capture.js';
import { trackOpenRun, untrackRun } from './exit-hook.js';
import { classifyCall, type NewNames } from './log-values.js';
import { pyDumps } from './python-json.js';
import { KIND, QueuedRecord, RecordQueue, type DeliveryCounts } from './record-queue.js';
import { sleep } from './retry.js';
import { RunApi } from './run-api.js';
import type { ResolvedSettings } from './settings.js';
import { syncCycle, syncTargets, type SyncContext } from './sync-loop.js';
import { HEALTH_NAMES, sampleSystem, systemMetricNames } from './system-metrics.js';
import { checkWallClock, wallMs } from './wall-clock.js';
import { standardHeaders } from './wire-headers.js';

export type RunStatus = 'COMPLETED' | 'FAILED' | 'TERMINATED' | 'CANCELLED';

/** finish() polls the queue every 0.1 s (§10.2). */
const FINISH_POLL_MS = 100;

export interface RunInfo {
  id: number;
  name: string;
  project: string;
  url: string;
  displayId: string | null;
  resumed: boolean;
}

/**
 * One run: log()/_log() queue records; a single timer per run drives the sync loop (every
 * flush interval), system metrics + heartbeat (every x_sys_sampling_interval) and the health
 * line. A CANCELLED heartbeat ends the run and emits 'cancelled' (the library never exits).
 */
export class Run extends EventEmitter {
  readonly id: number;
  readonly name: string;
  readonly project: string;
  readonly url: string;
  readonly displayId: string | null;
  readonly resumed: boolean;
  readonly console: RunConsole;
  /** Why the final status update failed, if it did (logged by Python, not raised). */
  statusUpdateError: string | null = null;

  private readonly s: ResolvedSettings;
  private readonly queue: RecordQueue;
  private readonly sync: SyncContext;
  private readonly api: RunApi;
  private readonly names = new Map<string, string>();
  /** Raw keys and sent names of the last all-numeric call (the hot path's shape). */
  private lastKeys: string[] | null = null;
  private lastNames: string[] | null = null;
  private state: 'open' | 'finishing' | 'closed' | 'cancelled' = 'open';
  private step = 0;
  private sysStep = 0;
  private tags: string[];
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | null = null;
  private heartbeating = false;
  private nextSyncAt: number;
  private nextMonitorAt: number;
  private nextHealthAt: number;
  private teardownPromise: Promise<void> | undefined;
  private readonly registrations = new Set<Promise<void>>();

  constructor(info: RunInfo, settings: ResolvedSettings, dispatcher: Dispatcher, tags: string[]) {
    super();
    this.id = info.id;
    this.name = info.name;
    this.project = info.project;
    this.url = info.url;
    this.displayId = info.displayId;
    this.resumed = info.resumed;
    this.s = settings;
    this.tags = [...tags];
    this.queue = new RecordQueue(info.id, settings.sync_process_retry_max, settings.observer);
    const auth = settings._auth;
    this.sync = {
      settings, dispatcher, queue: this.queue,
      ndjsonHeaders: standardHeaders(auth, 'application/x-ndjson', settings.tag, info.id, info.name, info.project),
      jsonHeaders: standardHeaders(auth, 'application/json', settings.tag, info.id, info.name, info.project),
      targets: syncTargets(settings),
    };
    this.api = new RunApi(settings, dispatcher, this.sync.jsonHeaders, info.id);
    this.console = new RunConsole(
      { disabled: settings.disable_console, sanitize: settings.sanitize_logs, rank: settings.rank,
        flushLines: settings.x_console_flush_lines, flushMs: settings.x_console_flush_seconds * 1000 },
      (r) => this.queue.push(r),
      () => this.state === 'open' || this.state === 'finishing',
    );
    const now = performance.now();
    this.nextSyncAt = now + settings.sync_process_flush_interval * 1000;
    this.nextMonitorAt = now;
    this.nextHealthAt = now + settings.sync_process_health_interval * 1000;
  }

  /** Op.start (§3.2 step 6): register system metric names, first monitor pass, start the timer. */
  async start(): Promise<void> {
    const reg = this.s.disable_system_metrics ? undefined : this.register(new Map([['METRIC', systemMetricNames()]]));
    trackOpenRun(this);
    this.onTimer();
    if (reg) await reg;
  }

  /** Log values at the next step (or `opts.step`), stamped now (or `opts.timestamp`, epoch s). */
  log(data: Record<string, unknown>, opts?: { step?: number; timestamp?: number }): void | Promise<void> {
    if (this.state !== 'open') return;
    const loggedAt = performance.now();
    const step = opts?.step ?? this.step + 1;
    this.step = step;
    const ts = opts?.timestamp;
    // §5.1: invalid timestamps (non-number, non-finite, ≤ 0) fall back to now. "Now" is the
    // monotonic clock plus a checked wall-clock offset (wall-clock.ts): one clock read per call.
    const time = typeof ts === 'number' && Number.isFinite(ts) && ts > 0 ? Math.trunc(ts * 1000) : wallMs(loggedAt);
    return this.enqueue(data, step, time, loggedAt);
  }

  /**
   * Log with an explicit step and time (epoch s). Unlike pluto 0.0.28, whose _log uploads
   * nothing on the sync path, this uploads exactly like log() (docs/protocol/sdk.md §15.3).
   */
  _log(data: Record<string, unknown>, step: number, t?: number): void | Promise<void> {
    if (data === null || typeof data !== 'object') throw new TypeError('_log() data must be an object of name → value.');
    return this.log(data, { step, timestamp: t });
  }

  private enqueue(data: Record<string, unknown>, rawStep: number, time: number, loggedAt: number): void | Promise<void> {
    // v2 uploads `step or 0`; the ingest needs a non-negative integer (§11.1)
    const step = rawStep > 0 && Number.isFinite(rawStep) ? Math.trunc(rawStep) : 0;
    // Hot path: the same numeric keys as the previous call, in the same order (the common case
    // of a training loop). No name lookups; queued records of a run share one names array.
    const keys = this.lastKeys;
    if (keys !== null) {
      let i = 0;
      let values: number[] | null = null;
      for (const key in data) {
        const v = data[key];
        if (i === keys.length || keys[i] !== key || typeof v !== 'number') {
          i = -1;
          break;
        }
        (values ??= []).push(v);
        i++;
      }
      if (i === keys.length && values !== null) {
        this.queue.push(new QueuedRecord(KIND.METRIC, time, step, loggedAt, this.lastNames!, values, null, i));
        return;
      }
    }
    return this.enqueueSlow(data, step, time, loggedAt);
  }

  /** Any other call: classify every value (§5.3) and register names met for the first time. */
  private enqueueSlow(data: Record<string, unknown>, step: number, time: number, loggedAt: number): void | Promise<void> {
    const c = classifyCall(data, this.names, step, time, loggedAt);
    if (c.names.length) {
      this.queue.push(new QueuedRecord(KIND.METRIC, time, step, loggedAt, c.names, c.values, null, c.names.length));
      if (c.allNumeric) {
        this.lastKeys = c.rawKeys;
        this.lastNames = c.names;
      }
    }
    for (const r of c.data) this.queue.push(r);
    for (const f of c.files) this.queue.pushFile(f);
    if (c.fresh) return this.register(c.fresh);
  }

  /** Register new names (§5.5); finish() waits for registrations still in flight. */
  private register(fresh: NewNames): Promise<void> {
    const p: Promise<void> = this.api.registerNames(fresh).then(() => {
      this.registrations.delete(p);
    });
    this.registrations.add(p);
    return p;
  }

  /** Replace the run's tags (§11.6: the full list is sent), via the sync queue. */
  addTags(tags: string[]): void {
    this.setTags([...this.tags, ...tags.filter((t) => !this.tags.includes(t))]);
  }

  removeTags(tags: string[]): void {
    this.setTags(this.tags.filter((t) => !tags.includes(t)));
  }

  private setTags(tags: string[]): void {
    if (this.state !== 'open') return;
    this.tags = tags;
    const body = pyDumps({ runId: this.id, tags });
    this.queue.push(new QueuedRecord(KIND.TAGS, Date.now(), 0, performance.now(), null, null, body, 0));
  }

  /** Send a config delta (§11.6: a JSON string), via the sync queue. */
  updateConfig(delta: Record<string, unknown>): void {
    if (this.state !== 'open') return;
    const body = pyDumps({ runId: this.id, config: Object.keys(delta).length ? pyDumps(delta) : null });
    this.queue.push(new QueuedRecord(KIND.CONFIG, Date.now(), 0, performance.now(), null, null, body, 0));
  }

  /** Records logged, acknowledged, FAILED for good, and still pending (incl. buffered console). */
  delivery(): DeliveryCounts {
    const c = this.queue.counts();
    const buffered = this.console.buffered;
    return { ...c, logged: c.logged + buffered, pending: c.pending + buffered };
  }

  /** Finish: drain, then POST the final status (§10.2). Idempotent. */
  finish(status: RunStatus = 'COMPLETED'): Promise<void> {
    this.teardownPromise ??= this.teardown(status);
    return this.teardownPromise;
  }

  /** Same teardown as finish() without the status update. */
  close(): Promise<void> {
    this.teardownPromise ??= this.teardown(null);
    return this.teardownPromise;
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.state === 'closed' || this.state === 'cancelled') return;
    const now = performance.now();
    checkWallClock();
    this.console.tick(now);
    if (now >= this.nextMonitorAt) {
      this.nextMonitorAt = now + this.s.x_sys_sampling_interval * 1000;
      this.monitor(now);
    }
    if (now >= this.nextHealthAt) {
      this.nextHealthAt = now + this.s.sync_process_health_interval * 1000;
      this.enqueueHealth();
    }
    if (now >= this.nextSyncAt && !this.syncing) {
      this.nextSyncAt = now + this.s.sync_process_flush_interval * 1000;
      this.syncing = syncCycle(this.sync, false).then(
        () => this.syncDone(),
        () => this.syncDone(),
      );
    }
    this.schedule();
  }

  private syncDone(): void {
    this.syncing = null;
    this.schedule();
  }

  private schedule(): void {
    if (this.state === 'closed' || this.state === 'cancelled') return;
    if (this.timer) clearTimeout(this.timer);
    const next = Math.min(this.syncing ? Infinity : this.nextSyncAt, this.nextMonitorAt, this.nextHealthAt);
    if (next === Infinity) return;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, next - performance.now()));
    if (this.state !== 'finishing') this.timer.unref();
  }

  /** §10.1: system metrics (own step counter) then the heartbeat POST {py}/api/runs/trigger. */
  private monitor(now: number): void {
    if (!this.s.disable_system_metrics) {
      const sample = sampleSystem(this.s.x_sys_sampling_interval * 1000, now);
      this.queue.push(new QueuedRecord(KIND.SYSTEM, Date.now(), ++this.sysStep, performance.now(), sample.names, sample.values, null, sample.names.length));
    }
    if (this.heartbeating) return;
    this.heartbeating = true;
    this.api.heartbeat().then((cancelled) => {
      this.heartbeating = false;
      if (cancelled) this.cancel();
    }, () => {
      this.heartbeating = false;
    });
  }

  /** §8.3 health stats as one step-0 metrics line (unless system metrics are off). */
  private enqueueHealth(): void {
    if (this.s.disable_system_metrics) return;
    const c = this.queue.counts();
    const values = [c.pending, this.syncing ? 1 : 0, c.acked, c.failed, c.logged, 0, 0, 0, c.logged, 0, 0, 0, c.failed];
    this.queue.push(new QueuedRecord(KIND.SYSTEM, Date.now(), 0, performance.now(), HEALTH_NAMES, values, null, HEALTH_NAMES.length));
  }

  /** A CANCELLED heartbeat: stop like os._exit(2) would (no drain, no status), but emit instead. */
  private cancel(): void {
    if (this.state !== 'open') return;
    this.state = 'cancelled';
    untrackRun(this);
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.console.close();
    this.emit('cancelled', { runId: this.id });
  }

  private async teardown(status: RunStatus | null): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'finishing';
    untrackRun(this);
    this.nextMonitorAt = Infinity;
    this.nextHealthAt = Infinity;
    this.console.close();
    await Promise.all([...this.registrations]);
    this.schedule(); // ref'd from now on: finish() keeps the process alive until done
    const budgetMs = this.s.sync_process_shutdown_timeout * 1000;
    const deadline = performance.now() + budgetMs;
    // §10.2 step 3: ordinary ticks carry what is pending, polled every 0.1 s, within the budget.
    while (this.queue.pending > 0 && performance.now() < deadline) await sleep(FINISH_POLL_MS, true);
    if (this.syncing) await this.syncing;
    this.nextSyncAt = Infinity; // no ordinary cycle from here on
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // §8.6 urgent drain: one try, 5 s timeout, until nothing more goes out.
    const drainDeadline = performance.now() + budgetMs;
    while (this.queue.pending > 0 && performance.now() < drainDeadline) {
      if ((await syncCycle(this.sync, true)) === 0) break;
    }
    this.state = 'closed';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (status !== null) this.statusUpdateError = await this.api.updateStatus(status);
  }
}
