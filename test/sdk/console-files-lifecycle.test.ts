/** Console lines (§12), file uploads (§11.4, §8.4), heartbeat (§10.1), login/init errors (§2, §3.6). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import {
  File, Image, init, login, resolveSettings, SdkAuthError, SdkConnectionError, SdkRequestError, SdkRunExistsError,
  type RequestExchange, type Settings,
} from '@mlop/sdk-ts';
import { RecordingServer } from './recording-server.js';
import { headerValue, ndjsonLines, ourHeaderOrder, parsePy } from './wire-helpers.js';

const srv = new RecordingServer();
beforeAll(() => srv.start());
afterAll(() => srv.stop());

function base(extra: Settings = {}): Settings {
  return { ...srv.settings(), x_log_level: 30, x_sync_start_delay_seconds: 0, disable_system_metrics: true, x_retry_wait_scale: 0.001, sync_process_flush_interval: 0.05, ...extra };
}
function reset(): void {
  srv.requests.length = 0;
  srv.override = undefined;
  srv.status = 'RUNNING';
}
function logLines(): Record<string, unknown>[] {
  return srv.byPath('/ingest/logs').flatMap((r) => ndjsonLines(r.text));
}

describe('console lines', () => {
  it('numbers lines per stream from 1, INFO for stdout and ERROR for stderr, carrying partial writes', async () => {
    reset();
    const run = await init({ project: 'p', name: 'console', settings: base() });
    run.console.write('stdout', 'one\ntw');
    run.console.write('stderr', 'bad\n\n');
    run.console.write('stdout', 'o\nthree\n');
    run.console.write('stderr', 'trailing partial');
    await run.finish();
    expect(logLines().map((l) => [l.message, l.lineNumber, l.logType])).toEqual([
      ['one', 1, 'INFO'], ['bad', 1, 'ERROR'], ['two', 2, 'INFO'], ['three', 3, 'INFO'], ['trailing partial', 2, 'ERROR'],
    ]);
  });

  it('hands 50 buffered lines to the queue at once', async () => {
    reset();
    const run = await init({ project: 'p', name: 'console50', settings: base({ x_console_flush_seconds: 5 }) });
    for (let i = 0; i < 49; i++) run.console.write('stdout', `l${i}\n`);
    await new Promise((r) => setTimeout(r, 300));
    expect(srv.byPath('/ingest/logs')).toHaveLength(0); // 49 lines, well inside 5 s: still buffered
    run.console.write('stdout', 'l49\n');
    await srv.waitFor(() => logLines().length === 50, 3_000);
    expect(srv.byPath('/ingest/logs')).toHaveLength(1);
    await run.finish();
  });

  it('otherwise hands lines over 0.2 s after the previous hand-over', async () => {
    reset();
    const run = await init({ project: 'p', name: 'console02', settings: base() });
    await new Promise((r) => setTimeout(r, 250)); // idle > 0.2 s: the next write is handed over at once
    const tA = performance.now();
    run.console.write('stdout', 'a\n');
    run.console.write('stdout', 'b\n');
    await srv.waitFor(() => logLines().length === 2, 3_000);
    const [first, second] = srv.byPath('/ingest/logs');
    expect(ndjsonLines(first.text).map((l) => l.message)).toEqual(['a']);
    expect(ndjsonLines(second.text).map((l) => l.message)).toEqual(['b']);
    expect(second.at - tA).toBeGreaterThanOrEqual(200);
    await run.finish();
  });

  it('captures a stream (tee) and restores it; redacts secrets', async () => {
    reset();
    const run = await init({ project: 'p', name: 'capture', settings: base() });
    const out = new PassThrough();
    const seen: string[] = [];
    out.on('data', (c: Buffer) => seen.push(c.toString()));
    const restore = run.console.capture(out, 'stdout');
    out.write('token=abc123 done\n');
    restore();
    out.write('not captured\n');
    await run.finish();
    expect(seen.join('')).toBe('token=abc123 done\nnot captured\n');
    expect(logLines().map((l) => l.message)).toEqual(['token=***REDACTED*** done']);
  });
});

describe('files', () => {
  it('presigns with POST /files, then PUTs the bytes with httpx\'s headers and the Content-Type of the extension, no auth', async () => {
    reset();
    const exchanges: RequestExchange[] = [];
    const run = await init({ project: 'p', name: 'files', settings: base({ observer: { onRequest: (e) => exchanges.push(e) } }) });
    await run.log({ 'val/images': new Image(new Uint8Array([137, 80, 78, 71]), { caption: 'sample' }), raw: new File(new Uint8Array([1, 2]), { ext: 'wav' }) });
    await run.finish();
    const presign = srv.byPath('/files');
    expect(presign).toHaveLength(1);
    expect(headerValue(presign[0].headers, 'content-type')).toBe('application/json');
    const files = (parsePy(presign[0].text) as { files: { fileName: string }[] }).files;
    const puts = srv.requests.filter((r) => r.method === 'PUT');
    expect(puts.map((p) => p.path.split('/').at(-1))).toEqual(files.map((f) => f.fileName));
    const putOrder = ['accept', 'accept-encoding', 'user-agent', 'content-type'];
    expect(puts.map((p) => ourHeaderOrder(p.headers))).toEqual([putOrder, putOrder]);
    for (const p of puts) {
      expect(headerValue(p.headers, 'accept')).toBe('*/*');
      expect(headerValue(p.headers, 'accept-encoding')).toBe('gzip, deflate, br');
      expect(headerValue(p.headers, 'user-agent')).toBe('python-httpx/0.28.1');
      expect(Number(headerValue(p.headers, 'content-length'))).toBe(p.body.byteLength);
    }
    expect(puts.map((p) => headerValue(p.headers, 'content-type'))).toEqual(['image/png', 'audio/x-wav']);
    expect([...puts[0].body]).toEqual([137, 80, 78, 71]);
    expect(presign[0].seq).toBeLessThan(puts[0].seq);
    expect(exchanges.filter((e) => e.method === 'PUT').map((e) => e.name)).toEqual(['PUT (storage)', 'PUT (storage)']);
    expect(run.delivery()).toMatchObject({ acked: 2, failed: 0 });
  });

  it('retries a failed PUT, then presigns again in the next cycle', async () => {
    reset();
    let puts = 0;
    srv.override = (r) => (r.method === 'PUT' && ++puts <= 4 ? { status: 503, body: '' } : undefined);
    const run = await init({ project: 'p', name: 'files-retry', settings: base() });
    await run.log({ f: new File(new Uint8Array([9]), { ext: 'txt' }) });
    await run.finish();
    expect(srv.byPath('/files')).toHaveLength(2);
    expect(srv.requests.filter((r) => r.method === 'PUT').map((r) => r.status)).toEqual([503, 503, 503, 503, 200]);
    expect(run.delivery()).toMatchObject({ acked: 1, failed: 0 });
  });
});

