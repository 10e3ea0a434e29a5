/**
 * sdk-scale: many SDK runs in one Node process, each a training job with the SDK's defaults:
 * 6 metrics logged once a second, one printed line every 5 s (console capture on, plus the SDK's
 * own start-up lines), system metrics and the heartbeat every 4 s, the health line every 60 s;
 * against the reference server in its own process. Reports heap and RSS per run, the p99 of
 * `run.log` (6 numeric keys, names already registered) and the HTTP requests per run per second.
 *
 *   node --import tsx --expose-gc bench/sdk-scale.ts                 # 1,000 and 10,000 runs, 65 s, 5 passes each
 *   node --import tsx --expose-gc bench/sdk-scale.ts --sizes 10000 --seconds 65 --runs 3
 *   ... --no-system-metrics --no-console                             # the lean runs of issue 3
 *
 * Each pass runs in a fresh child process (`--child N`) so heaps do not mix. Goals (issue 10):
 * ≤ 50 KB heap per run at 10,000 runs (1 GB), p99 run.log ≤ 20 µs, every record acked.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
// The SDK's sources (not its build), so the numbers are those of the code in this checkout.
import { closeDefaultDispatcher, init, type Run, type Settings } from '../src/sdk/index.js';
import { startReferenceServer } from '../src/server/index.js';

const argv = process.argv.slice(2);
function arg(name: string, dflt: string): string {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
}

interface PassResult {
  runs: number;
  systemMetrics: boolean;
  console: boolean;
  seconds: number;
  initS: number;
  heapPerRunIdleKB: number;
  heapPerRunLoadedKB: number;
  rssPerRunKB: number;
  heapUsedMB: number;
  rssMB: number;
  logCalls: number;
  logRatePerS: number;
  logP50us: number;
  logP99us: number;
  logP999us: number;
  logMaxUs: number;
  requests: number;
  requestErrors: number;
  /** HTTP requests per run per second in the steady window, in total and by name. */
  reqPerRunS: number;
  reqPerRunSByName: Record<string, number>;
  printed: number;
  e2eP50ms: number;
  e2eP99ms: number;
  logged: number;
  acked: number;
  failed: number;
  pending: number;
  finishS: number;
  loadAvg: number;
}

function quantile(sorted: Float64Array, q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function gcNow(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with --expose-gc');
  g();
  g();
}

async function pool<T>(items: T[], width: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

/** The reference server in its own process (`--server`), so it does not share our event loop. */
async function spawnServer(): Promise<{ url: string; key: string; stop(): Promise<void> }> {
  const self = fileURLToPath(import.meta.url);
  const c = spawn(process.execPath, ['--import', 'tsx', self, '--server'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    c.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    c.once('exit', (code) => reject(new Error(`reference server exited (${code})`)));
  });
  const { url, key } = JSON.parse(line) as { url: string; key: string };
  return {
    url, key,
    stop: () => new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.stdin.end();
    }),
  };
}

const systemMetrics = !argv.includes('--no-system-metrics');
const consoleOn = !argv.includes('--no-console');

