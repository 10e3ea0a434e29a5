/**
 * Build parity: the same runs with two builds of the CLI, interleaved run by run — the main job
 * (sdk), the http and stress scenarios, and the exit codes of the gates and bad input — so a
 * refactor can show it changed no result. Prints a markdown section (medians of the runs).
 *
 * Usage: node --import tsx bench/build-parity.ts --before <older build's dist/bin/mlop-sim.js>
 *        [--after dist/bin/mlop-sim.js] [--runs 3] [--seconds 10]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numberArg } from './lib/args.js';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const BUILDS: Record<string, string> = { before: opt('--before', ''), after: opt('--after', 'dist/bin/mlop-sim.js') };
if (!BUILDS.before) throw new Error('--before <an older build\'s dist/bin/mlop-sim.js> is required');
const RUNS = numberArg('--runs', 3);
const SECONDS = numberArg('--seconds', 10);

const CASES: Record<string, string[]> = {
  'sdk (main job), 20 users': ['-u', '20', '-t', `${SECONDS}s`],
  'http, 20 users, lognormal:20:0.5': ['--scenario', 'http', '-u', '20', '-t', `${SECONDS}s`, '--server-latency', 'lognormal:20:0.5'],
  'stress, 20 users': ['--scenario', 'stress', '-u', '20', '-t', `${SECONDS}s`],
};
const EXIT_CASES: Record<string, string[]> = {
  'a failed gate (--p95 1 with 20 ms latency)': ['--scenario', 'http', '-u', '2', '-t', '2s', '--server-latency', '20ms', '--p95', '1'],
  'a bad flag': ['--users', 'many'],
  'an unreachable host': ['--scenario', 'http', '-u', '1', '-t', '1s', '--host', 'http://127.0.0.1:9', '--key', 'mlps_x'],
};

interface Figures { code: number; p50: number; p95: number; p99: number; count: number; errors: number; pass: boolean }

function run(bin: string, args: string[]): Figures {
  const dir = mkdtempSync(join(tmpdir(), 'parity-'));
  const r = spawnSync(process.execPath, [bin, ...args, '--seed', '7', '--report-dir', dir, '-q'], { encoding: 'utf8', env: { ...process.env, INGEST_URL: '', TEST_API_KEY: '' } });
  try {
    const l = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as { p50_ms: number; p95_ms: number; p99_ms: number; total_requests: number; error_rate: number; pass: boolean };
    return { code: r.status ?? -1, p50: l.p50_ms, p95: l.p95_ms, p99: l.p99_ms, count: l.total_requests, errors: l.error_rate, pass: l.pass };
  } catch {
    return { code: r.status ?? -1, p50: NaN, p95: NaN, p99: NaN, count: NaN, errors: NaN, pass: false };
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x: number): string => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2)) : '–');

const lines = ['### build parity', '', `${RUNS} runs of each case per build, interleaved (before, after, before, …), seed 7, ${SECONDS} s each; medians.`, '',
  '| case | build | exit codes | p50 ms | p95 ms | p99 ms | judged count | error rate |', '|---|---|---|---|---|---|---|---|'];
for (const [name, args] of Object.entries(CASES)) {
  const got: Record<string, Figures[]> = { before: [], after: [] };
  for (let i = 0; i < RUNS; i++) for (const b of ['before', 'after']) {
    got[b].push(run(BUILDS[b], args));
    process.stderr.write(`${name} ${b} ${i + 1}/${RUNS}\n`);
  }
  for (const b of ['before', 'after']) {
    const f = got[b];
    lines.push(`| ${name} | ${b} | ${f.map((x) => x.code).join(' ')} | ${fmt(median(f.map((x) => x.p50)))} | ${fmt(median(f.map((x) => x.p95)))} | ${fmt(median(f.map((x) => x.p99)))} | ${fmt(median(f.map((x) => x.count)))} | ${fmt(median(f.map((x) => x.errors)))} |`);
  }
}
lines.push('', '| bad input or gate | before exit | after exit |', '|---|---|---|');
for (const [name, args] of Object.entries(EXIT_CASES)) {
  lines.push(`| ${name} | ${run(BUILDS.before, args).code} | ${run(BUILDS.after, args).code} |`);
}
process.stdout.write(lines.join('\n') + '\n');
