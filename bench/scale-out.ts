/**
 * Issue 12 — scaling out over a machine's cores (`--workers N`).
 *
 * Part 1, cost of coordination: the http scenario with no wait (50 users) against one plain
 * loopback target in its own process (bench/lib/plain-target.ts, pinned to core 0), with
 * `--workers 1` (the single-process path) and `--workers 2` (a coordinator and two worker
 * processes), alternating, same duration. The generator is not pinned: two workers need both
 * cores, so on this 2-core machine they share them with the target. Charged: the whole generator
 * process tree's user+system CPU (bash `times` of the command: the coordinator and its reaped
 * workers), start-up included, divided by the requests the target counted; the coordinator's own
 * CPU comes from latest.json (scaleOut.coordinatorCpuS). Goal: workers 2 ≤ 1.10 × workers 1.
 *
 * Part 2, SDK users over workers: `--workers 2` with 20,000 SDK virtual users against the
 * embedded reference server (in the coordinator's process), a wait of 30 s between tasks;
 * workers run with --expose-gc so each samples its live heap once a second after a full GC.
 * Heap per run = Σ over workers (peak − heap before the users) ÷ users. Goals: ≤ 50 KB heap
 * per run, every record acked (logged = acked, 0 failed, 0 pending, 0 lost in storage).
 *
 * Usage: node --import tsx bench/scale-out.ts [--runs 5] [--seconds 8] [--sdk-users 20000] [--sdk-seconds 180] [--sdk-wait 30s] [--sdk-spawn-rate 200] [--skip-sdk]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPlainTarget } from './lib/target-process.js';
import { exitWithCpu, fmt, fmtSpread, spread } from './lib/proc.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
const RUNS = opt('--runs', 5);
const SECONDS = opt('--seconds', 15);
const SDK_USERS = opt('--sdk-users', 20_000);
const SDK_SECONDS = opt('--sdk-seconds', 180);
const SDK_WAIT = argv.includes('--sdk-wait') ? argv[argv.indexOf('--sdk-wait') + 1] : '30s';
const SDK_SPAWN_RATE = opt('--sdk-spawn-rate', 200);
const USERS = 50;
/** The machine is shared: the 1-minute load average before and after a part goes into the table. */
const load = (): string => os.loadavg()[0].toFixed(1);
const KEY = 'mlps_bench_scale_out_key_0001';

/** The CLI under bash `times` (not pinned): exit code, CPU of the whole tree, the report folder. */
function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; cpuS: number; dir: string; stderr: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scaleout-bench-'));
  const script = '"$@"; rc=$?; echo "__CPU__"; times; exit $rc';
  const child = spawn('bash', ['-c', script, 'bench', process.execPath, 'dist/bin/mlop-sim.js', ...args, '--report-dir', dir, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'], env });
  return exitWithCpu(child).then((r) => ({ ...r, dir }));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const latest = (dir: string): any => JSON.parse(readFileSync(path.join(dir, 'latest.json'), 'utf8'));

// ---- Part 1 ---------------------------------------------------------------------------------
const perReqUs: Record<number, number[]> = { 1: [], 2: [] };
const cpuS: Record<number, number[]> = { 1: [], 2: [] };
const reqs: Record<number, number[]> = { 1: [], 2: [] };
/** CPU of a run that sends next to nothing (1 user, 1 s, wait 10 s): start-up, checks, shutdown. */
const fixedS: Record<number, number[]> = { 1: [], 2: [] };
const rps: Record<number, number[]> = { 1: [], 2: [] };
const coordShare: number[] = [];
const coordUsPerReq: number[] = [];
const load1 = load();
const target = await startPlainTarget('none');
try {
  for (let run = 0; run < RUNS; run++) {
    for (const workers of [1, 2]) {
      await target.reset();
      const t0 = performance.now();
      const r = await cli(['--scenario', 'http', '--users', String(USERS), '--spawn-rate', String(USERS), '--run-time', `${SECONDS}s`,
        '--wait', '0', '--host', target.url, '--key', KEY, '--workers', String(workers)]);
      const wallS = (performance.now() - t0) / 1000;
      const { requests } = await target.report();
      if (requests === 0 || r.code !== 0) throw new Error(`--workers ${workers}: exit ${r.code}, ${requests} requests: ${r.stderr.slice(-400)}`);
      perReqUs[workers].push((r.cpuS / requests) * 1e6);
      cpuS[workers].push(r.cpuS);
      reqs[workers].push(requests);
      const idle = await cli(['--scenario', 'http', '--users', '1', '--run-time', '1s', '--wait', '10s', '--host', target.url, '--key', KEY, '--workers', String(workers)]);
      fixedS[workers].push(idle.cpuS);
      rps[workers].push(requests / wallS);
      if (workers === 2) {
        const c = latest(r.dir).scaleOut.coordinatorCpuS as number;
        coordShare.push(c / r.cpuS);
        coordUsPerReq.push((c / requests) * 1e6);
      }
      process.stderr.write(`run ${run + 1}/${RUNS} --workers ${workers}: ${requests} requests, ${fmt(r.cpuS, 2)} CPU s, ${fmt((r.cpuS / requests) * 1e6)} µs/req\n`);
    }
  }
} finally {
  await target.stop();
}
const w1 = spread(perReqUs[1]).median, w2 = spread(perReqUs[2]).median;
/** CPU per request beyond the fixed cost (each run's CPU minus the median fixed CPU), median over runs. */
const marginal = (w: number): number[] => cpuS[w].map((c, i) => ((c - spread(fixedS[w]).median) / reqs[w][i]) * 1e6);
console.log(`### Scale-out: cost of --workers (http scenario, ${USERS} users, no wait, ${SECONDS} s × ${RUNS}, plain target on core 0, generator unpinned)\n`);
console.log('| generator | CPU µs / request, median (min–max) | fixed CPU s per run (start-up, checks, shutdown) | CPU µs / request beyond the fixed cost | throughput req/s, median (min–max) | coordinator CPU: share of the tree / µs per request |');
console.log('|---|---|---|---|---|---|');
console.log(`| --workers 1 (one process) | ${fmtSpread(spread(perReqUs[1]))} | ${fmtSpread(spread(fixedS[1]), 2)} | ${fmtSpread(spread(marginal(1)))} | ${fmtSpread(spread(rps[1]), 0)} | — |`);
console.log(`| --workers 2 (coordinator + 2 workers) | ${fmtSpread(spread(perReqUs[2]))} | ${fmtSpread(spread(fixedS[2]), 2)} | ${fmtSpread(spread(marginal(2)))} | ${fmtSpread(spread(rps[2]), 0)} | ${fmt(spread(coordShare).median * 100)} % / ${fmtSpread(spread(coordUsPerReq), 2)} |`);
console.log(`\nworkers 2 ÷ workers 1, CPU per request: ${fmt(w2 / w1, 3)} (goal ≤ 1.10); beyond the fixed cost: ${fmt(spread(marginal(2)).median / spread(marginal(1)).median, 3)}. Load average (1 min) before / after: ${load1} / ${load()} on ${os.cpus().length} cores.`);

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
