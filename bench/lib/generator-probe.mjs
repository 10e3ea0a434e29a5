/**
 * Preloaded into a load generator (`node --import ./bench/lib/generator-probe.mjs …`) by the
 * timing-fidelity benchmark: watches the generator's own event loop and garbage collector, and
 * writes one JSON line to $BENCH_PROBE_OUT when the process exits:
 *
 *   { loop: { start, steady }, gc: { count, totalMs, maxMs, steadyCount, steadyMaxMs }, cpuS, steadyFromMs }
 *
 * `loop.*` are event-loop delays above the 1 ms timer's own period (perf_hooks
 * monitorEventLoopDelay at 1 ms resolution): how late a callback ran, e.g. a response's read.
 * "start" is process start until STEADY_AFTER_MS past the first outgoing connection (imports,
 * scenario load, the first connections); "steady" is the rest of the load, up to $BENCH_PROBE_RUN_MS
 * after that connection (the report writing after the load is left out). Plain JS so the probe itself needs no
 * compilation.
 */
import diagnostics from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';

const OUT = process.env.BENCH_PROBE_OUT;
const STEADY_AFTER_MS = Number(process.env.BENCH_PROBE_STEADY_AFTER_MS ?? 1000);
/** The load's run time: the steady window ends this long after the first outgoing connection (report writing is not load). */
const RUN_MS = Number(process.env.BENCH_PROBE_RUN_MS ?? Infinity);
const RESOLUTION_MS = 1;

let startHist = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
startHist.enable();
let steadyHist;
let steadyFromMs = -1;
let steadyToMs = Infinity;
const gcs = [];

// The first outgoing socket is the generator's pre-flight check, just before its users start.
const onSocket = () => {
  diagnostics.unsubscribe('net.client.socket', onSocket);
  setTimeout(() => {
    startHist.disable();
    steadyHist = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    steadyHist.enable();
    steadyFromMs = performance.now();
    if (Number.isFinite(RUN_MS)) {
      setTimeout(() => {
        steadyHist.disable();
        steadyToMs = performance.now();
      }, Math.max(0, RUN_MS - STEADY_AFTER_MS)).unref();
    }
  }, STEADY_AFTER_MS).unref();
};
diagnostics.subscribe('net.client.socket', onSocket);

const take = (entries) => {
  for (const e of entries) gcs.push([e.startTime, e.duration, e.detail?.kind ?? 0]);
};
const observer = new PerformanceObserver((list) => take(list.getEntries()));
observer.observe({ entryTypes: ['gc'] });

/** Delay quantiles in ms above the timer period (the histogram holds whole periods, in ns). */
function summary(h) {
  if (!h || h.count === 0) return { count: 0, p50: 0, p99: 0, p999: 0, max: 0 };
  const above = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  return { count: h.count, p50: above(h.percentile(50)), p99: above(h.percentile(99)), p999: above(h.percentile(99.9)), max: above(h.max) };
}

const steadyOf = () => (steadyFromMs < 0 ? [] : gcs.filter(([t]) => t >= steadyFromMs && t < steadyToMs));

process.on('exit', () => {
  if (!OUT) return;
  take(observer.takeRecords()); // entries not delivered yet
  const cpu = process.cpuUsage();
  const ru = process.resourceUsage();
  // perf_hooks gc kinds: 1 minor (scavenge), 2 major (mark-compact), 4 incremental marking, 8 weak callbacks.
  const kinds = {};
  for (const [, d, k] of steadyOf()) (kinds[k] ??= [0, 0]), (kinds[k][0] += 1), (kinds[k][1] = Math.max(kinds[k][1], d));
  const steady = steadyOf();
  const maxOf = (xs) => xs.reduce((m, [, d]) => Math.max(m, d), 0);
  writeFileSync(OUT, JSON.stringify({
    loop: { start: summary(startHist), steady: summary(steadyHist) },
    gc: {
      count: gcs.length, totalMs: gcs.reduce((s, [, d]) => s + d, 0), maxMs: maxOf(gcs),
      steadyCount: steady.length, steadyTotalMs: steady.reduce((s, [, d]) => s + d, 0), steadyMaxMs: maxOf(steady),
    },
    steadyGcByKind: kinds,
    steadyGcs: steadyOf().map(([t, d, k]) => [Math.round(t), Math.round(d * 10) / 10, k]),
    cpuS: (cpu.user + cpu.system) / 1e6,
    // Times the kernel took the core away (other processes on a shared machine).
    involuntaryContextSwitches: ru.involuntaryContextSwitches,
    steadyFromMs,
    uptimeMs: performance.now(),
  }) + '\n');
});
