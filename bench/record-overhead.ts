/**
 * record-overhead: what `mlop-sim record` adds to each request of a job. One keep-alive client
 * sends a metrics-sized NDJSON POST (2 KB), one at a time, alternately in blocks of 200 straight
 * to a minimal upstream and through the recorder (the built CLI, its own process, writing its
 * trace to a temp file), so both series see the same machine state. Reports p50/p99/p99.9 of each
 * and the recorder's added latency at p50 and p99 (proxied minus direct). Goal (issue 23): ≤ 1 ms
 * at p99. It also gives each series' p99 per fifth of the pass.
 *
 * What is warm and what is cold, as for a training job: the job's ingest server and the job's own
 * HTTP client are in steady state; the recorder has just been started. So the upstream process and
 * this client live for the whole bench and are warmed once, before the first pass, on both paths
 * (direct, and through a throwaway recorder that is then stopped); each pass then starts a fresh
 * recorder and measures from its first request on fresh connections (both series). Until
 * 2026-12-06 every pass started all three processes cold, and the cold client's and upstream's
 * JIT compiling on the two cores set the first fifth's p99 of both series (bench/RESULTS.md,
 * record-overhead).
 *
 *   node --import tsx bench/record-overhead.ts [--requests 5000] [--runs 3] [--prewarm 6000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numberArg } from './lib/args.js';

const REQUESTS = numberArg('--requests', 5000);
const RUNS = numberArg('--runs', 3);
/** Requests per series that warm the client and the upstream before the first pass. */
const PREWARM = numberArg('--prewarm', 6000);
const BLOCK = 200;
const CLI = join(import.meta.dirname, '../dist/bin/mlop-sim.js');
const UPSTREAM = `require('node:http').createServer({noDelay:true},(q,s)=>{q.resume();q.on('end',()=>{s.writeHead(200,{'content-type':'application/json'});s.end('{"ok":true}')})}).listen(0,'127.0.0.1',function(){console.log('port '+this.address().port)})`;

function started(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no start line: ${out}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
}

const body = Buffer.from(Array.from({ length: 16 }, (_, i) => `{"time": ${1767225600000 + i}, "step": ${i}, "data": {"train/loss": 0.${i}123456789, "train/accuracy": 0.9${i}1234567, "val/loss": 0.4, "lr": 0.0003}}`).join('\n') + '\n');

function post(agent: http.Agent, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/ingest/metrics', agent, headers: { 'content-type': 'application/x-ndjson', 'content-length': body.length, authorization: 'Bearer mlps_bench_key_0123456789' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - t0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

function startRecorder(upPort: number, out: string): Promise<{ recorder: ChildProcess; port: number }> {
  const recorder = spawn(process.execPath, [CLI, 'record', '--upstream', `http://127.0.0.1:${upPort}`, '--port', '0', '--out', out], { stdio: ['ignore', 'pipe', 'inherit'] });
  return started(recorder, /recording proxy on http:\/\/127\.0\.0\.1:(\d+)/).then((p) => ({ recorder, port: Number(p) }));
}

async function stopRecorder(recorder: ChildProcess): Promise<void> {
  recorder.kill('SIGINT');
  await new Promise((r) => recorder.on('close', r));
}

/** Interleaved blocks on fresh connections: `count` requests per series. */
async function interleaved(upPort: number, proxyPort: number, count: number): Promise<{ direct: number[]; proxied: number[] }> {
  const direct: number[] = [];
  const proxied: number[] = [];
  const a1 = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const a2 = new http.Agent({ keepAlive: true, maxSockets: 1 });
  while (direct.length < count) {
    for (let i = 0; i < BLOCK; i++) direct.push(await post(a1, upPort));
    for (let i = 0; i < BLOCK; i++) proxied.push(await post(a2, proxyPort));
  }
  a1.destroy();
  a2.destroy();
  return { direct, proxied };
}

const dir = mkdtempSync(join(tmpdir(), 'record-bench-'));
const upstream = spawn(process.execPath, ['-e', UPSTREAM], { stdio: ['ignore', 'pipe', 'inherit'] });
const upPort = Number(await started(upstream, /port (\d+)/));
{
  // The job's side in steady state: this client and the upstream warmed on both paths, through a throwaway recorder.
  const { recorder, port } = await startRecorder(upPort, join(dir, 'prewarm.jsonl'));
  await interleaved(upPort, port, PREWARM);
  await stopRecorder(recorder);
  rmSync(join(dir, 'prewarm.jsonl')); // its pages are not written back while the passes run
}

async function pass(r: number): Promise<{ direct: number[]; proxied: number[]; traceBytes: number }> {
  const out = join(dir, `t${r}.jsonl`);
  const { recorder, port } = await startRecorder(upPort, out);
  const { direct, proxied } = await interleaved(upPort, port, REQUESTS);
  await stopRecorder(recorder);
  const traceBytes = statSync(out).size;
  rmSync(out);
  return { direct, proxied, traceBytes };
}

const rows: string[] = [];
const fifthRows: string[] = [];
for (let r = 0; r < RUNS; r++) {
  process.stderr.write(`record-overhead: pass ${r + 1} of ${RUNS}\n`);
  const { direct, proxied, traceBytes } = await pass(r);
  const f = (x: number) => x.toFixed(3);
  const fifth = (xs: number[], k: number) => xs.slice(Math.floor((k * xs.length) / 5), Math.floor(((k + 1) * xs.length) / 5));
  const fifths = (xs: number[]) => [0, 1, 2, 3, 4].map((k) => q(fifth(xs, k), 0.99).toFixed(2)).join(' ');
  const later = (xs: number[]) => xs.slice(Math.floor(xs.length / 5));
  fifthRows.push(`| ${r + 1} | ${fifths(direct)} | ${fifths(proxied)} | ${f(q(later(proxied), 0.99) - q(later(direct), 0.99))} |`);
  rows.push(`| ${r + 1} | ${f(q(direct, 0.5))} / ${f(q(direct, 0.99))} / ${f(q(direct, 0.999))} | ${f(q(proxied, 0.5))} / ${f(q(proxied, 0.99))} / ${f(q(proxied, 0.999))} | ${f(q(proxied, 0.5) - q(direct, 0.5))} | ${f(q(proxied, 0.99) - q(direct, 0.99))} | ${(traceBytes / 1e6).toFixed(1)} |`);
}
upstream.kill();
rmSync(dir, { recursive: true, force: true });
console.log(`### Recording proxy overhead (${REQUESTS} POSTs of ${body.length} B per series and pass (answers of 11 B), one keep-alive connection per series, blocks of ${BLOCK} interleaved; client and upstream warmed once with ${PREWARM} per series, a fresh recorder each pass, measured from its first request)

| pass | direct ms p50 / p99 / p99.9 | through record ms p50 / p99 / p99.9 | added p50 ms | added p99 ms | trace MB |
|---|---|---|---|---|---|
${rows.join('\n')}

p99 per fifth of each pass (ms), in order, and the added p99 without the first fifth:

| pass | direct p99 by fifth | through record p99 by fifth | added p99 ms, fifths 2–5 |
|---|---|---|---|
${fifthRows.join('\n')}

Goal: the recorder adds ≤ 1 ms at p99 per request.`);
