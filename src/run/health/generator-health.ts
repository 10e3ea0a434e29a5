/**
 * Self-diagnosis of the load generator: while a run lasts, how busy the generator's own main
 * thread was (event-loop utilisation), how late its timers fired (event-loop delay, sampled by
 * perf_hooks.monitorEventLoopDelay) and how much CPU the process used (process.cpuUsage). A
 * saturated generator measures its own queueing, not the target's latency: Locust warns at 90 %
 * CPU for the same reason. Garbage-collection pauses are counted too: a response that arrives
 * during one is timed late by it (src/run/health/timing-health.ts judges that part). The verdicts here
 * are warnings attached to the result, never gates.
 */
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay, performance, PerformanceObserver, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import type { GeneratorHealth } from '../../metrics/result.js';
import { NO_MEMORY_REDUCER, timingWarning } from './timing-health.js';

/** A window counts as busy at this main-thread utilisation (Locust's CPU warning level). */
export const BUSY_UTILISATION = 0.9;
/** Saturated when at least this share of the windows was busy… */
export const BUSY_WINDOW_SHARE = 0.2;
/** …or when timers fired this late at p99 over the run: every measured latency includes it. */
export const LOOP_DELAY_P99_LIMIT_MS = 100;
const WINDOW_MS = 1000;
const DELAY_RESOLUTION_MS = 10;

export interface GeneratorHealthWindow {
  /** Seconds since the monitor started, at the window's end. */
  t: number;
  /** Main-thread event-loop utilisation in the window, 0–1. */
  utilisation: number;
  /** Process CPU (user + system, all threads) in the window, in cores (1 = one core fully busy). */
  cpuCores: number;
  /** Largest event-loop delay in the window, ms. */
  loopDelayMaxMs: number;
}

/** The figures and verdict of a run (result.generator), plus the per-second timeline. */
export interface GeneratorHealthReport extends Omit<GeneratorHealth, 'timingWarning'> {
  /** One entry per second (not written to latest.json). */
  timeline: GeneratorHealthWindow[];
}

export class GeneratorHealthMonitor {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  private readonly windowHistogram: IntervalHistogram = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  private startElu: EventLoopUtilization | undefined;
  private lastElu: EventLoopUtilization | undefined;
  private startCpu: NodeJS.CpuUsage | undefined;
  private lastCpu: NodeJS.CpuUsage | undefined;
  private startedAt = 0;
  private lastAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly timeline: GeneratorHealthWindow[] = [];
  private gcObserver: PerformanceObserver | undefined;
  private readonly gc = { pauses: 0, totalMs: 0, maxMs: 0 };

  start(): void {
    this.gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.addPause(e.duration);
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
    this.startedAt = this.lastAt = performance.now();
    this.startElu = this.lastElu = performance.eventLoopUtilization();
    this.startCpu = this.lastCpu = process.cpuUsage();
    this.histogram.enable();
    this.windowHistogram.enable();
    this.timer = setInterval(() => this.sample(), WINDOW_MS);
    this.timer.unref();
  }

  private sample(): void {
    const now = performance.now();
    const elu = performance.eventLoopUtilization();
    const cpu = process.cpuUsage();
    const wallUs = (now - this.lastAt) * 1000;
    const window = performance.eventLoopUtilization(elu, this.lastElu);
    const cpuUs = cpu.user - this.lastCpu!.user + (cpu.system - this.lastCpu!.system);
    this.timeline.push({
      t: round((now - this.startedAt) / 1000, 1),
      utilisation: round(window.utilization, 3),
      cpuCores: round(wallUs > 0 ? cpuUs / wallUs : 0, 3),
      loopDelayMaxMs: round(delayMs(this.windowHistogram.max), 1),
    });
    this.windowHistogram.reset();
    this.lastAt = now;
    this.lastElu = elu;
    this.lastCpu = cpu;
  }

