/**
 * Regression power (issue 20): false alarms and detection of the regression verdict and of the
 * seed's rule, side by side on the same runs, against the embedded server.
 *
 * Per scenario (sdk, and http with `--scenario http`), `--users` (50, the default load), `--seconds` per run (30), one scenario after the other:
 *  - A runs: `--server-latency lognormal:20:0.5`, seeds 1000…, `--a-runs` of them (21 → 210 A/A pairs);
 *  - B runs per shift s in `--shifts` (2,5,10,20 %): `lognormal:20·(1+s):0.5`, `--b-runs` each (5),
 *    every B run compared with every A run (21 × 5 = 105 A/B comparisons per shift; they share runs,
 *    so they are not independent — the rates are rates over pairs, the runs are what is random).
 * Every run is a separate process with its own seed: no replicate is cut from a longer run.
 * A verdict's alarm is a `regression` outcome (exit 1); the seed rule's is any failed check.
 *
 *   node --import tsx bench/regression-power.ts [--users 50] [--seconds 30] [--a-runs 21] [--b-runs 5] [--shifts 2,5,10,20] [--scenarios sdk,http] [--dir /tmp/regression-power] [--min-effect 0.03] [--min-effect-ms 0.5]
 *
 * Runs already in --dir are reused (a run's latest.json is its record), so an interrupted bench resumes.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { numberArg, textArg } from './lib/args.js';
import { compareBaseline } from '../src/metrics/baseline.js';
import { readResultFile, type ResultFile } from '../src/run/judging/compare-files.js';
import { regressionVerdict } from '../src/run/judging/verdict.js';
import { DEFAULT_SETTINGS, PRIMARY_SHARE } from '../src/metrics/statistics/compare-entries.js';
import { studentQuantile } from '../src/metrics/statistics/student-t.js';

const USERS = numberArg('--users', 50);
const SECONDS = numberArg('--seconds', 30);
const A_RUNS = numberArg('--a-runs', 21);
const B_RUNS = numberArg('--b-runs', 5);
const SCENARIOS = textArg('--scenarios', 'sdk,http').split(',');
const SHIFTS = textArg('--shifts', '2,5,10,20').split(',').map(Number);
const DIR = textArg('--dir', '/tmp/regression-power');
const CLI = join(process.cwd(), 'dist/bin/mlop-sim.js');
const MEDIAN_MS = 20;
/** The verdict's minimum effects (the product's defaults); `--min-effect 0.05` shows the trade-off on the same runs. */
const SETTINGS = { ...DEFAULT_SETTINGS, minEffect: numberArg('--min-effect', DEFAULT_SETTINGS.minEffect), minEffectMs: numberArg('--min-effect-ms', DEFAULT_SETTINGS.minEffectMs) };

function runOnce(scenario: string, median: number, seed: number, dir: string): Promise<void> {
  if (existsSync(join(dir, 'latest.json'))) return Promise.resolve();
  const args = [CLI, '-u', String(USERS), '-t', `${SECONDS}s`, '--seed', String(seed), '--server-latency', `lognormal:${median}:0.5`, '--report-dir', dir,
    ...(scenario === 'http' ? ['--scenario', 'http'] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('close', (code) => (code === 0 || code === 1 ? resolve() : reject(new Error(`${args.join(' ')} exited ${code}`))));
  });
}

interface Tally {
  pairs: number; verdict: number; inconclusive: number; seed: number; entries: Map<string, number>;
  /** The primary (typical) test per pair: its ln change and its standard error (from its interval). */
  typical: Array<{ ln: number; se: number }>;
}

function tally(pairs: Array<[ResultFile, ResultFile]>): Tally {
  const t: Tally = { pairs: 0, verdict: 0, inconclusive: 0, seed: 0, entries: new Map(), typical: [] };
  for (const [a, b] of pairs) {
    t.pairs++;
    const v = regressionVerdict([a], [b], SETTINGS);
    const ty = v.tests.find((x) => x.metric === 'typical');
    if (ty?.df !== undefined) {
      const crit = studentQuantile(1 - (SETTINGS.alpha * PRIMARY_SHARE) / 2, ty.df);
      t.typical.push({ ln: Math.log(1 + ty.change), se: (Math.log(1 + ty.hi) - Math.log(1 + ty.lo)) / (2 * crit) });
    }
    if (v.outcome === 'regression') {
      t.verdict++;
      for (const x of v.tests.filter((y) => y.outcome === 'regression')) t.entries.set(`${x.entry} ${x.metric}`, (t.entries.get(`${x.entry} ${x.metric}`) ?? 0) + 1);
    }
    if (v.outcome === 'inconclusive') t.inconclusive++;
    if (!compareBaseline(a.figures, b.figures, a.file).pass) t.seed++;
  }
  return t;
}

