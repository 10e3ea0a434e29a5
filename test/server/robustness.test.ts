/**
 * Bad input never takes the server down (random bytes, invalid UTF-8, deep nesting, a huge line),
 * and the HTTP/1.1 layer does what clients rely on: keep-alive, pipelining in order, chunked
 * bodies, header limits.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY, startReferenceServer, type ReferenceServer } from '../../src/server/index.js';
import { ingestHeaders, innerMessage, metricLine, raw, send } from './client.js';

let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer();
});
afterAll(() => server.stop());

async function expectHealthy(): Promise<void> {
  const a = await send(server.url, 'GET', '/health');
  expect([a.status, a.text]).toEqual([200, 'OK']);
}

const head = (path: string, length: number, extra = '') =>
  `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${DEFAULT_API_KEY}\r\nX-Run-Id: 1\r\nX-Project-Name: raw\r\nContent-Length: ${length}\r\n${extra}\r\n`;

describe('bad input', () => {
  it('random bytes as an NDJSON body: 422, server still up', async () => {
    for (let i = 0; i < 5; i++) {
      const a = await send(server.url, 'POST', '/ingest/metrics', randomBytes(4096), ingestHeaders());
      expect(a.status).toBe(422);
    }
    await expectHealthy();
  });

  it('random bytes as a whole HTTP request: an error answer or a closed socket, server still up', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await raw(server.port, randomBytes(2048), 200);
      expect(r.data === '' || r.data.startsWith('HTTP/1.1 4')).toBe(true);
    }
    const bad = await raw(server.port, 'GARBAGE\r\n\r\n');
    expect(bad.data.startsWith('HTTP/1.1 400')).toBe(true);
    await expectHealthy();
  });

  it('invalid UTF-8 in a line: 422 decoding error', async () => {
    const body = Buffer.concat([Buffer.from('{"time":1,"message":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('","lineNumber":1,"logType":"INFO"}')]);
    const a = await send(server.url, 'POST', '/ingest/logs', body, ingestHeaders());
    expect(a.status).toBe(422);
    expect(innerMessage(a)).toContain('StreamDecodingError (3004');
    await expectHealthy();
  });

  it('10,000-deep nesting: 422, server still up', async () => {
    const deep = `{"time":1,"step":1,"data":{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`;
    expect((await send(server.url, 'POST', '/ingest/metrics', deep, ingestHeaders())).status).toBe(422);
    const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    expect((await send(server.url, 'POST', '/ingest/data', deepObject, ingestHeaders())).status).toBe(422);
    await expectHealthy();
  });

  it('a 2 MiB line: 422 naming the 1 MiB limit (documented divergence); earlier lines stay stored', async () => {
    const body = `${metricLine(1, { huge: 1 })}\n{"time":1,"step":2,"data":{"x":"${'y'.repeat(2 * 1024 * 1024)}"}}\n`;
    const a = await send(server.url, 'POST', '/ingest/metrics', body, ingestHeaders('606', 'huge'));
    expect(a.status).toBe(422);
    expect(innerMessage(a)).toBe(
      'Failed to process metrics stream: StreamDecodingError (3004 - Processing Error): Line exceeds the maximum length of 1048576 bytes',
    );
    await server.flush();
    expect(server.runs('huge')[0].tables.mlop_metrics).toEqual({ rows: 1, distinct: 1 });
    await expectHealthy();
  });

  it('a head over 64 KiB: 431 and close', async () => {
    const r = await raw(server.port, `GET /health HTTP/1.1\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`);
    expect(r.data.startsWith('HTTP/1.1 431')).toBe(true);
    await expectHealthy();
  });
});

describe('HTTP/1.1', () => {
  it('pipelined requests on one connection are answered in order', async () => {
    const one = metricLine(1, { a: 1 });
    const two = `${metricLine(2, { a: 1, b: 2 })}\n${metricLine(3, { c: 1 })}`;
    const r = await raw(server.port, `${head('/ingest/metrics', one.length)}${one}GET /health HTTP/1.1\r\nHost: x\r\n\r\n${head('/ingest/metrics', two.length)}${two}`);
    const bodies = r.data.split('HTTP/1.1 ').slice(1).map((part) => part.slice(part.indexOf('\r\n\r\n') + 4));
    expect(bodies).toEqual(['Stream processed successfully: 1 records', 'OK', 'Stream processed successfully: 3 records']);
  });

  it('a chunked body is decoded and streamed line by line', async () => {
    const lines = `${metricLine(1)}\n${metricLine(2)}\n`;
    const req =
      `POST /ingest/metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${DEFAULT_API_KEY}\r\nX-Run-Id: 1\r\nX-Project-Name: chunk\r\nTransfer-Encoding: chunked\r\n\r\n` +
      `A;ext=1\r\n${lines.slice(0, 10)}\r\n${(lines.length - 10).toString(16)}\r\n${lines.slice(10)}\r\n0\r\nX-Trailer: 1\r\n\r\n`;
    const r = await raw(server.port, req);
    expect(r.data.startsWith('HTTP/1.1 200 OK')).toBe(true);
    expect(r.data.endsWith('Stream processed successfully: 2 records')).toBe(true);
  });

  it('a body split across many small writes is reassembled', async () => {
    const line = metricLine(5, { slow: 1 });
    const bytes = Buffer.from(`${head('/ingest/metrics', line.length)}${line}`);
    const answer = await new Promise<string>((resolve, reject) => {
      import('node:net').then(({ connect }) => {
        const socket = connect(server.port, '127.0.0.1');
        let out = '';
        socket.on('data', (d) => {
          out += d.toString();
          if (out.includes('records')) {
            socket.destroy();
            resolve(out);
          }
        });
        socket.on('error', reject);
        socket.on('connect', async () => {
          for (let i = 0; i < bytes.length; i += 7) {
            socket.write(bytes.subarray(i, i + 7));
            await new Promise((r) => setImmediate(r));
          }
        });
      }, reject);
    });
    expect(answer.endsWith('Stream processed successfully: 1 records')).toBe(true);
  });

  it('Connection: close closes after the answer; HTTP/1.0 works', async () => {
    const r = await raw(server.port, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 2000);
    expect(r.data).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*connection: close\r\n\r\nOK$/);
    const old = await raw(server.port, 'GET /health HTTP/1.0\r\n\r\n', 2000);
    expect(old.data.endsWith('\r\n\r\nOK')).toBe(true);
  });

  it('Expect: 100-continue gets an interim answer', async () => {
    const line = metricLine(1);
    const r = await raw(server.port, `${head('/ingest/metrics', line.length, 'Expect: 100-continue\r\n')}${line}`);
    expect(r.data.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK')).toBe(true);
  });
});
