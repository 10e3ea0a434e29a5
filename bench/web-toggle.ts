/**
 * web-toggle: what open pages cost the generator, measured inside one run, so that the spread
 * between processes (±5 % per run in web-cost's takes, bench/RESULTS.md) drops out. One `--web`
 * run of the http scenario at --rate (constant-arrival-rate) against the plain target on core 0,
 * the generator pinned to core 1, --seconds long; from WARM_S after its first request, windows of
 * --window seconds alternate between no page open and --clients event streams (opened as the
 * window starts, closed as it ends; this process sits on core 0). A window's CPU per request is
 * the generator's CPU (/proc/PID/task: the main thread and the others) over the target's requests
 * from SETTLE_S after the window starts to its end, so the whole history a connecting page gets
 * is not in it. Each window with pages is set against the mean of the two windows without around
 * it, which cancels a drift that is linear over the three. A run's first window with pages, which
 * carries the one-time cost of compiling the page's code, is reported apart from the later ones.
 *
 * What it does not see: a cost that outlives the pages (code the update deoptimised stays slow
 * in the windows without) and the fixed cost of --web with no page; web-cost measures both, with
 * the spread between processes. `--cli A,B` alternates runs between two builds (each a checkout's
 * dist/bin/mlop-sim.js) to compare designs in one take.
 *
 * `--probe DIR,DIR`: the same windows on bench/lib/web-probe.ts of each checkout instead of the
 * CLI: a process that records 10,000 requests' samples a second with no network and no target,
 * so only the statistics and the page differ between builds. A window's "requests" are then the
 * samples' requests of its seconds; the page's CPU in ms per second is the figure to read (the
 * rise in % is of the probe's own small CPU). Its windows are not quieter: the recording's own
 * CPU moves 12–31 ms from one second to the next (its digests' folds), so give it windows of 30 s.
 *
 * CPU is each thread's time on CPU from /proc/PID/task/TID/schedstat, in nanoseconds (clock ticks
 * of 10 ms from its stat line where the kernel keeps no schedstat). Reconnecting 50 pages costs
 * more than their steady state for longer than a second (the page's code re-optimised after the
 * closed connections' objects died, their garbage collected): `--settle S` reads a window from S
 * seconds after it starts; give it 10 with 30 s windows to measure pages that stay open.
 *
 * `--pool LOG,LOG` runs nothing: it pools the per-run lines earlier takes wrote to stderr (above).
 * With `--looks N1,N` it reads them as a take planned in two looks (bench/lib/group-sequential.ts):
 * look 1 over the first N1 runs in the logs' order, look 2 over N, each against its boundary.
 *
 * A take prints two intervals (the median's, runs resampled, and the mean's t over the runs'
 * means); --pool adds the sign test's. bench/lib/toggle-coverage.ts checked the three on takes
 * built from real runs with a known rise (bench/RESULTS.md, session 9): the mean's t interval held
 * the known mean in 94.8 % of takes; the median's interval that resamples runs only in 91.8 %
 * (too narrow); the sign test's in 97.0 % (wide).
 *
 * Usage: node --import tsx bench/web-toggle.ts [--runs 3] [--seconds 120] [--window 10] [--rate 10000] [--clients 50] [--settle 1] [--cli PATH,PATH | --probe DIR,DIR]
 *        node --import tsx bench/web-toggle.ts --pool LOG,LOG [--looks N1,N]
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { numberArg, textArg } from './lib/args.js';
import { childPids, exitWithCpu, fmt, fmtSpread, HAS_TASKSET, spawnMeasured, spread, threadCpuS } from './lib/proc.js';
import { startPlainTarget, type PlainTarget } from './lib/target-process.js';
import { lookK, twoLooks } from './lib/group-sequential.js';
import { brackets, mean, readRuns, runBootstrap, runMeans, runMeansT, signTestInterval, type Window } from './lib/toggle-windows.js';
import { freePort, openPages, pageUp, TOGGLE_TAIL_S as TAIL_S, TOGGLE_WARM_S as WARM_S, webRunArgs, type Pages } from './lib/web-pages.js';

const RUNS = numberArg('--runs', 3);
const SECONDS = numberArg('--seconds', 120);
const WINDOW_S = numberArg('--window', 10);
const RATE = numberArg('--rate', 10_000);
const CLIENTS = numberArg('--clients', 50);
const PROBE = process.argv.includes('--probe');
const CLIS = (PROBE ? textArg('--probe', path.join(import.meta.dirname, '..')) : textArg('--cli', path.join(import.meta.dirname, '../dist/bin/mlop-sim.js')))
  .split(',').map((p) => path.resolve(p));
if (PROBE && RATE !== 10_000) throw new Error('bench/lib/web-probe.ts records 10,000 requests a second: --probe takes no other --rate');
/** Seconds after a window starts before it is read: the pages' connections and greeting (1), or longer to leave out what reconnecting costs later (code re-optimised, the closed connections' garbage). */
const SETTLE_S = numberArg('--settle', 1);
if (!HAS_TASKSET) throw new Error('web-toggle pins the generator to core 1: it needs taskset (util-linux)');
spawnSync('taskset', ['-pc', '0', String(process.pid)], { stdio: 'ignore' });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Reading { cpuS: number; mainS: number; requests: number; atS: number }

