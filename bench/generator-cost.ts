/**
 * Issue 5, part 1 — generator cost: CPU seconds the load generator spends per 1,000 requests.
 *
 * One plain loopback target (bench/lib/plain-target.ts, pinned to core 0) answers 200 at once.
 * Each generator runs pinned to core 1 for the same duration with 50 connections/users and no
 * wait, and its whole process (start-up included) is charged: user+system CPU from bash `times`.
 * Requests are counted by the target. Peers, measured in the same run:
 *   - mlop-sim `--scenario http --wait 0` (the seed's 5/3/2 mix of one-line NDJSON posts),
 *   - autocannon 9 (-c 50) posting the seed's metrics line,
 *   - Locust FastHttpUser (Debian's python3-locust), the same line, when installed.
 *
 * Usage: node --import tsx bench/generator-cost.ts [--runs 5] [--seconds 8] [--before <an older build's bin/mlop-sim.js>]
 */
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPlainTarget } from './lib/target-process.js';
import { exitWithCpu, fmt, fmtSpread, spawnMeasured, spread, HAS_TASKSET } from './lib/proc.js';
import { numberArg } from './lib/args.js';

const argv = process.argv.slice(2);
const RUNS = numberArg('--runs', 5);
const SECONDS = numberArg('--seconds', 8);
const USERS = 50;
const KEY = 'mlps_bench_generator_cost_key';
const LOCUST = '/usr/bin/locust';
const line = JSON.stringify({ time: Date.now(), step: 1, data: { 'train/loss': 0.5, 'train/accuracy': 0.8, 'val/loss': 0.6, 'val/accuracy': 0.75, learning_rate: 0.001 } }) + '\n';

interface Generator {
  name: string;
  command(url: string): [string, string[], NodeJS.ProcessEnv?];
}

/** Optional older build measured in the same runs (e.g. the commit before a change). */
const BEFORE = argv.includes('--before') ? argv[argv.indexOf('--before') + 1] : '';

const mlopSim = (name: string, bin: string): Generator => ({
  name,
  command: (url) => [
    process.execPath,
    [bin, '--scenario', 'http', '--users', String(USERS), '--spawn-rate', String(USERS), '--run-time', `${SECONDS}s`,
      '--wait', '0', '--host', url, '--key', KEY, '--quiet', '--report-dir', mkdtempSync(path.join(os.tmpdir(), 'gencost-'))],
  ],
});

const generators: Generator[] = [
  mlopSim('mlop-sim (http scenario)', 'dist/bin/mlop-sim.js'),
  ...(BEFORE ? [mlopSim('mlop-sim before', BEFORE)] : []),
  {
    name: 'autocannon 9',
    command: (url) => [
      process.execPath,
      ['node_modules/autocannon/autocannon.js', '-c', String(USERS), '-d', String(SECONDS), '-m', 'POST',
        '-H', `Authorization=Bearer ${KEY}`, '-H', 'X-Run-Id=1', '-H', 'X-Project-Name=load-test-project',
        '-H', 'Content-Type=application/x-ndjson', '-b', line, `${url}/ingest/metrics`],
    ],
  },
];
if (existsSync(LOCUST)) {
  generators.push({
    name: 'Locust FastHttpUser',
    command: (url) => [
      LOCUST,
      ['-f', 'bench/peers/locustfile_bench.py', '--headless', '-u', String(USERS), '-r', String(USERS), '-t', `${SECONDS}s`,
        '--host', url, '--only-summary', '--loglevel', 'ERROR'],
      { ...process.env, BENCH_KEY: KEY, BENCH_WAIT: '0', BENCH_USER_CLASS: 'fast' },
    ],
  });
}

const target = await startPlainTarget('none');
const perReqUs: Record<string, number[]> = {};
const rps: Record<string, number[]> = {};
try {
  for (let run = 0; run < RUNS; run++) {
    for (const g of generators) {
      await target.reset();
      const [cmd, args, env] = g.command(target.url);
      const t0 = performance.now();
      const res = await exitWithCpu(spawnMeasured(1, cmd, args, { env }));
      const wallS = (performance.now() - t0) / 1000;
      const { requests } = await target.report();
      if (requests === 0) throw new Error(`${g.name} sent no requests (exit ${res.code}): ${res.stderr.slice(-400)}`);
      (perReqUs[g.name] ??= []).push((res.cpuS / requests) * 1e6);
      (rps[g.name] ??= []).push(requests / wallS);
      process.stderr.write(`run ${run + 1}/${RUNS} ${g.name}: ${requests} requests, ${fmt(res.cpuS, 2)} CPU s, ${fmt((res.cpuS / requests) * 1e6)} µs/req\n`);
    }
  }
} finally {
  await target.stop();
}

const ours = spread(perReqUs[generators[0].name]).median;
console.log(`### Generator cost (${USERS} connections, no wait, ${SECONDS} s runs × ${RUNS}${HAS_TASKSET ? ', target on core 0, generator on core 1' : ''})\n`);
console.log('| generator | CPU µs / request, median (min–max) | CPU s / 1,000 requests | throughput req/s (median) | mlop-sim ÷ peer |');
console.log('|---|---|---|---|---|');
for (const g of generators) {
  const s = spread(perReqUs[g.name]);
  const ratio = g === generators[0] ? '1.00' : fmt(ours / s.median, 2);
  console.log(`| ${g.name} | ${fmtSpread(s)} | ${fmt(s.median / 1000, 3)} | ${fmt(spread(rps[g.name]).median, 0)} | ${ratio} |`);
}
console.log(`\nGoals: mlop-sim ≤ 1.25 × autocannon's CPU per request; ≥ 4 × cheaper than Locust (ratio ≤ 0.25).`);
