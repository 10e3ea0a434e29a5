/**
 * Throughput of the reference server for single-line metrics posts (the seed's HTTP test line:
 * 5 keys) with a valid key. The server runs in a child process pinned to core 0; the load
 * generator (wrk if installed, else autocannon) is pinned to core 1.
 *
 *   node --import tsx bench/server-throughput.ts [--runs 5] [--duration 5] [--connections 50] [--profile] [--sources]
 *
 * The server is the build (dist/src/server, as `mlop-sim serve` runs it) when it is at least as new
 * as the sources, else (or with --sources) the TypeScript sources through tsx.
 * Prints each run's req/s, then median/min/max, and with --profile the functions where the
 * server spent its CPU time (from a V8 CPU profile of the server process).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(SELF, '..', '..');
const METRICS_LINE =
  '{"time":1767225600000,"step":1,"data":{"train/loss":0.5,"train/accuracy":0.9,"val/loss":0.6,"val/accuracy":0.85,"learning_rate":0.001}}\n';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/**
 * The server module: the build (dist/src/server/index.js) when it exists — what `mlop-sim serve`
 * runs — else the TypeScript sources through tsx. MLOP_SIM_BENCH_SERVER overrides the path.
 */
function serverModule(): string {
  const override = process.env.MLOP_SIM_BENCH_SERVER;
  if (override) return pathToFileURL(override).href;
  const built = join(ROOT, 'dist', 'src', 'server', 'index.js');
  const fresh = existsSync(built) && newestMtime(join(ROOT, 'src', 'server'), '.ts') <= newestMtime(join(ROOT, 'dist', 'src', 'server'), '.js');
  return fresh && !process.argv.includes('--sources') ? pathToFileURL(built).href : '../src/server/index.js';
}

/** Newest modification time of the files with this extension under `dir` (0 when none). */
function newestMtime(dir: string, ext: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p, ext));
    else if (e.name.endsWith(ext) && !e.name.endsWith('.d.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

async function serve(): Promise<void> {
  const { startReferenceServer } = (await import(serverModule())) as typeof import('../src/server/index.js');
  const server = await startReferenceServer({ port: 0 });
  process.stdout.write(`${JSON.stringify({ url: server.url, key: server.key })}\n`);
  const stop = (): void => {
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function pinned(core: number, argv: string[]): [string, string[]] {
  return has('taskset') ? ['taskset', ['-c', String(core), ...argv]] : [argv[0], argv.slice(1)];
}

function startServer(profileDir: string | null): Promise<{ child: ChildProcess; url: string; key: string }> {
  const passOn = process.argv.includes('--sources') ? ['--sources'] : [];
  const nodeArgs = ['--import', 'tsx', ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), SELF, '--serve', ...passOn];
  const [cmd, argv] = pinned(0, [process.execPath, ...nodeArgs]);
  const child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, ...(JSON.parse(out.slice(0, nl)) as { url: string; key: string }) });
    });
    child.once('exit', (code) => reject(new Error(`server exited early (code ${code})`)));
  });
}

function runWrk(url: string, key: string, seconds: number, connections: number, dir: string): number {
  const script = join(dir, 'post.lua');
  writeFileSync(
    script,
    [
      'wrk.method = "POST"',
      `wrk.body = ${JSON.stringify(METRICS_LINE)}`,
      `wrk.headers["Authorization"] = "Bearer ${key}"`,
      'wrk.headers["X-Run-Id"] = "1767225600000"',
      'wrk.headers["X-Project-Name"] = "load-test-project"',
      'wrk.headers["Content-Type"] = "application/x-ndjson"',
      'done = function(summary, latency, requests)',
      '  io.write(string.format("RESULT %d %d %d\\n", summary.requests, summary.duration, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))',
      'end',
    ].join('\n'),
  );
  const [cmd, argv] = pinned(1, ['wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '-s', script, `${url}/ingest/metrics`]);
  const res = spawnSync(cmd, argv, { encoding: 'utf8' });
  const m = /RESULT (\d+) (\d+) (\d+)/.exec(res.stdout);
  if (!m) throw new Error(`wrk failed: ${res.stderr || res.stdout}`);
  if (Number(m[3]) > 0) console.log(`  (${m[3]} errors or non-2xx)`);
  return Number(m[1]) / (Number(m[2]) / 1e6);
}

function runAutocannon(url: string, key: string, seconds: number, connections: number): number {
  const bin = join(ROOT, 'node_modules', 'autocannon', 'autocannon.js');
  const [cmd, argv] = pinned(1, [
    process.execPath, bin, '-j', '-c', String(connections), '-d', String(seconds), '-m', 'POST',
    '-H', `Authorization=Bearer ${key}`, '-H', 'X-Run-Id=1767225600000', '-H', 'X-Project-Name=load-test-project',
    '-H', 'Content-Type=application/x-ndjson', '-b', METRICS_LINE, `${url}/ingest/metrics`,
  ]);
  const res = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const json = JSON.parse(res.stdout) as { requests: { total: number }; duration: number; non2xx: number; errors: number };
  if (json.non2xx + json.errors > 0) console.log(`  (${json.non2xx} non-2xx, ${json.errors} errors)`);
  return json.requests.total / json.duration;
}

/** Top functions by self time in the server's CPU profile. */
function summarizeProfile(dir: string): void {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return console.log('no CPU profile written');
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    nodes: Array<{ id: number; hitCount?: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  };
  const self = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    total += hits;
    const where = n.callFrame.url ? `${basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : '';
    const key = `${n.callFrame.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + hits);
  }
  console.log('\nServer CPU by function (self time, top 20):');
  for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20)) {
    console.log(`  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  }
}

async function main(): Promise<void> {
  const runs = arg('runs', 5);
  const seconds = arg('duration', 5);
  const connections = arg('connections', 50);
  const profile = process.argv.includes('--profile');
  const dir = mkdtempSync(join(tmpdir(), 'mlop-sim-bench-'));
  const useWrk = has('wrk');
  console.log(`server module: ${serverModule()}`);
  console.log(`server-throughput: ${runs} runs × ${seconds}s, ${connections} connections, generator ${useWrk ? 'wrk' : 'autocannon'}, pinning ${has('taskset') ? 'taskset (server core 0, generator core 1)' : 'unavailable'}`);
  const { child, url, key } = await startServer(profile ? dir : null);
  const results: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const rps = useWrk ? runWrk(url, key, seconds, connections, dir) : runAutocannon(url, key, seconds, connections);
      results.push(rps);
      console.log(`  run ${i + 1}: ${Math.round(rps)} req/s`);
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  const sorted = [...results].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(`median ${Math.round(median)} req/s, min ${Math.round(sorted[0])}, max ${Math.round(sorted[sorted.length - 1])}`);
  if (profile) summarizeProfile(dir);
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv.includes('--serve')) await serve();
else await main();