async function reading(pid: number, target: PlainTarget): Promise<Reading> {
  const t = threadCpuS(pid);
  const atS = performance.now() / 1000;
  // The probe has no target: its requests are its rate's.
  return { cpuS: t.total, mainS: t.main, requests: PROBE ? atS * RATE : (await target.report()).requests, atS };
}

/** The process under test: the CLI against the target, or a checkout's web-probe (--probe). */
function spawnUnderTest(build: string, target: PlainTarget, port: number): ReturnType<typeof spawnMeasured> {
  if (PROBE) return spawnMeasured(1, process.execPath, ['--import', 'tsx', 'bench/lib/web-probe.ts', '--web', String(port), '--seconds', String(SECONDS)], { cwd: build });
  return spawnMeasured(1, process.execPath, [build, ...webRunArgs(target.url, port, RATE, SECONDS)]);
}

/** One run: its windows, in order. */
async function run(cli: string, target: PlainTarget): Promise<Window[]> {
  await target.reset();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const child = spawnUnderTest(cli, target, port);
  const done = exitWithCpu(child);
  await pageUp(url);
  while (!PROBE && (await target.report()).requests === 0) await sleep(25);
  const startedAt = performance.now();
  await sleep(WARM_S * 1000);
  const [pid] = childPids(child.pid!);
  if (pid === undefined) throw new Error('the generator process was not found under its shell');
  const windows: Window[] = [];
  for (let i = 0; (performance.now() - startedAt) / 1000 + WINDOW_S + TAIL_S < SECONDS; i++) {
    const withPages = i % 2 === 1;
    const pages: Pages | undefined = withPages ? openPages(url, CLIENTS) : undefined;
    await sleep(SETTLE_S * 1000);
    const a = await reading(pid, target);
    await sleep((WINDOW_S - SETTLE_S) * 1000);
    const b = await reading(pid, target);
    await pages?.close();
    const n = b.requests - a.requests;
    windows.push({
      pages: withPages, cpuUs: ((b.cpuS - a.cpuS) / n) * 1e6, mainUs: ((b.mainS - a.mainS) / n) * 1e6, othersUs: ((b.cpuS - a.cpuS - (b.mainS - a.mainS)) / n) * 1e6,
      msPerS: ((b.cpuS - a.cpuS) / (b.atS - a.atS)) * 1000, mainMsPerS: ((b.mainS - a.mainS) / (b.atS - a.atS)) * 1000,
    });
  }
  const res = await done;
  if (res.code !== 0 && res.code !== 1) throw new Error(`exit ${res.code}: ${res.stderr.slice(-400)}`);
  return windows;
}

