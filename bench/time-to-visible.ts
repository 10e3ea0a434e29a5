/**
 * Time to visible at the default load: `mlop-sim --users 50 --clickhouse-url …` (sdk scenario,
 * 30 s) with the embedded reference server writing to a real ClickHouse (Debian's
 * clickhouse-server, started here on loopback). Per run: the `E2E log→visible` quantiles beside
 * `E2E log→ack`, the probe's own error and cost, and the storage audit's counts; then medians.
 *
 *   node --import tsx bench/time-to-visible.ts [--runs 5] [--users 50] [--run-time 30s]
 *
 * Prints a markdown section on stdout, progress on stderr.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDebianClickHouse } from '../test/clickhouse/engines.js';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string): string => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const runs = Number(arg('--runs', '5'));
const users = arg('--users', '50');
const runTime = arg('--run-time', '30s');

interface Entry {
  name: string;
  count: number;
  percentiles: Record<string, number>;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const ch = await startDebianClickHouse();
const rows: string[] = [];
const figures: Array<{ vis50: number; vis95: number; ack50: number; err50: number; errRatio: number; cost: number; lockedRatio: number }> = [];
try {
  for (let i = 1; i <= runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'mlop-sim-ttv-'));
    const cmd = ['dist/bin/mlop-sim.js', '--users', users, '--run-time', runTime, '--clickhouse-url', ch.url, '--clickhouse-user', ch.user,
      '--clickhouse-database', `ttv_${i}`, '--report-dir', dir, '--quiet'];
    process.stderr.write(`run ${i}/${runs}: node ${cmd.join(' ')}\n`);
    const r = spawnSync(process.execPath, cmd, { env: { ...process.env, CLICKHOUSE_PASSWORD: ch.password }, encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0 && r.status !== 1) throw new Error(`mlop-sim exited ${r.status}: ${r.stderr}`);
    const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as {
      entries: Entry[];
      visibility: {
        seen: number; sampled: number; unseen: number; queries: number; costFraction: number; errorMs: { p50: number; max: number };
        lockedErrorMs?: { p50: number; seen: number }; p50Ms: number; periodMs?: number;
      };
      storage: { totals: { metrics: { acked: number; stored: number; lost: number; duplicated: number } }; waitedMs: number };
      total_requests: number;
    };
    rmSync(dir, { recursive: true, force: true });
    const vis = latest.entries.find((e) => e.name === 'E2E log→visible');
    const ack = latest.entries.find((e) => e.name === 'E2E log→ack');
    const v = latest.visibility;
    const m = latest.storage.totals.metrics;
    const f = {
      vis50: vis?.percentiles.p50 ?? NaN, vis95: vis?.percentiles.p95 ?? NaN, ack50: ack?.percentiles.p50 ?? NaN,
      err50: v.errorMs.p50, errRatio: v.p50Ms > 0 ? v.errorMs.p50 / v.p50Ms : NaN, cost: v.costFraction,
      lockedRatio: v.lockedErrorMs && v.p50Ms > 0 ? v.lockedErrorMs.p50 / v.p50Ms : NaN,
    };
    figures.push(f);
    rows.push(`| ${i} | ${vis?.count ?? 0} of ${v.sampled} (${v.unseen} unseen) | ${f.vis50.toFixed(0)} | ${f.vis95.toFixed(0)} | ${(vis?.percentiles.p99 ?? NaN).toFixed(0)} | ${f.ack50.toFixed(0)} |` +
      ` ±${f.err50.toFixed(0)} (${(f.errRatio * 100).toFixed(1)} %); learnt ±${(v.lockedErrorMs?.p50 ?? NaN).toFixed(0)} (${(f.lockedRatio * 100).toFixed(1)} %, ${v.lockedErrorMs?.seen ?? 0} samples) | ${v.queries} = ${(f.cost * 100).toFixed(2)} % | ${v.periodMs !== undefined ? (v.periodMs / 1000).toFixed(2) : 'n/a'} |` +
      ` ${m.acked} / ${m.stored} / ${m.lost} / ${m.duplicated} |`);
  }
} finally {
  await ch.stop();
}

const out = [
  `### Time to visible at the default load (sdk scenario, ${users} users, ${runTime}, embedded server → Debian clickhouse-server 18.16 over HTTP)`,
  '',
  '| run | samples seen | log→visible p50 (ms) | p95 | p99 | log→ack p50 | probe error p50 (share of p50); after learning the rhythm | probe queries (share of requests) | flush period learnt (s) | metrics rows acked / stored / lost / dup. |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  `median log→visible p50 ${median(figures.map((f) => f.vis50)).toFixed(0)} ms, p95 ${median(figures.map((f) => f.vis95)).toFixed(0)} ms;` +
    ` log→ack p50 ${median(figures.map((f) => f.ack50)).toFixed(0)} ms; probe error p50 ±${median(figures.map((f) => f.err50)).toFixed(0)} ms` +
    ` (${(median(figures.map((f) => f.errRatio)) * 100).toFixed(1)} % of the p50; ${(median(figures.map((f) => f.lockedRatio)) * 100).toFixed(1)} % once the rhythm was learnt); probe cost ${(median(figures.map((f) => f.cost)) * 100).toFixed(2)} % of the run's requests`,
  '',
  `Command: \`node --import tsx bench/time-to-visible.ts --runs ${runs}\``,
  '',
];
process.stdout.write(out.join('\n'));
