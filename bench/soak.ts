/**
 * soak: the default sdk scenario (50 users) for 30 minutes — `--minutes 10` for a CI-sized run —
 * looking for leaks and slow drift. Every 10 s, in the load generator and in the reference server:
 * heap used after a full GC (global.gc), RSS, and the event-loop delay p99 of the last 10 s.
 *
 *   node --import tsx --expose-gc bench/soak.ts [--minutes 30] [--users 50] [--clickhouse] [--json out.json]
 *
 * The reference server runs in its own child process (the same code the embedded server runs in a
 * worker thread) so each process's heap and RSS are its own. The server keeps every stored row by
 * design (docs/server.md, "Storage"): its heap grows with the rows stored, so its slope is also
 * given per stored row and net of the rows' own memory estimate. Goals (issue 9), checked on the
 * generator and the server: second-half heap slope < 0.5 MB per 10 minutes, RSS growth after the
 * warm-up (the first fifth of the run) < 5 %, no rising event-loop delay (second-half p99 slope
 * < 1 ms per 10 minutes).
 *
 * `--clickhouse`: the reference server stores its rows in a Debian clickhouse-server started for
 * the soak (test/clickhouse/engines.ts; installed on first use) instead of its memory, so the
 * server's heap holds no rows and its slope is the server's own.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DEFAULT_API_KEY, runSimulation, startReferenceServer } from '../src/index.js';
import { startDebianClickHouse } from '../test/clickhouse/engines.js';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
};
const SAMPLE_MS = 10_000;

interface Sample {
  t: number;
  heapMB: number;
  rssMB: number;
  loopP99Ms: number;
  rowsStored?: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc && !argv.includes('--from-json')) {
  process.stderr.write('soak: run with --expose-gc (node --import tsx --expose-gc bench/soak.ts)\n');
  process.exit(2);
}

/** Samples this process every 10 s: heap after GC, RSS, loop-delay p99 of the window. */
function sampler(extra?: () => Partial<Sample>): { samples: Sample[]; stop(): void } {
  const samples: Sample[] = [];
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const t0 = performance.now();
  const take = (): void => {
    gc!();
    const m = process.memoryUsage();
    samples.push({
      t: Math.round((performance.now() - t0) / 1000),
      heapMB: m.heapUsed / 2 ** 20,
      rssMB: m.rss / 2 ** 20,
      loopP99Ms: Math.max(0, h.percentile(99) / 1e6 - 10),
      ...extra?.(),
    });
    h.reset();
  };
  take();
  const timer = setInterval(take, SAMPLE_MS);
  return { samples, stop: () => (clearInterval(timer), h.disable()) };
}