/**
 * `--pool LOG,LOG`: no run; the per-run lines earlier takes wrote to stderr, read back and pooled
 * (each window's CPU per request as printed, to 0.01 µs), so a figure over several takes can be
 * computed again from their logs. Only the CPU per request is printed per window, so the pooled
 * table has the rises and their interval, not the split by thread.
 */
function pooled(logs: string[]): string {
  const runs = readRuns(logs);
  const perRun = runs.map((ws) => brackets(ws, 'cpuUs').slice(1).map((x) => x.risePct));
  const all = perRun.flat();
  const m = mean(all);
  const sd = Math.sqrt(all.reduce((a, b) => a + (b - m) ** 2, 0) / (all.length - 1));
  const [lo, hi] = runBootstrap(perRun);
  const [slo, shi] = signTestInterval(all);
  const [tlo, thi] = runMeansT(perRun);
  const looks = LOOKS === undefined ? [] : twoLookLines(perRun, LOOKS.split(',').map(Number));
  return [
    '### web-toggle, takes pooled',
    '',
    `From ${logs.join(', ')}: ${runs.length} runs.`,
    '',
    '| runs | later windows with pages | rise, later windows: median (min–max) | 95 % interval of that median (runs resampled) | the sign test\'s interval (windows taken as independent) | mean, sd | the mean\'s t interval over the runs\' means | share above 2 % | per-run medians |',
    '|---|---|---|---|---|---|---|---|---|',
    `| ${runs.length} | ${all.length} | ${fmtSpread(spread(all), 2)} % | ${fmt(lo, 2)} – ${fmt(hi, 2)} % | ${fmt(slo, 2)} – ${fmt(shi, 2)} % | ${fmt(m, 2)} %, ${fmt(sd, 2)} | ${fmt(tlo, 2)} – ${fmt(thi, 2)} % | ${fmt((all.filter((x) => x > 2).length / all.length) * 100, 0)} % | ${perRun.map((xs) => fmt(spread(xs).median)).join(', ')} |`,
    ...looks,
  ].join('\n') + '\n';
}

/**
 * `--looks N1,N`: the take as planned in two looks, one-sided α = 0.025 spent by the O'Brien–Fleming-
 * type function: at each look reached, the mean of the runs' mean rises, its upper end mean + k × se,
 * and whether that is at or below 2 %. A take shown met at look 1 stops there.
 */
function twoLookLines(perRun: number[][], [n1, n]: number[]): string[] {
  if (!(Number.isInteger(n1) && Number.isInteger(n) && n1 >= 2 && n1 < n)) throw new Error(`--looks takes two run counts N1,N with 2 <= N1 < N, got ${n1},${n}`);
  const b = twoLooks(n1 / n);
  const rows: string[] = [];
  for (const [look, runs, tail] of [[1, n1, b.spent1], [2, n, b.tail2]] as const) {
    if (perRun.length < runs) {
      rows.push(`| ${look} | ${runs} planned, ${perRun.length} in the logs | | | | | not reached |`);
      break;
    }
    const { m, se } = runMeans(perRun.slice(0, runs));
    const k = lookK(tail, runs);
    const met = m + k * se <= 2;
    rows.push(`| ${look} | ${runs} | ${fmt(m, 2)} % | ${fmt(se, 3)} | ${fmt(k, 3)} (one-sided tail ${tail.toFixed(5)}) | ${fmt(m + k * se, 2)} % | ${met ? 'met' : 'not shown'} |`);
    if (met) break;
  }
  return ['', `Planned in two looks at ${n1} and ${n} runs (Lan–DeMets O'Brien–Fleming-type spending, one-sided α = ${b.alpha}; z boundaries ${fmt(b.z1, 3)} and ${fmt(b.z2, 3)}):`, '',
    '| look | runs | mean rise | se over the runs\' means | k | upper end, mean + k × se | ≤ 2 %? |', '|---|---|---|---|---|---|---|', ...rows];
}

const POOL = textArg('--pool');
const LOOKS = textArg('--looks');
if (POOL !== undefined) {
  process.stdout.write(pooled(POOL.split(',')));
  process.exit(0);
}

