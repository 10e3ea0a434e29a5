/**
 * Issue 22 — `mlop-sim capacity` against targets whose capacity is known.
 *
 *   A  http, embedded server with --server-capacity R (a FIFO server of rate R, docs/server.md
 *      "Capacity"), --runs searches: each figure within −10 % / +2 % of R and never above, each
 *      search ≤ 3 minutes, the searches within ±5 % of their median.
 *   B  sdk, --server-capacity RS: at the figure, runs × ingest requests per run per second
 *      (measured in that step's window) within 10 % of RS.
 *   C  a target faster than the generator: the embedded server without a capacity limit, and a
 *      scenario whose every iteration costs the generator 0.5 ms of CPU
 *      (bench/lib/cpu-bound-scenario.ts, ~2,000 iterations/s a core): the result is a floor limited
 *      by the generator, never a capacity.
 *
 * Usage: node --import tsx bench/capacity.ts [--runs 5] [--rate 300] [--sdk-rate 100] [--only A,B,C] [--workers N]
 * (--workers N: every part's searches run each step on N worker processes, `capacity --workers N`)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CapacityReport } from '../src/index.js';
import { numberArg } from './lib/args.js';
import { fmt, spread } from './lib/proc.js';

const RUNS = numberArg('--runs', 5);
const R = numberArg('--rate', 300);
const RS = numberArg('--sdk-rate', 100);
const WORKERS = numberArg('--workers', 1);
const workersArgs = WORKERS > 1 ? ['--workers', String(WORKERS)] : [];
const argv = process.argv.slice(2);
const ONLY = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : ['A', 'B', 'C'];

interface Search { report: CapacityReport; wallS: number; code: number | null }

function search(args: string[]): Promise<Search> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'capacity-bench-'));
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/bin/mlop-sim.js', 'capacity', '--report-dir', dir, '-q', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => {
      try {
        const latest = JSON.parse(readFileSync(path.join(dir, 'latest.json'), 'utf8')) as { capacity: CapacityReport };
        resolve({ report: latest.capacity, wallS: (Date.now() - t0) / 1000, code });
      } catch (e) {
        reject(new Error(`capacity ${args.join(' ')} failed (exit ${code}): ${out.slice(-400)} ${String(e)}`));
      }
    });
  });
}

const lines: string[] = [];
/** Prints what is complete so far (a later part that fails loses nothing). */
function flush(): void {
  if (lines.length) process.stdout.write(lines.splice(0).join('\n') + '\n');
}
const ok = (b: boolean): string => (b ? 'yes' : '**no**');

if (ONLY.includes('A')) {
  const runs: Search[] = [];
  for (let i = 0; i < RUNS; i++) {
    process.stderr.write(`capacity A: search ${i + 1}/${RUNS} against --server-capacity ${R}\n`);
    runs.push(await search(['--scenario', 'http', '--server-capacity', String(R), '--max-time', '180s', '--seed', String(20 + i), ...workersArgs]));
  }
  const figures = runs.map((r) => r.report.figure);
  const med = spread(figures).median;
  lines.push(`### Capacity A: http against a FIFO server of R = ${R} requests/s (${RUNS} searches, default SLOs, --max-time 180s${WORKERS > 1 ? `, --workers ${WORKERS}` : ''})`, '');
  lines.push('| search | figure req/s | bracket | vs R | steps | wall s | kind | within −10 %/+2 % | ≤ 180 s |', '|---|---|---|---|---|---|---|---|---|');
  runs.forEach((r, i) => {
    const f = r.report.figure;
    lines.push(`| ${i + 1} | ${f} | ${r.report.bracket.low}–${r.report.bracket.high ?? '?'} | ${fmt(((f - R) / R) * 100, 1)} % | ${r.report.steps.length} | ${fmt(r.wallS, 0)} | ${r.report.kind} | ${ok(f >= 0.9 * R && f <= 1.02 * R)} | ${ok(r.wallS <= 180)} |`);
  });
  const worst = Math.max(...figures.map((f) => Math.abs(f - med) / med));
  lines.push('', `Median ${fmt(med, 0)} req/s; largest distance from the median ${fmt(worst * 100, 1)} % (goal ±5 %: ${ok(worst <= 0.05)}).`, '');
  flush();
}

