/**
 * web-cost: what the live page (--web) costs the generator while 50 pages watch it. The http
 * scenario at a fixed rate (constant-arrival-rate, --rate, default 10,000 requests/s) against the
 * plain loopback target (bench/lib/plain-target.ts, pinned to core 0), the generator pinned to
 * core 1, --seconds long, with and without `--web` in alternating runs; with --web, --clients
 * (default 50) server-sent-event streams are opened as soon as the page is up and read to the
 * end, by this process pinned to core 0 beside the target. CPU = the generator's user+system seconds: over the whole
 * run (bash `times`, start-up included) ÷ the requests the target counted, and over the steady window (/proc, from
 * WARM_S after the first request to TAIL_S before the end) ÷ the requests the target counted in it,
 * split into the main thread and the others (/proc/PID/task: V8's compiler and GC helpers, libuv).
 * Goal (issue 24): CPU per request rises ≤ 2 % with --web and 50 open pages.
 *
 * Usage: node --import tsx bench/web-cost.ts [--runs 3] [--seconds 20] [--rate 10000] [--clients 50] [--probe-runs RUNS] [--segment 10]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { numberArg } from './lib/args.js';
import { childPids, exitWithCpu, fmt, fmtSpread, HAS_TASKSET, spawnMeasured, spread, threadCpuS } from './lib/proc.js';
import { startPlainTarget, type PlainTarget } from './lib/target-process.js';
import { freePort, openPages, pageUp } from './lib/web-pages.js';

const RUNS = numberArg('--runs', 3);
const SECONDS = numberArg('--seconds', 20);
const RATE = numberArg('--rate', 10_000);
const CLIENTS = numberArg('--clients', 50);
/** Runs of the page-alone probe (bench/lib/web-probe.ts) per variant; 0 skips it. */
const PROBE_RUNS = numberArg('--probe-runs', RUNS);
const KEY = 'mlps_bench_web_cost_key_0001';
const CLI = path.join(import.meta.dirname, '../dist/bin/mlop-sim.js');
if (!HAS_TASKSET) throw new Error('web-cost pins the generator to core 1: it needs taskset (util-linux)');
// The pages (this process's event-stream readers) sit with the target on core 0, off the generator's core.
spawnSync('taskset', ['-pc', '0', String(process.pid)], { stdio: 'ignore' });

/** Opens `n` event streams once the live page answers; resolves with the bytes and updates they read, at the end. */
async function watch(url: string, n: number): Promise<{ bytes: number; updates: number }> {
  await pageUp(url);
  return openPages(url, n).close(true);
}

/** The steady window: from WARM_S after the target's first request to TAIL_S before the run's planned end. */
const WARM_S = 5;
const TAIL_S = 2;
/** The steady window is also read in segments of this many seconds, to see whether a rise fades as the run goes on. */
const SEGMENT_S = numberArg('--segment', 10);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Reading { cpuS: number; mainS: number; byName: Record<string, number>; requests: number }
/** One segment of the steady window (SEGMENT_S long, the last one shorter): its CPU and requests. */
interface Segment { cpuS: number; requests: number }

/**
 * The generator's CPU and the target's requests over the steady window of a run, read from
 * /proc/PID/stat (the node process under the measuring shell) and the target's count: CPU per
 * request at the rate, without the one-time start-up (module loading, the first page builds);
 * and the same per SEGMENT_S seconds of the window.
 */
async function steadyWindow(shellPid: number, target: PlainTarget): Promise<Reading & { segments: Segment[] }> {
  const t0 = performance.now();
  while ((await target.report()).requests === 0) {
    if (performance.now() - t0 > 20_000) throw new Error('the generator sent no request within 20 s');
    await sleep(25);
  }
  await sleep(WARM_S * 1000);
  const [pid] = childPids(shellPid);
  if (pid === undefined) throw new Error('the generator process was not found under its shell');
  const read = async (): Promise<Reading> => {
    const threads = threadCpuS(pid);
    return { cpuS: threads.total, mainS: threads.main, byName: threads.byName, requests: (await target.report()).requests };
  };
  const readings = [await read()];
  for (let at = WARM_S; at < SECONDS - TAIL_S;) {
    const step = Math.min(SEGMENT_S, SECONDS - TAIL_S - at);
    await sleep(step * 1000);
    readings.push(await read());
    at += step;
  }
  const first = readings[0], last = readings[readings.length - 1];
  const byName: Record<string, number> = {};
  for (const [name, cpuS] of Object.entries(last.byName)) byName[name] = cpuS - (first.byName[name] ?? 0);
  const segments = readings.slice(1).map((r, i) => ({ cpuS: r.cpuS - readings[i].cpuS, requests: r.requests - readings[i].requests }));
  return { cpuS: last.cpuS - first.cpuS, mainS: last.mainS - first.mainS, byName, requests: last.requests - first.requests, segments };
}

