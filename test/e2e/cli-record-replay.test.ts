/**
 * Record → profile → replay, with the real CLI over loopback: a job run by our SDK port goes
 * through `mlop-sim record` to `mlop-sim serve`; `mlop-sim profile` makes its profile; replaying
 * the profile with one user (recorded again) gives the same key set, and per-table rows,
 * requests/s and bytes/s within 5 %. The API key appears in no trace, profile or report.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrace, runFigures, type RunFigures } from '../../src/capture/index.js';
import { CLI, cleanEnv, ensureBuilt, ROOT, runCli, tempDir } from './cli-process.js';
import { startServe } from './serve-process.js';

const KEY = 'mlps_e2e_record_replay_secret_key_0123456789';

function startRecord(upstream: string, out: string): { child: ChildProcess; url: Promise<string>; done: Promise<{ code: number | null; stdout: string }> } {
  const child = spawn(process.execPath, [CLI, 'record', '--upstream', upstream, '--port', '0', '--out', out], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`record printed no URL: ${stdout}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /recording proxy on (http:\/\/[\d.]+:\d+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  const done = new Promise<{ code: number | null; stdout: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout })));
  return { child, url, done };
}

function userKeys(figuresTrace: string): string[] {
  const trace = parseTrace(readFileSync(figuresTrace, 'utf8'));
  const keys = new Set<string>();
  for (const ex of trace.exchanges) {
    if (!ex.route.startsWith('/ingest/metrics') || !ex.body) continue;
    for (const line of ex.body.split('\n').filter(Boolean)) {
      for (const k of Object.keys((JSON.parse(line) as { data: object }).data)) if (!k.startsWith('sys/')) keys.add(k);
    }
  }
  return [...keys].sort();
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}

const within = (got: number, want: number, share: number) => Math.abs(got - want) <= share * want;

describe('mlop-sim record → profile → replay', () => {
  const dir = tempDir('mlop-sim-replay-');
  let serve: ReturnType<typeof startServe>;
  let upstream: string;

  beforeAll(async () => {
    ensureBuilt();
    serve = startServe(['--key', KEY]);
    upstream = await serve.url;
  });
  afterAll(async () => {
    serve.server.kill('SIGINT');
    await serve.closed;
  });

  it('an upstream that is down is exit 3 with one sentence', async () => {
    const out = await runCli(['record', '--upstream', 'http://127.0.0.1:9', '--port', '0', '--out', join(dir, 'x.jsonl')]);
    expect(out.code).toBe(3);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/upstream http:\/\/127\.0\.0\.1:9 is not reachable \(connection refused\)/);
  });

  it('replays a recorded job with the same keys and per-table rows, requests/s and bytes/s within 5 %', async () => {
    // 1. Record a job of the seed's shape, run by our SDK port, on its way to the server.
    const trace = join(dir, 'job.trace.jsonl');
    const rec = startRecord(upstream, trace);
    const proxy = await rec.url;
    const job = await runCli(['--host', proxy, '--key', KEY, '--scenario', 'sdk', '-u', '1', '-t', '20s', '--seed', '11', '--report-dir', join(dir, 'r1'), '-q'], { timeoutMs: 90_000 });
    expect(job.code, job.stderr).toBe(0);
    rec.child.kill('SIGINT');
    const recDone = await rec.done;
    expect(recDone.code).toBe(0);
    expect(recDone.stdout).toMatch(/recorded \d+ request\(s\) to .*; none dropped/);

    // 2. Its profile.
    const profile = join(dir, 'job.profile.json');
    const prof = await runCli(['profile', trace, '--out', profile]);
    expect(prof.code, prof.stderr).toBe(0);

    // 3. Replay the profile with one user, recorded again.
    const replayTrace = join(dir, 'replay.trace.jsonl');
    const rec2 = startRecord(upstream, replayTrace);
    const proxy2 = await rec2.url;
    const runLengthS = (JSON.parse(readFileSync(profile, 'utf8')) as { jobs: { runLengthS: number }[] }).jobs[0].runLengthS;
    const replay = await runCli(['--host', proxy2, '--key', KEY, '--scenario', `replay:${profile}`, '-u', '1', '-t', `${Math.ceil(runLengthS) + 4}s`, '--report-dir', join(dir, 'r2'), '-q'], { timeoutMs: 90_000 });
    expect(replay.code, replay.stderr + replay.stdout).toBe(0);
    rec2.child.kill('SIGINT');
    expect((await rec2.done).code).toBe(0);

    // Same user keys, exactly.
    expect(userKeys(replayTrace)).toEqual(userKeys(trace));
    const [a] = runFigures(parseTrace(readFileSync(trace, 'utf8'))) as RunFigures[];
    const [b] = runFigures(parseTrace(readFileSync(replayTrace, 'utf8'))) as RunFigures[];
    const show = JSON.stringify({ recorded: a, replayed: b });
    if (process.env.SHOW_FIGURES) console.log(show);
    for (const table of ['mlop_metrics', 'mlop_logs', 'mlop_data', 'mlop_files'] as const) {
      expect(within(b.rows[table], a.rows[table], 0.05), `${table}: ${show}`).toBe(true);
    }
    expect(within(b.requestsPerS, a.requestsPerS, 0.05), `requests/s: ${show}`).toBe(true);
    expect(within(b.bytesPerS, a.bytesPerS, 0.05), `bytes/s: ${show}`).toBe(true);

    // The key is in no trace, profile or report.
    for (const f of [trace, replayTrace, profile, ...filesUnder(join(dir, 'r1')), ...filesUnder(join(dir, 'r2'))]) {
      expect(readFileSync(f, 'utf8').includes(KEY), f).toBe(false);
    }
    expect(readFileSync(trace, 'utf8')).toContain('"[redacted]"');
  }, 240_000);

  it('a cut-off trace and a profile with an unknown field are exit 2, naming the line or the field', async () => {
    const good = readFileSync(join(dir, 'job.trace.jsonl'), 'utf8').split('\n').filter(Boolean);
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, `${good.slice(0, 5).join('\n')}\n${good[5].slice(0, 40)}`);
    const a = await runCli(['profile', cut]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/line 6 is not complete JSON \(the trace was cut off\)/);
    const p = JSON.parse(readFileSync(join(dir, 'job.profile.json'), 'utf8')) as { jobs: Record<string, unknown>[] };
    p.jobs[0].stepCadense = 1;
    const bad = join(dir, 'bad.profile.json');
    writeFileSync(bad, JSON.stringify(p));
    const b = await runCli(['--scenario', `replay:${bad}`, '-u', '1', '-t', '1s']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/unknown field "jobs\[0\]\.stepCadense"/);
  });

  it('a preset replays under --workers 2 and under an arrival rate of jobs, every row stored once', async () => {
    const workers = await runCli(['--profile', 'sweep', '--replay-speed', '5', '--workers', '2', '-u', '4', '-t', '8s', '--report-dir', join(dir, 'w')], { timeoutMs: 120_000 });
    expect(workers.code, workers.stderr).toBe(0);
    expect(workers.stdout).toMatch(/Delivery audit passed over 4 runs: .* 0 lost, 0 duplicated/);
    const open = await runCli(['--profile', 'sweep', '--replay-speed', '5', '--arrival-rate', '60/m', '--run-length', '7s', '-t', '5s', '--report-dir', join(dir, 'a')], { timeoutMs: 120_000 });
    expect(open.code, open.stderr).toBe(0);
    expect(open.stdout).toMatch(/Delivery audit passed over 5 runs/);
    expect(open.stdout + open.stderr).not.toMatch(/did not finish/);
  }, 240_000);

  it('--replay-speed without a replay scenario, and an unknown preset, are exit 2', async () => {
    const a = await runCli(['--replay-speed', '2', '-t', '1s']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--replay-speed needs --scenario replay:FILE or --profile NAME/);
    const b = await runCli(['--profile', 'llm', '-t', '1s']);
    expect(b.code).toBe(2);
  });
});
