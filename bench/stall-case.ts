/**
 * Issue 11 — the stall case: latency that stays honest under overload.
 *
 * The built CLI runs the http scenario against its embedded reference server with a 3 s stall
 * 20 s after the server starts (`--server-stall 3s@20s`). Open model: 100 iterations/s for 60 s.
 * Truth: 300 of 6,000 iterations are due during the stall and wait uniformly 0–3 s for it to end,
 * so p99 ≈ 2.4 s and p99.9 ≈ 2.94 s (the other 5,700 take about a millisecond).
 *
 *   A  open, pool of 400 users (room for every stalled iteration): both latencies near the truth
 *   B  open, pool capped at 10 users, --on-saturation queue: only the corrected (intended-start)
 *      latency sees the stall; the actual-send latency misses the 290 that waited in the queue
 *   C  open, pool capped at 10 users, drop (the default): ~290 iterations counted as dropped
 *   D  closed model, 10 users with 0.1 s wait (about 100 requests/s when the target is fast):
 *      the users stall with the target, the requests they would have sent are never measured
 *
 * Usage: node --import tsx bench/stall-case.ts [--runs 3] [--seconds 60]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt, spread } from './lib/proc.js';
import { numberArg } from './lib/args.js';

const RUNS = numberArg('--runs', 3);
const SECONDS = numberArg('--seconds', 60);
// 300 iterations due in the stall, latencies uniform on 0–3 s; the other iterations are fast. The
// q-quantile of all N falls in the stalled ones: 3 s × (1 − (1 − q)·N / 300).
const N = 100 * SECONDS;
const TRUTH = { p99: 3000 * (1 - (0.01 * N) / 300), p999: 3000 * (1 - (0.001 * N) / 300) };

interface Config { id: string; label: string; args: string[] }
const OPEN = ['--arrival-rate', '100/s'];
const CONFIGS: Config[] = [
  { id: 'A', label: 'open, 400 users (drop)', args: [...OPEN, '--max-users', '400', '--pre-allocated-users', '400'] },
  { id: 'B', label: 'open, 10 users, queue', args: [...OPEN, '--max-users', '10', '--pre-allocated-users', '10', '--on-saturation', 'queue'] },
  { id: 'C', label: 'open, 10 users, drop', args: [...OPEN, '--max-users', '10', '--pre-allocated-users', '10'] },
  { id: 'D', label: 'closed, 10 users, wait 0.1 s', args: ['--users', '10', '--wait', '0.1s'] },
];

interface Figures { sent: number; dropped: number; actualP99: number; actualP999: number; correctedP99: number; correctedP999: number }

function run(c: Config): Promise<Figures> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stall-case-'));
  const args = ['dist/bin/mlop-sim.js', '--scenario', 'http', '--run-time', `${SECONDS}s`, '--server-stall', '3s@20s', '--seed', '11',
    '--quiet', '--report-dir', dir, '--p95', '100000', '--p99', '100000', ...c.args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      try {
        const r = JSON.parse(readFileSync(path.join(dir, 'latest.json'), 'utf8')) as {
          entries: { name: string; count: number; percentiles: Record<string, number> }[];
          aggregated: { count: number; percentiles: Record<string, number> };
          dropped_iterations?: number;
        };
        const e = (n: string) => r.entries.find((x) => x.name === n);
        const actual = e('ITERATION from actual start') ?? r.aggregated;
        const corrected = e('ITERATION from intended start (corrected)');
        resolve({
          sent: actual.count, dropped: r.dropped_iterations ?? 0,
          actualP99: actual.percentiles.p99, actualP999: actual.percentiles['p99.9'],
          correctedP99: corrected?.percentiles.p99 ?? NaN, correctedP999: corrected?.percentiles['p99.9'] ?? NaN,
        });
      } catch (e) {
        reject(new Error(`run ${c.id} failed (exit ${code}): ${err.slice(-400)} ${String(e)}`));
      }
    });
  });
}

const results = new Map<string, Figures[]>(CONFIGS.map((c) => [c.id, []]));
for (let i = 0; i < RUNS; i++) {
  for (const c of CONFIGS) {
    process.stderr.write(`stall-case: run ${i + 1}/${RUNS}, ${c.id} (${c.label})\n`);
    results.get(c.id)!.push(await run(c));
  }
}

const within = (x: number, truth: number): string => (Number.isFinite(x) ? `${fmt(((x - truth) / truth) * 100, 1)} %` : 'n/a');
const med = (xs: number[]): number => spread(xs).median;
const rng = (xs: number[], d = 0): string => {
  const s = spread(xs);
  return RUNS > 1 ? `${fmt(s.median, d)} (${fmt(s.min, d)}–${fmt(s.max, d)})` : fmt(s.median, d);
};
const lines: string[] = [];
lines.push(`### Stall case (100 iterations/s for ${SECONDS} s, server stalls 3 s at 20 s; median (min–max) of ${RUNS} run(s))`, '');
lines.push(`Truth: 300 of ${N} iterations due in the stall wait uniformly 0–3 s → p99 ≈ ${fmt(TRUTH.p99, 0)} ms, p99.9 ≈ ${fmt(TRUTH.p999, 0)} ms.`, '');
lines.push('| load | sent | dropped | actual-send p99 ms | p99.9 ms | corrected (intended-start) p99 ms | p99.9 ms | corrected p99 vs truth | actual p99 vs truth |');
lines.push('|---|---|---|---|---|---|---|---|---|');
for (const c of CONFIGS) {
  const f = results.get(c.id)!;
  const pick = (k: keyof Figures) => f.map((x) => x[k]);
  lines.push(`| ${c.id}: ${c.label} | ${rng(pick('sent'))} | ${rng(pick('dropped'))} | ${rng(pick('actualP99'))} | ${rng(pick('actualP999'))} | ` +
    `${c.id === 'D' ? 'n/a (closed model)' : rng(pick('correctedP99'))} | ${c.id === 'D' ? 'n/a' : rng(pick('correctedP999'))} | ` +
    `${c.id === 'D' ? 'n/a' : within(med(pick('correctedP99')), TRUTH.p99)} | ${within(med(pick('actualP99')), TRUTH.p99)} |`);
}
lines.push('', '"actual-send" is `ITERATION from actual start` (what Locust and k6 report; for the closed model, `Aggregated`); "corrected" is `ITERATION from intended start (corrected)` (wrk2). Goal: A both within 10 % of the truth; B corrected within 10 %, actual not; C about 290 dropped.');
lines.push('', 'The machine (2 cores) is shared with other helpers\' builds, tests and benchmarks running at the same time; the generator and the embedded server (a worker thread) share it.');
process.stdout.write(lines.join('\n') + '\n');
