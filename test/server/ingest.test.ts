/**
 * /ingest/* as the real ingest answers (docs/protocol/ingest.md §1.2, §1.3, §1.7): the status matrix,
 * the auth order, partial ingestion, row counts, run 0 for non-numeric run ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY, startReferenceServer, type MetricRow, type ReferenceServer } from '../../src/server/index.js';
import { ingestHeaders, innerMessage, metricLine, send } from './client.js';

const EXPIRED = 'mlps_expired_key_for_tests_000000000000';
const REVOKED = 'mlps_revoked_key_for_tests_000000000000';
const INSECURE = 'mlpi_insecure_key_0001';
let server: ReferenceServer;

beforeAll(async () => {
  server = await startReferenceServer({
    keys: [
      { key: EXPIRED, expiresAt: Date.now() - 60_000 },
      { key: REVOKED, revokedAt: Date.now() - 60_000 },
      { key: INSECURE, organizationId: 'org-other', organizationSlug: 'other-org' },
    ],
  });
});
afterAll(() => server.stop());

const post = (path: string, body: string, headers: Record<string, string>) => send(server.url, 'POST', path, body, headers);
const prefix = (kind: string, inner: string) => `Failed to process ${kind} stream: ${inner}`;

describe('status matrix on /ingest/* (§1.7)', () => {
  it('valid: 200 text "Stream processed successfully: N records" with N counting rows', async () => {
    const a = await post('/ingest/metrics', `${metricLine(1, { a: 1, b: 2, c: 3 })}\n${metricLine(2, { a: 1 })}\n`, ingestHeaders('11'));
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(a.text).toBe('Stream processed successfully: 4 records');
  });

  it('no Authorization: 422 with inner MissingToken', async () => {
    const { authorization: _, ...headers } = ingestHeaders();
    const a = await post('/ingest/logs', '', headers);
    expect(a.status).toBe(422);
    expect(a.json()).toEqual({
      code: 'PROCESSING_FAILED',
      message: 'Failed to process logs stream: MissingToken (1003 - Authentication Error): Missing Authorization header',
    });
  });

  it('"Basic …": 422 with inner InvalidBearerFormat', async () => {
    const a = await post('/ingest/metrics', metricLine(1), { ...ingestHeaders(), authorization: 'Basic abc' });
    expect(a.status).toBe(422);
    expect(innerMessage(a)).toBe(
      prefix('metrics', "InvalidBearerFormat (1007 - Authentication Error): Authorization header must start with 'Bearer '"),
    );
  });

  it('"Bearer " with nothing after it (HTTP trims the value) and bad token characters', async () => {
    const empty = await post('/ingest/metrics', metricLine(1), { ...ingestHeaders(), authorization: 'Bearer    ' });
    expect(innerMessage(empty)).toContain('InvalidBearerFormat (1007');
    const bad = await post('/ingest/metrics', metricLine(1), { ...ingestHeaders(), authorization: 'Bearer abc$def' });
    expect(innerMessage(bad)).toBe(prefix('metrics', 'InvalidTokenFormat (1006 - Authentication Error): Bearer token contains invalid characters'));
  });

  it.each([
    ['mlps_unknown_key_000000000000000000000', 'Invalid API key'],
    [EXPIRED, 'API key has expired'],
    [REVOKED, 'API key has been revoked'],
  ])('key %s: 422 InvalidToken "%s"', async (key, message) => {
    const a = await post('/ingest/data', '', ingestHeaders('1', 'p', key));
    expect(a.status).toBe(422);
    expect(innerMessage(a)).toBe(prefix('data', `InvalidToken (1002 - Authentication Error): ${message}`));
  });

  it('missing X-Run-Id, then X-Project-Name: 422 InvalidHeaderFormat, X-Run-Id checked first', async () => {
    const { 'x-run-id': _r, 'x-project-name': _p, ...neither } = ingestHeaders();
    const a = await post('/ingest/metrics', metricLine(1), neither);
    expect(innerMessage(a)).toBe(prefix('metrics', 'InvalidHeaderFormat (2004 - Validation Error): Missing required header: X-Run-Id'));
    const { 'x-project-name': _q, ...noProject } = ingestHeaders();
    const b = await post('/ingest/metrics', metricLine(1), noProject);
    expect(innerMessage(b)).toBe(prefix('metrics', 'InvalidHeaderFormat (2004 - Validation Error): Missing required header: X-Project-Name'));
  });

  it('auth is checked before headers and body: bad auth + missing headers + bad body reports auth', async () => {
    const a = await post('/ingest/metrics', 'not json', { authorization: 'Token x' });
    expect(innerMessage(a)).toContain('InvalidBearerFormat (1007');
  });

  it('non-numeric X-Run-Id: 200 and the rows are stored under run 0', async () => {
    const a = await post('/ingest/metrics', metricLine(7, { 'x/only-run0': 1 }), ingestHeaders('None', 'run0-project'));
    expect(a.status).toBe(200);
    await server.flush();
    const rows = server.rows(0, 'mlop_metrics', 'run0-project') as MetricRow[];
    expect(rows.map((r) => r.logName)).toEqual(['x/only-run0']);
  });

  it('malformed JSON, unknown field, wrong type: 422 StreamDecodingError naming the line', async () => {
    const bad = await post('/ingest/metrics', '{"time": 1, "step":', ingestHeaders());
    expect(innerMessage(bad)).toMatch(/^Failed to process metrics stream: StreamDecodingError \(3004 - Processing Error\): Failed to parse final JSON line \(bytes\): '\{"time": 1, "step":': /);
    const unknown = await post('/ingest/logs', '{"time":1,"message":"m","lineNumber":1,"logType":"INFO","extra":1}\n', ingestHeaders());
    expect(innerMessage(unknown)).toContain("unknown field `extra`");
    expect(innerMessage(unknown)).toContain("Failed to parse JSON line (bytes)");
    for (const line of ['{"time":-1,"step":1,"data":{"a":1}}', '{"time":1.5,"step":1,"data":{"a":1}}', '{"time":"1","step":1,"data":{"a":1}}', '{"step":1,"data":{"a":1}}']) {
      const a = await post('/ingest/metrics', line, ingestHeaders());
      expect(a.status, line).toBe(422);
      expect(innerMessage(a), line).toContain('StreamDecodingError (3004');
    }
    const objectData = await post('/ingest/data', '{"time":1,"data":{"a":1},"dataType":"T","logName":"x","step":1}', ingestHeaders());
    expect(innerMessage(objectData)).toContain('expected a string');
  });

  it('empty data, blank names, blank logType/dataType/logName: 422 validation errors 2005/2006', async () => {
    const cases: Array<[string, string, string]> = [
      ['/ingest/metrics', '{"time":1,"step":1,"data":{}}', "InvalidMetricFormat (2005 - Validation Error): 'data' field cannot be empty"],
      ['/ingest/metrics', '{"time":1,"step":1,"data":{"a":null}}', "InvalidMetricFormat (2005 - Validation Error): 'data' field cannot be empty"],
      ['/ingest/metrics', '{"time":1,"step":1,"data":{"  ":1}}', 'InvalidMetricFormat (2005 - Validation Error): metric name cannot be empty'],
      ['/ingest/logs', '{"time":1,"message":"","lineNumber":1,"logType":" "}', "InvalidLogFormat (2006 - Validation Error): 'logType' field cannot be empty"],
      ['/ingest/data', '{"time":1,"data":"x","dataType":"","logName":"n","step":1}', "InvalidLogFormat (2006 - Validation Error): 'dataType' field cannot be empty"],
      ['/ingest/data', '{"time":1,"data":"x","dataType":"T","logName":"","step":1}', "InvalidLogFormat (2006 - Validation Error): 'logName' field cannot be empty"],
    ];
    for (const [path, line, inner] of cases) {
      const a = await post(path, line, ingestHeaders());
      expect(a.status, line).toBe(422);
      expect(innerMessage(a), line).toBe(prefix(path.slice(8), inner));
    }
  });

  it('empty body and blank lines: 200 "0 records"', async () => {
    expect((await post('/ingest/logs', '', ingestHeaders())).text).toBe('Stream processed successfully: 0 records');
    expect((await post('/ingest/logs', '\n \r\n\t\n', ingestHeaders())).text).toBe('Stream processed successfully: 0 records');
  });

  it('an mlpi_ key works and its rows carry its organization as tenant', async () => {
    const a = await post('/ingest/metrics', metricLine(1, { tenant: 1 }), ingestHeaders('77', 'tenant-p', INSECURE));
    expect(a.status).toBe(200);
    await server.flush();
    expect(server.runs('tenant-p')).toEqual([{ tenantId: 'org-other', projectName: 'tenant-p', runId: 77, tables: { mlop_metrics: { rows: 1, distinct: 1 } } }]);
  });
});

describe('stream processing (§1.3)', () => {
  it('the first bad line aborts; rows of the lines before it stay stored', async () => {
    const body = [metricLine(1, { a: 1, b: 2 }), metricLine(2, { a: 3 }), '{"broken', metricLine(4, { a: 4 })].join('\n');
    const a = await post('/ingest/metrics', body, ingestHeaders('21', 'partial'));
    expect(a.status).toBe(422);
    await server.flush();
    const rows = server.rows(21, 'mlop_metrics', 'partial') as MetricRow[];
    expect(rows.map((r) => [r.logName, r.step, r.value])).toEqual([['a', 1, 1], ['b', 1, 2], ['a', 2, 3]]);
  });

  it('rows carry the §4.1 columns: logGroup before the last "/", time in ms, logs step 0', async () => {
    await post('/ingest/metrics', JSON.stringify({ time: 1234, step: 5, data: { 'train/sub/loss': 0.25, plain: 1 } }), ingestHeaders('31', 'cols'));
    await post('/ingest/logs', '  {"time":99,"message":"hello","lineNumber":3,"logType":"INFO"}\r\n', ingestHeaders('31', 'cols'));
    await post('/ingest/data', '{"time":5,"data":"{\\"a\\":1}","dataType":"HISTOGRAM","logName":"grad/l1","step":2}', ingestHeaders('31', 'cols'));
    await server.flush();
    expect(server.rows(31, 'mlop_metrics', 'cols')).toEqual([
      { tenantId: 'org-loadtest', projectName: 'cols', runId: 31, logGroup: 'train/sub', logName: 'train/sub/loss', time: 1234, step: 5, value: 0.25 },
      { tenantId: 'org-loadtest', projectName: 'cols', runId: 31, logGroup: '', logName: 'plain', time: 1234, step: 5, value: 1 },
    ]);
    expect(server.rows(31, 'mlop_logs', 'cols')).toEqual([
      { tenantId: 'org-loadtest', projectName: 'cols', runId: 31, logType: 'INFO', time: 99, lineNumber: 3, message: 'hello', step: 0 },
    ]);
    expect(server.rows(31, 'mlop_data', 'cols')).toEqual([
      { tenantId: 'org-loadtest', projectName: 'cols', runId: 31, logGroup: 'grad', logName: 'grad/l1', dataType: 'HISTOGRAM', time: 5, step: 2, data: '{"a":1}' },
    ]);
  });

  it('NaN/Infinity as bare tokens and as strings are stored; null values are skipped', async () => {
    const body = '{"time": 1, "step": 3, "data": {"val/nan": NaN, "val/inf": Infinity, "neg": -Infinity, "s": "NaN", "gone": null, "ok": 7}}\n';
    const a = await post('/ingest/metrics', body, ingestHeaders('41', 'nan'));
    expect(a.text).toBe('Stream processed successfully: 5 records');
    await server.flush();
    const values = Object.fromEntries((server.rows(41, 'mlop_metrics', 'nan') as MetricRow[]).map((r) => [r.logName, r.value]));
    expect(values).toEqual({ 'val/nan': NaN, 'val/inf': Infinity, neg: -Infinity, s: NaN, ok: 7 });
    const bool = await post('/ingest/metrics', '{"time":1,"step":1,"data":{"flag":true}}', ingestHeaders());
    expect(innerMessage(bool)).toContain('expected f64');
  });

  it('counts rows and distinct identities per run and table; duplicates show as rows - distinct', async () => {
    const line = metricLine(1, { a: 1, b: 2 });
    await post('/ingest/metrics', `${line}\n${line}\n`, ingestHeaders('51', 'dups'));
    await post('/ingest/logs', '{"time":1,"message":"x","lineNumber":1,"logType":"INFO"}', ingestHeaders('51', 'dups'));
    await server.flush();
    expect(server.runs('dups')).toEqual([
      { tenantId: 'org-loadtest', projectName: 'dups', runId: 51, tables: { mlop_metrics: { rows: 4, distinct: 2 }, mlop_logs: { rows: 1, distinct: 1 } } },
    ]);
  });

  it("the seed's locustfile_http.py request kinds (docs/protocol/load-test-suite.md §6.4) get 200 and their rows are stored", async () => {
    const runId = String(Date.now());
    const headers = ingestHeaders(runId, 'load-test-project', DEFAULT_API_KEY);
    const now = Date.now();
    const metrics = JSON.stringify({ time: now, step: 1, data: { 'train/loss': 0.9, 'train/accuracy': 0.5, 'val/loss': 1.0, 'val/accuracy': 0.4, learning_rate: 0.001 } });
    const log = JSON.stringify({ time: now, message: 'Step 1: training...', lineNumber: 1, logType: 'stdout' });
    const data = JSON.stringify({ time: now, data: JSON.stringify({ batch_loss: 0.5, batch_size: 32, gpu_util: 80 }), dataType: 'batch_metrics', logName: 'training_metrics', step: 1 });
    expect((await post('/ingest/metrics', metrics, headers)).text).toBe('Stream processed successfully: 5 records');
    expect((await post('/ingest/logs', log, headers)).status).toBe(200);
    expect((await post('/ingest/data', data, headers)).status).toBe(200);
    await server.flush();
    const [run] = server.runs('load-test-project').filter((r) => r.runId === Number(runId));
    expect(run.tables).toEqual({ mlop_metrics: { rows: 5, distinct: 5 }, mlop_logs: { rows: 1, distinct: 1 }, mlop_data: { rows: 1, distinct: 1 } });
  });

  it('counts requests by "METHOD route status" in stats', async () => {
    const stats = server.stats();
    expect(stats.requests['POST /ingest/metrics 200']).toBeGreaterThan(0);
    expect(stats.requests['POST /ingest/metrics 422']).toBeGreaterThan(0);
  });
});
