/**
 * Start-up problems a user can cause (a bad or busy port) are one sentence as a ServerStartError,
 * never a RangeError with a stack; `POST /_sim/flush` answers within a bounded time, saying when
 * the flush is stuck; the row faults (dropRate, duplicateRate) lose or double rows exactly as counted.
 */
import { describe, expect, it } from 'vitest';
import { parsePort, ServerStartError, startReferenceServer, startReferenceServerInWorker } from '../../src/server/index.js';
import { ingestHeaders, metricLine, send, serversStoppedAfterEach } from './client.js';

const start = serversStoppedAfterEach();
const lines = (from: number, n: number): string => Array.from({ length: n }, (_, i) => metricLine(from + i)).join('\n');

describe('the port', () => {
  it.each([['0', 0], ['3003', 3003], [' 8080 ', 8080], [65535, 65535], [0, 0]])('accepts %j', (given, port) => {
    expect(parsePort(given)).toBe(port);
  });

  it.each(['abc', '70000', '-1', '1.5', '', '0x10', '1e3', 65536, -1, 3.5, NaN])('refuses %j in one sentence that quotes it', (given) => {
    let err: unknown;
    try {
      parsePort(given);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ServerStartError);
    const message = (err as Error).message;
    expect(message).toMatch(/^The port must be a whole number from 0 to 65535 \(0 = any free port\); got .+\.$/);
    expect(message).toContain(typeof given === 'string' ? JSON.stringify(given) : String(given));
  });

  it('startReferenceServer refuses port 70000 with the same sentence, not a RangeError', async () => {
    const err = await startReferenceServer({ port: 70000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerStartError);
    expect((err as ServerStartError).problem).toBe('invalid-port');
  });

  it('a busy port is a ServerStartError (in process and in a worker)', async () => {
    const s = await start();
    const inProcess = await startReferenceServer({ port: s.port }).catch((e: unknown) => e);
    expect(inProcess).toBeInstanceOf(ServerStartError);
    expect((inProcess as ServerStartError).message).toBe(`Port ${s.port} on 127.0.0.1 is already in use.`);
    const inWorker = await startReferenceServerInWorker({ port: s.port }).catch((e: unknown) => e);
    expect(inWorker).toBeInstanceOf(ServerStartError);
    expect((inWorker as ServerStartError).problem).toBe('port-in-use');
  });

  it('an address that is not this machine is a ServerStartError', async () => {
    // With a key of its own: off loopback, a server without one is refused first (off-loopback.test.ts).
    const err = await startReferenceServer({ host: '203.0.113.7', keys: ['mlps_own_key_for_this_test_0123'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerStartError);
    expect((err as Error).message).toBe('Cannot listen on 203.0.113.7: it is not an address of this machine.');
  });
});

describe('POST /_sim/flush answers within a bounded time', () => {
  it('drains and answers 200 with the counters when the flusher works', async () => {
    const s = await start();
    await send(s.url, 'POST', '/ingest/metrics', lines(0, 3), ingestHeaders('7'));
    const a = await send(s.url, 'POST', '/_sim/flush');
    expect(a.status).toBe(200);
    expect(a.json()).toEqual({ ok: true, rowsQueued: 0, flushFailures: 0, batchesToDlq: 0, rowsToDlq: 0, rowsLost: 0, dlqBatchesPending: 0 });
    expect(s.stats().rowsStored.mlop_metrics).toBe(3);
  });

  it('a failing flusher that retries for 6 s: 503 "stuck" after waitMs, not after the retries', async () => {
    const s = await start({ faults: { flushFailing: true } }); // retries after 2 s and 4 s (the real ingest's)
    await send(s.url, 'POST', '/ingest/metrics', lines(0, 2), ingestHeaders('7'));
    const t0 = performance.now();
    const a = await send(s.url, 'POST', '/_sim/flush?waitMs=800');
    const took = performance.now() - t0;
    expect(a.status).toBe(503);
    expect(took).toBeLessThan(3000);
    const body = a.json<{ ok: boolean; error: string; rowsQueued: number; flushFailures: number }>();
    expect(body.ok).toBe(false);
    expect(body.error).toMatch(/^the flush did not finish within 800 ms: inserts are failing and being retried \(1 failed so far\)$/);
    expect(body.rowsQueued).toBe(2);
  });

  it('the default wait is 5 s (inside the simulator\'s 10 s control timeout)', async () => {
    const s = await start({ faults: { flushStallMs: 20_000 } });
    await send(s.url, 'POST', '/ingest/metrics', lines(0, 1), ingestHeaders('7'));
    const t0 = performance.now();
    const a = await send(s.url, 'POST', '/_sim/flush');
    const took = performance.now() - t0;
    expect(a.status).toBe(503);
    expect(a.json<{ error: string }>().error).toBe('the flush did not finish within 5000 ms: each insert is stalled for 20000 ms');
    expect(took).toBeGreaterThanOrEqual(4900);
    expect(took).toBeLessThan(8000);
  }, 15_000);

  it('a failing flusher whose retries end in time: 200, and the counters say the rows went to the DLQ', async () => {
    const s = await start({ flushRetryDelaysMs: [10, 10], faults: { flushFailing: true } });
    await send(s.url, 'POST', '/ingest/metrics', lines(0, 4), ingestHeaders('7'));
    const a = await send(s.url, 'POST', '/_sim/flush');
    expect(a.status).toBe(200);
    expect(a.json()).toMatchObject({ ok: true, rowsQueued: 0, flushFailures: 3, batchesToDlq: 1, rowsToDlq: 4, dlqBatchesPending: 1 });
    expect(s.stats().rowsStored.mlop_metrics).toBe(0);
  });

  it.each(['abc', '-5'])('waitMs=%s is a 400 with one sentence', async (w) => {
    const s = await start();
    const a = await send(s.url, 'POST', `/_sim/flush?waitMs=${w}`);
    expect([a.status, a.json()]).toEqual([400, { error: 'waitMs must be a non-negative number of milliseconds' }]);
  });
});

describe('row faults', () => {
  it('dropRate 1: every row is acked and none is stored; the count says so', async () => {
    const s = await start({ faults: { dropRate: 1 } });
    const a = await send(s.url, 'POST', '/ingest/metrics', lines(0, 10), ingestHeaders('7'));
    expect([a.status, a.text]).toEqual([200, 'Stream processed successfully: 10 records']);
    await s.flush();
    expect(s.stats()).toMatchObject({ rowsStored: { mlop_metrics: 0 }, faultRowsDropped: 10 });
  });

  it('dropRate 0.3 with a seed: stored + dropped = acked, and some of each', async () => {
    const s = await start({ faults: { dropRate: 0.3, seed: 5 } });
    for (let i = 0; i < 10; i++) await send(s.url, 'POST', '/ingest/metrics', lines(i * 20, 20), ingestHeaders('7'));
    await s.flush();
    const st = s.stats();
    expect(st.rowsStored.mlop_metrics + st.faultRowsDropped).toBe(200);
    expect(st.faultRowsDropped).toBeGreaterThan(20);
    expect(st.faultRowsDropped).toBeLessThan(100);
    expect(s.runs('p')[0].tables.mlop_metrics).toEqual({ rows: st.rowsStored.mlop_metrics, distinct: st.rowsStored.mlop_metrics });
  });

  it('duplicateRate 1: each batch is stored twice; rows − distinct = the duplicated count', async () => {
    const s = await start({ faults: { duplicateRate: 1 } });
    await send(s.url, 'POST', '/ingest/metrics', lines(0, 6), ingestHeaders('7'));
    await s.flush();
    expect(s.stats().faultRowsDuplicated).toBe(6);
    expect(s.runs('p')[0].tables.mlop_metrics).toEqual({ rows: 12, distinct: 6 });
  });

  it('both are validated like the other fractions', async () => {
    const s = await start();
    const bad = await send(s.url, 'POST', '/_sim/faults', JSON.stringify({ dropRate: 1.5 }));
    expect([bad.status, bad.json()]).toEqual([400, { error: 'dropRate must be a number between 0 and 1' }]);
    const ok = await send(s.url, 'POST', '/_sim/faults', JSON.stringify({ duplicateRate: 0.5, dropRate: 0.1 }));
    expect(ok.json()).toEqual({ dropRate: 0.1, duplicateRate: 0.5 });
  });
});
