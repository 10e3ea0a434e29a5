/**
 * Issue 12 — scaling out over a machine's cores (`--workers N`).
 *
 * Part 1, cost of coordination: the http scenario against one plain loopback target in its own
 * process (bench/lib/plain-target.ts, pinned to core 0), `--workers 1` (the single-process path)
 * and `--workers 2` (a coordinator and two worker processes), alternating, same duration, in
 * three setups (each a row pair of the table; --setups picks, default all):
 *   - unpinned: 50 users, no wait, the generator not pinned. Two workers need both cores, so on
 *     this 2-core machine they share them with the target while one process does not: CPU per
 *     request then also counts the contention (cache, context switches, fewer responses per
 *     loop turn), not only the coordination.
 *   - pinned: the same load with the whole generator tree pinned to core 1 (taskset; forked
 *     workers inherit it), the target alone on core 0: both configurations get one core, so
 *     the difference is what two processes and their coordination cost on that core.
 *   - rate: a fixed rate (--rate, default 10,000 requests/s: constant-arrival-rate, one request
 *     per iteration) below saturation, unpinned: both configurations do the same work per
 *     second, the CPU per request is compared at equal load (with half the rate per worker).
 * Charged: the whole generator process tree's user+system CPU (bash `times` of the command: the
 * coordinator and its reaped workers), start-up included, divided by the requests the target
 * counted; the fixed CPU per run (1 user, 1 s, wait 10 s: start-up, checks, shutdown) is measured
 * in the same setup (pinned or not) and the CPU beyond it is reported too; the coordinator's own
 * CPU comes from latest.json (scaleOut.coordinatorCpuS). Goal: workers 2 ≤ 1.10 × workers 1.
 *
 * Part 2, SDK users over workers: `--workers 2` with 20,000 SDK virtual users against the
 * embedded reference server (in the coordinator's process), a wait of 30 s between tasks;
 * workers run with --expose-gc so each samples its live heap once a second after a full GC.
 * Heap per run = Σ over workers (peak − heap before the users) ÷ users. Goals: ≤ 50 KB heap
 * per run, every record acked (logged = acked, 0 failed, 0 pending, 0 lost in storage).
 *
 * Usage: node --import tsx bench/scale-out.ts [--runs 5] [--seconds 15] [--setups unpinned,pinned,rate] [--rate 10000] [--sdk-users 20000] [--sdk-seconds 180] [--sdk-wait 30s] [--sdk-spawn-rate 200] [--skip-sdk]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPlainTarget } from './lib/target-process.js';
import { exitWithCpu, fmt, fmtSpread, HAS_TASKSET, spread } from './lib/proc.js';
import { numberArg } from './lib/args.js';

const argv = process.argv.slice(2);
const RUNS = numberArg('--runs', 5);
const SECONDS = numberArg('--seconds', 15);
const SDK_USERS = numberArg('--sdk-users', 20_000);
const SDK_SECONDS = numberArg('--sdk-seconds', 180);
const SDK_WAIT = argv.includes('--sdk-wait') ? argv[argv.indexOf('--sdk-wait') + 1] : '30s';
const SDK_SPAWN_RATE = numberArg('--sdk-spawn-rate', 200);
const RATE = numberArg('--rate', 10_000);
const SETUPS = (argv.includes('--setups') ? argv[argv.indexOf('--setups') + 1] : 'unpinned,pinned,rate').split(',');
const USERS = 50;
/** The machine is shared: the 1-minute load average before and after a part goes into the table. */
const load = (): string => os.loadavg()[0].toFixed(1);
const KEY = 'mlps_bench_scale_out_key_0001';