if (argv.includes('--from-json')) {
  // Re-print the markdown section of a saved run (--json): node --import tsx bench/soak.ts --from-json f.json
  console.log(markdown(JSON.parse((await import('node:fs')).readFileSync(arg('--from-json', ''), 'utf8')) as SoakReport));
  process.exit(0);
} else if (argv.includes('--server')) {
  // Child: the reference server; prints PORT, then one SAMPLE line per 10 s.
  const ch = process.env.SOAK_CLICKHOUSE_URL;
  const clickhouse = ch ? { url: ch, username: process.env.SOAK_CLICKHOUSE_USER, password: process.env.SOAK_CLICKHOUSE_PASSWORD, database: 'soak' } : undefined;
  const server = await startReferenceServer({ port: 0, clickhouse });
  const rows = (): number => Object.values(server.stats().rowsStored).reduce((s, n) => s + n, 0);
  const s = sampler(() => ({ rowsStored: rows() }));
  let printed = 0;
  setInterval(() => {
    for (; printed < s.samples.length; printed++) process.stdout.write(`SAMPLE ${JSON.stringify(s.samples[printed])}\n`);
  }, 1000);
  process.stdout.write(`PORT ${server.port}\n`);
  process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
} else {
  const minutes = Number(arg('--minutes', '30'));
  const users = Number(arg('--users', '50'));
  const ch = argv.includes('--clickhouse') ? await startDebianClickHouse() : undefined;
  const chEnv = ch ? { SOAK_CLICKHOUSE_URL: ch.url, SOAK_CLICKHOUSE_USER: ch.user, SOAK_CLICKHOUSE_PASSWORD: ch.password } : {};
  const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', 'bench/soak.ts', '--server'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...chEnv } });
  const serverSamples: Sample[] = [];
  let buf = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const p = /^PORT (\d+)$/.exec(line);
        if (p) resolve(Number(p[1]));
        if (line.startsWith('SAMPLE ')) serverSamples.push(JSON.parse(line.slice(7)) as Sample);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
  process.stderr.write(`soak: ${users} users, sdk scenario, ${minutes} min against the reference server on port ${port}\n`);
  const gen = sampler();
  const progress = setInterval(() => {
    const g = gen.samples[gen.samples.length - 1];
    const s = serverSamples[serverSamples.length - 1];
    process.stderr.write(`soak: t=${g.t}s generator heap ${g.heapMB.toFixed(1)} MB rss ${g.rssMB.toFixed(0)} MB | server heap ${s?.heapMB.toFixed(1)} MB rss ${s?.rssMB.toFixed(0)} MB rows ${s?.rowsStored}\n`);
  }, 60_000);
  const result = await runSimulation({ host: `http://127.0.0.1:${port}`, key: DEFAULT_API_KEY, users, runTime: `${minutes}m`, reportDir: false, seed: 1 });
  clearInterval(progress);
  gen.stop();
  await new Promise((r) => setTimeout(r, 1500)); // the server's last sample line
  child.kill('SIGTERM');
  await ch?.stop();

  const generator = analyse(gen.samples, minutes);
  const server = analyse(serverSamples, minutes);
  const rows = serverSamples.map((s) => s.rowsStored ?? 0);
  const half = Math.floor(serverSamples.length / 2);
  const rowsSlope = slope(serverSamples.slice(half).map((s) => s.t), rows.slice(half)) * 600; // rows per 10 min
  const bytesPerRow = rowsSlope > 0 ? (server.heapSlopeMBper10min * 2 ** 20) / rowsSlope : 0;
  const e2e = result.entries.find((e) => e.name.startsWith('E2E'));
  const report = {
    minutes, users, store: ch ? 'clickhouse' : 'memory', cores: (await import('node:os')).availableParallelism(),
    node: process.version,
    run: { exitCode: result.exitCode, reasons: result.reasons, requests: result.total_requests, rps: result.rps, e2eP95Ms: e2e?.percentiles.p95, lost: result.audit?.totals.lostRows, logged: result.audit?.totals.logged },
    generator, server: { ...server, rowsPer10min: Math.round(rowsSlope), heapBytesPerStoredRow: Math.round(bytesPerRow) },
    samples: { generator: gen.samples, server: serverSamples },
  };
  const out = arg('--json', '');
  if (out) writeFileSync(out, JSON.stringify(report, null, 1));
  console.log(markdown(report));
  process.exit(0);
}

type Analysis = ReturnType<typeof analyse>;
interface SoakReport {
  minutes: number;
  users: number;
  /** Absent in reports from before --clickhouse. */
  store?: 'memory' | 'clickhouse';
  cores: number;
  node: string;
  run: { exitCode: number; requests: number; rps: number; e2eP95Ms?: number; lost?: number; logged?: number };
  generator: Analysis;
  server: Analysis & { rowsPer10min: number; heapBytesPerStoredRow: number };
}