async function child(n: number, seconds: number): Promise<PassResult> {
  const server = await spawnServer();
  let requests = 0;
  let requestErrors = 0;
  let steady = false;
  const steadyByName: Record<string, number> = {};
  const e2e = new Float64Array(2_000_000);
  let e2eN = 0;
  const settings: Settings = {
    url_app: server.url, url_api: server.url, url_ingest: server.url, url_py: server.url, _auth: server.key,
    disable_system_metrics: !systemMetrics, disable_console: !consoleOn, sync_process_shutdown_timeout: 30,
    observer: {
      onRequest(ex) {
        requests++;
        if (steady) steadyByName[ex.name] = (steadyByName[ex.name] ?? 0) + 1;
        if (ex.status === null || ex.status >= 300) requestErrors++;
      },
      onRecord(ev) {
        if (ev.status === 'acked' && e2eN < e2e.length) e2e[e2eN++] = ev.settledAt - ev.loggedAt;
      },
    },
  };
  gcNow();
  const base = process.memoryUsage();
  const runs: Run[] = [];
  const t0 = performance.now();
  await pool(Array.from({ length: n }, (_, i) => i), 200, async (i) => {
    const run = await init({ project: 'sdk-scale', name: `run-${i}`, config: { i }, settings });
    await run.log({ 'train/loss': 1, 'train/accuracy': 0, 'val/loss': 1, 'val/accuracy': 0, learning_rate: 1e-3, epoch: 0 });
    runs.push(run);
  });
  const initS = (performance.now() - t0) / 1000;
  process.stderr.write(`  ${n} runs initialised in ${initS.toFixed(1)} s\n`);
  await new Promise((r) => setTimeout(r, 2_000)); // first uploads settle
  gcNow();
  const idle = process.memoryUsage();

  // Steady state: a 10 ms ticker gives each run one log() a second, spread over the second.
  const samples = new Float64Array(Math.ceil(n * (seconds + 2)));
  let count = 0;
  const slices = 100;
  let loaded: NodeJS.MemoryUsage | undefined;
  const start = performance.now();
  const load: number[] = [];
  let printed = 0;
  steady = true;
  await new Promise<void>((done) => {
    let slicesDone = 0;
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      // catch up on every 10 ms slice that is due, so each run logs once a second
      const due = Math.min(Math.floor(elapsed / 10), Math.floor((seconds * 1000) / 10));
      for (; slicesDone < due; slicesDone++) {
        const slice = slicesDone % slices;
        const step = 2 + Math.floor(slicesDone / slices);
        const from = Math.floor((slice * n) / slices);
        const to = Math.floor(((slice + 1) * n) / slices);
        for (let i = from; i < to; i++) {
          const x = Math.random();
          const data = { 'train/loss': x, 'train/accuracy': 1 - x, 'val/loss': x * 1.1, 'val/accuracy': 0.9 - x, learning_rate: 1e-3, epoch: step };
          const a = performance.now();
          runs[i].log(data);
          const b = performance.now();
          if (count < samples.length) samples[count++] = b - a;
          // the job's own print every 5th step, on stdout (captured like the real SDK's fd capture)
          if (consoleOn && step % 5 === 0) {
            runs[i].console.write('stdout', `epoch ${step} loss=${x.toFixed(4)} acc=${(1 - x).toFixed(4)}\n`);
            printed++;
          }
        }
      }
      if (slicesDone % 100 === 0) load.push(os.loadavg()[0]);
      if (!loaded && elapsed > seconds * 1000 - 3_000) {
        gcNow();
        loaded = process.memoryUsage();
      }
      if (elapsed >= seconds * 1000) {
        clearInterval(timer);
        done();
      }
    }, 10);
  });
  const steadyS = (performance.now() - start) / 1000;
  steady = false;
  const f0 = performance.now();
  await pool(runs, 500, (r) => r.finish());
  const finishS = (performance.now() - f0) / 1000;
  const totals = { logged: 0, acked: 0, failed: 0, pending: 0 };
  for (const r of runs) {
    const d = r.delivery();
    totals.logged += d.logged;
    totals.acked += d.acked;
    totals.failed += d.failed;
    totals.pending += d.pending;
  }
  await closeDefaultDispatcher();
  await server.stop();
  const s = samples.subarray(0, count).sort();
  const e = e2e.subarray(0, e2eN).sort();
  const mem = loaded ?? idle;
  return {
    runs: n, seconds, initS,
    heapPerRunIdleKB: (idle.heapUsed - base.heapUsed) / n / 1024,
    heapPerRunLoadedKB: (mem.heapUsed - base.heapUsed) / n / 1024,
    rssPerRunKB: (mem.rss - base.rss) / n / 1024,
    heapUsedMB: mem.heapUsed / 2 ** 20,
    rssMB: mem.rss / 2 ** 20,
    logCalls: count, logRatePerS: count / steadyS,
    logP50us: quantile(s, 0.5) * 1000, logP99us: quantile(s, 0.99) * 1000, logP999us: quantile(s, 0.999) * 1000,
    logMaxUs: (s[s.length - 1] ?? NaN) * 1000,
    requests, requestErrors,
    systemMetrics, console: consoleOn, printed,
    reqPerRunS: Object.values(steadyByName).reduce((a, b) => a + b, 0) / n / steadyS,
    reqPerRunSByName: Object.fromEntries(Object.entries(steadyByName).sort(([, a], [, b]) => b - a).map(([k, v]) => [k, v / n / steadyS])),
    e2eP50ms: quantile(e, 0.5), e2eP99ms: quantile(e, 0.99),
    ...totals, finishS,
    loadAvg: load.length ? Math.max(...load) : os.loadavg()[0],
  };
}

