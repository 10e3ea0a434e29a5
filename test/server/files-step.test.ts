/** POST /files with axum's plain-text rejections and unwrapped 401/400, the PUT stand-in, POST /step (docs/protocol/ingest.md §1.4, §1.5, §1.7). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type FileRow, type ReferenceServer } from '../../src/server/index.js';
import { ingestHeaders, metricLine, send } from './client.js';

let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer({ keys: [{ key: 'mlps_revoked_files_key_0000000000', revokedAt: 1 }] });
});
afterAll(() => server.stop());

const jsonHeaders = (runId = '5', project = 'files-p'): Record<string, string> => ({ ...ingestHeaders(runId, project), 'content-type': 'application/json' });
const file = (over: Record<string, unknown> = {}) => ({ fileName: 'a.png', logName: 'val/images', fileSize: 4, fileType: 'png', step: 2, time: 1000, ...over });
const postFiles = (body: string, headers: Record<string, string>) => send(server.url, 'POST', '/files', body, headers);

describe('POST /files', () => {
  it('valid: one row per file, URLs grouped by logName, PUT records the object size', async () => {
    const body = JSON.stringify({ files: [file(), file({ fileName: 'b.png', sampleIndex: 1, caption: 'cap' }), file({ fileName: 'c.txt', logName: 'text', fileType: { custom: 'text/x-own' } })] });
    const a = await postFiles(body, jsonHeaders());
    expect(a.status).toBe(200);
    const urls = a.json<Record<string, Array<Record<string, string>>>>();
    expect(Object.keys(urls)).toEqual(['val/images', 'text']);
    expect(urls['val/images'].map((o) => Object.keys(o)[0])).toEqual(['a.png', 'b.png']);
    const url = urls['val/images'][0]['a.png'];
    expect(url.startsWith(`${server.url}/_sim/storage/mlop/org-loadtest/files-p/5/val/images/a.png?`)).toBe(true);
    expect(url).toContain('X-Amz-Expires=3600');
    const put = await send(server.url, 'PUT', url.slice(server.url.length), Buffer.from('abcd'), { 'content-type': 'image/png' });
    expect(put.status).toBe(200);
    expect(server.stats().objects).toEqual({ count: 1, bytes: 4 });
    await server.flush();
    const rows = server.rows(5, 'mlop_files', 'files-p') as FileRow[];
    expect(rows.map((r) => [r.fileName, r.logGroup, r.fileType, r.fileSize, r.sampleIndex, r.caption, r.annotations])).toEqual([
      ['a.png', 'val', 'png', 4, 0, null, null],
      ['b.png', 'val', 'png', 4, 1, 'cap', null],
      ['c.txt', '', 'text/x-own', 4, 0, null, null],
    ]);
  });

  it('body checks run before auth: no content type 415, bad JSON 400, wrong shape 422 (plain text)', async () => {
    const noAuth = { 'x-run-id': '1', 'x-project-name': 'p' };
    const a = await postFiles('{"files":[]}', noAuth);
    expect([a.status, a.text, a.headers['content-type']]).toEqual([415, 'Expected request with `Content-Type: application/json`', 'text/plain; charset=utf-8']);
    const b = await postFiles('{"files":', { ...noAuth, 'content-type': 'application/json' });
    expect(b.status).toBe(400);
    expect(b.text).toMatch(/^Failed to parse the request body as JSON: /);
    const empty = await postFiles('', { ...noAuth, 'content-type': 'application/json' });
    expect([empty.status, empty.text]).toEqual([400, 'Failed to parse the request body as JSON: EOF while parsing a value at line 1 column 0']);
    const c = await postFiles('{}', { ...noAuth, 'content-type': 'application/json' });
    expect([c.status, c.text]).toEqual([422, 'Failed to deserialize the JSON body into the target type: missing field `files`']);
    const d = await postFiles(JSON.stringify({ files: [file({ fileSize: -1 })] }), { ...noAuth, 'content-type': 'application/json' });
    expect(d.status).toBe(422);
    expect(d.text).toContain('files[0].fileSize');
  });

  it('a body over 2 MB: 413', async () => {
    const big = JSON.stringify({ files: [file({ caption: 'x'.repeat(2 * 1024 * 1024) })] });
    const a = await postFiles(big, jsonHeaders());
    expect([a.status, a.text]).toEqual([413, 'Failed to buffer the request body: length limit exceeded']);
  });

  it('auth errors are unwrapped 401 JSON; missing headers 400; a non-numeric run id 400 (divergence: the real one panics)', async () => {
    const body = JSON.stringify({ files: [file()] });
    const { authorization: _, ...noAuth } = jsonHeaders();
    expect((await postFiles(body, noAuth)).json()).toEqual({ code: 'MISSING_TOKEN', message: 'Missing Authorization header' });
    const basic = await postFiles(body, { ...noAuth, authorization: 'Basic x' });
    expect([basic.status, basic.json<{ code: string }>().code]).toEqual([401, 'INVALID_BEARER_FORMAT']);
    const revoked = await postFiles(body, { ...noAuth, authorization: 'Bearer mlps_revoked_files_key_0000000000' });
    expect([revoked.status, revoked.json()]).toEqual([401, { code: 'INVALID_TOKEN', message: 'API key has been revoked' }]);
    const { 'x-run-id': _r, ...noRun } = jsonHeaders();
    const missing = await postFiles(body, noRun);
    expect([missing.status, missing.json()]).toEqual([400, { code: 'INVALID_HEADER_FORMAT', message: 'Missing required header: X-Run-Id' }]);
    const nonNumeric = await postFiles(body, jsonHeaders('None'));
    expect([nonNumeric.status, nonNumeric.json<{ code: string }>().code]).toEqual([400, 'INVALID_HEADER_FORMAT']);
  });
});

describe('POST /step', () => {
  it('answers max(step) of the run metrics, 0 for an unknown run, with unwrapped 401/400', async () => {
    await send(server.url, 'POST', '/ingest/metrics', `${metricLine(3)}\n${metricLine(9)}\n${metricLine(4)}`, ingestHeaders('88', 'step-p'));
    await server.flush();
    expect((await send(server.url, 'POST', '/step', '', ingestHeaders('88', 'step-p'))).json()).toEqual({ step: 9 });
    expect((await send(server.url, 'POST', '/step', '', ingestHeaders('89', 'step-p'))).json()).toEqual({ step: 0 });
    expect((await send(server.url, 'POST', '/step', '', ingestHeaders('abc', 'step-p'))).status).toBe(200);
    const noAuth = await send(server.url, 'POST', '/step', '', { 'x-run-id': '1', 'x-project-name': 'p' });
    expect([noAuth.status, noAuth.json<{ code: string }>().code]).toEqual([401, 'MISSING_TOKEN']);
    const { 'x-project-name': _p, ...noProject } = ingestHeaders();
    expect((await send(server.url, 'POST', '/step', '', noProject)).status).toBe(400);
  });
});

describe('health and version routes', () => {
  it('GET /health is "OK", /health/ready and /version are JSON, unknown path 404 empty, wrong method 405 with Allow', async () => {
    const health = await send(server.url, 'GET', '/health');
    expect([health.status, health.text]).toEqual([200, 'OK']);
    expect((await send(server.url, 'GET', '/health/ready')).json()).toMatchObject({ status: 'healthy', checks: { clickhouse: { status: 'up' }, postgres: { status: 'up' } } });
    expect((await send(server.url, 'GET', '/version')).json()).toMatchObject({ service: 'ingest' });
    expect((await send(server.url, 'GET', '/health/dlq')).json()).toEqual({ batches_pending: 0, records_pending: 0, disk_usage_mb: 0 });
    const unknown = await send(server.url, 'GET', '/nope');
    expect([unknown.status, unknown.text]).toEqual([404, '']);
    const wrong = await send(server.url, 'GET', '/ingest/metrics');
    expect([wrong.status, wrong.text, wrong.headers['allow']]).toEqual([405, '', 'POST']);
    const wrongHealth = await send(server.url, 'POST', '/health');
    expect([wrongHealth.status, wrongHealth.headers['allow']]).toEqual([405, 'GET']);
  });
});
