/**
 * real-sdk-record: the real Python SDK (pluto 0.0.28, from its source) runs a small training job
 * (bench/lib/pluto-job.py: init, STEPS × `pluto.log` of 5–7 metrics, a console line every 20
 * steps, finish) through `mlop-sim record` to `mlop-sim serve`. Checked per job: the job exits 0
 * with no SDK error or warning in its output; every value it logged and every line it printed is
 * stored exactly once (the server's /_sim/runs and /_sim/runs/:id/rows); the API key is in no
 * trace, profile or report. Then the trace is profiled and replayed with one user, as
 * `--scenario replay:PROFILE` and `--scenario replay:TRACE`, each through a second recorder, and
 * the replay's per-table rows, requests/s and bytes/s (src/capture/trace-figures.ts) are compared
 * with the job's (goal, issue 23: within 5 %) and its user key set (goal: exactly).
 *
 *   node --import tsx bench/real-sdk-record.ts --pluto DIR [--python PATH] [--steps 300]
 *        [--step-s 0.05] [--runs 3] [--keep]
 *   PLUTO_SRC=DIR PLUTO_PYTHON=PATH npm run bench -- --only real-sdk-record
 *
 * DIR: pluto's source tree (`git archive 0.0.28 | tar -x`); PATH: a Python whose imports satisfy
 * pluto (docs/workloads.md "The real Python SDK through the recorder" says how to make one).
 * Exit 2 with one sentence when the install check fails, 1 when a check fails. Builds nothing:
 * run `npx tsc -b` first (it runs dist/bin/mlop-sim.js).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseTrace, runFigures, type RunFigures } from '../src/capture/index.js';
import { numberArg, textArg } from './lib/args.js';
import { checkInstall } from './lib/pluto-install.js';

const PLUTO = textArg('--pluto', process.env.PLUTO_SRC);
const PYTHON = textArg('--python', process.env.PLUTO_PYTHON ?? '/usr/bin/python3');
const STEPS = numberArg('--steps', 300);
const STEP_S = numberArg('--step-s', 0.05);
const RUNS = numberArg('--runs', 3);
const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/bin/mlop-sim.js');
const JOB = join(ROOT, 'bench/lib/pluto-job.py');
const KEY = 'mlps_realsdk_bench_secret_key_0123456789abcdef';
const TABLES = ['mlop_metrics', 'mlop_logs', 'mlop_data', 'mlop_files'] as const;

function fail(code: number, sentence: string): never {
  console.error(`real-sdk-record: ${sentence}`);
  process.exit(code);
}

function child(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; cmd?: string } = {}): { p: ChildProcess; out: () => string; done: Promise<number | null> } {
  const p = spawn(opts.cmd ?? process.execPath, opts.cmd ? args : [CLI, ...args], { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { p, out: () => out, done: new Promise((r) => p.on('close', r)) };
}

async function waitFor(c: { out: () => string }, re: RegExp, what: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const m = re.exec(c.out());
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 100));
  }
  return fail(1, `${what} printed no URL: ${c.out()}`);
}

async function record(upstream: string, out: string) {
  const rec = child(['record', '--upstream', upstream, '--port', '0', '--out', out]);
  const url = await waitFor(rec, /recording proxy on (http:\/\/[\d.]+:\d+)/, 'record');
  return {
    url,
    stop: async () => {
      rec.p.kill('SIGINT');
      await rec.done;
      return rec.out();
    },
  };
}

const getJson = async (url: string, init?: RequestInit) => (await fetch(url, init)).json() as Promise<any>;

/** The user metric keys of a trace's metrics lines. */
function userKeys(tracePath: string): string[] {
  const keys = new Set<string>();
  for (const ex of parseTrace(readFileSync(tracePath, 'utf8')).exchanges) {
    if (!ex.route.startsWith('/ingest/metrics') || !ex.body) continue;
    for (const l of ex.body.split('\n').filter(Boolean)) for (const k of Object.keys((JSON.parse(l) as { data: object }).data)) if (!k.startsWith('sys/')) keys.add(k);
  }
  return [...keys].sort();
}

/** The figures of the one run in a trace whose name matches. */
function figuresOf(tracePath: string, run: (name: string) => boolean): RunFigures {
  const runs = runFigures(parseTrace(readFileSync(tracePath, 'utf8'))).filter((f) => run(f.run));
  if (runs.length !== 1) fail(1, `${tracePath} holds ${runs.length} matching runs, not 1`);
  return runs[0];
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}

/** SDK errors and warnings in the job's output: pluto's ⛔/🚫/🚨 lines, the sync process's ERROR/WARNING lines, tracebacks. */
function sdkProblems(output: string): string[] {
  return output.split('\n').filter((l) => /⛔|🚫|🚨|Traceback|\[pluto-sync\] (ERROR|WARNING|CRITICAL)/.test(l));
}

