/**
 * Issue 5, part 5 — timing fidelity: does the generator report the latency the target really had?
 *
 * The plain target (core 0) answers every request after a known delay — fixed 20 ms, or lognormal
 * (median 20 ms, sigma 0.5) from a seeded PRNG — and records the service time it actually applied
 * (request fully read → response written); its exact p50/p95/p99 are the truth. Each generator
 * (core 1) runs the seed's closed-model users (wait 0.1–0.5 s) at 50 and at 500 users; we compare
 * its reported p50/p95/p99 with the truth. Pass: within 2 % or 0.3 ms (whichever is larger).
 * Loopback transport adds ~0.1 ms that the truth does not contain; it counts against the error.
 *
 * Usage: node --import tsx bench/timing-fidelity.ts [--runs 5] [--seconds 10]
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPlainTarget } from './lib/target-process.js';
import { exitWithCpu, fmt, spawnMeasured, spread } from './lib/proc.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
const RUNS = opt('--runs', 5);
const SECONDS = opt('--seconds', 10);
const KEY = 'mlps_bench_timing_fidelity_key';
const LOCUST = '/usr/bin/locust';
const QS = ['p50', 'p95', 'p99'] as const;
type Q = Record<(typeof QS)[number], number>;

async function mlopSim(url: string, users: number): Promise<Q> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fidelity-'));
  const res = await exitWithCpu(spawnMeasured(1, process.execPath, ['dist/bin/mlop-sim.js', '--scenario', 'http', '--users', String(users),
    '--spawn-rate', String(users), '--run-time', `${SECONDS}s`, '--host', url, '--key', KEY, '--quiet', '--report-dir', dir,
    '--p95', '100000', '--p99', '100000']));
  if (!existsSync(path.join(dir, 'latest.json'))) throw new Error(`mlop-sim wrote no report (exit ${res.code}): ${res.stderr.slice(-400)}`);
  const r = JSON.parse(readFileSync(path.join(dir, 'latest.json'), 'utf8')) as { aggregated: { percentiles: Record<string, number> } };
  return { p50: r.aggregated.percentiles.p50, p95: r.aggregated.percentiles.p95, p99: r.aggregated.percentiles.p99 };
}

async function locust(url: string, users: number): Promise<Q> {
  const prefix = path.join(mkdtempSync(path.join(os.tmpdir(), 'fidelity-locust-')), 'run');
  const res = await exitWithCpu(spawnMeasured(1, LOCUST, ['-f', 'bench/peers/locustfile_bench.py', '--headless', '-u', String(users),
    '-r', String(users), '-t', `${SECONDS}s`, '--host', url, '--only-summary', '--loglevel', 'ERROR', '--csv', prefix],
    { env: { ...process.env, BENCH_KEY: KEY, BENCH_WAIT: '0.1,0.5', BENCH_USER_CLASS: 'http' } }));
  const csv = readFileSync(`${prefix}_stats.csv`, 'utf8').trim().split('\n');
  const header = csv[0].split(',');
  const agg = csv.find((l) => l.includes('Aggregated'));
  if (!agg) throw new Error(`locust wrote no Aggregated row (exit ${res.code})`);
  const cols = agg.split(',');
  const at = (h: string): number => Number(cols[header.indexOf(h)]);
  return { p50: at('50%'), p95: at('95%'), p99: at('99%') };
}

const generators: Array<[string, (url: string, users: number) => Promise<Q>]> = [['mlop-sim', mlopSim]];
if (existsSync(LOCUST)) generators.push(['Locust HttpUser', locust]);

const within = (reported: number, truth: number): boolean => Math.abs(reported - truth) <= Math.max(0.02 * truth, 0.3);

console.log(`### Timing fidelity (closed-model users, wait 0.1–0.5 s, ${SECONDS} s runs × ${RUNS}; truth = the target's applied service time)\n`);
console.log('| delay | users | generator | p50 reported / truth (ms) | p95 reported / truth | p99 reported / truth | worst error | within 2 % / 0.3 ms |');
console.log('|---|---|---|---|---|---|---|---|');
for (const delay of ['fixed:20', 'lognormal:20:0.5']) {
  for (const users of [50, 500]) {
    for (const [name, run] of generators) {
      const errs: Record<string, number[]> = { p50: [], p95: [], p99: [] };
      const rep: Record<string, number[]> = { p50: [], p95: [], p99: [] };
      const tru: Record<string, number[]> = { p50: [], p95: [], p99: [] };
      for (let i = 0; i < RUNS; i++) {
        const target = await startPlainTarget(delay);
        try {
          const reported = await run(target.url, users);
          const truth = (await target.report()).serviceMs;
          for (const q of QS) {
            rep[q].push(reported[q]);
            tru[q].push(truth[q]);
            errs[q].push(reported[q] - truth[q]);
          }
          process.stderr.write(`${delay} ${users} users ${name} run ${i + 1}: ${QS.map((q) => `${q} ${fmt(reported[q], 2)}/${fmt(truth[q], 2)}`).join(' ')}\n`);
        } finally {
          await target.stop();
        }
      }
      const med = (xs: number[]): number => spread(xs).median;
      const cells = QS.map((q) => `${fmt(med(rep[q]), 2)} / ${fmt(med(tru[q]), 2)}`);
      const worst = Math.max(...QS.map((q) => Math.abs(med(errs[q]))));
      const ok = QS.every((q) => within(med(rep[q]), med(tru[q])));
      console.log(`| ${delay.replace(':', ' ')} | ${users} | ${name} | ${cells.join(' | ')} | ${fmt(worst, 2)} ms | ${ok ? 'yes' : 'no'} |`);
    }
  }
}
