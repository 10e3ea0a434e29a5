/**
 * Every value type pluto 0.0.28 exports (docs/protocol/sdk.md "Values"): how each is registered
 * and how it goes on the wire, against a recording server; and the Data values' dicts against
 * what numpy / Python produce.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Artifact, Audio, Data, File, Graph, Histogram, Image, init, Table, Text, Video } from '@mlop/sdk-ts';
import { RecordingServer } from './recording-server.js';
import { headerValue, ndjsonLines, ourHeaderOrder, parsePy } from './wire-helpers.js';

const srv = new RecordingServer();
beforeAll(() => srv.start());
afterAll(() => srv.stop());

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

async function logOnce(data: Record<string, unknown>): Promise<void> {
  srv.requests.length = 0;
  const run = await init({
    project: 'p', name: 'types',
    settings: { ...srv.settings(), x_log_level: 30, x_sync_start_delay_seconds: 0, sync_process_flush_interval: 0.05, disable_system_metrics: true },
  });
  await run.log(data);
  await run.finish();
  expect(run.delivery()).toMatchObject({ failed: 0, pending: 0 });
}

function registrations(): [string, string[]][] {
  return srv.byPath('/api/runs/logName/add').map((r) => parsePy(r.text) as { logType: string; logName: string[] }).map((r) => [r.logType, r.logName]);
}
function presignEntries(): Record<string, unknown>[] {
  return srv.byPath('/files').flatMap((r) => (parsePy(r.text) as { files: Record<string, unknown>[] }).files);
}
function putFor(fileName: string) {
  const put = srv.requests.find((r) => r.method === 'PUT' && r.path.endsWith(`/${fileName}`));
  if (!put) throw new Error(`no PUT for ${fileName}`);
  return put;
}

/** Decode an 8-bit, filter-0 PNG as our encoder writes it (width, height, colour type, pixels). */
function decodePng(buf: Buffer): { width: number; height: number; colorType: number; pixels: Buffer } {
  expect([...buf.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let off = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') ({ width, height, colorType } = { width: data.readUInt32BE(0), height: data.readUInt32BE(4), colorType: data[9] });
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const ch = colorType === 2 ? 3 : colorType === 6 ? 4 : 1;
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) rows.push(raw.subarray(y * (width * ch + 1) + 1, (y + 1) * (width * ch + 1)));
  return { width, height, colorType, pixels: Buffer.concat(rows) };
}

describe('Data values', () => {
  it('Histogram counts exactly as numpy.histogram (numpy 2.4.6 gave these)', () => {
    const cases: [number[], number, number[], number, number][] = [
      [[0.1, 0.2, 0.2, 0.9], 4, [3, 0, 0, 1], 0.1, 0.9],
      [[0, 0.5, 1, 1], 2, [1, 3], 0, 1],
      [[1, 1, 1], 3, [0, 3, 0], 0.5, 1.5],
      [[], 4, [0, 0, 0, 0], 0, 1],
      [Array.from({ length: 30 }, (_, i) => 0.1 * i), 7, [5, 4, 4, 4, 4, 4, 5], 0, 0.1 * 29],
      [[-3.3, 1e-9, 2.5, 2.5, 7.125, 100], 5, [5, 0, 0, 0, 1], -3.3, 100],
    ];
    for (const [data, bins, freq, min, max] of cases) {
      expect(new Histogram(data, bins).toDict()).toEqual({ freq, maxFreq: Math.max(...freq), bins: { min, max, num: bins }, shape: 'uniform', type: 'Histogram', v: 1 });
    }
    // explicit edges: np.histogram([0.5, 1.5, 2.5, 3, 10], bins=[0, 1, 2, 3]) → [1, 1, 2]
    expect(new Histogram([0.5, 1.5, 2.5, 3, 10], [0, 1, 2, 3]).toDict()).toMatchObject({ freq: [1, 1, 2], bins: { min: 0, max: 3, num: 3 } });
    expect(() => new Histogram([1, NaN])).toThrow(RangeError); // numpy: "autodetected range ... is not finite"
  });

  it('Table names columns and rows only when they fit, with Python type names', () => {
    expect(new Table({ data: [[1, 0.5, 'a', true, null]], columns: ['i', 'f', 's', 'b', 'n'] }).toDict()).toEqual({
      table: [[1, 0.5, 'a', true, null]],
      col: [{ name: 'i', dtype: 'int' }, { name: 'f', dtype: 'float' }, { name: 's', dtype: 'str' }, { name: 'b', dtype: 'bool' }, { name: 'n', dtype: 'NoneType' }],
      type: 'Table', v: 1,
    });
    expect(new Table({ data: [[1, 2], [3, 4]], columns: ['only one'], rows: ['r0', 'r1'] }).toDict()).toEqual({
      table: [[1, 2], [3, 4]], row: [{ name: 'r0', dtype: 'int' }, { name: 'r1', dtype: 'int' }], type: 'Table', v: 1,
    });
    expect(new Table().toDict()).toEqual({ table: [[null]], type: 'Table', v: 1 });
  });

  it('Graph and a plain Data go to /ingest/data as GRAPH and DATA, registered under those types', async () => {
    const g = new Graph({ nodes: { a: { depth: 0 } }, edges: {}, successors: { a: [] } });
    await logOnce({ g, d: new Data({ k: 1 }) });
    expect(registrations()).toEqual([['GRAPH', ['g']], ['DATA', ['d']]]);
    const lines = srv.byPath('/ingest/data').flatMap((r) => ndjsonLines(r.text));
    expect(lines.map((l) => [l.logName, l.dataType, JSON.parse(l.data as string)])).toEqual([
      ['g', 'GRAPH', { nodes: { a: { depth: 0 } }, edges: {}, successors: { a: [] }, predecessors: {}, type: 'Graph', v: 1 }],
      ['d', 'DATA', { k: 1, type: 'Data', v: 1 }],
    ]);
  });
});

describe('file values', () => {
  it('registers METRIC first, then one logName/add per class in the order met, one after the other', async () => {
    await logOnce({ t: new Text('hi'), loss: 1, a: new Audio([0, 0.5]), phase: 'x', acc: 2 });
    expect(registrations()).toEqual([['METRIC', ['loss', 'acc']], ['TEXT', ['t']], ['AUDIO', ['a']], ['DATA', ['phase']]]);
    const regs = srv.byPath('/api/runs/logName/add');
    for (let i = 1; i < regs.length; i++) expect(regs[i].seq).toBeGreaterThan(regs[i - 1].seq);
  });

  it('Text → a .txt file (text/plain, caption), Artifact and Video keep Python\'s names and types', async () => {
    await logOnce({
      notes: new Text('hello text', { caption: 'my notes' }),
      model: new Artifact(new Uint8Array([1, 2, 3]), { caption: 'weights' }),
      blob: new Artifact(new Uint8Array([4])),
      clip: new Video(new Uint8Array([0, 0, 0, 24]), { format: 'webm' }),
    });
    expect(registrations()).toEqual([['TEXT', ['notes']], ['ARTIFACT', ['model', 'blob']], ['VIDEO', ['clip']]]);
    const [text, model, blob, clip] = presignEntries();
    expect(text).toMatchObject({ fileType: 'txt', fileSize: 10, caption: 'my notes', logName: 'notes', step: 1, sampleIndex: 0 });
    expect(text.fileName).toMatch(new RegExp(`^my-notes\\.${UUID}\\.txt$`));
    expect(headerValue(putFor(text.fileName as string).headers, 'content-type')).toBe('text/plain');
    expect(putFor(text.fileName as string).text).toBe('hello text');
    // bytes staged as `{caption}.{uuid}-{id}`: os.path.splitext makes `.{uuid}-{id}` the extension
    expect(model.fileName).toMatch(new RegExp(`^weights\\.${UUID}\\.${UUID}-[0-9a-f]{64}$`));
    expect(model.fileType).toMatch(new RegExp(`^${UUID}-[0-9a-f]{64}$`));
    expect(headerValue(putFor(model.fileName as string).headers, 'content-type')).toBe('application/octet-stream');
    expect(blob).toMatchObject({ fileType: '' });
    expect(blob.fileName).toMatch(new RegExp(`^${UUID}$`));
    expect(clip).toMatchObject({ fileType: 'webm' });
    expect(headerValue(putFor(clip.fileName as string).headers, 'content-type')).toBe('video/webm');
  });

  it('Audio samples → a 16-bit PCM .wav (audio/x-wav); a plain File is named by the sha256 of its content', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sdk-types-'));
    const p = path.join(dir, 'report.csv');
    writeFileSync(p, 'a,b\n1,2\n');
    await logOnce({ a: new Audio([0, 0.5, -1, 2], { rate: 8000, caption: 'beep' }), f: new File(p), named: new File(p, { name: 'my report' }) });
    const [a, f, named] = presignEntries();
    const wav = putFor(a.fileName as string).body;
    expect(a).toMatchObject({ fileType: 'wav', fileSize: 44 + 8, caption: 'beep' });
    expect(headerValue(putFor(a.fileName as string).headers, 'content-type')).toBe('audio/x-wav');
    expect(wav.toString('latin1', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(8000);
    expect(wav.readUInt16LE(34)).toBe(16);
    expect([0, 1, 2, 3].map((i) => wav.readInt16LE(44 + 2 * i))).toEqual([0, 16384, -32767, 32767]);
    expect(f.fileName).toBe(`${createHash('sha256').update('a,b\n1,2\n').digest('hex')}.csv`);
    expect(f).toMatchObject({ fileType: 'csv' });
    expect(f).not.toHaveProperty('caption');
    expect(named.fileName).toBe('my-report.csv');
    expect(headerValue(putFor(named.fileName as string).headers, 'content-type')).toBe('text/csv');
  });

  it('Image boxes and masks: one annotations JSON on the image, each mask a PNG of its own with fileType "mask"', async () => {
    const img = new Image({ width: 2, height: 1, channels: 3, data: [0, 0.5, 1, 1, 0.5, 0] }, {
      caption: 'cat',
      boxes: { predictions: { box_data: [{ position: { minX: 0, maxX: 1, minY: 0, maxY: 1 }, class_id: 1 }, { domain: 'percent', class_id: 2 }], class_labels: { 1: 'cat' } } },
      masks: { ground_truth: { mask_data: [[0, 1, 2], [257, 3, 0]], class_labels: { 1: 'cat', 2: 'dog' } }, empty: {} },
    });
    await logOnce({ 'val/seg': [img, new Image(new Uint8Array([1]))] });
    expect(registrations()).toEqual([['IMAGE', ['val/seg']]]); // masks are not registered
    const entries = presignEntries();
    expect(entries.map((e) => [e.logName, e.fileType, e.sampleIndex, e.step])).toEqual([
      ['val/seg', 'png', 0, 1], ['val/seg', 'mask', 0, 1], ['val/seg', 'png', 1, 1],
    ]);
    const [image, mask] = entries;
    const ann = JSON.parse(image.annotations as string) as { boxes: Record<string, { box_data: Record<string, unknown>[] }>; masks: Record<string, { fileName: string; class_labels: unknown }> };
    expect(ann.boxes.predictions.box_data).toEqual([
      { domain: 'pixel', position: { minX: 0, maxX: 1, minY: 0, maxY: 1 }, class_id: 1 },
      { domain: 'percent', class_id: 2 },
    ]);
    expect(ann.masks).toEqual({ ground_truth: { fileName: mask.fileName, class_labels: { 1: 'cat', 2: 'dog' } } });
    expect(mask.fileName).toMatch(new RegExp(`^${UUID}\\.mask\\.png$`));
    expect(mask).not.toHaveProperty('caption');
    expect(mask).not.toHaveProperty('annotations');
    expect(entries[2]).not.toHaveProperty('annotations');
    // the mask PUT carries the stored file_type, 'mask', as its Content-Type
    const maskPut = putFor(mask.fileName as string);
    expect(headerValue(maskPut.headers, 'content-type')).toBe('mask');
    expect(ourHeaderOrder(maskPut.headers)).toEqual(['accept', 'accept-encoding', 'user-agent', 'content-type']);
    const m = decodePng(maskPut.body);
    expect([m.width, m.height, m.colorType]).toEqual([3, 2, 2]);
    expect([...m.pixels].filter((_, i) => i % 3 === 0)).toEqual([0, 1, 2, 1, 3, 0]); // class id in red, uint8 wraps 257 → 1
    expect([...m.pixels].filter((_, i) => i % 3 !== 0).every((v) => v === 0)).toBe(true);
    const pic = decodePng(putFor(image.fileName as string).body);
    expect([...pic.pixels]).toEqual([0, 127, 255, 255, 127, 0]); // [0, 1] scaled to 0–255 like numpy's int cast
  });

  it('a ready annotations string passes verbatim', () => {
    expect(new Image(new Uint8Array([1]), { annotations: '{"boxes": {}}' }).annotations).toBe('{"boxes": {}}');
    expect(new Image(new Uint8Array([1])).annotations).toBeNull();
  });
});
