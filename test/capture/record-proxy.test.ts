/**
 * The recording proxy in process, against a small upstream on loopback: requests pass unchanged
 * (chunked and large bodies, keep-alive), the trace holds every exchange with the key redacted
 * everywhere, a slow trace disk drops lines and counts them instead of holding the job.
 */
import http from 'node:http';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrace, startRecording } from '../../src/capture/index.js';
import { warmUp } from '../../src/capture/record-warmup.js';
import { FLUSH_MS } from '../../src/capture/trace-writer.js';
import { SimTargetError } from '../../src/core/errors.js';

const KEY = 'mlps_proxy_test_secret_abcdef123456';
const dir = mkdtempSync(join(tmpdir(), 'record-proxy-'));
let upstream: http.Server;
let upstreamUrl: string;
const seen: { method: string; url: string; host: string; length: number; sha: string; chunked: boolean }[] = [];

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const { createHash } = await import('node:crypto');
      seen.push({ method: req.method!, url: req.url!, host: req.headers.host!, length: body.length, sha: createHash('sha256').update(body).digest('hex'), chunked: req.headers['transfer-encoding'] === 'chunked' });
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ got: body.length }));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

function send(url: string, o: { method?: string; path: string; body?: Buffer | string; chunked?: boolean; agent?: http.Agent }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(o.path, url);
    const headers: Record<string, string | number> = { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-ndjson' };
    if (o.body !== undefined && !o.chunked) headers['content-length'] = Buffer.byteLength(o.body);
    const req = http.request(u, { method: o.method ?? 'POST', headers, agent: o.agent }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    if (o.chunked && o.body !== undefined) {
      const b = Buffer.from(o.body);
      req.write(b.subarray(0, 10));
      req.write(b.subarray(10));
      req.end();
    } else req.end(o.body);
  });
}

describe('mlop-sim record, in process', () => {
  it('forwards bodies unchanged (chunked, 20 MB, keep-alive) and traces every exchange, the key nowhere', async () => {
    const out = join(dir, 'a.jsonl');
    const proxy = await startRecording({ upstream: upstreamUrl, port: 0, out });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    seen.length = 0;
    const small = `{"time": 1, "step": 1, "data": {"k": "${KEY}"}}\n`;
    expect((await send(proxy.url, { path: `/ingest/metrics?token=${KEY}`, body: small, agent })).status).toBe(200);
    expect(await send(proxy.url, { path: '/ingest/logs', body: 'line one\nline two\n', chunked: true, agent })).toEqual({ status: 200, text: '{"got":18}' });
    const big = Buffer.alloc(20 * 1024 * 1024, 7);
    expect(await send(proxy.url, { method: 'PUT', path: '/_sim/storage/x.bin', body: big, agent })).toEqual({ status: 200, text: `{"got":${big.length}}` });
    expect((await send(proxy.url, { path: '/missing', body: '', agent })).status).toBe(404);
    agent.destroy();
    const summary = await proxy.stop();
    expect(summary).toEqual({ exchanges: 4, dropped: 0, droppedBytes: 0 });

    const { createHash } = await import('node:crypto');
    expect(seen.map((s) => s.length)).toEqual([Buffer.byteLength(small), 18, big.length, 0]);
    expect(seen[2].sha).toBe(createHash('sha256').update(big).digest('hex'));
    expect(seen[1].chunked).toBe(true);
    expect(new Set(seen.map((s) => s.host))).toEqual(new Set([new URL(upstreamUrl).host]));

    const text = readFileSync(out, 'utf8');
    expect(text.includes(KEY)).toBe(false);
    const trace = parseTrace(text);
    expect(trace.exchanges.map((e) => [e.method, e.route, e.status])).toEqual([
      ['POST', '/ingest/metrics?token=[redacted]', 200], ['POST', '/ingest/logs', 200], ['PUT', '/_sim/storage/x.bin', 200], ['POST', '/missing', 404],
    ]);
    expect(trace.exchanges.map((e) => e.seq)).toEqual([1, 2, 3, 4]); // the start-up warm-up is neither numbered nor traced
    expect(trace.exchanges[0].body).toContain('"k": "[redacted]"');
    expect(trace.exchanges[0].headers).toContainEqual(['authorization', '[redacted]']);
    expect(trace.exchanges[1].body).toBe('line one\nline two\n');
    expect(trace.exchanges[2]).toMatchObject({ body: null, bodyBytes: big.length, bodyType: 'application/x-ndjson' });
    expect(trace.exchanges.every((e) => e.latencyMs >= 0 && e.responseBytes > 0)).toBe(true);
  });

  it('drops and counts trace lines it cannot queue (here: a bound smaller than a line), never holding the requests', async () => {
    const out = join(dir, 'b.jsonl');
    const proxy = await startRecording({ upstream: upstreamUrl, port: 0, out, maxQueuedBytes: 300 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const results = await Promise.all(Array.from({ length: 40 }, () => send(proxy.url, { path: '/ingest/metrics', body: 'x'.repeat(200), agent })));
    agent.destroy();
    expect(results.every((r) => r.status === 200)).toBe(true);
    const s = await proxy.stop();
    expect(s.exchanges).toBe(40);
    expect(s.dropped).toBeGreaterThan(0);
    const trace = parseTrace(readFileSync(out, 'utf8'));
    expect(trace.exchanges.length + trace.footer.dropped).toBe(40);
    expect(trace.footer.dropped).toBe(s.dropped);
  });

  it('the trace reaches the disk while recording, within a flush interval, not only at stop', async () => {
    const out = join(dir, 'd.jsonl');
    const proxy = await startRecording({ upstream: upstreamUrl, port: 0, out, warmUp: false });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await send(proxy.url, { path: '/ingest/metrics', body: '{"step": 1}\n', agent })).status).toBe(200);
    await new Promise((r) => setTimeout(r, FLUSH_MS * 10));
    const live = readFileSync(out, 'utf8').split('\n').filter(Boolean);
    expect(live).toHaveLength(2);
    expect(JSON.parse(live[1])).toMatchObject({ seq: 1, route: '/ingest/metrics', status: 200 });
    agent.destroy();
    await proxy.stop();
    expect(parseTrace(readFileSync(out, 'utf8')).exchanges).toHaveLength(1);
  });

  it('a keep-alive job\'s requests reuse one upstream connection (no connect per request)', async () => {
    const proxy = await startRecording({ upstream: upstreamUrl, port: 0, out: join(dir, 'e.jsonl'), warmUp: false });
    let connections = 0; // counted after the start-up reachability check's own connect
    const count = () => void connections++;
    upstream.on('connection', count);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 50; i++) expect((await send(proxy.url, { path: '/ingest/metrics', body: '{"step": 1}\n', agent })).status).toBe(200);
    agent.destroy();
    await proxy.stop();
    upstream.off('connection', count);
    expect(connections).toBe(1);
  });

  it('the warm-up sends its requests through the forwarding path to a throwaway upstream, bounded in count', async () => {
    const before = seen.length;
    expect(await warmUp(8 * 1024 * 1024, 60, 5000)).toBe(60);
    expect(seen.length).toBe(before); // never the real upstream
  });

  it('an upstream that is down is a target error (exit 3)', async () => {
    await expect(startRecording({ upstream: 'http://127.0.0.1:9', port: 0, out: join(dir, 'c.jsonl') })).rejects.toBeInstanceOf(SimTargetError);
  });
});
