/**
 * Property-based fuzzing (fast-check) of what the reference server parses from untrusted clients:
 * NDJSON bodies of the ingest routes, the JSON bodies of /files and /step, the auth and run
 * headers, and whole raw HTTP/1.1 requests. Thousands of generated inputs; for each: an answer
 * with a documented status (never 500, never an "internal error" in the server's log), within a
 * bounded time, and the server still healthy afterwards. Seeds are fixed so a failure repeats.
 */
import fc from 'fast-check';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY, startReferenceServer, type ReferenceServer } from '../../src/server/index.js';
import { ingestHeaders, send } from './client.js';

let server: ReferenceServer;
const internalErrors: string[] = [];
beforeAll(async () => {
  server = await startReferenceServer({ log: (line) => void (line.startsWith('internal error') && internalErrors.push(line)) });
});
afterAll(async () => {
  await server.stop();
});

async function expectHealthy(): Promise<void> {
  const a = await send(server.url, 'GET', '/health');
  expect([a.status, a.text]).toEqual([200, 'OK']);
  expect(internalErrors).toEqual([]);
}

/** docs/server.md: every ingest error is a 422; /files and /step add axum's 400/401/413/415. */
const DOCUMENTED: Record<string, number[]> = {
  '/ingest/metrics': [200, 422],
  '/ingest/logs': [200, 422],
  '/ingest/data': [200, 422],
  '/files': [200, 400, 401, 413, 415, 422],
  '/step': [200, 400, 401, 422],
};
const ROUTES = Object.keys(DOCUMENTED);

/** A value that may appear in a field: the right type, a near miss, or anything JSON. */
const fieldValue = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 40 }),
  fc.double(),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '', 'INFO', 'ERROR', 'train/loss'),
  fc.string(),
  fc.jsonValue({ maxDepth: 3 }),
);
const FIELDS = ['time', 'step', 'data', 'message', 'lineNumber', 'logType', 'dataType', 'logName', 'files', 'fileName', 'fileType', 'fileSize', 'extra'];
/** Records shaped like the protocol's, with fields dropped, mistyped or added. */
const nearRecord = fc.dictionary(fc.constantFrom(...FIELDS), fieldValue, { maxKeys: 6 }).map((o) => JSON.stringify(o));
const metricRecord = fc
  .record({ time: fc.nat(), step: fc.nat(), data: fc.dictionary(fc.stringMatching(/^[A-Za-z][\w/.-]{0,11}$/), fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom('NaN', 'Infinity'), fc.constant(null)), { minKeys: 1, maxKeys: 5 }) })
  .filter((o) => Object.values(o.data).some((v) => v !== null)) // all-null data is "'data' field cannot be empty"
  .map((o) => JSON.stringify(o));
/** One line: a valid-looking record, a near miss, arbitrary JSON, arbitrary text, or bare tokens. */
const line = fc.oneof(
  metricRecord,
  nearRecord,
  fc.json({ maxDepth: 4 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('', '   ', '{', '}', '[]', 'null', '{"time":1,"step":2,"data":{"a":NaN}}', '{"time":1,"step":2,"data":{"a":-Infinity}}'),
);
const body = fc.tuple(fc.array(line, { maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.boolean()).map(([ls, eol, trailing]) => ls.join(eol) + (trailing ? eol : ''));

describe('NDJSON and JSON bodies', () => {
  it('2,000 generated bodies on the five data routes: a documented status, rows only on 200', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), body, async (route, text) => {
        const a = await send(server.url, 'POST', route, text, ingestHeaders(String(1 + (text.length % 7)), 'fuzz'));
        expect(DOCUMENTED[route], `${route} answered ${a.status} ${a.text.slice(0, 200)}`).toContain(a.status);
        if (route.startsWith('/ingest/') && a.status === 200) expect(a.text).toMatch(/^Stream processed successfully: \d+ records$/);
        if (route.startsWith('/ingest/') && a.status === 422) expect(JSON.parse(a.text)).toMatchObject({ code: 'PROCESSING_FAILED' });
      }),
      { numRuns: 2000, seed: 20261202 },
    );
    await expectHealthy();
  }, 120_000);

  it('1,000 bodies of valid metric records: 200 and exactly one row per non-null key', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(metricRecord, { minLength: 1, maxLength: 6 }), async (records) => {
        const rows = records.map((r) => Object.values(JSON.parse(r).data as Record<string, unknown>).filter((v) => v !== null).length).reduce((s, n) => s + n, 0);
        const a = await send(server.url, 'POST', '/ingest/metrics', records.join('\n'), ingestHeaders('3', 'fuzz-valid'));
        expect([a.status, a.text]).toEqual([200, `Stream processed successfully: ${rows} records`]);
      }),
      { numRuns: 1000, seed: 7 },
    );
    await expectHealthy();
  }, 120_000);
});