describe('heartbeat', () => {
  it('a CANCELLED heartbeat ends the run and emits "cancelled" instead of exiting', async () => {
    reset();
    const run = await init({ project: 'p', name: 'cancel', settings: base({ x_sys_sampling_interval: 0.1 }) });
    const cancelled = new Promise<{ runId: number }>((r) => run.once('cancelled', r));
    await srv.waitFor(() => srv.byPath('/api/runs/trigger').some((t) => t.status === 200));
    srv.status = 'CANCELLED';
    expect(await cancelled).toEqual({ runId: 1000 });
    const beats = srv.byPath('/api/runs/trigger').length;
    expect(beats).toBeGreaterThanOrEqual(2);
    expect(run.log({ a: 1 })).toBeUndefined();
    await run.finish();
    await new Promise((r) => setTimeout(r, 250));
    expect(srv.byPath('/api/runs/trigger')).toHaveLength(beats);
    expect(srv.byPath('/api/runs/status/update')).toHaveLength(0);
  });
});

describe('login and init errors', () => {
  it('a rejected key at login is SdkAuthError, one sentence, without the key', async () => {
    reset();
    const err = await login({ ...srv.settings(), _auth: 'mlps_wrong_key_xyz' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SdkAuthError);
    expect((err as Error).message).not.toContain('mlps_wrong_key_xyz');
    expect(srv.byPath('/api/slug')).toHaveLength(1);
  });

  it('a rejected key at init is SdkAuthError and no run is created', async () => {
    reset();
    const err = await init({ project: 'p', settings: { ...base(), _auth: 'mlps_wrong_key_xyz' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SdkAuthError);
    expect(srv.byPath('/api/runs/create')).toHaveLength(0);
  });

  it('a 401 from create after the §9 retries is SdkAuthError; other 4xx is SdkRequestError at once', async () => {
    reset();
    srv.override = (r) => (r.path === '/api/runs/create' ? { status: 401, body: '{"message":"revoked"}' } : undefined);
    await expect(init({ project: 'p', settings: base() })).rejects.toBeInstanceOf(SdkAuthError);
    expect(srv.byPath('/api/runs/create')).toHaveLength(5);
    reset();
    srv.override = (r) => (r.path === '/api/runs/create' ? { status: 400, body: '{"error":"bad project"}' } : undefined);
    const err = await init({ project: 'p', settings: base() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SdkRequestError);
    expect((err as SdkRequestError).status).toBe(400);
    expect((err as Error).message).toContain('bad project');
    expect(srv.byPath('/api/runs/create')).toHaveLength(1);
  });

  it('init goes on after a failed (non-401) login, as v2 does with a key given', async () => {
    reset();
    srv.override = (r) => (r.path === '/api/slug' ? { status: 503, body: '' } : undefined);
    await expect(login(srv.settings())).rejects.toBeInstanceOf(SdkRequestError);
    const run = await init({ project: 'p', settings: base() });
    await run.close();
    expect(srv.byPath('/api/runs/create')).toHaveLength(1);
  });

  it('an unreachable server is SdkConnectionError', async () => {
    const dead = 'http://127.0.0.1:9';
    await expect(login({ url_api: dead, _auth: 'k' })).rejects.toBeInstanceOf(SdkConnectionError);
    const err = await init({ settings: { url_api: dead, url_ingest: dead, url_py: dead, _auth: 'k', x_retry_wait_scale: 0.001 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SdkConnectionError);
    expect((err as Error).message).toMatch(/^Failed to create or resume run: cannot reach http:\/\/127\.0\.0\.1:9 \(connect\)\.$/);
  });

  it('resumes by numeric id, display id or external id; an existing external id needs resume: true', async () => {
    reset();
    await (await init({ runId: 77, settings: base() })).close();
    await (await init({ runId: 'LT-1', settings: base() })).close();
    expect(srv.byPath('/api/runs/resume').map((r) => parsePy(r.text))).toEqual([{ runId: 77 }, { displayId: 'LT-1' }]);
    srv.override = (r) => (r.path === '/api/runs/create' ? { status: 200, body: JSON.stringify({ runId: 5, url: 'u', displayId: 'X-5', resumed: true }) } : undefined);
    await expect(init({ runId: 'my-job-7', settings: base() })).rejects.toBeInstanceOf(SdkRunExistsError);
    const run = await init({ runId: 'my-job-7', resume: true, settings: base() });
    expect([run.id, run.displayId, run.resumed]).toEqual([5, 'X-5', true]);
    await run.close();
    expect((parsePy(srv.byPath('/api/runs/create')[0].text) as { externalId: string }).externalId).toBe('my-job-7');
  });
});

describe('settings', () => {
  it('host derives all four URLs on 3000/3001/3003/3004; explicit url_* do not reset each other', () => {
    const h = resolveSettings({ host: '10.0.0.5' }, {});
    expect([h.url_app, h.url_api, h.url_ingest, h.url_py]).toEqual(['http://10.0.0.5:3000', 'http://10.0.0.5:3001', 'http://10.0.0.5:3003', 'http://10.0.0.5:3004']);
    const u = resolveSettings({ url_ingest: 'http://i:1' }, { PLUTO_URL_API: 'http://a:2' });
    expect([u.url_app, u.url_api, u.url_ingest, u.url_py]).toEqual(['https://pluto.trainy.ai', 'http://a:2', 'http://i:1', 'https://pluto-py.trainy.ai']);
    expect(u.endpoints.num).toBe('http://i:1/ingest/metrics');
    expect(u.endpoints.trigger).toBe('https://pluto-py.trainy.ai/api/runs/trigger');
  });

  it('reads PLUTO_* env vars with the MLOP_* fallbacks, explicit settings first, spec defaults otherwise', () => {
    const s = resolveSettings({}, { MLOP_API_TOKEN: 'k1', PLUTO_PROJECT: 'proj', MLOP_URL_INGEST: 'http://x:3' });
    expect([s._auth, s.project, s.url_ingest, s.tag]).toEqual(['k1', 'proj', 'http://x:3', 'pluto']);
    expect(resolveSettings({ _auth: 'k2', project: 'q' }, { PLUTO_API_KEY: 'k1', PLUTO_PROJECT: 'proj' })).toMatchObject({ _auth: 'k2', project: 'q' });
    expect(resolveSettings({}, {})).toMatchObject({
      project: 'pluto', sync_process_flush_interval: 1, sync_process_batch_size: 100, sync_process_file_batch_size: 10,
      sync_process_retry_max: 5, sync_process_retry_backoff: 2, sync_process_request_timeout: 30, x_sys_sampling_interval: 4,
      sync_process_shutdown_timeout: 30, x_file_stream_retry_max: 4, x_console_flush_lines: 50, x_console_flush_seconds: 0.2,
    });
  });
});