/** Stored exactly once: every value the job logged, every line it printed; no table with duplicates. */
async function storedOnce(server: string, project: string, name: string, jobOut: string): Promise<{ ok: boolean; detail: string; rows: Record<string, number> }> {
  const flush = await fetch(`${server}/_sim/flush?waitMs=30000`, { method: 'POST' });
  if (!flush.ok) return { ok: false, detail: `flush: ${flush.status}`, rows: {} };
  const apiRuns = (await getJson(`${server}/_sim/api-runs`)).runs as { runId: number; name: string; projectName: string; status: string }[];
  const api = apiRuns.filter((r) => r.projectName === project && r.name === name);
  if (api.length !== 1) return { ok: false, detail: `${api.length} backend runs named ${name}`, rows: {} };
  const runs = (await getJson(`${server}/_sim/runs?project=${encodeURIComponent(project)}`)).runs as { runId: number; tables: Record<string, { rows: number; distinct: number }> }[];
  const run = runs.find((r) => r.runId === api[0].runId);
  if (!run) return { ok: false, detail: `no stored rows for run ${api[0].runId}`, rows: {} };
  const problems: string[] = [];
  if (api[0].status !== 'COMPLETED') problems.push(`status ${api[0].status}`);
  const rows: Record<string, number> = {};
  for (const [t, c] of Object.entries(run.tables)) {
    rows[t] = c.rows;
    if (c.rows !== c.distinct) problems.push(`${t}: ${c.rows - c.distinct} duplicated`);
  }
  const rowsOf = async (t: string) => (await getJson(`${server}/_sim/runs/${run.runId}/rows?table=${t}&project=${encodeURIComponent(project)}`)).rows as any[];
  const logged = JSON.parse(readFileSync(jobOut, 'utf8')) as { values: [string, number, number][]; printed: string[] };
  const stored = new Map<string, number[]>();
  for (const r of await rowsOf('mlop_metrics')) if (!String(r.logName).startsWith('sys/')) stored.set(`${r.logName}@${r.step}`, [...(stored.get(`${r.logName}@${r.step}`) ?? []), r.value]);
  let missing = 0;
  let wrong = 0;
  for (const [k, step, v] of logged.values) {
    const got = stored.get(`${k}@${step}`);
    if (!got) missing++;
    else if (got.length !== 1 || got[0] !== v) wrong++;
  }
  const extra = stored.size - logged.values.length;
  if (missing || wrong || extra) problems.push(`metrics: ${missing} missing, ${wrong} duplicated or changed, ${extra} not logged by the job`);
  const lines = (await rowsOf('mlop_logs')).filter((r) => r.logType === 'INFO').map((r) => String(r.message));
  const linesMissing = logged.printed.filter((l) => lines.filter((s) => s === l).length !== 1);
  if (linesMissing.length) problems.push(`console: ${linesMissing.length} printed lines not stored exactly once`);
  return { ok: problems.length === 0, detail: problems.join('; ') || `${logged.values.length} values and ${logged.printed.length} printed lines stored once each`, rows };
}

const within = (got: number, want: number) => (want === 0 ? (got === 0 ? 0 : Infinity) : Math.abs(got - want) / want);
const pct = (got: number, want: number) => (want === 0 ? (got === 0 ? '0 %' : '∞') : `${(((got - want) / want) * 100).toFixed(1)} %`);