const pctOf = (n: number, d: number): string => `${((100 * n) / d).toFixed(1)} % (${n}/${d})`;

async function scenarioSection(scenario: string): Promise<string> {
  const started = Date.now();
  const loadBefore = loadavg()[0];
  const aDirs = Array.from({ length: A_RUNS }, (_, i) => join(DIR, scenario, `A-${i}`));
  for (let i = 0; i < A_RUNS; i++) {
    await runOnce(scenario, MEDIAN_MS, 1000 + i, aDirs[i]);
    process.stderr.write(`${scenario} A ${i + 1}/${A_RUNS}\n`);
  }
  const bDirs = new Map<number, string[]>();
  for (const s of SHIFTS) {
    const dirs = Array.from({ length: B_RUNS }, (_, i) => join(DIR, scenario, `B${s}-${i}`));
    for (let i = 0; i < B_RUNS; i++) {
      await runOnce(scenario, +(MEDIAN_MS * (1 + s / 100)).toFixed(3), 5000 + 100 * s + i, dirs[i]);
      process.stderr.write(`${scenario} B+${s}% ${i + 1}/${B_RUNS}\n`);
    }
    bDirs.set(s, dirs);
  }
  const runsS = (Date.now() - started) / 1000;
  const loadAfter = loadavg()[0];
  const read = (d: string): Promise<ResultFile> => readResultFile(join(d, 'latest.json'));
  const A = await Promise.all(aDirs.map(read));
  const late = (files: ResultFile[]): number => files.filter((f) => f.generatorWarning).length;
  const rows: string[] = [];
  const aa: Array<[ResultFile, ResultFile]> = [];
  for (let i = 0; i < A.length; i++) for (let j = i + 1; j < A.length; j++) aa.push([A[i], A[j]]);
  const t0 = Date.now();
  const line = (label: string, t: Tally): string =>
    `| ${label} | ${t.pairs} | ${pctOf(t.verdict, t.pairs)} | ${pctOf(t.inconclusive, t.pairs)} | ${pctOf(t.seed, t.pairs)} | ${[...t.entries].sort((x, y) => y[1] - x[1]).slice(0, 3).map(([k, n]) => `${k} (${n})`).join(', ') || '–'} |`;
  const aaTally = tally(aa);
  rows.push(line('A/A (false alarms)', aaTally));
  const ln = aaTally.typical.map((x) => x.ln);
  const mean = ln.reduce((x, y) => x + y, 0) / Math.max(1, ln.length);
  const sd = Math.sqrt(ln.reduce((x, y) => x + (y - mean) ** 2, 0) / Math.max(1, ln.length - 1));
  const se = aaTally.typical.reduce((x, y) => x + y.se, 0) / Math.max(1, ln.length);
  const calibration = `The typical test over the ${ln.length} A/A pairs: its ln change has mean ${(mean * 100).toFixed(2)} % and standard deviation ${(sd * 100).toFixed(2)} % across pairs; the standard error it claimed averaged ${(se * 100).toFixed(2)} % (an honest interval claims about the spread it shows).`;
  for (const s of SHIFTS) {
    const B = await Promise.all((bDirs.get(s) ?? []).map(read));
    const ab: Array<[ResultFile, ResultFile]> = [];
    for (const a of A) for (const b of B) ab.push([a, b]);
    rows.push(line(`+${s} % (detection)`, tally(ab)));
  }
  const verdictS = (Date.now() - t0) / 1000;
  return [
    `#### ${scenario} scenario${scenario === 'http' ? ' (`--scenario http`)' : ''}: ${USERS} users, ${SECONDS} s per run, ${A_RUNS} A runs, ${B_RUNS} B runs per shift`,
    '',
    '| comparison | pairs | verdict: regression | verdict: inconclusive | seed rule: fail | entries the verdict named most |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    calibration,
    '',
    `Runs took ${runsS.toFixed(0)} s (load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after the runs); ${late(A)} of the ${A.length} A runs carry the generator's timing or saturation warning. The ${rows.length} rows' verdicts took ${verdictS.toFixed(1)} s in all.`,
  ].join('\n');
}

// One scenario after the other: two series side by side would load each other's runs.
const sections: string[] = [];
for (const s of SCENARIOS) sections.push(await scenarioSection(s));
process.stdout.write([
  `### Regression power (issue 20): the verdict and the seed rule on the same runs`,
  '',
  `A = \`--server-latency lognormal:${MEDIAN_MS}:0.5\`; B = the median raised by the shift. Verdict minimum effect max(${(SETTINGS.minEffect * 100).toFixed(0)} %, ${SETTINGS.minEffectMs} ms). Alarm = the verdict's \`regression\` (exit 1) / any failed check of the seed rule (+20 % p95/p99, +0.05 error rate on the seed keys).`,
  '',
  ...sections.flatMap((s) => [s, '']),
].join('\n'));
