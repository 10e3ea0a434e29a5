/**
 * The scenario HTTP client on plain http: origins (src/sim/http1): framing of every response kind
 * a server may send, keep-alive reuse and the connection limit, and the failures a load test must
 * count (refused, reset mid-response, timeout, malformed). Real loopback servers, no mocks.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY, startReferenceServer } from '../../src/server/index.js';
import { PoolSet, ScenarioHttpClient, type PoolSetOptions } from '../../src/transport/http-client.js';
import type { StatsSink } from '../../src/metrics/stats-sink.js';

interface Sample {
  name: string;
  ok: boolean;
  bytes: number | undefined;
  error: string | undefined;
}

class Samples implements StatsSink {
  readonly all: Sample[] = [];
  record(method: string, route: string, _ms: number, ok: boolean, bytes?: number, error?: string): void {
    this.all.push({ name: `${method} ${route}`, ok, bytes, error });
  }
}

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function client(url: string, connections = 4, options?: PoolSetOptions, headers: Record<string, string> = {}) {
  const pools = new PoolSet(connections, options);
  cleanups.push(() => pools.close());
  const stats = new Samples();
  return { http: new ScenarioHttpClient(pools, url, headers, stats), stats };
}

/** A node:http server; counts the TCP connections it accepted. */
async function httpServer(handler: http.RequestListener, tune?: (s: http.Server) => void) {
  const server = http.createServer(handler);
  tune?.(server);
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => { server.closeAllConnections(); server.close(r); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}

/** A raw TCP server: `answer` gets each request's first line and the socket, and writes what it likes. */
async function rawServer(answer: (requestLine: string, socket: net.Socket) => void | Promise<void>) {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = '';
    socket.on('data', (d) => {
      pending += d.toString('latin1');
      let end: number;
      while ((end = pending.indexOf('\r\n\r\n')) >= 0) {
        const head = pending.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        pending = pending.slice(end + 4 + length);
        void answer(head.split('\r\n')[0]!, socket);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function writeByteByByte(socket: net.Socket, text: string): Promise<void> {
  socket.setNoDelay(true);
  for (const byte of Buffer.from(text, 'latin1')) {
    socket.write(Buffer.of(byte));
    await sleep(1);
  }
}

describe('response framing', () => {
  it('reads Content-Length and chunked bodies (with trailers) and sends the head and body it was given', async () => {
    const seen: { method?: string; url?: string; headers?: http.IncomingHttpHeaders; body?: string }[] = [];
    const s = await httpServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        if (req.url === '/cl') return res.end('hello');
        res.writeHead(200, { trailer: 'x-sum' });
        res.write('ab');
        res.write('');
        res.write('cdé');
        res.addTrailers({ 'x-sum': '5' });
        res.end();
      });
    });
    const { http: c, stats } = client(`${s.url}/`, 4, undefined, { authorization: 'Bearer k', 'content-type': 'application/x-ndjson' });
    const a = await c.post('/cl', '{"x":"é"}\n', { readBody: true });
    expect(a).toMatchObject({ status: 200, ok: true, body: 'hello' });
    const b = await c.post('/chunked', Buffer.from('abc'), { readBody: true });
    expect(b).toMatchObject({ status: 200, ok: true, body: 'abcdé' });
    const g = await c.get('/chunked?q=1');
    expect(g).toMatchObject({ status: 200, ok: true, body: '' });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/cl', body: '{"x":"é"}\n' });
    expect(seen[0]!.headers).toMatchObject({ authorization: 'Bearer k', 'content-type': 'application/x-ndjson', 'content-length': '11', host: s.url.slice(7) });
    expect(seen[2]).toMatchObject({ method: 'GET', url: '/chunked?q=1', body: '' });
    expect(seen[2]!.headers!['content-length']).toBeUndefined();
    expect(stats.all.map((x) => [x.name, x.ok, x.bytes])).toEqual([['POST /cl', true, 5], ['POST /chunked', true, 6], ['GET /chunked', true, 6]]);
    expect(s.connections()).toBe(1);
  });

  it('parses responses that arrive one byte per TCP packet', async () => {
    const s = await rawServer(async (line, socket) => {
      if (line.startsWith('GET /cl')) await writeByteByByte(socket, 'HTTP/1.1 201 Created\r\nCONTENT-length:  4 \r\nX-A: b\r\n\r\nbody');
      else await writeByteByByte(socket, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n');
    });
    const { http: c } = client(s.url);
    expect(await c.get('/cl', { readBody: true })).toMatchObject({ status: 201, ok: true, body: 'body' });
    expect(await c.get('/chunked', { readBody: true })).toMatchObject({ status: 200, ok: true, body: 'abc0123456789' });
    expect(await c.get('/cl', { readBody: true })).toMatchObject({ status: 201, body: 'body' });
    expect(s.connections()).toBe(1);
  });

  it('skips 1xx interim responses; 204, 304 and HEAD answers have no body', async () => {
    const s = await rawServer((line, socket) => {
      if (line.startsWith('GET /interim')) socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok');
      else if (line.startsWith('GET /204')) socket.write('HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n');
      else if (line.startsWith('GET /304')) socket.write('HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n');
      else if (line.startsWith('HEAD')) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n');
      else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext');
    });
    const { http: c } = client(s.url, 1);
    expect(await c.get('/interim', { readBody: true })).toMatchObject({ status: 202, ok: true, body: 'ok' });
    expect(await c.get('/204', { okStatuses: new Set([204]) })).toMatchObject({ status: 204, ok: true });
    expect(await c.get('/304', { okStatuses: new Set([304]) })).toMatchObject({ status: 304, ok: true });
    expect(await c.request('HEAD', '/', undefined, { readBody: true })).toMatchObject({ status: 200, ok: true, body: '' });
    // Had any of those been read with a body, this answer would be misparsed.
    expect(await c.get('/after', { readBody: true })).toMatchObject({ status: 200, body: 'next' });
    expect(s.connections()).toBe(1);
  });

  it('reads an HTTP/1.0 body until the server closes, then opens a new connection', async () => {
    const s = await rawServer((_line, socket) => {
      socket.write('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\npart one, ');
      setTimeout(() => socket.end('part two'), 20);
    });
    const { http: c } = client(s.url, 1);
    expect(await c.get('/a', { readBody: true })).toMatchObject({ status: 200, ok: true, body: 'part one, part two' });
    expect(await c.get('/b', { readBody: true })).toMatchObject({ status: 200, ok: true, body: 'part one, part two' });
    expect(s.connections()).toBe(2);
  });

  it('keeps an HTTP/1.0 "Connection: Keep-Alive" socket; drops one after "Connection: Close" in any case', async () => {
    const s = await rawServer((line, socket) => {
      if (line.startsWith('GET /ten')) socket.write('HTTP/1.0 200 OK\r\nConnection:  Keep-Alive \r\nContent-Length: 2\r\n\r\nok');
      else socket.write('HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 2\r\n\r\nok');
    });
    const { http: c } = client(s.url, 1);
    expect((await c.get('/ten')).ok).toBe(true);
    expect((await c.get('/ten')).ok).toBe(true);
    expect(s.connections()).toBe(1);
    expect((await c.get('/close')).ok).toBe(true);
    expect((await c.get('/ten')).ok).toBe(true);
    expect(s.connections()).toBe(2);
  });

  it('a malformed response fails that request and the next one gets a fresh connection', async () => {
    let n = 0;
    const s = await rawServer((_line, socket) => {
      socket.write(n++ === 0 ? 'HTP/1.1 200 OK\r\n\r\n' : 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const { http: c, stats } = client(s.url, 1);
    const bad = await c.get('/x');
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/^malformed response/);
    expect(await c.get('/x', { readBody: true })).toMatchObject({ ok: true, body: 'ok' });
    expect(s.connections()).toBe(2);
    expect(stats.all[0]).toMatchObject({ ok: false, error: bad.error });
  });
});

describe('connections', () => {
  it('reuses one keep-alive connection for sequential requests', async () => {
    const s = await httpServer((_req, res) => res.end('{}'));
    const { http: c } = client(s.url, 8);
    for (let i = 0; i < 20; i++) expect((await c.post('/ingest/metrics', '{"a":1}\n')).ok).toBe(true);
    expect(s.connections()).toBe(1);
  });

  it('opens at most `connections` sockets and queues the rest in order', async () => {
    let inFlight = 0;
    let most = 0;
    const order: string[] = [];
    const s = await httpServer((req, res) => {
      order.push(req.url!);
      most = Math.max(most, ++inFlight);
      setTimeout(() => {
        inFlight--;
        res.end('ok');
      }, 30);
    });
    const { http: c } = client(s.url, 2);
    const results = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => c.get(`/q/${i}`)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(s.connections()).toBe(2);
    expect(most).toBe(2);
    expect(order.slice(0, 2).sort()).toEqual(['/q/0', '/q/1']);
    expect(order.slice(4).sort()).toEqual(['/q/4', '/q/5']);
  });

  it('preconnect opens the connections ahead (never above the limit) and the first requests use them', async () => {
    const s = await httpServer((_req, res) => res.end('ok'));
    const pools = new PoolSet(3);
    cleanups.push(() => pools.close());
    await pools.preconnect(s.url, 5);
    // The server's accept callback may run a moment after the client saw the connect.
    for (let i = 0; i < 100 && s.connections() < 3; i++) await new Promise((r) => setTimeout(r, 5));
    expect(s.connections()).toBe(3);
    const c = new ScenarioHttpClient(pools, s.url, {}, new Samples());
    const results = await Promise.all([0, 1, 2].map((i) => c.get(`/q/${i}`)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(s.connections()).toBe(3);
  });

  it('preconnect to a closed port returns, and requests then fail as refused', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const pools = new PoolSet(2);
    cleanups.push(() => pools.close());
    await pools.preconnect(`http://127.0.0.1:${port}`, 2);
    const r = await new ScenarioHttpClient(pools, `http://127.0.0.1:${port}`, {}, new Samples()).get('/');
    expect(r.ok).toBe(false);
    expect(r.error).toBe('connection refused');
  });

  it('a server closing an idle socket is transparent: the next request reconnects', async () => {
    const s = await rawServer((_line, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      setTimeout(() => socket.end(), 20);
    });
    const { http: c } = client(s.url, 1);
    expect((await c.get('/')).ok).toBe(true);
    await sleep(100);
    expect((await c.get('/')).ok).toBe(true);
    expect(s.connections()).toBe(2);
  });

  it("stops reusing a socket 2 s before the server's Keep-Alive timeout would close it", async () => {
    // Node answers `Keep-Alive: timeout=2` here: 2 s less the margin leaves no time to reuse it.
    const s = await httpServer((_req, res) => res.end('ok'), (srv) => (srv.keepAliveTimeout = 2_000));
    const { http: c } = client(s.url, 1);
    expect((await c.get('/')).ok).toBe(true);
    expect((await c.get('/')).ok).toBe(true);
    expect(s.connections()).toBe(2);
  });

  it('Connection: close answers are read in full and the next request uses a new socket', async () => {
    const s = await httpServer((_req, res) => {
      res.setHeader('connection', 'close');
      res.end('bye');
    });
    const { http: c } = client(s.url, 1);
    for (let i = 0; i < 3; i++) expect(await c.get('/', { readBody: true })).toMatchObject({ ok: true, body: 'bye' });
    expect(s.connections()).toBe(3);
  });
});

describe('failures a load test counts', () => {
  it('a reset mid-response fails that request only (no retry); the next one succeeds', async () => {
    let requests = 0;
    const s = await rawServer((line, socket) => {
      requests++;
      if (line.startsWith('GET /cut')) {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b');
        setTimeout(() => socket.resetAndDestroy(), 20);
      } else if (line.startsWith('GET /end')) {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b');
        setTimeout(() => socket.end(), 20);
      } else socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const { http: c, stats } = client(s.url, 1);
    expect(await c.get('/cut')).toMatchObject({ ok: false, error: 'connection reset' });
    expect(await c.get('/end')).toMatchObject({ ok: false, error: 'connection reset' });
    expect(await c.get('/fine')).toMatchObject({ ok: true, status: 200 });
    expect(requests).toBe(3);
    expect(stats.all.map((x) => x.error)).toEqual(['connection reset', 'connection reset', undefined]);
  });

  it('a refused connection is `connection refused`', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const { http: c, stats } = client(`http://127.0.0.1:${port}`);
    expect(await c.post('/ingest/metrics', 'x\n')).toMatchObject({ ok: false, status: 0, error: 'connection refused' });
    expect(stats.all).toEqual([{ name: 'POST /ingest/metrics', ok: false, bytes: 0, error: 'connection refused' }]);
  });

  it('a request without an answer times out; close() fails the queued ones', async () => {
    const s = await rawServer(() => undefined);
    const { http: c } = client(s.url, 1, { requestTimeoutMs: 150 });
    const first = c.get('/silent');
    const second = c.get('/queued');
    const a = await first;
    expect(a).toMatchObject({ ok: false, error: 'timed out' });
    expect(a.durationMs).toBeGreaterThanOrEqual(150);
    const pools = new PoolSet(1);
    const c2 = new ScenarioHttpClient(pools, s.url, {}, new Samples());
    const inFlight = c2.get('/never');
    const queued = c2.get('/never-sent');
    await sleep(20);
    await pools.close();
    expect((await inFlight).ok).toBe(false);
    expect(await queued).toMatchObject({ ok: false, error: 'client closed' });
    expect((await second).error).toBe('timed out');
  });

  it('a header value with a line break fails the request before anything is sent', async () => {
    const s = await httpServer((_req, res) => res.end());
    const { http: c } = client(s.url);
    const r = await c.get('/', { headers: { 'x-bad': 'a\r\nx-injected: 1' } });
    expect(r).toMatchObject({ ok: false, error: 'invalid x-bad header' });
    expect(s.connections()).toBe(0);
  });
});

describe('against the reference server', () => {
  it('posts NDJSON with a valid key (200) and records a rejected key with its error code', async () => {
    const server = await startReferenceServer();
    cleanups.push(() => server.stop());
    const headers = { authorization: `Bearer ${DEFAULT_API_KEY}`, 'x-run-id': '7', 'x-project-name': 'p', 'content-type': 'application/x-ndjson' };
    const { http: c, stats } = client(server.url, 2, undefined, headers);
    const line = `{"time":${Date.now()},"step":1,"data":{"loss":0.5}}\n`;
    const okRuns = await Promise.all([1, 2, 3, 4].map(() => c.post('/ingest/metrics', line)));
    expect(okRuns.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const bad = await c.post('/ingest/metrics', line, { headers: { authorization: 'Bearer mlps_wrong_key_000000000000000000' } });
    expect(bad.ok).toBe(false);
    expect(bad.body).toContain('PROCESSING_FAILED');
    expect(stats.all.at(-1)!.error).toMatch(/^HTTP 4\d\d PROCESSING_FAILED$/);
  });
});