/** The RESULTS.md section (bench/run.ts convention: markdown on stdout). */
function markdown(r: SoakReport): string {
  const ok = (b: boolean, over = 'OVER'): string => (b ? 'ok' : over);
  const row = (name: string, a: Analysis): string =>
    `| ${name} | ${a.heapStartMB.toFixed(1)} → ${a.heapEndMB.toFixed(1)} | ${a.heapSlopeMBper10min.toFixed(2)} (${ok(a.heapOk)}) | ` +
    `${a.rssWarmMB.toFixed(0)} → ${a.rssEndMB.toFixed(0)} MB, ${a.rssGrowthPct.toFixed(1)} % (${ok(a.rssOk)}) | ` +
    `${a.loopFirstHalfMs.toFixed(1)} → ${a.loopSecondHalfMs.toFixed(1)} ms, slope ${a.loopSlopeMsPer10min.toFixed(1)} ms/10 min (${ok(a.loopOk, 'RISING')}) |`;
  return [
    `### Soak: sdk scenario, ${r.users} users, ${r.minutes} min, server rows in ${r.store === 'clickhouse' ? 'ClickHouse' : 'memory'} (samples every 10 s, heap after a full GC)`,
    '',
    `${r.run.requests} requests (${r.run.rps.toFixed(0)}/s), exit ${r.run.exitCode}, E2E log→ack p95 ${r.run.e2eP95Ms?.toFixed(0)} ms, ` +
      `${r.run.lost} of ${r.run.logged} logged records lost. ${r.cores} cores, Node ${r.node}.`,
    '',
    '| process | heap MB (start → end) | 2nd-half heap slope, MB/10 min (goal < 0.5) | RSS after warm-up (goal < 5 %) | event-loop delay p99, 1st → 2nd half |',
    '|---|---|---|---|---|',
    row('generator', r.generator),
    row('reference server', r.server),
    '',
    r.store === 'clickhouse'
      ? `The reference server's rows went to ClickHouse: ${r.server.rowsPer10min} rows per 10 min in the second half, none of them in its heap.`
      : `The reference server keeps every stored row (docs/server.md, "Storage"): ${r.server.rowsPer10min} rows per 10 min in the ` +
        `second half, ${r.server.heapBytesPerStoredRow} heap bytes per stored row.`,
  ].join('\n');
}

function analyse(samples: Sample[], minutes: number) {
  const warm = samples.filter((s) => s.t >= minutes * 60 * 0.2);
  const half = samples.filter((s) => s.t >= minutes * 60 * 0.5);
  const first = samples.filter((s) => s.t < minutes * 60 * 0.5 && s.t >= minutes * 60 * 0.2);
  const heapSlope = slope(half.map((s) => s.t), half.map((s) => s.heapMB)) * 600;
  const rssWarm = warm[0]?.rssMB ?? 0;
  const rssEnd = samples[samples.length - 1]?.rssMB ?? 0;
  const rssGrowthPct = rssWarm > 0 ? ((rssEnd - rssWarm) / rssWarm) * 100 : 0;
  const loopSlope = slope(half.map((s) => s.t), half.map((s) => s.loopP99Ms)) * 600;
  const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return {
    samples: samples.length,
    heapStartMB: samples[0]?.heapMB ?? 0,
    heapEndMB: samples[samples.length - 1]?.heapMB ?? 0,
    heapSlopeMBper10min: heapSlope,
    heapOk: heapSlope < 0.5,
    rssWarmMB: rssWarm,
    rssEndMB: rssEnd,
    rssGrowthPct,
    rssOk: rssGrowthPct < 5,
    loopFirstHalfMs: mean(first.map((s) => s.loopP99Ms)),
    loopSecondHalfMs: mean(half.map((s) => s.loopP99Ms)),
    loopSlopeMsPer10min: loopSlope,
    loopOk: loopSlope < 1,
  };
}

/** Least-squares slope of y over x. */
function slope(x: number[], y: number[]): number {
  const n = x.length;
  if (n < 2) return 0;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (x[i] - mx) * (y[i] - my);
    den += (x[i] - mx) ** 2;
  }
  return den > 0 ? num / den : 0;
}