async function main(): Promise<void> {
  if (!PLUTO) fail(2, 'give --pluto DIR (or PLUTO_SRC=DIR), the pluto source tree (git archive 0.0.28 | tar -x -C DIR).');
  const install = checkInstall(PYTHON!, PLUTO);
  if (!install.ok) fail(2, install.sentence);
  const using = `pluto ${install.versions.pluto} from ${PLUTO}, ${PYTHON} (Python ${install.versions.python}); ${Object.entries(install.versions).filter(([k]) => k !== 'pluto' && k !== 'python').map(([k, v]) => `${k} ${v}`).join(', ')}`;
  console.error(using);

  const dir = mkdtempSync(join(tmpdir(), 'real-sdk-record-'));
  const serve = child(['serve', '--port', '0', '--key', KEY]);
  const server = await waitFor(serve, /listening on (http:\/\/127\.0\.0\.1:\d+)/, 'serve');
  const rows: string[][] = [];
  let failed = false;
  try {
    for (let i = 1; i <= RUNS; i++) {
      const project = `realsdk-${i}`;
      const name = `pluto-job-${i}`;
      const trace = join(dir, `job-${i}.trace.jsonl`);
      const rec = await record(server, trace);
      const pdir = mkdtempSync(join(dir, 'pluto-'));
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: pdir, PYTHONPATH: PLUTO, PLUTO_URL_API: rec.url, PLUTO_URL_INGEST: rec.url, PLUTO_URL_PY: rec.url, PLUTO_URL_APP: rec.url, PLUTO_API_KEY: KEY, PLUTO_DIR: pdir, PLUTO_DISABLE_TELEMETRY: '1' };
      const jobOut = join(dir, `job-${i}.logged.json`);
      const job = child([JOB, String(STEPS), String(STEP_S), project, name, jobOut], { cmd: PYTHON, env, cwd: pdir });
      const code = await job.done;
      const recOut = await rec.stop();
      const problems = sdkProblems(job.out());
      const once = code === 0 ? await storedOnce(server, project, name, jobOut) : { ok: false, detail: 'job failed', rows: {} };
      const profile = join(dir, `job-${i}.profile.json`);
      const prof = child(['profile', trace, '--out', profile]);
      if ((await prof.done) !== 0) fail(1, `profile failed: ${prof.out()}`);
      const real = figuresOf(trace, (r) => r === name);
      const runLengthS = (JSON.parse(readFileSync(profile, 'utf8')) as { jobs: { runLengthS: number }[] }).jobs[0].runLengthS;
      const keyFree = [trace, profile].every((f) => !readFileSync(f, 'utf8').includes(KEY));
      console.error(`job ${i}: exit ${code}, ${problems.length} SDK error/warning line(s)${problems.length ? `: ${problems.join(' | ')}` : ''}; ${recOut.trim().split('\n').pop()}; stored: ${once.ok ? 'once' : 'NOT once'} (${once.detail})`);
      if (code !== 0) console.error(job.out());
      failed ||= code !== 0 || problems.length > 0 || !once.ok;
      rows.push(['job', String(i), String(real.rows.mlop_metrics), String(real.rows.mlop_logs), String(real.requests), real.durationS.toFixed(2), real.requestsPerS.toFixed(3), real.bytesPerS.toFixed(0), userKeys(trace).length + ' keys', once.ok && problems.length === 0 && code === 0 ? 'stored once, no SDK error' : 'FAILED']);

      for (const [kind, source] of [['profile', profile], ['trace', trace]] as const) {
        const replayTrace = join(dir, `replay-${kind}-${i}.trace.jsonl`);
        const rec2 = await record(server, replayTrace);
        const reportDir = join(dir, `r-${kind}-${i}`);
        const rep = child(['--host', rec2.url, '--key', KEY, '--scenario', `replay:${source}`, '-u', '1', '-t', `${Math.ceil(runLengthS) + 4}s`, '--report-dir', reportDir, '-q']);
        const repCode = await rep.done;
        await rec2.stop();
        if (repCode !== 0) fail(1, `replay:${kind} exited ${repCode}: ${rep.out()}`);
        const b = figuresOf(replayTrace, (r) => r.startsWith('replay-'));
        const sameKeys = JSON.stringify(userKeys(replayTrace)) === JSON.stringify(userKeys(trace));
        const keyFree2 = keyFree && [replayTrace, ...filesUnder(reportDir)].every((f) => !readFileSync(f, 'utf8').includes(KEY));
        const off = [...TABLES.map((t) => within(b.rows[t], real.rows[t])), within(b.requestsPerS, real.requestsPerS), within(b.bytesPerS, real.bytesPerS)];
        const ok = sameKeys && keyFree2 && off.every((d) => d <= 0.05);
        failed ||= !ok;
        rows.push([`replay:${kind}`, String(i), `${b.rows.mlop_metrics} (${pct(b.rows.mlop_metrics, real.rows.mlop_metrics)})`, `${b.rows.mlop_logs} (${pct(b.rows.mlop_logs, real.rows.mlop_logs)})`, String(b.requests), b.durationS.toFixed(2), `${b.requestsPerS.toFixed(3)} (${pct(b.requestsPerS, real.requestsPerS)})`, `${b.bytesPerS.toFixed(0)} (${pct(b.bytesPerS, real.bytesPerS)})`, sameKeys ? 'same' : 'DIFFERENT', `${ok ? 'within 5 %' : 'NOT within 5 %'}${keyFree2 ? '' : ', KEY IN A FILE'}`]);
      }
    }
  } finally {
    serve.p.kill('SIGINT');
    await serve.done;
  }
  console.log(`### The real pluto SDK through \`mlop-sim record\`, and its replay (${RUNS} job(s) of ${STEPS} steps, ${STEP_S} s a step; replays: 1 user, recorded through a second recorder)\n`);
  console.log(`${using}\n`);
  console.log('| what | job | mlop_metrics rows | mlop_logs rows | requests | logging s | requests/s | bytes/s | user keys | verdict |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  if (process.argv.includes('--keep')) console.error(`files kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
  process.exit(failed ? 1 : 0);
}

await main();