const variants = ['without --web', `--web, ${CLIENTS} pages open`] as const;
const perReqUs: Record<string, number[]> = {};
const steadyUs: Record<string, number[]> = {};
/** The steady window's CPU per request on the main thread (the JavaScript) and on the others (V8's compiler and GC helpers, libuv). */
const mainUs: Record<string, number[]> = {};
const othersUs: Record<string, number[]> = {};
/** Per segment of the steady window, each run's CPU per request. */
const segmentUs: Record<string, number[][]> = {};
const cpu: Record<string, number[]> = {};
const reqs: Record<string, number[]> = {};
const streamed: { mb: number; updatesPerClientS: number }[] = [];
const target = await startPlainTarget('none');
try {
  for (let run = 0; run < RUNS; run++) {
    for (const v of run % 2 === 0 ? variants : [...variants].reverse()) {
      await target.reset();
      const web = v !== variants[0];
      const port = await freePort();
      const dir = mkdtempSync(path.join(os.tmpdir(), 'web-cost-'));
      const args = [CLI, '-q', '--scenario', 'http', '--host', target.url, '--key', KEY, '--arrival-rate', String(RATE),
        '--pre-allocated-users', '50', '--max-users', '200', '--run-time', `${SECONDS}s`, '--report-dir', dir,
        ...(web ? ['--web', '--web-port', String(port), '--autoquit', '0'] : [])];
      const child = spawnMeasured(1, process.execPath, args);
      const watching = web ? watch(`http://127.0.0.1:${port}/`, CLIENTS) : undefined;
      const done = exitWithCpu(child);
      const window = await steadyWindow(child.pid!, target);
      const res = await done;
      const seen = await watching;
      const { requests } = await target.report();
      if ((res.code !== 0 && res.code !== 1) || requests === 0) throw new Error(`${v}: exit ${res.code}, ${requests} requests: ${res.stderr.slice(-400)}`);
      const latest = JSON.parse(readFileSync(path.join(dir, 'latest.json'), 'utf8'));
      if (latest.aggregated.count !== requests) process.stderr.write(`note: the target counted ${requests}, the generator ${latest.aggregated.count}\n`);
      (perReqUs[v] ??= []).push((res.cpuS / requests) * 1e6);
      (steadyUs[v] ??= []).push((window.cpuS / window.requests) * 1e6);
      (mainUs[v] ??= []).push((window.mainS / window.requests) * 1e6);
      (othersUs[v] ??= []).push(((window.cpuS - window.mainS) / window.requests) * 1e6);
      window.segments.forEach((seg, i) => (((segmentUs[v] ??= [])[i] ??= []).push((seg.cpuS / seg.requests) * 1e6)));
      (cpu[v] ??= []).push(res.cpuS);
      (reqs[v] ??= []).push(requests);
      if (seen) streamed.push({ mb: seen.bytes / 1e6, updatesPerClientS: seen.updates / CLIENTS / SECONDS });
      process.stderr.write(`run ${run + 1}/${RUNS} ${v}: ${requests} requests, ${fmt(res.cpuS, 2)} CPU s, ${fmt((res.cpuS / requests) * 1e6, 2)} µs/req; steady ${fmt((window.cpuS / window.requests) * 1e6, 2)} µs/req (main thread ${fmt((window.mainS / window.requests) * 1e6, 2)}; others ${Object.entries(window.byName).filter(([, s]) => s > 0).map(([n, s]) => `${n} ${fmt(s * 1000, 0)} ms`).join(', ')})${seen ? `, ${fmt(seen.bytes / 1e6)} MB streamed` : ''}\n`);
    }
  }
} finally {
  await target.stop();
}

/**
 * The page's work alone (bench/lib/web-probe.ts): a process recording 10,000 samples a second,
 * with and without the live page and CLIENTS streams on it, pinned to core 1; the CPU difference
 * per second of run is what the page costs whatever the generator's other work.
 */
const probeMsPerS: Record<string, number[]> = {};
const probeSteadyMsPerS: Record<string, number[]> = {};
for (let run = 0; run < PROBE_RUNS; run++) {
  for (const web of run % 2 === 0 ? [false, true] : [true, false]) {
    const port = await freePort();
    const child = spawnMeasured(1, process.execPath, ['--import', 'tsx', 'bench/lib/web-probe.ts', '--seconds', String(SECONDS), ...(web ? ['--web', String(port)] : [])]);
    const done = exitWithCpu(child);
    const watching = web ? watch(`http://127.0.0.1:${port}/`, CLIENTS) : undefined;
    const res = await done;
    await watching;
    if (res.code !== 0) throw new Error(`web-probe exited ${res.code}: ${res.stderr.slice(-400)}`);
    (probeMsPerS[web ? 'web' : 'plain'] ??= []).push((res.cpuS * 1000) / SECONDS);
    const steady = /STEADY ([\d.]+)/.exec(res.stdout);
    if (!steady) throw new Error(`web-probe printed no STEADY line: ${res.stdout.slice(-200)}`);
    (probeSteadyMsPerS[web ? 'web' : 'plain'] ??= []).push(Number(steady[1]));
    process.stderr.write(`probe ${run + 1}/${PROBE_RUNS} ${web ? `page + ${CLIENTS} streams` : 'recording only'}: ${fmt(res.cpuS, 2)} CPU s\n`);
  }
}
const pageMs = PROBE_RUNS > 0 ? spread(probeMsPerS.web).median - spread(probeMsPerS.plain).median : NaN;
const pageSteadyMs = PROBE_RUNS > 0 ? spread(probeSteadyMsPerS.web).median - spread(probeSteadyMsPerS.plain).median : NaN;

