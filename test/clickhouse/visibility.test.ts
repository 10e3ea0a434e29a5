/**
 * Time to visible on the real chain — SDK → reference server ingest (flusher) → Debian's
 * clickhouse-server — with the probe's cost and its own error checked against its promises.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VisibilityProbe } from '../../src/run/storage/visibility-probe.js';
import { ClickHouseSession } from '../../src/core/clickhouse/session.js';
import { startReferenceServer } from '../../src/server/index.js';
import { startDebianClickHouse, type DebianClickHouse } from './engines.js';
import { AckLedger, startRun } from './chain.js';

let ch: DebianClickHouse;
beforeAll(async () => {
  ch = await startDebianClickHouse();
});
afterAll(async () => {
  await ch?.stop();
});

describe('time-to-visible probe', () => {
  it('sees every sample, stays within its query budget, and narrows its error bound once it has learnt the flush bursts', async () => {
    const conn = { url: ch.url, username: ch.user, password: ch.password, database: 'probe' };
    const flushIntervalMs = 2000;
    const server = await startReferenceServer({ clickhouse: conn, flushIntervalMs });
    const session = await ClickHouseSession.open(conn);
    const ledger = new AckLedger();
    const seen: Array<{ ms: number; err: number }> = [];
    const probe = new VisibilityProbe(session, {
      project: 'probe-p',
      requests: () => ledger.requests,
      budgetFraction: 0.1,
      maxSamplesPerSecond: 10,
      flushIntervalMs,
      onVisible: (ms, err) => seen.push({ ms, err }),
    });
    try {
      const runs = await Promise.all(Array.from({ length: 10 }, (_, i) => startRun(server, ledger, 'probe-p', `probe-${i}`)));
      probe.start();
      const until = performance.now() + 16_000;
      for (let step = 1; performance.now() < until; step++) {
        for (const r of runs) {
          const loggedAt = performance.now();
          r.log({ 'train/loss': step }, step);
          probe.offer({ runId: r.id, step, logName: 'train/loss', loggedAt });
        }
        await new Promise((res) => setTimeout(res, 50));
      }
      await Promise.all(runs.map((r) => r.finish()));
      const summary = await probe.drain(10_000);

      const late = seen.slice(seen.length >> 1).map((s) => s.err).sort((a, b) => a - b);
      const lateP50Err = late[late.length >> 1];
      expect(summary.sampled).toBeGreaterThan(80);
      expect(summary.unseen).toBe(0);
      expect(summary.seen).toBe(summary.sampled);
      expect(summary.failedQueries).toBe(0);
      // Cost: never above the budget share of the run's requests.
      expect(summary.queries).toBeLessThanOrEqual(Math.floor(0.1 * ledger.requests));
      // Plausible: nothing is visible before a flush can have happened, nothing waits much longer than
      // the SDK's sync (0.2 s) + two flush intervals (the flusher's 1 s ticker can stretch one).
      expect(Math.max(...seen.map((s) => s.ms))).toBeLessThan(0.2 * 1000 + 2 * flushIntervalMs + 500);
      expect(summary.p50Ms).toBeGreaterThan(100);
      // Accuracy once the bursts are learnt: the later half of the samples. The target is 5 % of
      // the p50 (the bench records it at the default load); the bound here is 10 %, because on a
      // shared 2-core machine (load averages above 10 seen) timers and the server's own flush
      // times jitter by tens of milliseconds.
      expect(summary.bursts).toBeGreaterThanOrEqual(3);
      expect(lateP50Err).toBeLessThanOrEqual(0.1 * summary.p50Ms);
      expect(summary.errorMs.p50).toBeGreaterThan(0); // stated, never hidden
    } finally {
      await probe.stop();
      await session.close();
      await server.stop();
    }
  });
});