function runChild(n: number, seconds: number): Promise<PassResult> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const flags = [...(systemMetrics ? [] : ['--no-system-metrics']), ...(consoleOn ? [] : ['--no-console'])];
    const c = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=1024', '--import', 'tsx', self, '--child', String(n), '--seconds', String(seconds), ...flags], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`sdk-scale child (${n} runs) exited with ${code}`));
      else resolve(JSON.parse(line) as PassResult);
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function fmt(xs: number[], digits = 1): string {
  const m = median(xs).toFixed(digits);
  return xs.length > 1 ? `${m} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})` : m;
}

if (argv.includes('--server')) {
  const server = await startReferenceServer({ port: 0, rowCap: 100_000 });
  process.stdout.write(`${JSON.stringify({ url: server.url, key: server.key })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void server.stop().then(() => process.exit(0)));
} else if (argv.includes('--child')) {
  const r = await child(Number(arg('--child', '1000')), Number(arg('--seconds', '20')));
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exit(0);
} else {
  const sizes = arg('--sizes', '1000,10000').split(',').map(Number);
  const seconds = Number(arg('--seconds', '65')); // past the first health line (start-up + 60 s)
  const reps = Math.max(1, Number(arg('--runs', '5'))); // issue 5: median of ≥ 5 runs
  const rows: string[] = [];
  const rates: string[] = [];
  for (const n of sizes) {
    const results: PassResult[] = [];
    const passes = reps;
    for (let i = 0; i < passes; i++) {
      process.stderr.write(`sdk-scale: ${n} runs, pass ${i + 1}/${passes}\n`);
      results.push(await runChild(n, seconds));
    }
    const col = (k: keyof PassResult, d = 1): string => fmt(results.map((r) => r[k] as number), d);
    const byName = [...new Set(results.flatMap((r) => Object.keys(r.reqPerRunSByName)))]
      .map((k) => `${k} ${median(results.map((r) => r.reqPerRunSByName[k] ?? 0)).toFixed(3)}`).join(', ');
    rates.push(`- ${n.toLocaleString('en')} runs: ${col('reqPerRunS', 3)} requests per run per second (${byName})`);
    rows.push(`| ${n.toLocaleString('en')} | ${col('heapPerRunIdleKB')} | ${col('heapPerRunLoadedKB')} | ${col('rssPerRunKB')} | ${col('heapUsedMB', 0)} | ${col('logRatePerS', 0)} | ${col('logP50us', 2)} | ${col('logP99us', 2)} | ${col('logP999us', 1)} | ${col('e2eP50ms', 0)} / ${col('e2eP99ms', 0)} | ${col('acked', 0)} / ${col('logged', 0)} (failed ${col('failed', 0)}) | ${col('initS')} / ${col('finishS')} | ${col('loadAvg')} |`);
    process.stderr.write(`${JSON.stringify(results)}\n`);
  }
  const what = systemMetrics && consoleOn
    ? 'system metrics, heartbeat and health line on, console capture on (the SDK\'s start-up lines plus one printed line every 5 s)'
    : `system metrics ${systemMetrics ? 'on' : 'off'} (heartbeat on), console ${consoleOn ? 'on' : 'off'}`;
  console.log(`### sdk-scale

Runs in one process (heap limit 1 GB), each logging 6 numeric metrics once a second for ${seconds} s
against the reference server in a separate process; ${what}. Median of
${reps} pass(es) (min–max when more than one). Goals: ≤ 50 KB heap per run at 10,000 runs; p99 \`run.log\` ≤ 20 µs; every record acked.

| runs | heap/run idle (KB) | heap/run under load (KB) | RSS/run (KB) | heap used (MB) | log() calls/s | log p50 (µs) | log p99 (µs) | log p99.9 (µs) | e2e log→ack p50 / p99 (ms) | records acked / logged | init / finish (s) | max load avg |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

HTTP requests per run per second in the steady window (median; by request name):
${rates.join('\n')}`);
}