// The probe needs no target; a target started anyway costs nothing measured (it idles on core 0).
const target = await startPlainTarget('none');
const byCli = new Map<string, Window[][]>(CLIS.map((c) => [c, []]));
try {
  for (let r = 0; r < RUNS; r++) {
    for (const cli of r % 2 === 0 ? CLIS : [...CLIS].reverse()) {
      const ws = await run(cli, target);
      byCli.get(cli)!.push(ws);
      const b = brackets(ws, 'cpuUs');
      process.stderr.write(`run ${r + 1}/${RUNS} ${cli}: windows µs/req ${ws.map((w) => `${w.pages ? '+' : '-'}${fmt(w.cpuUs, 2)}`).join(' ')}; rises ${b.map((x) => fmt(x.risePct)).join(', ')} %; ms/s ${b.map((x) => fmt(x.msPerS)).join(', ')} (main thread ${b.map((x) => fmt(x.mainMsPerS)).join(', ')})\n`);
    }
  }
} finally {
  await target.stop();
}

const lines = [
  '### web-toggle',
  '',
  `${PROBE
    ? `One bench/lib/web-probe.ts process per checkout and run (${RATE.toLocaleString('en')} requests' samples a second recorded, the live page served; core 1) for ${SECONDS} s`
    : `One \`--web\` run of the http scenario at ${RATE.toLocaleString('en')} requests/s for ${SECONDS} s per row and run (the generator on core 1, the plain target on core 0)`}; from ${WARM_S} s after the first request, ${WINDOW_S} s windows alternate between no page and ${CLIENTS} open event streams, each read from ${SETTLE_S} s after it starts; every window with pages set against the mean of the two without around it. ${RUNS} runs per build, alternating. 1-minute load average at the end: ${os.loadavg()[0].toFixed(1)} (mark the figures loaded unless nothing else ran).`,
  '',
  '| build | windows with pages: the first of each run / the later ones | µs CPU per request, later windows: without → with pages (medians) | rise, first window (the page\'s code compiled): median (min–max) | rise, later windows: median (min–max) | 95 % interval of that median (runs resampled) | mean rise, its 95 % t interval over the runs\' means (the interval toggle-coverage found to hold) | of which main thread | of which other threads | the pages\' CPU, later windows: ms per s, median (min–max) |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...[...byCli].map(([cli, runs]) => {
    // A run's first window with pages carries the one-time cost (compiling the page's code): apart from the rest.
    const later = runs.map((ws) => ws.slice(2));
    const off = later.flat().filter((w) => !w.pages).map((w) => w.cpuUs), on = later.flat().filter((w) => w.pages).map((w) => w.cpuUs);
    const first = runs.flatMap((ws) => brackets(ws, 'cpuUs').slice(0, 1));
    const pick = (key: 'cpuUs' | 'mainUs' | 'othersUs') => runs.flatMap((ws) => brackets(ws, key).slice(1));
    const pct = (xs: { risePct: number }[]): string => fmtSpread(spread(xs.map((x) => x.risePct)), 2);
    const perRun = runs.map((ws) => brackets(ws, 'cpuUs').slice(1).map((x) => x.risePct));
    const [lo, hi] = runBootstrap(perRun);
    const [tlo, thi] = runMeansT(perRun);
    const ms = fmtSpread(spread(pick('cpuUs').map((x) => x.msPerS)), 2);
    return `| ${cli} | ${first.length} / ${pick('cpuUs').length} | ${fmt(spread(off).median, 2)} → ${fmt(spread(on).median, 2)} | ${pct(first)} | ${pct(pick('cpuUs'))} | ${fmt(lo, 2)} – ${fmt(hi, 2)} | ${fmt(mean(perRun.flat()), 2)}, ${fmt(tlo, 2)} – ${fmt(thi, 2)} | ${pct(pick('mainUs'))} | ${pct(pick('othersUs'))} | ${ms} |`;
  }),
];
process.stdout.write(lines.join('\n') + '\n');