const base = spread(perReqUs[variants[0]]).median;
const withWeb = spread(perReqUs[variants[1]]).median;
const steadyBase = spread(steadyUs[variants[0]]).median;
const steadyWeb = spread(steadyUs[variants[1]]).median;
/** Each run's rise against the run beside it (the alternating pairs), in %. */
const pairRises = (us: Record<string, number[]>): number[] => us[variants[0]].map((b, i) => ((us[variants[1]][i] - b) / b) * 100);
const lines = [
  '### web-cost',
  '',
  `The http scenario at ${RATE.toLocaleString('en')} requests/s (constant-arrival-rate) for ${SECONDS} s against the plain target on core 0, the generator pinned to core 1, with and without \`--web\` (${CLIENTS} event streams open and read); median (min–max) of ${RUNS} runs each, alternating. 1-minute load average at the end: ${os.loadavg()[0].toFixed(1)} (mark the figures loaded unless nothing else ran).`,
  '',
  `Whole run: the generator's CPU from start to exit (start-up included) over every request. Steady: its CPU over the requests from ${WARM_S} s after the first request to ${TAIL_S} s before the planned end (/proc/PID/stat and the target's count), i.e. the cost per request at the rate, without the one-time start-up; split into the main thread (the JavaScript) and the other threads (V8's compiler and garbage-collector helpers, libuv's pool; /proc/PID/task).`,
  '',
  '| variant | requests | CPU s | µs CPU per request, whole run | µs CPU per request, steady | steady, main thread | steady, other threads |',
  '|---|---|---|---|---|---|---|',
  ...variants.map((v) => `| ${v} | ${fmtSpread(spread(reqs[v]), 0)} | ${fmtSpread(spread(cpu[v]), 2)} | ${fmtSpread(spread(perReqUs[v]), 2)} | ${fmtSpread(spread(steadyUs[v]), 2)} | ${fmtSpread(spread(mainUs[v]), 2)} | ${fmtSpread(spread(othersUs[v]), 2)} |`),
  '',
  `Rise with --web and ${CLIENTS} pages (goal ≤ 2 %): steady ${fmt(((steadyWeb - steadyBase) / steadyBase) * 100)} % of the median (pairwise: median ${fmtSpread(spread(pairRises(steadyUs)))} %); whole run ${fmt(((withWeb - base) / base) * 100)} % (pairwise ${fmtSpread(spread(pairRises(perReqUs)))} %). Streamed to the pages: ${fmtSpread(spread(streamed.map((s) => s.mb)))} MB per run, ${fmtSpread(spread(streamed.map((s) => s.updatesPerClientS)), 2)} updates per page per second.`,
  '',
  `By segment of the steady window (seconds after the first request: µs per request without → with, rise of the medians): ${segmentUs[variants[0]].map((xs, i) => {
    const from = WARM_S + i * SEGMENT_S, to = Math.min(from + SEGMENT_S, SECONDS - TAIL_S);
    const b = spread(xs).median, w = spread(segmentUs[variants[1]][i]).median;
    return `${from}–${to} s: ${fmt(b, 2)} → ${fmt(w, 2)} (${fmt(((w - b) / b) * 100)} %)`;
  }).join('; ')}.`,
  ...(PROBE_RUNS > 0 ? ['', `The page's work alone (bench/lib/web-probe.ts: a process recording ${RATE.toLocaleString('en')} samples/s shaped like this run, with and without the page and ${CLIENTS} streams, core 1, ${SECONDS} s × ${PROBE_RUNS}): recording only ${fmtSpread(spread(probeMsPerS.plain))} ms CPU per second, with the page ${fmtSpread(spread(probeMsPerS.web))} ms (whole run); after its first 5 s, ${fmtSpread(spread(probeSteadyMsPerS.plain))} and ${fmtSpread(spread(probeSteadyMsPerS.web))} ms. The page costs ${fmt(pageMs)} ms CPU per second of run whole, ${fmt(pageSteadyMs)} ms steady, i.e. ${fmt((pageMs / ((base * RATE) / 1000)) * 100)} % and ${fmt((pageSteadyMs / ((steadyBase * RATE) / 1000)) * 100)} % of the generator's CPU per second at ${RATE.toLocaleString('en')} requests/s (${fmt((base * RATE) / 1000)} and ${fmt((steadyBase * RATE) / 1000)} ms from the median µs per request without --web).`] : []),
];
process.stdout.write(lines.join('\n') + '\n');
