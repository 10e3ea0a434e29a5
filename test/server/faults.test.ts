/** Fault injection: latency, error statuses, resets, stalled and failing flushers; set by options and at runtime. */
import { describe, expect, it } from 'vitest';
import { parseLatencySpec, type ReferenceServer } from '../../src/server/index.js';
import { ingestHeaders, metricLine, postJson, send, serversStoppedAfterEach } from './client.js';

const start = serversStoppedAfterEach();
const postMetric = (s: ReferenceServer, runId = '1') => send(s.url, 'POST', '/ingest/metrics', metricLine(1), ingestHeaders(runId));

describe('request faults', () => {
  it('are off by default', async () => {
    const s = await start();
    expect(s.stats().faults).toEqual({});
    for (let i = 0; i < 20; i++) expect((await postMetric(s)).status).toBe(200);
  });

  it.each([500, 503, 429] as const)('errorRate 1 answers %i with the ingest error envelope and stores nothing', async (status) => {
    const s = await start({ faults: { errorRate: 1, errorStatus: status } });
    const a = await postMetric(s);
    expect(a.status).toBe(status);
    expect(a.json<{ code: string }>().code).toBe({ 500: 'INTERNAL_ERROR', 503: 'SERVICE_UNAVAILABLE', 429: 'RATE_LIMIT_EXCEEDED' }[status]);
    await s.flush();
    expect(s.stats().rowsStored.mlop_metrics).toBe(0);
    expect(s.stats().requests[`POST /ingest/metrics ${status}`]).toBe(1);
  });

  it('a fractional error rate with a seed picks the same requests every time', async () => {
    const outcome = async () => {
      const s = await start({ faults: { errorRate: 0.3, seed: 42 } });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push((await postMetric(s)).status);
      return statuses;
    };
    const first = await outcome();
    expect(first).toEqual(await outcome());
    const failures = first.filter((x) => x === 500).length;
    expect(failures).toBeGreaterThan(0);
    expect(failures).toBeLessThan(40);
  });

  it('resetRate 1 destroys the connection instead of answering', async () => {
    const s = await start({ faults: { resetRate: 1 } });
    await expect(postMetric(s)).rejects.toThrow();
    expect(s.stats().requests['POST /ingest/metrics 0']).toBe(1);
  });

  it('fixed latency delays the answer by at least the given time', async () => {
    const s = await start({ faults: { latency: { kind: 'fixed', ms: 150 } } });
    const t0 = performance.now();
    expect((await postMetric(s)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
  });

  it('distributions are accepted (uniform, lognormal, normal) and still answer 200', async () => {
    const s = await start();
    for (const latency of [{ kind: 'uniform', minMs: 1, maxMs: 5 }, { kind: 'lognormal', medianMs: 2, sigma: 0.5 }, { kind: 'normal', meanMs: 2, stdMs: 1 }] as const) {
      s.setFaults({ latency, seed: 1 });
      expect((await postMetric(s)).status).toBe(200);
    }
  });

  it("faults hit ingest routes only by default; latencyRoutes 'all' includes the API; health and /_sim never", async () => {
    const s = await start({ faults: { errorRate: 1, errorStatus: 503 } });
    expect((await postJson(s.url, '/api/slug', {})).status).toBe(200);
    expect((await send(s.url, 'GET', '/health')).status).toBe(200);
    expect((await send(s.url, 'GET', '/_sim/stats')).status).toBe(200);
    s.setFaults({ errorRate: 1, errorStatus: 503, latencyRoutes: 'all' });
    expect((await postJson(s.url, '/api/slug', {})).status).toBe(503);
    expect((await send(s.url, 'GET', '/health')).status).toBe(200);
    expect((await send(s.url, 'GET', '/_sim/stats')).status).toBe(200);
  });

  it('GET/POST /_sim/faults reads and replaces the faults at runtime; bad input is a 400 with one sentence', async () => {
    const s = await start();
    const set = await send(s.url, 'POST', '/_sim/faults', JSON.stringify({ errorRate: 1, errorStatus: 429 }));
    expect(set.json()).toEqual({ errorRate: 1, errorStatus: 429 });
    expect((await send(s.url, 'GET', '/_sim/faults')).json()).toEqual({ errorRate: 1, errorStatus: 429 });
    expect((await postMetric(s)).status).toBe(429);
    await send(s.url, 'POST', '/_sim/faults', '{}');
    expect((await postMetric(s)).status).toBe(200);
    const bad = await send(s.url, 'POST', '/_sim/faults', JSON.stringify({ errorRate: 2 }));
    expect([bad.status, bad.json()]).toEqual([400, { error: 'errorRate must be a number between 0 and 1' }]);
    expect((await send(s.url, 'POST', '/_sim/faults', JSON.stringify({ bogus: 1 }))).json()).toEqual({ error: 'unknown fault option "bogus"' });
  });
});

describe('flush faults', () => {
  it('a stalled flusher keeps rows queued until the slow insert finishes', async () => {
    const s = await start({ faults: { flushStallMs: 200 } });
    await postMetric(s);
    const flushing = s.flush();
    expect(s.stats().rowsQueued.mlop_metrics).toBe(1);
    expect(s.stats().rowsStored.mlop_metrics).toBe(0);
    await flushing;
    expect(s.stats().rowsStored.mlop_metrics).toBe(1);
  });

  it('a failing flusher sends batches to the DLQ; once cleared, flushes store again', async () => {
    const s = await start({ flushRetryDelaysMs: [1, 1], faults: { flushFailing: true } });
    await postMetric(s);
    await s.flush();
    expect(s.stats()).toMatchObject({ flushFailures: 3, batchesToDlq: 1 });
    s.setFaults({});
    await postMetric(s);
    await s.flush();
    expect(s.stats().rowsStored.mlop_metrics).toBe(1);
  });
});

describe('latency spellings of the command line (serve --latency, run --server-latency)', () => {
  it.each([
    ['200', { kind: 'fixed', ms: 200 }],
    ['200ms', { kind: 'fixed', ms: 200 }],
    ['0.5s', { kind: 'fixed', ms: 500 }],
    ['uniform:10:50', { kind: 'uniform', minMs: 10, maxMs: 50 }],
    ['lognormal:20:0.5', { kind: 'lognormal', medianMs: 20, sigma: 0.5 }],
    ['normal:20:5', { kind: 'normal', meanMs: 20, stdMs: 5 }],
  ])('%s', (text, spec) => {
    expect(parseLatencySpec(text)).toEqual(spec);
  });

  it.each(['gamma:1:2', 'uniform:50:10', 'lognormal:20', 'fast', '-5ms'])('rejects %j in one sentence', (text) => {
    expect(() => parseLatencySpec(text)).toThrow(/latency/);
  });
});
