import { EventEmitter } from 'node:events';
import type { Dispatcher } from 'undici';
import { Alarm, setAlarm, setAlarmRef } from './sync/alarm-clock.js';
import { RunConsole } from './console-capture.js';
import { trackOpenRun, untrackRun } from './exit-hook.js';
import { classifyCall, sanitizeKey, type NewNames } from './values/log-values.js';
import { pyDumps } from './values/python-json.js';
import { KIND, QueuedRecord, RecordQueue, type DeliveryCounts } from './sync/record-queue.js';
import { sleep } from './sync/retry.js';
import { RunApi } from './run-api.js';
import type { ResolvedSettings } from './settings.js';
import { syncCycle, syncTargets, type SyncContext } from './sync/sync-loop.js';
import { INFO, startedSyncLine, syncProcessStartedLine, viewRunLine } from './sdk-log-lines.js';
import { SyncHealth } from './sync/sync-health.js';
import { sampleSystem, systemMetricNames } from './system-metrics.js';
import { checkWallClock, wallMs } from './wall-clock.js';
import { standardHeaders } from './sync/wire-headers.js';

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
 * One run: log()/_log() queue records; the run's alarm (one shared timer for all runs,
 * sync/alarm-clock.ts) drives the sync loop (first after the start-up delay plus one flush interval,
 * then one flush interval after each cycle ends), the monitor (system metrics + heartbeat, again
 * x_sys_sampling_interval after each heartbeat returns) and the health line (every 60 s).
 * A CANCELLED heartbeat ends the run and emits 'cancelled' (the library never exits).
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
  private readonly alarm = new Alarm(() => this.onTimer());
  private syncing: Promise<void> | null = null;
  /** Ordinary sync cycles run (until finish() switches to the urgent drain). */
  private ticking = true;
  /** When the (simulated) sync process is up; its first cycle comes one flush interval later. */
  private syncStartAt: number;
  private syncStarted = false;
  private nextSyncAt: number;
  private nextMonitorAt: number;
  private nextHealthAt: number;
  private health: SyncHealth;
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
    const [lo, hi] = settings.x_sync_start_delay_seconds;
    this.syncStartAt = now + (lo + Math.random() * (hi - lo)) * 1000;
    this.queue.syncStartAt = this.syncStartAt;
    this.nextSyncAt = this.syncStartAt + settings.sync_process_flush_interval * 1000;
    this.nextMonitorAt = now;
    this.nextHealthAt = this.syncStartAt + settings.sync_process_health_interval * 1000;
    this.health = new SyncHealth(this.syncStartAt);
  }

  /**
   * Op.start (docs/protocol/sdk.md §3.2 step 6): the sync process starts (its log line), the
   * monitor's first pass, the system metric names, then the "View run" line.
   */
  async start(): Promise<void> {
    trackOpenRun(this);
    this.sdkLog(() => startedSyncLine(process.pid));
    this.onTimer();
    if (!this.s.disable_system_metrics) await this.register(new Map([['METRIC', systemMetricNames()]]));
    this.sdkLog(() => viewRunLine(this.displayId, this.url));
  }

  /** An SDK log line at INFO on stderr, which the real SDK's console capture uploads. */
  private sdkLog(line: () => string): void {
    if (this.s.x_log_level <= INFO && !this.s.disable_console) this.console.write('stderr', `${line()}\n`);
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
   * With `x_explicit_log_upload: false` it behaves like 0.0.28: the step counter moves and the
   * keys count as registered (a later log() of them registers nothing), but nothing is sent.
   */
  _log(data: Record<string, unknown>, step: number, t?: number): void | Promise<void> {
    if (data === null || typeof data !== 'object') throw new TypeError('_log() data must be an object of name → value.');
    if (!this.s.x_explicit_log_upload) {
      if (this.state !== 'open') return;
      this.step = step;
      for (const key in data) if (!this.names.has(key)) this.names.set(key, sanitizeKey(key));
      return;
    }
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
    if (buffered) {
      const k = c.byKind.console;
      c.byKind.console = { ...k, logged: k.logged + buffered, pending: k.pending + buffered };
    }
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
    if (this.state === 'closed' || this.state === 'cancelled') return;
    const now = performance.now();
    checkWallClock();
    if (!this.syncStarted && now >= this.syncStartAt) {
      this.syncStarted = true;
      this.sdkLog(() => syncProcessStartedLine(process.pid));
    }
    this.console.tick(now);
    if (now >= this.nextMonitorAt) {
      this.nextMonitorAt = Infinity; // set again when the heartbeat returns
      this.monitor();
    }
    if (!this.syncing && this.ticking) {
      const doSync = now >= this.nextSyncAt;
      const doHealth = now >= this.nextHealthAt;
      if (doSync || doHealth) this.syncing = this.cycle(doSync, doHealth);
    }
    this.schedule();
  }

  /** One iteration of the sync loop: a cycle and/or the health line, then the next deadlines. */
  private async cycle(doSync: boolean, doHealth: boolean): Promise<void> {
    try {
      if (doSync) await syncCycle(this.sync, false);
      if (doHealth) await this.health.send(this.queue, this.s, this.sync.dispatcher, this.s.observer, this.sync.targets.num, this.sync.ndjsonHeaders);
    } catch {
      // never stops the loop
    }
    const end = performance.now();
    if (doSync) this.nextSyncAt = end + this.s.sync_process_flush_interval * 1000;
    if (doHealth && this.state === 'open') this.nextHealthAt = end + this.s.sync_process_health_interval * 1000;
    this.syncing = null;
    this.schedule();
  }

  private schedule(): void {
    if (this.state === 'closed' || this.state === 'cancelled') {
      setAlarm(this.alarm, Infinity);
      return;
    }
    let next = this.nextMonitorAt;
    if (!this.syncStarted && this.syncStartAt < next) next = this.syncStartAt;
    if (!this.syncing && this.ticking) next = Math.min(next, this.nextSyncAt, this.nextHealthAt);
    setAlarm(this.alarm, next);
  }

  /** §10.1: system metrics (own step counter) then the heartbeat; the next pass one interval after it returns. */
  private monitor(): void {
    if (!this.s.disable_system_metrics) {
      const now = performance.now();
      const sample = sampleSystem(this.s.x_sys_sampling_interval * 1000, now);
      this.queue.push(new QueuedRecord(KIND.SYSTEM, wallMs(now), ++this.sysStep, now, sample.names, sample.values, null, sample.names.length));
    }
    const next = (cancelled: boolean): void => {
      if (cancelled) this.cancel();
      if (this.state !== 'open') return;
      this.nextMonitorAt = performance.now() + this.s.x_sys_sampling_interval * 1000;
      this.schedule();
    };
    this.api.heartbeat().then(next, () => next(false));
  }

  /** A CANCELLED heartbeat: stop like os._exit(2) would (no drain, no status), but emit instead. */
  private cancel(): void {
    if (this.state !== 'open') return;
    this.state = 'cancelled';
    untrackRun(this);
    setAlarm(this.alarm, Infinity);
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
    setAlarmRef(this.alarm, true); // finish() keeps the process alive until done
    this.schedule();
    const budgetMs = this.s.sync_process_shutdown_timeout * 1000;
    const deadline = performance.now() + budgetMs;
    // §10.2 step 3: ordinary ticks carry what is pending, polled every 0.1 s, within the budget.
    while (this.queue.pending > 0 && performance.now() < deadline) await sleep(FINISH_POLL_MS, true);
    this.ticking = false; // no ordinary cycle from here on
    if (this.syncing) await this.syncing;
    setAlarm(this.alarm, Infinity);
    // §8.6 urgent drain: one try, 5 s timeout, until nothing more goes out.
    const drainDeadline = performance.now() + budgetMs;
    while (this.queue.pending > 0 && performance.now() < drainDeadline) {
      if ((await syncCycle(this.sync, true)) === 0) break;
    }
    this.state = 'closed';
    setAlarm(this.alarm, Infinity);
    setAlarmRef(this.alarm, false);
    if (status !== null) this.statusUpdateError = await this.api.updateStatus(status);
  }
}