describe('auth and run headers', () => {
  const headerText = fc.oneof(
    fc.string({ maxLength: 80 }).filter((s) => /^[\t\x20-\x7e]*$/.test(s)),
    fc.constantFrom('', ' ', 'Bearer', 'Bearer ', `Bearer ${DEFAULT_API_KEY}`, `bearer ${DEFAULT_API_KEY}`, `Bearer  ${DEFAULT_API_KEY}`, `Bearer ${DEFAULT_API_KEY}x`, 'Bearer mlpi_x', 'Bearer mlps_'),
  );
  const runId = fc.oneof(fc.nat().map(String), fc.constantFrom('', '-1', '1.5', '18446744073709551616', ' 7', 'abc', '0x10'), fc.string({ maxLength: 30 }).filter((s) => /^[\x20-\x7e]*$/.test(s)));

  it('2,000 generated Authorization / X-Run-Id / X-Project-Name combinations: a documented status', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), fc.option(headerText), fc.option(runId), fc.option(headerText), async (route, auth, run, project) => {
        const headers: Record<string, string> = { 'content-type': route.startsWith('/ingest') ? 'application/x-ndjson' : 'application/json' };
        if (auth !== null) headers.authorization = auth;
        if (run !== null) headers['x-run-id'] = run;
        if (project !== null) headers['x-project-name'] = project;
        const payload = route.startsWith('/ingest') ? '{"time":1,"step":1,"data":{"a":1}}' : route === '/step' ? '{}' : '{"files":[]}';
        const a = await send(server.url, 'POST', route, payload, headers);
        expect(DOCUMENTED[route], `${route} answered ${a.status} ${a.text.slice(0, 200)}`).toContain(a.status);
      }),
      { numRuns: 2000, seed: 11 },
    );
    await expectHealthy();
  }, 120_000);
});

/** Sends bytes on a fresh socket; resolves with what came back once the server closes or answers completely, or after `ms`. */
function exchange(bytes: Buffer, ms: number): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(server.port, '127.0.0.1');
    const parts: Buffer[] = [];
    let settled = false;
    const done = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(parts).toString('latin1'), closed });
    };
    const timer = setTimeout(() => done(false), ms);
    socket.on('data', (d) => {
      parts.push(d);
      const text = Buffer.concat(parts).toString('latin1');
      const headEnd = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(text);
      if (headEnd >= 0 && length && text.length >= headEnd + 4 + Number(length[1])) done(true);
    });
    socket.on('end', () => done(true));
    socket.on('close', () => done(true));
    socket.on('error', () => done(true));
    socket.on('connect', () => socket.end(bytes));
  });
}

describe('whole raw requests', () => {
  const token = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(s));
  const method = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH'), token, fc.string({ maxLength: 8 }));
  const path = fc.oneof(fc.constantFrom(...ROUTES, '/health', '/health/dlq', '/api/runs/create', '/_sim/stats', '/_sim/flush', '/', '*'), fc.webPath(), fc.string({ maxLength: 40 }));
  const headerLine = fc.oneof(
    fc.tuple(token, fc.string({ maxLength: 60 })).map(([k, v]) => `${k}: ${v}`),
    fc.constantFrom('Transfer-Encoding: chunked', 'Transfer-Encoding: gzip', 'Content-Length: -1', 'Content-Length: 5, 6', 'Expect: 100-continue', 'Connection: close', ': novalue', 'NoColon'),
    fc.string({ maxLength: 60 }),
  );
  const request = fc
    .tuple(method, path, fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 ', ''), fc.array(headerLine, { maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.boolean())
    .map(([m, p, v, hs, b, framed]) => {
      const head = [`${m} ${p} ${v}`, 'Host: fuzz', ...hs, ...(framed ? [`Content-Length: ${Buffer.byteLength(b)}`] : [])].join('\r\n');
      return Buffer.from(`${head}\r\n\r\n${b}`, 'utf8');
    });

  it('1,500 generated requests: an HTTP/1.1 answer with a non-5xx status or a closed socket, within 2 s', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (bytes) => {
        // The client half-closes after sending, so a request that waits for more body must still end.
        const r = await exchange(bytes, 2000);
        expect(r.closed || r.data.length > 0, `no answer and no close for ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}`).toBe(true);
        if (r.data.length === 0) return;
        const m = /^HTTP\/1\.[01] (\d{3}) /.exec(r.data);
        expect(m, r.data.slice(0, 100)).not.toBeNull();
        const status = Number(m![1]);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect([100, 200, 400, 401, 404, 405, 413, 415, 422, 431, 501], `status ${status} for ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}`).toContain(status);
      }),
      { numRuns: 1500, seed: 99 },
    );
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0); // the generator reaches the parser's error paths
    expect(statuses.size).toBeGreaterThan(2);
    await expectHealthy();
  }, 180_000);
});
