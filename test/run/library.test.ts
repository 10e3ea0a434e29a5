/**
 * The library as another project's test suite would use it: start the reference server (or your
 * own stack), run a short simulation against it, assert on the result. No process exits, no
 * signal handlers, no report files unless asked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY, defineScenario, runSimulation, startReferenceServer } from '../../src/index.js';
import type { ReferenceServer } from '../../src/server/index.js';

let server: ReferenceServer;

beforeAll(async () => {
  server = await startReferenceServer({ port: 0 });
});
afterAll(async () => {
  await server.stop();
});

describe('runSimulation() as a regression test of a stack', () => {
  it('an SDK load of 5 users for 3 s passes its gates and loses nothing', async () => {
    const listeners = process.listenerCount('SIGINT');
    const result = await runSimulation({ host: server.url, key: DEFAULT_API_KEY, users: 5, runTime: '3s', seed: 11, reportDir: false });
    expect(process.listenerCount('SIGINT')).toBe(listeners);
    expect(result.pass).toBe(true);
    expect(result.exitCode).toBe(0);
    expect(result.target).toEqual({ ingestUrl: server.url, apiUrl: server.url, embedded: false });
    expect(result.judged).toEqual(['E2E log→ack', 'SDK HTTP (all)']);
    expect(result.audit?.storageChecked).toBe(true);
    expect(result.audit?.totals.lostRows).toBe(0);
    expect(result.audit?.totals.logged).toBeGreaterThan(0);
    expect(result.audit?.totals.expectedRows).toBe(result.audit?.totals.storedRows);
    // The generator's own timing over the load is reported beside the latencies (never a gate).
    expect(result.generator?.loopDelayMs.max).toBeGreaterThanOrEqual(result.generator?.loopDelayMs.p50 ?? Infinity);
    expect(result.generator?.gc.pauses).toBeGreaterThanOrEqual(0);
    expect(typeof result.generator?.timingWarning).toBe('string');
    // The server saw every run this simulation created.
    const stored = new Set(server.runs('load-test-project').map((r) => Number(r.runId)));
    for (const a of result.audit!.runs) expect(stored.has(a.runId)).toBe(true);
  });

  it('a slower stack fails a latency gate with exit code 1 and a reason', async () => {
    server.setFaults({ latency: { kind: 'fixed', ms: 60 } });
    try {
      const result = await runSimulation({
        host: server.url, key: DEFAULT_API_KEY, scenario: 'http', users: 4, runTime: 2, reportDir: false,
        thresholds: ['agg:p95<50'],
      });
      expect(result.pass).toBe(false);
      expect(result.exitCode).toBe(1);
      expect(result.p95_ms).toBeGreaterThanOrEqual(60);
      expect(result.reasons).toEqual([expect.stringMatching(/^threshold: Aggregated p95 was [\d.]+ ms, which breaks agg:p95<50 /)]);
    } finally {
      server.setFaults({});
    }
  });

  it('an inline scenario records its own entries; an AbortSignal ends the run as interrupted', async () => {
    const scenario = defineScenario({
      name: 'probe',
      wait: { minS: 0.05, maxS: 0.1 },
      tasks: [
        { name: 'health', weight: 1, run: async (ctx) => void (await ctx.http.get('/health')) },
        {
          name: 'one line',
          weight: 2,
          run: async (ctx) => {
            const r = await ctx.http.post('/ingest/metrics', `{"time":${Date.now()},"step":1,"data":{"x":1}}\n`, { readBody: true });
            ctx.record('CHECK', 'one row stored', 0, r.body === 'Stream processed successfully: 1 records');
          },
        },
      ],
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1500);
    const result = await runSimulation({ host: server.url, key: DEFAULT_API_KEY, scenario, users: 3, runTime: '30s', reportDir: false, signal: controller.signal });
    expect(result.interrupted).toBe(true);
    expect(result.exitCode).toBe(130);
    expect(result.durationS).toBeLessThan(10);
    const names = result.entries.map((e) => e.name).sort();
    expect(names).toEqual(['CHECK one row stored', 'GET /health', 'POST /ingest/metrics']);
    const check = result.entries.find((e) => e.name === 'CHECK one row stored')!;
    expect(check.count).toBeGreaterThan(0);
    expect(check.failures).toBe(0);
  });

  it('--wait overrides the scenario wait: 0 sends back to back, a range keeps users paced', async () => {
    const base = { host: server.url, key: DEFAULT_API_KEY, scenario: 'http', users: 2, runTime: '1s', reportDir: false as const };
    const paced = await runSimulation({ ...base, wait: '200ms-300ms' });
    const eager = await runSimulation({ ...base, wait: '0' });
    // 2 users × 1 s at ≥ 0.2 s between tasks: at most ~12 requests; with no wait, hundreds.
    expect(paced.aggregated.count).toBeLessThanOrEqual(14);
    expect(eager.aggregated.count).toBeGreaterThan(5 * paced.aggregated.count);
    await expect(runSimulation({ ...base, wait: '1s-10ms' })).rejects.toThrow(/--wait needs min ≤ max/);
  });

  it('user errors are thrown as SimUsageError / SimTargetError with their exit codes', async () => {
    await expect(runSimulation({ host: server.url, key: DEFAULT_API_KEY, users: 0 })).rejects.toMatchObject({ exitCode: 2 });
    await expect(runSimulation({ host: server.url, key: 'mlps_not_a_key_1234567890', scenario: 'http', runTime: 1, reportDir: false }))
      .rejects.toMatchObject({ exitCode: 3, message: expect.stringContaining('rejected the API key') });
  });
});
