/**
 * What our SDK puts on the wire, compared with what pluto 0.0.28 sent (real-sdk-traces/*.jsonl),
 * as parsed values. The two scenarios of the traces are replayed against a recording server.
 */
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, login } from '@mlop/sdk-ts';
import { RecordingServer, TEST_KEY } from './recording-server.js';
import { headerValue, loadTrace, ndjsonLines, ourHeaderOrder, parsePy, type TraceRecord } from './wire-helpers.js';

const main = loadTrace('main');
const types = loadTrace('types');
const fast = { sync_process_flush_interval: 0.1, x_retry_wait_scale: 0.001 };

function traceOf(trace: TraceRecord[], path: string): TraceRecord[] {
  return trace.filter((r) => r.path === path);
}

describe('replay of main.jsonl (login, init, 20 logs, console lines, finish)', () => {
  const srv = new RecordingServer();
  const userLines = traceOf(main, '/ingest/metrics').flatMap((r) => ndjsonLines(r.body)).filter((l) => 'train/loss' in (l.data as object));
  const stdoutLines = traceOf(main, '/ingest/logs').flatMap((r) => ndjsonLines(r.body)).filter((l) => l.logType === 'INFO');

  beforeAll(async () => {
    await srv.start();
    await login(srv.settings());
    const run = await init({
      project: 'load-test-project', name: 'load-test-run-1', config: { test_type: 'load_test', target_rps: 1000 },
      settings: { ...srv.settings(), ...fast },
    });
    for (const line of userLines) await run.log(line.data as Record<string, number>);
    for (const l of stdoutLines) run.console.write('stdout', `${l.message as string}\n`);
    await new Promise((r) => setTimeout(r, 700)); // past the sync process's start (0.35–0.65 s)
    await run.finish();
  });
  afterAll(() => srv.stop());

  it('calls the endpoints in the captured sequence', () => {
    const seq = srv.requests.map((r) => r.path);
    expect(seq.slice(0, 3)).toEqual(['/api/slug', '/api/slug', '/api/runs/create']);
    // system metric names and the first heartbeat right after create, then the user's names
    expect(seq.slice(3, 5).sort()).toEqual(['/api/runs/logName/add', '/api/runs/trigger']);
    expect(seq[5]).toBe('/api/runs/logName/add');
    expect(seq.at(-1)).toBe('/api/runs/status/update');
    expect(seq.filter((p) => p === '/api/runs/status/update')).toHaveLength(1);
  });

  it('sends /api/slug with httpx\'s Accept, Accept-Encoding and User-Agent plus Authorization, no body', () => {
    const [ours] = srv.byPath('/api/slug');
    const theirs = traceOf(main, '/api/slug')[0];
    expect(ourHeaderOrder(ours.headers)).toEqual(ourHeaderOrder(theirs.headers));
    for (const name of ourHeaderOrder(theirs.headers)) expect(headerValue(ours.headers, name), name).toBe(headerValue(theirs.headers, name));
    expect(headerValue(ours.headers, 'content-length')).toBe('0');
    expect(ours.text).toBe('');
  });

  it('sends API, heartbeat and ingest headers in the captured order with the captured values', () => {
    for (const path of ['/api/runs/create', '/api/runs/logName/add', '/api/runs/trigger', '/ingest/metrics', '/ingest/logs', '/api/runs/status/update']) {
      const ours = srv.byPath(path)[0];
      const theirs = traceOf(main, path)[0];
      const theirOrder = ourHeaderOrder(theirs.headers);
      expect(ourHeaderOrder(ours.headers), path).toEqual(theirOrder);
      for (const name of theirOrder) expect(headerValue(ours.headers, name), `${path} ${name}`).toBe(headerValue(theirs.headers, name));
      // undici writes host + connection first; Content-Length matches the body we sent
      expect(Number(headerValue(ours.headers, 'content-length'))).toBe(ours.body.byteLength);
    }
    expect(headerValue(srv.byPath('/api/runs/create')[0].headers, 'X-Run-Id')).toBe('None');
  });

  it('sends the create body with the captured fields and JSON-string encodings', () => {
    const ours = parsePy(srv.byPath('/api/runs/create')[0].text) as Record<string, unknown>;
    const theirs = parsePy(traceOf(main, '/api/runs/create')[0].body) as Record<string, unknown>;
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    for (const k of ['runName', 'projectName', 'externalId', 'tags', 'createdAt', 'updatedAt']) expect(ours[k], k).toEqual(theirs[k]);
    expect(JSON.parse(ours.config as string)).toEqual(JSON.parse(theirs.config as string));
    const ls = JSON.parse(ours.loggerSettings as string) as Record<string, unknown>;
    expect(Object.keys(ls)).toEqual(Object.keys(JSON.parse(theirs.loggerSettings as string) as object));
    expect(ls).not.toHaveProperty('_auth');
    expect(ours.loggerSettings as string).not.toContain(TEST_KEY);
    const sm = JSON.parse(ours.systemMetadata as string) as Record<string, unknown>;
    expect(Object.keys(sm)).toEqual(Object.keys(JSON.parse(theirs.systemMetadata as string) as object));
  });

  it('registers the system metric names, then the user names, as the real SDK did', () => {
    const regs = srv.byPath('/api/runs/logName/add').map((r) => parsePy(r.text));
    const theirs = traceOf(main, '/api/runs/logName/add').map((r) => parsePy(r.body) as { logName: string[] });
    const cpu = os.cpus().map((_, i) => `sys/cpu.percentage.${i}`);
    const sysNames = [...cpu, ...theirs[0].logName.filter((n) => !n.startsWith('sys/cpu.'))];
    expect(regs[0]).toEqual({ runId: 1000, logType: 'METRIC', logName: sysNames });
    expect(regs[1]).toEqual(theirs[1]);
    expect(regs).toHaveLength(2);
  });

  it('uploads every user metric line with the captured steps and values, key order time/step/data', () => {
    const ours = srv.byPath('/ingest/metrics').flatMap((r) => ndjsonLines(r.text)).filter((l) => 'train/loss' in (l.data as object));
    expect(ours.map((l) => ({ step: l.step, data: l.data }))).toEqual(userLines.map((l) => ({ step: l.step, data: l.data })));
    for (const l of ours) {
      expect(Object.keys(l)).toEqual(['time', 'step', 'data']);
      expect(Number.isInteger(l.time)).toBe(true);
    }
  });

  it('uploads system metrics on their own step counter with the captured first-sample keys', () => {
    const sys = srv.byPath('/ingest/metrics').flatMap((r) => ndjsonLines(r.text)).filter((l) => 'sys/memory.used' in (l.data as object));
    const theirs = ndjsonLines(main[7].body)[0];
    expect(sys[0].step).toBe(1);
    const cpu = os.cpus().map((_, i) => `sys/cpu.percentage.${i}`);
    expect(Object.keys(sys[0].data as object)).toEqual([...cpu, ...Object.keys(theirs.data as object).filter((k) => !k.startsWith('sys/cpu.'))]);
  });

  it('uploads console lines with per-stream numbering and INFO for stdout', () => {
    const ours = srv.byPath('/ingest/logs').flatMap((r) => ndjsonLines(r.text)).filter((l) => l.logType === 'INFO');
    expect(ours.map((l) => [l.message, l.lineNumber, l.logType])).toEqual(stdoutLines.map((l, i) => [l.message, i + 1, 'INFO']));
    for (const l of ours) expect(Object.keys(l)).toEqual(['time', 'message', 'lineNumber', 'logType']);
  });

  it('uploads the SDK\'s own start-up lines as stderr lines, as the real SDK\'s fd capture did', () => {
    const norm = (m: string): string => m.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}/, 'DATE').replace(/\d\d:\d\d:\d\d/, 'HH:MM:SS').replace(/PID: \d+/, 'PID: N');
    const errors = (lines: Record<string, unknown>[]) => lines.filter((l) => l.logType === 'ERROR').map((l) => [norm(l.message as string), l.lineNumber]);
    const theirs = errors(traceOf(main, '/ingest/logs').flatMap((r) => ndjsonLines(r.body)));
    const ours = errors(srv.byPath('/ingest/logs').flatMap((r) => ndjsonLines(r.text)));
    expect(theirs).toHaveLength(3);
    expect(ours).toEqual(theirs);
  });

  it('ends with exactly the captured status update body', () => {
    const ours = srv.byPath('/api/runs/status/update');
    expect(ours).toHaveLength(1);
    expect(parsePy(ours[0].text)).toEqual(parsePy(traceOf(main, '/api/runs/status/update')[0].body));
  });

  it('sends the heartbeat body {"runId": n}', () => {
    expect(parsePy(srv.byPath('/api/runs/trigger')[0].text)).toEqual(parsePy(traceOf(main, '/api/runs/trigger')[0].body));
  });
});

