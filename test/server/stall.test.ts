/** The stall fault (`--server-stall D@T`): no answer in the window, every held request answered when it closes, nothing lost. */
import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { startReferenceServer, validateFaults, type ReferenceServer } from '../../src/server/index.js';
import { ingestHeaders, metricLine, send } from './client.js';

const servers: ReferenceServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('stall fault', () => {
  it('holds requests that arrive during the window until it closes, and answers them all', async () => {
    const t0 = performance.now(); // before the start, so the window is [t0 + start-up + 300, … + 900)
    const s = await startReferenceServer({ faults: { stall: { durationMs: 600, atMs: 300 } } });
    servers.push(s);
    const post = () => send(s.url, 'POST', '/ingest/metrics', metricLine(1), ingestHeaders('1'));
    const p0 = performance.now(); // before the window opens: answered at once
    const before = await post();
    expect(before.status).toBe(200);
    expect(performance.now() - p0).toBeLessThan(250);
    await sleep(500 - (performance.now() - t0));
    const sentAt = performance.now() - t0; // ~500 ms: inside the window, which closes at 900 ms or later
    const held = await Promise.all([post(), post(), post()]);
    const answeredAt = performance.now() - t0;
    expect(held.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(answeredAt).toBeGreaterThanOrEqual(890);
    expect(answeredAt - sentAt).toBeGreaterThan(300);
    const after = performance.now();
    expect((await post()).status).toBe(200);
    expect(performance.now() - after).toBeLessThan(250);
    await s.flush();
    expect(s.stats().rowsStored.mlop_metrics).toBe(5);
  });

  it('rejects a malformed stall', () => {
    expect(() => validateFaults({ stall: { durationMs: -1, atMs: 0 } })).toThrow(/stall.durationMs/);
    expect(() => validateFaults({ stall: 5 })).toThrow(/stall must be/);
  });
});
