/**
 * `--out json=…` and `--out csv=…` while the run goes (k6's spellings): a point per metric per
 * second, streamed (json to stdout with `-`), thresholds and the audit at the end, and the last
 * totals equal latest.json. Bad `--out` values exit 2 with one sentence.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, tempDir } from './cli-process.js';

beforeAll(() => ensureBuilt(), 120_000);

interface JsonLine { type: string; metric?: string; data: Record<string, any> }

describe('--out json and csv', () => {
  it('streams points every second (json to stdout), gates and audit at the end; totals equal latest.json', async () => {
    const dir = tempDir();
    let firstPointAt = 0;
    const r = await runCli(['-q', '-u', '4', '-t', '4s', '--report-dir', dir, '--out', 'json=-', '--out', `csv=${join(dir, 'samples.csv')}`, '--shutdown-timeout', '5s'], {
      onStdout: (all) => { if (firstPointAt === 0 && all.includes('{"type":"Point"')) firstPointAt = Date.now(); },
    });
    const endedAt = Date.now();
    expect(r.code, r.stderr).toBe(0);
    const lines: JsonLine[] = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(r.stdout.trimEnd().endsWith('PASS')).toBe(true);
    // Streamed: points were on stdout while the users ran (4 s run), not only at the end.
    expect(firstPointAt).toBeGreaterThan(0);
    expect(endedAt - firstPointAt).toBeGreaterThan(2000);

    const metrics = lines.filter((l) => l.type === 'Metric').map((l) => l.metric);
    expect(metrics).toEqual(expect.arrayContaining(['mlop_sim_requests_per_second', 'mlop_sim_requests_total', 'mlop_sim_latency_ms', 'mlop_sim_users', 'mlop_sim_dropped_iterations_total', 'mlop_sim_generator_saturation']));
    expect(new Set(metrics).size).toBe(metrics.length); // each declared once
    const aggTotals = lines.filter((l) => l.type === 'Point' && l.metric === 'mlop_sim_requests_total' && l.data.tags.entry === 'Aggregated');
    expect(aggTotals.length).toBeGreaterThanOrEqual(4);
    const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    expect(aggTotals.at(-1)!.data.value).toBe(latest.aggregated.count);
    const e2e = lines.filter((l) => l.type === 'Point' && l.metric === 'mlop_sim_requests_total' && l.data.tags.entry === 'E2E log→ack');
    expect(e2e.at(-1)!.data.value).toBe(latest.entries.find((e: { name: string }) => e.name === 'E2E log→ack').count);
    const thresholds = lines.filter((l) => l.type === 'Threshold');
    expect(thresholds.map((l) => l.data.expression)).toEqual(latest.thresholds.map((t: { expression: string }) => t.expression));
    expect(lines.filter((l) => l.type === 'Audit')).toHaveLength(1);
    expect(lines.at(-1)!.type).toBe('Result');

    const csv = readFileSync(join(dir, 'samples.csv'), 'utf8').trimEnd().split('\r\n');
    expect(csv[0]).toBe('metric_name,timestamp,metric_value,entry,method,name,quantile');
    const csvAgg = csv.filter((l) => l.startsWith('mlop_sim_requests_total,') && l.includes(',Aggregated,'));
    expect(Number(csvAgg.at(-1)!.split(',')[2])).toBe(latest.aggregated.count);
  }, 60_000);

  it('an unknown output or a missing argument exits 2 with one sentence', async () => {
    const unknown = await runCli(['--out', 'influxdb=http://x', '-t', '1s']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--out: unknown output "influxdb"; use one of json=FILE or -, csv=FILE or -, prometheus-rw=URL/);
    const bare = await runCli(['--out', 'json', '-t', '1s']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/--out json needs an argument: json=FILE or -/);
    const badUrl = await runCli(['--out', 'prometheus-rw=localhost:9090', '-t', '1s']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/--out prometheus-rw needs an http:\/\/ or https:\/\/ URL/);
  }, 60_000);
});