if (ONLY.includes('B')) {
  process.stderr.write(`capacity B: sdk search against --server-capacity ${RS}\n`);
  const s = await search(['--server-capacity', String(RS), '--max-time', '300s', '--seed', '5', ...workersArgs]);
  const at = [...s.report.steps].reverse().find((x) => x.offered === s.report.figure && x.verdict === 'pass');
  const product = at ? at.ingestRequestsPerS : NaN;
  lines.push(`### Capacity B: sdk (concurrent training runs) against a FIFO server of R = ${RS} ingest requests/s (1 search, default SLOs${WORKERS > 1 ? `, --workers ${WORKERS}` : ''})`, '');
  lines.push(`Answer: ${s.report.summary}`, '');
  lines.push('| offered runs | verdict | ingest req/s | per run per s | p95 E2E ms |', '|---|---|---|---|---|');
  for (const x of s.report.steps) lines.push(`| ${x.offered} | ${x.verdict}${x.marginal ? ' (marginal)' : ''} | ${x.ingestRequestsPerS} | ${fmt(x.ingestRequestsPerS / x.offered, 2)} | ${x.p95Ms} |`);
  // The same product with the per-run rate of light load (steps at ≤ half the figure): a run sends fewer, larger batches as the target slows.
  const light = s.report.steps.filter((x) => x.verdict === 'pass' && x.offered <= s.report.figure / 2).map((x) => x.ingestRequestsPerS / x.offered);
  const lightRate = light.length ? spread(light).median : NaN;
  lines.push('', `Per run at light load (≤ half the figure, median): ${fmt(lightRate, 2)} req/s; figure × that = ${fmt(s.report.figure * lightRate, 1)} req/s (${fmt(((s.report.figure * lightRate - RS) / RS) * 100, 1)} % from R).`);
  lines.push('', `At the figure (${s.report.figure} runs): runs × ingest requests per run per second = ${fmt(product, 1)} req/s, ${fmt(((product - RS) / RS) * 100, 1)} % from R (goal within 10 %: ${ok(Math.abs(product - RS) <= 0.1 * RS)}); ${fmt(s.wallS, 0)} s.`, '');
  flush();
}

if (ONLY.includes('C')) {
  process.stderr.write('capacity C: a target faster than the generator (a CPU-bound scenario against the embedded server)\n');
  const sc = await search(['--scenario', './bench/lib/cpu-bound-scenario.ts', '--start-load', '250', '--max-time', '180s', '--seed', '9', ...workersArgs]);
  lines.push(`### Capacity C: a target faster than the generator (embedded server without a limit; each iteration costs the generator 0.5 ms of CPU${WORKERS > 1 ? `; --workers ${WORKERS}` : ''})`, '');
  lines.push(`Answer: ${sc.report.summary}`, '');
  lines.push('| offered it/s | achieved | kept up | generator saturated | verdict |', '|---|---|---|---|---|');
  for (const x of sc.report.steps) lines.push(`| ${x.offered} | ${x.achieved} | ${fmt(x.keepUp * 100, 1)} % | ${x.generatorSaturated ? 'yes' : 'no'} | ${x.verdict}${x.marginal ? ' (marginal)' : ''} |`);
  lines.push('', `kind ${sc.report.kind}, limited by ${sc.report.limitedBy}; reported as a floor limited by the generator, never a capacity: ${ok(sc.report.kind === 'floor' && sc.report.limitedBy === 'generator')}; ${sc.report.steps.length} steps, ${fmt(sc.wallS, 0)} s.`, '');
  flush();
}

lines.push('LOADED: the machine (2 cores) is shared with other helpers\' builds, tests and benchmarks; the generator and the embedded server (a worker thread) share it. Quiet re-take: `node --import tsx bench/capacity.ts` on an idle machine.');
flush();