  private addPause(ms: number): void {
    this.gc.pauses++;
    this.gc.totalMs += ms;
    this.gc.maxMs = Math.max(this.gc.maxMs, ms);
  }

  /** Stops sampling and returns the figures and the verdict. Idempotent in effect. */
  stop(): GeneratorHealthReport {
    if (this.gcObserver) {
      for (const e of this.gcObserver.takeRecords()) this.addPause(e.duration);
      this.gcObserver.disconnect();
      this.gcObserver = undefined;
    }
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const now = performance.now();
    if (now - this.lastAt >= WINDOW_MS / 2 && this.startElu) this.sample();
    this.histogram.disable();
    this.windowHistogram.disable();
    return this.figures(now);
  }

  /** The figures and verdict so far, without stopping (the live page). */
  peek(): GeneratorHealthReport {
    return this.figures(performance.now());
  }

  private figures(now: number): GeneratorHealthReport {
    const wallUs = (now - this.startedAt) * 1000;
    const elu = this.startElu ? performance.eventLoopUtilization(this.startElu) : undefined;
    const cpu = this.startCpu ? process.cpuUsage(this.startCpu) : { user: 0, system: 0 };
    const has = this.histogram.count > 0;
    return judgeGeneratorHealth({
      cores: availableParallelism(),
      utilisation: round(elu?.utilization ?? 0, 3),
      cpuCores: round(wallUs > 0 ? (cpu.user + cpu.system) / wallUs : 0, 3),
      loopDelayMs: {
        p50: has ? round(delayMs(this.histogram.percentile(50)), 1) : 0,
        p99: has ? round(delayMs(this.histogram.percentile(99)), 1) : 0,
        max: has ? round(delayMs(this.histogram.max), 1) : 0,
      },
      gc: { pauses: this.gc.pauses, totalMs: round(this.gc.totalMs, 1), maxMs: round(this.gc.maxMs, 1) },
      timeline: [...this.timeline],
    });
  }
}

/** The verdict from the figures (exported so a result can be judged again, and for tests). */
export function judgeGeneratorHealth(f: Omit<GeneratorHealthReport, 'windows' | 'busyWindows' | 'saturated' | 'warning'>): GeneratorHealthReport {
  const windows = f.timeline.length;
  const busyWindows = f.timeline.filter((w) => w.utilisation >= BUSY_UTILISATION).length;
  const busy = windows > 0 && busyWindows / windows >= BUSY_WINDOW_SHARE;
  const late = f.loopDelayMs.p99 >= LOOP_DELAY_P99_LIMIT_MS;
  const saturated = busy || late;
  const warning = saturated
    ? `The load generator itself was saturated (main thread busy ≥ ${pct(BUSY_UTILISATION)} in ${busyWindows} of ${windows} s, ` +
      `event-loop delay p99 ${f.loopDelayMs.p99} ms, max ${f.loopDelayMs.max} ms, CPU ${f.cpuCores.toFixed(2)} of ${f.cores} cores): ` +
      `the latencies include its own queueing and do not describe the target; run fewer users per process.`
    : '';
  return { ...f, windows, busyWindows, saturated, warning };
}

/**
 * The result's copy: the figures without the timeline, with the timing verdict against the run's
 * reported p99 (src/run/health/timing-health.ts).
 */
export function healthSummary(r: GeneratorHealthReport, reportedP99Ms: number): GeneratorHealth {
  const { timeline: _timeline, ...summary } = r;
  return { ...summary, timingWarning: timingWarning(r.loopDelayMs.p99, reportedP99Ms, r.gc, process.execArgv.includes(NO_MEMORY_REDUCER)) };
}

/** The histogram records timer lateness in ns, including the sampling resolution. */
function delayMs(ns: number): number {
  return Math.max(0, ns / 1e6 - DELAY_RESOLUTION_MS);
}
const round = (x: number, digits: number): number => Number(x.toFixed(digits));
const pct = (x: number): string => `${Math.round(x * 100)} %`;
