/**
 * Issue 12 — what a `--workers` worker spends besides its requests, in isolation (no network,
 * no other process), so the numbers hold on a shared machine:
 *
 * Part 1, the once-a-second live report: a Recorder fed like one worker of the http scenario
 * (--rate requests/s over its three entries, lognormal latencies) for --seconds; each second the
 * report is built and serialised as IPC does (JSON), then parsed and kept by the coordinator
 * (SegmentLiveStats). `whole`: Recorder.snapshot(fromT) — raw digest samples and the whole
 * users list, what workers sent before; `live`: Recorder.liveSnapshot(fromT) — digests folded
 * into centroids, series and users only since the last report. Charged: process CPU of each
 * side; bytes of the JSON. Seconds 3… (the first reports are smaller).
 *
 * Part 2, the generator-health monitor (two event-loop-delay histograms at 10 ms resolution):
 * CPU of an otherwise idle process over --idle-seconds with the monitor running, and without.
 *
 * Usage: node --import tsx bench/live-report.ts [--runs 5] [--rate 13000] [--seconds 15] [--idle-seconds 5]
 */
import { Recorder, type RecorderSnapshot } from '../src/metrics/recorder.js';
import { GeneratorHealthMonitor } from '../src/run/health/generator-health.js';
import { SegmentLiveStats } from '../src/run/distributed/live-stats.js';
import { fmt, fmtSpread, spread } from './lib/proc.js';
import { numberArg } from './lib/args.js';

const RUNS = numberArg('--runs', 5);
const RATE = numberArg('--rate', 13_000);
const SECONDS = numberArg('--seconds', 15);
const IDLE_SECONDS = numberArg('--idle-seconds', 5);
const ROUTES = ['/ingest/metrics', '/ingest/logs', '/ingest/data'];
const T0 = 1_700_000_000_000;

const cpuMs = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1000;

/** One run of part 1: per report, worker ms, coordinator ms, KB. */
function reports(form: 'whole' | 'live'): { workerMs: number; coordinatorMs: number; kb: number } {
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const clock = { ms: T0 };
  const rec = new Recorder({ now: () => clock.ms });
  const kept = new SegmentLiveStats();
  let workerMs = 0, coordinatorMs = 0, bytes = 0, reportedS = -Infinity;
  for (let s = 0; s < SECONDS; s++) {
    rec.setUsers(25);
    for (let i = 0; i < RATE; i++) {
      clock.ms = T0 + s * 1000 + Math.floor((i / RATE) * 1000);
      const z = Math.sqrt(-2 * Math.log(Math.max(rnd(), 1e-12))) * Math.cos(2 * Math.PI * rnd());
      rec.record('POST', ROUTES[i % 3], Math.exp(Math.log(0.8) + 0.5 * z), true, 2);
    }
    clock.ms = T0 + s * 1000 + 500;
    const nowS = Math.floor(clock.ms / 1000);
    const w0 = process.cpuUsage();
    const stats = form === 'whole' ? rec.snapshot(nowS - 2) : rec.liveSnapshot(Math.min(nowS - 2, reportedS));
    reportedS = nowS;
    const text = JSON.stringify({ type: 'live', stats });
    const w = cpuMs(process.cpuUsage(w0));
    const c0 = process.cpuUsage();
    kept.update((JSON.parse(text) as { stats: RecorderSnapshot }).stats);
    const c = cpuMs(process.cpuUsage(c0));
    if (s >= 2) {
      workerMs += w;
      coordinatorMs += c;
      bytes += text.length;
    }
  }
  const n = SECONDS - 2;
  return { workerMs: workerMs / n, coordinatorMs: coordinatorMs / n, kb: bytes / n / 1024 };
}

const part1: Record<'whole' | 'live', { workerMs: number[]; coordinatorMs: number[]; kb: number[] }> = {
  whole: { workerMs: [], coordinatorMs: [], kb: [] },
  live: { workerMs: [], coordinatorMs: [], kb: [] },
};
for (let run = 0; run < RUNS; run++) {
  for (const form of run % 2 === 0 ? (['whole', 'live'] as const) : (['live', 'whole'] as const)) {
    const r = reports(form);
    part1[form].workerMs.push(r.workerMs);
    part1[form].coordinatorMs.push(r.coordinatorMs);
    part1[form].kb.push(r.kb);
  }
}
console.log(`### Live report of one worker (${RATE.toLocaleString('en')} requests/s over 3 entries, seconds 3–${SECONDS}, ${RUNS} runs, CPU per report)\n`);
console.log('| report | KB per report | worker: build + JSON, ms CPU | coordinator: parse + keep, ms CPU | µs per request (both sides) |');
console.log('|---|---|---|---|---|');
for (const form of ['whole', 'live'] as const) {
  const p = part1[form];
  const perReq = p.workerMs.map((w, i) => ((w + p.coordinatorMs[i]) * 1000) / RATE);
  const name = form === 'whole' ? 'Recorder.snapshot(fromT): raw samples, all users (before)' : 'Recorder.liveSnapshot(fromT): folded digests, changes only';
  console.log(`| ${name} | ${fmtSpread(spread(p.kb), 0)} | ${fmtSpread(spread(p.workerMs), 2)} | ${fmtSpread(spread(p.coordinatorMs), 2)} | ${fmtSpread(spread(perReq), 3)} |`);
}

// ---- Part 2 ---------------------------------------------------------------------------------
async function idleCpuMsPerS(monitor: boolean): Promise<number> {
  const m = monitor ? new GeneratorHealthMonitor() : undefined;
  m?.start();
  const c0 = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  const ms = cpuMs(process.cpuUsage(c0));
  m?.stop();
  return ms / IDLE_SECONDS;
}
const idle: Record<'on' | 'off', number[]> = { on: [], off: [] };
for (let run = 0; run < RUNS; run++) {
  for (const on of run % 2 === 0 ? [true, false] : [false, true]) idle[on ? 'on' : 'off'].push(await idleCpuMsPerS(on));
}
console.log(`\n### Generator-health monitor in an idle process (${IDLE_SECONDS} s × ${RUNS})\n`);
console.log('| monitor | ms CPU per second |');
console.log('|---|---|');
console.log(`| running | ${fmtSpread(spread(idle.on), 2)} |`);
console.log(`| not running | ${fmtSpread(spread(idle.off), 2)} |`);
console.log(`\nThe monitor's cost: ${fmt(spread(idle.on).median - spread(idle.off).median, 2)} ms CPU a second per process.`);
