import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCsv } from '../../src/output/index.js';
import { parseCsv } from './csv-parse.js';
import { makeResult } from './fixture.js';

// Locust 2.x locust/stats.py: requests_csv_columns, stats_history_csv_columns, failures_columns
// (read from Debian's python3-locust 2.12.1; the same in 2.20, the seed's version).
const LOCUST_STATS = 'Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%';
const LOCUST_HISTORY = 'Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size';
const LOCUST_FAILURES = 'Method,Name,Error,Occurrences';

let dir = '';
let files: string[] = [];
const read = async (i: number): Promise<string[][]> => parseCsv(await readFile(files[i]!, 'utf8'));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlop-sim-csv-'));
  files = await writeCsv(makeResult(), join(dir, 'out', 'results'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeCsv', () => {
  it('writes the three Locust files next to the prefix', () => {
    expect(files).toEqual(['_stats.csv', '_stats_history.csv', '_failures.csv'].map((s) => join(dir, 'out', `results${s}`)));
  });

  it('uses exactly Locust\'s column headers', async () => {
    expect((await read(0))[0]!.join(',')).toBe(LOCUST_STATS);
    expect((await read(1))[0]!.join(',')).toBe(LOCUST_HISTORY);
    expect((await read(2))[0]!.join(',')).toBe(LOCUST_FAILURES);
  });

  it('writes one stats row per entry sorted by name, then Aggregated, all numeric where Locust is', async () => {
    const [header, ...rows] = await read(0);
    const result = makeResult();
    expect(rows).toHaveLength(result.entries.length + 1);
    expect(rows.map((r) => r[1])).toEqual([...result.entries.map((e) => e.route).sort((a, b) => a.localeCompare(b)), 'Aggregated']);
    for (const row of rows) {
      expect(row).toHaveLength(header!.length);
      for (const value of row.slice(2)) expect(Number.isFinite(Number(value)), `${row[1]}: ${value}`).toBe(true);
    }
    const metrics = rows.find((r) => r[1] === '/ingest/metrics')!;
    expect(metrics[0]).toBe('POST');
    expect(Number(metrics[2])).toBe(1480); // Request Count
    expect(Number(metrics[3])).toBe(6); // Failure Count
    expect(Number(metrics[4])).toBe(2.1); // Median Response Time = p50
    expect(Number(metrics[header!.indexOf('95%')])).toBeCloseTo(2.1 * 2.6, 3);
    expect(rows.at(-1)![0]).toBe(''); // Locust leaves the Aggregated Type empty
  });

  it('writes the history per second with the known percentiles and N/A for the others', async () => {
    const [header, ...rows] = await read(1);
    const result = makeResult();
    expect(rows).toHaveLength(30 * Object.keys(result.history).length);
    const col = (name: string): number => header!.indexOf(name);
    const first = rows.slice(0, 3);
    expect(first.map((r) => r[3])).toEqual(['SDK HTTP (all)', 'log→ack', 'Aggregated']); // entries sorted, Aggregated last
    expect(first[1]![2]).toBe('E2E');
    const agg = rows.filter((r) => r[3] === 'Aggregated');
    const points = result.history['Aggregated']!;
    agg.forEach((r, i) => {
      const p = points[i]!;
      expect(Number(r[col('Timestamp')])).toBe(p.t);
      expect(Number(r[col('User Count')])).toBe(p.users);
      expect(Number(r[col('Requests/s')])).toBe(p.requests);
      expect(Number(r[col('Total Request Count')])).toBe(p.totalRequests);
      expect(Number(r[col('Total Failure Count')])).toBe(p.totalFailures);
      expect(r[col('66%')]).toBe('N/A');
      if (p.requests > 0) expect(Number(r[col('95%')])).toBe(p.p95Ms);
      else expect(r[col('50%')]).toBe('N/A'); // a second without samples has no percentiles
    });
    expect(agg.at(-1)![col('Total Request Count')]).toBe(String(points.at(-1)!.totalRequests));
  });

  it('quotes errors holding commas, quotes and newlines so they parse back unchanged', async () => {
    const [, ...rows] = await read(2);
    const result = makeResult();
    expect(rows).toHaveLength(result.failures.length);
    const errors = rows.map((r) => r[2]);
    for (const f of result.failures) expect(errors).toContain(f.error);
    const busy = rows.find((r) => r[2]!.startsWith('HTTP 503'))!;
    expect(busy).toEqual(['POST', '/ingest/metrics', 'HTTP 503: "ingest busy, retry later"', '5']);
    const raw = await readFile(files[2]!, 'utf8');
    expect(raw).toContain('"HTTP 503: ""ingest busy, retry later"""');
  });
});
