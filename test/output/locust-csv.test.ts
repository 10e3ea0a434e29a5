import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCsv } from '../../src/output/index.js';
import { parseCsv } from './csv-parse.js';
import { makeResult } from './fixture.js';

// Locust 2.x locust/stats.py: requests_csv_columns, stats_history_csv_columns, failures_columns,
// exceptions_columns (read from Debian's python3-locust 2.12.1; the same in 2.20, the seed's version).
const LOCUST_STATS = 'Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%';
const LOCUST_HISTORY = 'Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size';
const LOCUST_FAILURES = 'Method,Name,Error,Occurrences';
const LOCUST_EXCEPTIONS = 'Count,Message,Traceback,Nodes';

let dir = '';
let files: string[] = [];
let fullFiles: string[] = [];
const read = async (i: number, from = files): Promise<string[][]> => parseCsv(await readFile(from[i]!, 'utf8'));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlop-sim-csv-'));
  files = await writeCsv(makeResult(), join(dir, 'out', 'results'));
  fullFiles = await writeCsv(makeResult(), join(dir, 'out', 'full'), true);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeCsv', () => {
  it('writes the four Locust files next to the prefix', () => {
    expect(files).toEqual(['_stats.csv', '_stats_history.csv', '_failures.csv', '_exceptions.csv'].map((s) => join(dir, 'out', `results${s}`)));
  });

  it('uses exactly Locust\'s column headers', async () => {
    expect((await read(0))[0]!.join(',')).toBe(LOCUST_STATS);
    expect((await read(1))[0]!.join(',')).toBe(LOCUST_HISTORY);
    expect((await read(2))[0]!.join(',')).toBe(LOCUST_FAILURES);
    expect((await read(3))[0]!.join(',')).toBe(LOCUST_EXCEPTIONS);
  });

  it('writes each exception with its count, message, traceback and node, quoted so it parses back', async () => {
    const [, ...rows] = await read(3);
    expect(rows).toEqual([['3', 'TypeError: x is not a function, "really"', 'at Object.run (file:///s.ts:1:2)\nat iterate (file:///u.js:3:4)', 'local']]);
  });

  it('writes one stats row per entry sorted by name (code points, as Python sorts), then Aggregated, all numeric where Locust is', async () => {
    const [header, ...rows] = await read(0);
    const result = makeResult();
    expect(rows).toHaveLength(result.entries.length + 1);
    expect(rows.map((r) => r[1])).toEqual([...result.entries.map((e) => e.route).sort(), 'Aggregated']);
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

  it('writes the history per second, Aggregated only (Locust\'s default), numbers in every column', async () => {
    const [header, ...rows] = await read(1);
    const result = makeResult();
    const points = result.history['Aggregated']!;
    expect(rows).toHaveLength(points.length);
    const col = (name: string): number => header!.indexOf(name);
    rows.forEach((r, i) => {
      const p = points[i]!;
      expect(r[col('Name')]).toBe('Aggregated');
      expect(r[col('Type')]).toBe('');
      expect(Number(r[col('Timestamp')])).toBe(p.t);
      expect(Number(r[col('User Count')])).toBe(p.users);
      expect(Number(r[col('Requests/s')])).toBe(p.requests);
      expect(Number(r[col('95%')])).toBe(p.quantilesMs[5]);
      expect(Number(r[col('66%')])).toBe(p.quantilesMs[1]);
      expect(Number(r[col('Total Request Count')])).toBe(p.totalRequests);
      expect(Number(r[col('Total Failure Count')])).toBe(p.totalFailures);
      expect(Number(r[col('Total Median Response Time')])).toBe(p.totalMedianMs);
      expect(Number(r[col('Total Max Response Time')])).toBe(p.totalMaxMs);
      for (const v of r.slice(4)) expect(Number.isFinite(Number(v)), `${header![r.indexOf(v)]}: ${v}`).toBe(true);
    });
  });

  it('with full history writes every entry per second, sorted, then Aggregated', async () => {
    const [, ...rows] = await read(1, fullFiles);
    const result = makeResult();
    expect(rows).toHaveLength(30 * Object.keys(result.history).length);
    expect(rows.slice(0, 3).map((r) => r[3])).toEqual(['SDK HTTP (all)', 'log→ack', 'Aggregated']);
    expect(rows[1]![2]).toBe('E2E');
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
