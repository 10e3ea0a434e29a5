/**
 * The capacity fault (`--server-capacity R`): a FIFO server with service time 1/R. Known answers
 * from the D/D/1 queue (docs/server.md "Capacity"): below R nobody waits beyond the service time;
 * above R the backlog grows by (λ − R) a second and the n-th request waits n/R − n/λ.
 */
import { describe, expect, it } from 'vitest';
import { CapacityQueue } from '../../src/server/capacity-queue.js';
import { validateFaults } from '../../src/server/index.js';
import { ingestHeaders, metricLine, send, serversStoppedAfterEach } from './client.js';

/** Offers `rate` requests/s, evenly spaced, for `seconds` on a manual clock; returns each request's sojourn (ms). */
function offer(q: CapacityQueue, clock: { t: number }, rate: number, seconds: number): number[] {
  const sojourns: number[] = [];
  const n = Math.round(rate * seconds);
  const start = clock.t;
  for (let i = 0; i < n; i++) {
    clock.t = start + (i * 1000) / rate;
    sojourns.push(q.admit());
  }
  clock.t = start + seconds * 1000;
  return sojourns;
}

describe('CapacityQueue (D/D/1, manual clock)', () => {
  it('below capacity: every request is served in 1/R, the backlog never exceeds one', () => {
    const clock = { t: 0 };
    const q = new CapacityQueue(() => clock.t);
    q.setRate(200);
    const sojourns = offer(q, clock, 150, 10);
    expect(Math.max(...sojourns)).toBeCloseTo(5, 6); // 1/R = 5 ms
    expect(q.stats()).toMatchObject({ rps: 200, served: 1500, maxBacklog: 1, backlog: 0 });
  });

  it('above capacity: the backlog grows by λ − R a second and the wait grows linearly', () => {
    const clock = { t: 0 };
    const q = new CapacityQueue(() => clock.t);
    q.setRate(100);
    const sojourns = offer(q, clock, 150, 10);
    // After 10 s: 1,500 arrived, 1,000 completed → 500 waiting = (150 − 100) × 10.
    expect(q.stats().backlog).toBe(500);
    // Request n (from 0) completes at (n + 1)/R and arrived at n/λ.
    for (const n of [0, 299, 999, 1499]) expect(sojourns[n]).toBeCloseTo(((n + 1) / 100 - n / 150) * 1000, 6);
    // Linear growth: the wait added per second of arrivals is (λ − R)/R seconds = 0.5 s.
    expect(sojourns[1499] - sojourns[1349]).toBeCloseTo(500, 0);
  });

  it('completes at most R a second whatever the offered rate, and drains at R afterwards', () => {
    const clock = { t: 0 };
    const q = new CapacityQueue(() => clock.t);
    q.setRate(50);
    offer(q, clock, 500, 2); // 1,000 requests in 2 s
    expect(q.stats().backlog).toBe(1000 - 100);
    clock.t += 9_000; // 9 s more at 50/s = 450 completions
    expect(q.stats().backlog).toBe(900 - 450);
  });

  it('no rate: inactive; the fault validates its value', () => {
    const q = new CapacityQueue();
    expect(q.active).toBe(false);
    q.setRate(10);
    expect(q.active).toBe(true);
    q.setRate(undefined);
    expect(q.active).toBe(false);
    expect(validateFaults({ capacityRps: 300 })).toEqual({ capacityRps: 300 });
    expect(() => validateFaults({ capacityRps: 0 })).toThrow(/capacityRps/);
    expect(() => validateFaults({ capacityRps: -5 })).toThrow(/capacityRps/);
  });
});

describe('the reference server with capacityRps', () => {
  const start = serversStoppedAfterEach();

  it('answers a burst of 60 ingest requests at R = 100/s: the last after ~0.6 s, all stored', async () => {
    const s = await start({ faults: { capacityRps: 100 } });
    const t0 = performance.now();
    const done: number[] = [];
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        send(s.url, 'POST', '/ingest/metrics', metricLine(i), ingestHeaders('1')).then((r) => {
          expect(r.status).toBe(200);
          done.push(performance.now() - t0);
        }),
      ),
    );
    const last = Math.max(...done);
    expect(last).toBeGreaterThanOrEqual(590); // 60 × 10 ms of service, nothing faster
    expect(last).toBeLessThan(1500);
    const st = s.stats().capacityQueue;
    expect(st).toMatchObject({ rps: 100, served: 60, backlog: 0 });
    expect(st.maxBacklog).toBeGreaterThan(30);
    // Health routes are not queued.
    const h0 = performance.now();
    expect((await send(s.url, 'GET', '/health')).status).toBe(200);
    expect(performance.now() - h0).toBeLessThan(200);
    await s.flush();
    expect(s.stats().rowsStored.mlop_metrics).toBe(60);
  });

  it('set through the control route, and cleared by {}', async () => {
    const s = await start();
    expect((await send(s.url, 'POST', '/_sim/faults', JSON.stringify({ capacityRps: 20 }))).status).toBe(200);
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 10 }, (_, i) => send(s.url, 'POST', '/ingest/metrics', metricLine(i), ingestHeaders('1'))));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(490); // 10 / 20 per s
    s.setFaults({});
    const t1 = performance.now();
    await Promise.all(Array.from({ length: 10 }, (_, i) => send(s.url, 'POST', '/ingest/metrics', metricLine(i), ingestHeaders('1'))));
    expect(performance.now() - t1).toBeLessThan(400);
  });
});