describe('replay of types.jsonl (string, NaN, Infinity, bool, int, explicit step)', () => {
  const srv = new RecordingServer();
  beforeAll(async () => {
    await srv.start();
    await login(srv.settings());
    const run = await init({ project: 'load-test-project', name: 'load-test-types', config: { scenario: 'types' },
      settings: { ...srv.settings(), ...fast, disable_system_metrics: true } });
    await run.log({ 'train/loss': 0.5 });
    await run.log({ phase: 'warmup' });
    await run.log({ 'val/nan': NaN });
    await run.log({ flag: true });
    await run.log({ 'train/loss': 0.25, 'val/nan': NaN, 'val/inf': Infinity, count: 7, phase: 'train' });
    await run.log({ 'train/loss': 0.125 }, { step: 42 });
    await run.finish();
  });
  afterAll(() => srv.stop());

  it('registers names once each, strings as DATA, booleans never', () => {
    const ours = srv.byPath('/api/runs/logName/add').map((r) => parsePy(r.text));
    const theirs = traceOf(types, '/api/runs/logName/add').map((r) => parsePy(r.body)).slice(1); // [0] = system names
    expect(ours).toEqual(theirs);
  });

  it('sends NaN and Infinity as bare tokens and drops the bool while using up its step', () => {
    const ours = srv.byPath('/ingest/metrics');
    const theirs = traceOf(types, '/ingest/metrics')[0];
    expect(ours[0].text).toContain('"val/nan": NaN');
    expect(ours[0].text).toContain('"val/inf": Infinity');
    expect(ours[0].text).not.toContain('null');
    const strip = (ls: Record<string, unknown>[]) => ls.map(({ step, data }) => ({ step, data }));
    expect(strip(ours.flatMap((r) => ndjsonLines(r.text)))).toEqual(strip(ndjsonLines(theirs.body)));
  });

  it('sends strings as string-series data lines in the captured key order', () => {
    const ours = srv.byPath('/ingest/data').flatMap((r) => ndjsonLines(r.text));
    const theirs = ndjsonLines(traceOf(types, '/ingest/data')[0].body);
    expect(ours.map(({ time: _t, ...rest }) => rest)).toEqual(theirs.map(({ time: _t, ...rest }) => rest));
    for (const l of ours) expect(Object.keys(l)).toEqual(['time', 'data', 'dataType', 'logName', 'step']);
  });
});