/** The CLI under bash `times` (pinned to `core` when given): exit code, CPU of the whole tree, the report folder. */
function cli(args: string[], env: NodeJS.ProcessEnv = process.env, core?: number): Promise<{ code: number | null; cpuS: number; dir: string; stderr: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scaleout-bench-'));
  const script = '"$@"; rc=$?; echo "__CPU__"; times; exit $rc';
  const cmd = ['bash', '-c', script, 'bench', process.execPath, 'dist/bin/mlop-sim.js', ...args, '--report-dir', dir, '--quiet'];
  const [c, a] = core !== undefined ? ['taskset', ['-c', String(core), ...cmd]] : [cmd[0], cmd.slice(1)];
  const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'], env });
  return exitWithCpu(child).then((r) => ({ ...r, dir }));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const latest = (dir: string): any => JSON.parse(readFileSync(path.join(dir, 'latest.json'), 'utf8'));

// ---- Part 1 ---------------------------------------------------------------------------------
/** `planned`: the requests a fixed rate asks for in the run (the rate is below saturation only when they all went). */
interface Setup { key: string; title: string; core?: number; args: string[]; planned?: number }
const closedLoop = ['--users', String(USERS), '--spawn-rate', String(USERS), '--wait', '0'];
const SETUP_LIST: Setup[] = [
  { key: 'unpinned', title: `${USERS} users, no wait; generator unpinned (shares both cores with the target)`, args: closedLoop },
  { key: 'pinned', title: `${USERS} users, no wait; generator tree pinned to core 1 (target alone on core 0)`, core: 1, args: closedLoop },
  { key: 'rate', title: `fixed rate ${RATE.toLocaleString('en')} requests/s (constant-arrival-rate), generator unpinned`,
    args: ['--arrival-rate', String(RATE), '--pre-allocated-users', String(USERS), '--max-users', String(4 * USERS)], planned: RATE * SECONDS },
];
if (SETUPS.includes('pinned') && !HAS_TASKSET) throw new Error('the pinned setup needs taskset (util-linux)');
const load1 = load();
const target = await startPlainTarget('none');
interface Row { perReqUs: number[]; cpuS: number[]; reqs: number[]; rps: number[]; coordShare: number[]; coordUsPerReq: number[] }
const rows = new Map<string, Row>();
/** Fixed CPU per run (1 user, 1 s, wait 10 s: start-up, checks, shutdown), by pinning and workers. */
const fixedS = new Map<string, number[]>();
const row = (k: string): Row => rows.get(k) ?? (rows.set(k, { perReqUs: [], cpuS: [], reqs: [], rps: [], coordShare: [], coordUsPerReq: [] }), rows.get(k)!);
const fixedKey = (setup: Setup, workers: number): string => `${setup.core ?? 'any'}/${workers}`;
const base = ['--scenario', 'http', '--host', target.url, '--key', KEY];
try {
  for (let run = 0; run < RUNS; run++) {
    for (const setup of SETUP_LIST.filter((x) => SETUPS.includes(x.key))) {
      for (const workers of run % 2 === 0 ? [1, 2] : [2, 1]) {
        await target.reset();
        const t0 = performance.now();
        const r = await cli([...base, ...setup.args, '--run-time', `${SECONDS}s`, '--workers', String(workers)], process.env, setup.core);
        const wallS = (performance.now() - t0) / 1000;
        const { requests } = await target.report();
        if (requests === 0 || r.code !== 0) throw new Error(`${setup.key} --workers ${workers}: exit ${r.code}, ${requests} requests: ${r.stderr.slice(-400)}`);
        const x = row(`${setup.key}/${workers}`);
        x.perReqUs.push((r.cpuS / requests) * 1e6);
        x.cpuS.push(r.cpuS);
        x.reqs.push(requests);
        x.rps.push(requests / wallS);
        if (workers === 2) {
          const c = latest(r.dir).scaleOut.coordinatorCpuS as number;
          x.coordShare.push(c / r.cpuS);
          x.coordUsPerReq.push((c / requests) * 1e6);
        }
        const fk = fixedKey(setup, workers);
        if ((fixedS.get(fk)?.length ?? 0) <= run) {
          const idle = await cli([...base, '--users', '1', '--run-time', '1s', '--wait', '10s', '--workers', String(workers)], process.env, setup.core);
          fixedS.set(fk, [...(fixedS.get(fk) ?? []), idle.cpuS]);
        }
        process.stderr.write(`run ${run + 1}/${RUNS} ${setup.key} --workers ${workers}: ${requests} requests, ${fmt(r.cpuS, 2)} CPU s, ${fmt((r.cpuS / requests) * 1e6)} µs/req\n`);
      }
    }
  }
} finally {
  await target.stop();
}
console.log(`### Scale-out: cost of --workers (http scenario, ${SECONDS} s × ${RUNS} per row, plain target on core 0, configurations alternating)\n`);
console.log('| setup | generator | CPU µs / request, median (min–max) | fixed CPU s per run (start-up, checks, shutdown) | CPU µs / request beyond the fixed cost | throughput req/s, median (min–max) | coordinator CPU: share of the tree / µs per request | workers 2 ÷ workers 1: per request / beyond the fixed cost |');
console.log('|---|---|---|---|---|---|---|---|');
for (const setup of SETUP_LIST.filter((x) => SETUPS.includes(x.key))) {
  /** CPU per request beyond the fixed cost (each run's CPU minus the median fixed CPU), per run. */
  const marginal = (w: number): number[] => {
    const x = row(`${setup.key}/${w}`);
    return x.cpuS.map((c, i) => ((c - spread(fixedS.get(fixedKey(setup, w)) ?? [0]).median) / x.reqs[i]) * 1e6);
  };
  const ratio = fmt(spread(row(`${setup.key}/2`).perReqUs).median / spread(row(`${setup.key}/1`).perReqUs).median, 3);
  const ratioBeyond = fmt(spread(marginal(2)).median / spread(marginal(1)).median, 3);
  for (const w of [1, 2]) {
    const x = row(`${setup.key}/${w}`);
    const name = w === 1 ? '--workers 1 (one process)' : '--workers 2 (coordinator + 2 workers)';
    const coord = w === 2 ? `${fmt(spread(x.coordShare).median * 100)} % / ${fmtSpread(spread(x.coordUsPerReq), 2)}` : '—';
    // A fixed rate: the share of the planned requests sent (below 100 % = saturated, iterations dropped).
    const sent = setup.planned ? `; ${fmtSpread(spread(x.reqs.map((n) => (100 * n) / (setup.planned as number))), 0)} % of the planned requests` : '';
    console.log(`| ${w === 1 ? setup.title : ''} | ${name} | ${fmtSpread(spread(x.perReqUs))} | ${fmtSpread(spread(fixedS.get(fixedKey(setup, w)) ?? [NaN]), 2)} | ` +
      `${fmtSpread(spread(marginal(w)))} | ${fmtSpread(spread(x.rps), 0)}${sent} | ${coord} | ${w === 2 ? `**${ratio}** / ${ratioBeyond}` : ''} |`);
  }
}
console.log(`\nGoal: workers 2 ÷ workers 1 ≤ 1.10 per request. Load average (1 min) before / after: ${load1} / ${load()} on ${os.cpus().length} cores.`);

// ---- Part 2 ---------------------------------------------------------------------------------
if (!argv.includes('--skip-sdk')) {
  const spawnRate = SDK_SPAWN_RATE;
  const load2 = load();
  process.stderr.write(`sdk: ${SDK_USERS} users over --workers 2, ${SDK_SECONDS} s…\n`);
  const t0 = performance.now();
  const r = await cli(['--users', String(SDK_USERS), '--spawn-rate', String(spawnRate), '--run-time', `${SDK_SECONDS}s`, '--wait', SDK_WAIT,
    '--shutdown-timeout', '120s', '--seed', '12', '--workers', '2'], { ...process.env, NODE_OPTIONS: '--expose-gc --max-old-space-size=4096' });
  const wallS = (performance.now() - t0) / 1000;
  const l = latest(r.dir);
  const parts = l.scaleOut.parts as { index: number; cpuS: number; heapBaseMB: number; heapPeakMB: number; heapAfterGc: boolean; complete: boolean }[];
  const heapKB = (parts.reduce((s, p) => s + (p.heapPeakMB - p.heapBaseMB), 0) * 1024) / SDK_USERS;
  const t = l.audit.totals;
  const e2e = l.entries.find((e: { name: string }) => e.name === 'E2E log→ack');
  console.log(`\n### Scale-out: ${SDK_USERS.toLocaleString('en')} SDK users with --workers 2 (embedded server, wait ${SDK_WAIT}, spawn ${spawnRate}/s, ${SDK_SECONDS} s, 1 run)\n`);
  console.log('| exit | heap per run (KB, live after GC) | worker heap base → peak (MB) | records logged / acked / failed / pending | rows expected / stored / lost | E2E log→ack p50 / p99 (ms) | CPU s: tree / coordinator (incl. embedded server) / workers | wall s |');
  console.log('|---|---|---|---|---|---|---|---|');
  console.log(`| ${r.code} | ${fmt(heapKB, 1)} | ${parts.map((p) => `${fmt(p.heapBaseMB, 0)} → ${fmt(p.heapPeakMB, 0)}`).join(', ')} | ${t.logged} / ${t.acked} / ${t.failed} / ${t.pending} | ` +
    `${t.expectedRows} / ${t.storedRows ?? 'n/a'} / ${t.lostRows ?? 'n/a'} | ${fmt(e2e?.percentiles.p50 ?? NaN, 0)} / ${fmt(e2e?.percentiles.p99 ?? NaN, 0)} | ` +
    `${fmt(r.cpuS, 1)} / ${fmt(l.scaleOut.coordinatorCpuS, 1)} / ${parts.map((p) => fmt(p.cpuS, 1)).join(' + ')} | ${fmt(wallS, 0)} |`);
  console.log(`\nGoals: ≤ 50 KB heap per run; every record acked (logged = acked, 0 failed, 0 pending, 0 lost). Heap samples after GC: ${parts.every((p) => p.heapAfterGc) ? 'yes' : 'no'}. Load average (1 min) before / after: ${load2} / ${load()}.`);
}
