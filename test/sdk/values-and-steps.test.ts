/** log()/_log() step and time rules and the v2 classification of each value kind (§5.2, §5.3). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { File, Histogram, Image, init, Table, type Run } from '@mlop/sdk-ts';
import { RecordingServer } from './recording-server.js';
import { ndjsonLines, parsePy } from './wire-helpers.js';

const srv = new RecordingServer();
beforeAll(() => srv.start());
afterAll(() => srv.stop());

async function freshRun(): Promise<Run> {
  srv.requests.length = 0;
  return init({ project: 'p', name: 'r', settings: { ...srv.settings(), x_log_level: 30, x_sync_start_delay_seconds: 0, sync_process_flush_interval: 0.05, disable_system_metrics: true } });
}

function metricLines(): Record<string, unknown>[] {
  return srv.byPath('/ingest/metrics').flatMap((r) => ndjsonLines(r.text));
}
function dataLines(): Record<string, unknown>[] {
  return srv.byPath('/ingest/data').flatMap((r) => ndjsonLines(r.text));
}
function registrations(): { logType: string; logName: string[] }[] {
  return srv.byPath('/api/runs/logName/add').map((r) => parsePy(r.text) as { logType: string; logName: string[] });
}

describe('steps and times', () => {
  it('counts auto steps from 1, lets an explicit step reset the counter, and stamps log time', async () => {
    const run = await freshRun();
    const before = Date.now();
    await run.log({ a: 1 });
    run.log({ a: 2 });
    run.log({ a: 3 }, { step: 10 });
    run.log({ a: 4 });
    run.log({ a: 5 }, { timestamp: 1_700_000_000.1234 });
    run.log({ a: 6 }, { timestamp: -5 }); // invalid → now
    await run.finish();
    const lines = metricLines();
    expect(lines.map((l) => l.step)).toEqual([1, 2, 10, 11, 12, 13]);
    expect(lines[4].time).toBe(1_700_000_000_123);
    for (const i of [0, 1, 2, 3, 5]) {
      expect(lines[i].time as number).toBeGreaterThanOrEqual(before);
      expect(lines[i].time as number).toBeLessThanOrEqual(Date.now());
    }
  });

  it('_log(data, step, t) uploads like log with the explicit step and epoch-second time', async () => {
    const run = await freshRun();
    await run._log({ x: 1.5 }, 7, 1_750_000_000.5);
    run.log({ x: 2 });
    await run.finish();
    expect(metricLines().map((l) => [l.step, l.time, l.data])).toEqual([
      [7, 1_750_000_000_500, { x: 1.5 }],
      [8, expect.any(Number), { x: 2 }],
    ]);
    expect(registrations()).toEqual([{ runId: 1000, logType: 'METRIC', logName: ['x'] }]);
  });

  it('uses one step per call, shared by every key, and a step even for a call with nothing uploadable', async () => {
    const run = await freshRun();
    await run.log({ a: 1, b: 2, s: 'x' });
    await run.log({ flag: false, nothing: null });
    await run.log({ a: 3 });
    await run.finish();
    expect(metricLines().map((l) => [l.step, l.data])).toEqual([[1, { a: 1, b: 2 }], [3, { a: 3 }]]);
    expect(dataLines().map((l) => l.step)).toEqual([1]);
  });
});

describe('classification of each value kind', () => {
  it('numbers → metrics, NaN/±Infinity as tokens, bool/null/undefined/plain objects ignored', async () => {
    const run = await freshRun();
    await run.log({ int: 7, float: 0.25, nan: NaN, inf: Infinity, ninf: -Infinity, big: 10n, b: true, n: null, u: undefined, o: { k: 1 } });
    await run.finish();
    const body = srv.byPath('/ingest/metrics')[0].text;
    expect(body).toBe(`${body.split('\n')[0]}\n`);
    expect(body).toMatch(/"data": \{"int": 7, "float": 0\.25, "nan": NaN, "inf": Infinity, "ninf": -Infinity, "big": 10\}\}\n$/);
    expect(registrations()).toEqual([{ runId: 1000, logType: 'METRIC', logName: ['int', 'float', 'nan', 'inf', 'ninf', 'big'] }]);
    expect(dataLines()).toEqual([]);
  });

  it('objects with item() (tensor-like scalars) are metrics', async () => {
    const run = await freshRun();
    await run.log({ t: { item: () => 0.5 } });
    await run.finish();
    expect(metricLines()[0].data).toEqual({ t: 0.5 });
  });

  it('strings of ≤ 200 chars → string-series data, longer ones are skipped (but registered)', async () => {
    const run = await freshRun();
    const ok = 'y'.repeat(200);
    await run.log({ phase: 'warmup', exact: ok, long: 'z'.repeat(201) });
    await run.finish();
    expect(dataLines().map((l) => [l.logName, l.data, l.dataType])).toEqual([
      ['phase', 'warmup', 'string-series'],
      ['exact', ok, 'string-series'],
    ]);
    // _register_meta_sync runs before the length check: the long one is registered, never sent
    expect(registrations()).toEqual([{ runId: 1000, logType: 'DATA', logName: ['phase', 'exact', 'long'] }]);
  });

  it('Histogram and Table → /ingest/data with the JSON of toDict() and the upper-cased class name', async () => {
    const run = await freshRun();
    await run.log({ h: new Histogram([0, 0.5, 1, 1], 2), t: new Table({ data: [[1, 'a'], [2, 'b']], columns: ['n', 's'] }) });
    await run.finish();
    const [h, t] = dataLines();
    expect(h.dataType).toBe('HISTOGRAM');
    expect(JSON.parse(h.data as string)).toEqual({ freq: [1, 3], maxFreq: 3, bins: { min: 0, max: 1, num: 2 }, shape: 'uniform', type: 'Histogram', v: 1 });
    expect(t.dataType).toBe('TABLE');
    expect(JSON.parse(t.data as string)).toEqual({ table: [[1, 'a'], [2, 'b']], col: [{ name: 'n', dtype: 'int' }, { name: 's', dtype: 'str' }], type: 'Table', v: 1 });
    expect(registrations().map((r) => [r.logType, r.logName])).toEqual([['HISTOGRAM', ['h']], ['TABLE', ['t']]]);
  });

  it('File and Image → presign + PUT, registered as FILE / IMAGE, list positions as sampleIndex', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sdk-file-'));
    const p = path.join(dir, 'notes.txt');
    writeFileSync(p, 'hello file');
    const run = await freshRun();
    await run.log({ doc: new File(p), imgs: [new Image(new Uint8Array([1, 2, 3]), { caption: 'a b' }), new Image(new Uint8Array([4]))] });
    await run.finish();
    expect(registrations().map((r) => [r.logType, r.logName])).toEqual([['FILE', ['doc']], ['IMAGE', ['imgs']]]);
    const entries = (parsePy(srv.byPath('/files')[0].text) as { files: Record<string, unknown>[] }).files;
    expect(entries.map((e) => [e.logName, e.fileType, e.fileSize, e.sampleIndex, e.caption, e.step])).toEqual([
      ['doc', 'txt', 10, 0, undefined, 1], ['imgs', 'png', 3, 0, 'a b', 1], ['imgs', 'png', 1, 1, undefined, 1],
    ]);
    expect(entries[1].fileName).toMatch(/^a-b\.[0-9a-f-]{36}\.png$/);
  });

  it('keeps each call\'s own keys when the key set changes from call to call', async () => {
    const run = await freshRun();
    await run.log({ a: 1, b: 2 });
    await run.log({ a: 3, c: 4 });
    run.log({ a: 5 });
    run.log({ a: 6, c: 7, d: 8 });
    run.log({ b: 9, a: 10 });
    run.log({ a: 11, c: 12 });
    await run.finish();
    expect(metricLines().map((l) => l.data)).toEqual([
      { a: 1, b: 2 }, { a: 3, c: 4 }, { a: 5 }, { a: 6, c: 7, d: 8 }, { b: 9, a: 10 }, { a: 11, c: 12 },
    ]);
  });

  it('maps non-printable-ASCII key characters to "-"', async () => {
    const run = await freshRun();
    await run.log({ 'loss/é': 1 });
    await run.finish();
    expect(metricLines()[0].data).toEqual({ 'loss/-': 1 });
  });
});
