/**
 * TargetControl against real servers on 127.0.0.1: the start-up checks that decide exit 3 (an
 * unreachable target, a rejected key — never echoing the key), what a server error during the
 * key check does, reference-server detection, the DLQ health read, and URL display.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { displayUrl, TargetControl } from '../../src/run/target-control.js';
import { SimTargetError } from '../../src/core/errors.js';
import { EXIT_CODES } from '../../src/core/exit-codes.js';
import { startReferenceServer, type ReferenceServer } from '../../src/server/index.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A node:http server whose answers the test sets; it records each request. */
async function fakeTarget(answer: (req: Seen, n: number) => { status: number; body?: string }): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      const a = answer(s, seen.length);
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** A port nothing listens on (a server was there a moment ago). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function targetError(p: Promise<unknown>): Promise<SimTargetError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(SimTargetError);
    expect((err as SimTargetError).exitCode).toBe(EXIT_CODES.target);
    return err as SimTargetError;
  }
  throw new Error('expected a SimTargetError');
}

const KEY = 'mlps_secret_key_0123456789';
let control: TargetControl;
let reference: ReferenceServer;
let fakes: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  reference = await startReferenceServer();
});
afterAll(async () => {
  await reference.stop();
});
afterEach(async () => {
  await control?.close();
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

async function fake(answer: Parameters<typeof fakeTarget>[0]): ReturnType<typeof fakeTarget> {
  const f = await fakeTarget(answer);
  fakes.push(f);
  return f;
}

describe('assertReachable', () => {
  it('says "cannot reach <url> (connection refused)." when nothing listens, without credentials', async () => {
    control = new TargetControl();
    const port = await closedPort();
    const err = await targetError(control.assertReachable(`http://user:hunter2@127.0.0.1:${port}/`));
    expect(err.message).toBe(`cannot reach http://127.0.0.1:${port} (connection refused).`);
  });

  it('accepts any HTTP answer, even a 404 on /health', async () => {
    control = new TargetControl();
    const f = await fake(() => ({ status: 404 }));
    await expect(control.assertReachable(f.url)).resolves.toBeUndefined();
    expect(f.seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /health']);
  });
});

describe('assertIngestKeyAccepted', () => {
  it('accepts a key the reference server knows, with an empty POST that stores nothing', async () => {
    control = new TargetControl();
    await expect(control.assertIngestKeyAccepted(reference.url, reference.key, 'keycheck')).resolves.toBeUndefined();
    await reference.flush();
    expect(reference.runs('keycheck').flatMap((r) => Object.values(r.tables)).reduce((s, t) => s + (t?.rows ?? 0), 0)).toBe(0);
  });

  it('sends the key as a Bearer token with run id 0 and the project, to POST /ingest/metrics', async () => {
    control = new TargetControl();
    const f = await fake(() => ({ status: 200, body: 'Stream processed successfully: 0 records' }));
    await control.assertIngestKeyAccepted(f.url, KEY, 'proj');
    expect(f.seen).toHaveLength(1);
    expect(f.seen[0]).toMatchObject({ method: 'POST', url: '/ingest/metrics', body: '' });
    expect(f.seen[0].headers).toMatchObject({ authorization: `Bearer ${KEY}`, 'x-run-id': '0', 'x-project-name': 'proj', 'content-type': 'application/x-ndjson' });
  });

  it("rejects a key the reference server does not know with the server's reason, never the key", async () => {
    control = new TargetControl();
    const err = await targetError(control.assertIngestKeyAccepted(reference.url, KEY, 'p'));
    expect(err.message).toBe(`${reference.url} rejected the API key (Invalid API key).`);
    expect(err.message).not.toContain(KEY);
  });

  it.each([401, 403, 422])('treats %s as a rejected key and scrubs the key from the message', async (status) => {
    control = new TargetControl();
    const f = await fake(() => ({ status, body: JSON.stringify({ error: `key ${KEY} is not allowed here` }) }));
    const err = await targetError(control.assertIngestKeyAccepted(f.url, KEY, 'p'));
    expect(err.message).toBe(`${f.url} rejected the API key (key *** is not allowed here).`);
  });

  it('names the status when the rejection has no JSON message', async () => {
    control = new TargetControl();
    const f = await fake(() => ({ status: 401, body: 'nope' }));
    const err = await targetError(control.assertIngestKeyAccepted(f.url, KEY, 'p'));
    expect(err.message).toBe(`${f.url} rejected the API key (HTTP 401).`);
  });

  it('asks again after a server error and judges the answer that follows', async () => {
    control = new TargetControl();
    const ok = await fake((_s, n) => ({ status: n <= 2 ? 503 : 200 }));
    await control.assertIngestKeyAccepted(ok.url, KEY, 'p');
    expect(ok.seen).toHaveLength(3);
    const rejected = await fake((_s, n) => ({ status: n === 1 ? 429 : 422, body: '{"message":"Invalid API key"}' }));
    await targetError(control.assertIngestKeyAccepted(rejected.url, KEY, 'p'));
    expect(rejected.seen).toHaveLength(2);
  });

  it('lets the load start after 5 server errors in a row (the stats will show them)', async () => {
    control = new TargetControl();
    const f = await fake(() => ({ status: 500 }));
    await expect(control.assertIngestKeyAccepted(f.url, KEY, 'p')).resolves.toBeUndefined();
    expect(f.seen).toHaveLength(5);
  });

  it.each([404, 400, 301])('says a target answering %s does not look like an mlop ingest service', async (status) => {
    control = new TargetControl();
    const f = await fake(() => ({ status }));
    const err = await targetError(control.assertIngestKeyAccepted(f.url, KEY, 'p'));
    expect(err.message).toBe(`${f.url} does not look like an mlop ingest service (POST /ingest/metrics answered ${status}).`);
  });

  it('says "cannot reach" when the key check finds nothing listening', async () => {
    control = new TargetControl();
    const port = await closedPort();
    const err = await targetError(control.assertIngestKeyAccepted(`http://127.0.0.1:${port}`, KEY, 'p'));
    expect(err.message).toBe(`cannot reach http://127.0.0.1:${port} (connection refused).`);
  });
});

describe('isReferenceServer', () => {
  it('is true for the reference server only', async () => {
    control = new TargetControl();
    expect(await control.isReferenceServer(reference.url)).toBe(true);
    const other = await fake(() => ({ status: 200, body: '{"server":"something-else"}' }));
    expect(await control.isReferenceServer(other.url)).toBe(false);
    const missing = await fake(() => ({ status: 404 }));
    expect(await control.isReferenceServer(missing.url)).toBe(false);
    const junk = await fake(() => ({ status: 200, body: '<html>' }));
    expect(await control.isReferenceServer(junk.url)).toBe(false);
    expect(await control.isReferenceServer(`http://127.0.0.1:${await closedPort()}`)).toBe(false);
  });
});

describe('authorize (a reference server bound off loopback)', () => {
  it('sends the key as Bearer on /_sim/* only, so such a server is detected and answers its control routes', async () => {
    const offLoopback = await startReferenceServer({ host: '0.0.0.0', port: 0, keys: [KEY] });
    try {
      control = new TargetControl();
      expect(await control.isReferenceServer(offLoopback.url)).toBe(false); // 401 without the key
      control.authorize(KEY);
      expect(await control.isReferenceServer(offLoopback.url)).toBe(true);
      expect((await control.call(offLoopback.url, 'POST', '_sim/flush')).status).toBe(200);
    } finally {
      await offLoopback.stop();
    }
    const seen = await fake(() => ({ status: 200, body: '{}' }));
    await control.call(seen.url, 'GET', '_sim/stats');
    await control.call(seen.url, 'GET', 'health');
    await control.readDlq(seen.url);
    expect(seen.seen.map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/_sim/stats', `Bearer ${KEY}`],
      ['/health', undefined],
      ['/health/dlq', undefined],
    ]);
  });
});

describe('readDlq', () => {
  it("reads the reference server's /health/dlq", async () => {
    control = new TargetControl();
    expect(await control.readDlq(reference.url)).toEqual({ batches_pending: 0, records_pending: 0, disk_usage_mb: expect.any(Number) });
  });

  it('fills missing counts with 0, and is undefined when the target has no DLQ health', async () => {
    control = new TargetControl();
    const partial = await fake(() => ({ status: 200, body: '{"batches_pending":3}' }));
    expect(await control.readDlq(partial.url)).toEqual({ batches_pending: 3, records_pending: 0, disk_usage_mb: 0 });
    const none = await fake(() => ({ status: 404 }));
    expect(await control.readDlq(none.url)).toBeUndefined();
    const wrong = await fake(() => ({ status: 200, body: '{"status":"ok"}' }));
    expect(await control.readDlq(wrong.url)).toBeUndefined();
    expect(await control.readDlq(`http://127.0.0.1:${await closedPort()}`)).toBeUndefined();
  });
});

describe('displayUrl', () => {
  it('drops credentials and the trailing slash', () => {
    expect(displayUrl('http://user:pw@127.0.0.1:3003/')).toBe('http://127.0.0.1:3003');
    expect(displayUrl('https://token@ingest.example/base/')).toBe('https://ingest.example/base');
    expect(displayUrl('http://127.0.0.1:3003')).toBe('http://127.0.0.1:3003');
  });

  it('leaves a string that is not a URL as it is', () => {
    expect(displayUrl('not a url')).toBe('not a url');
  });
});
