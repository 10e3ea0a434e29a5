/**
 * Chaos matrix, request faults: the sdk scenario against the reference server with a latency
 * tail, a 5xx rate, 429s and connection resets. Records are retried by the SDK (1, 2, 4, 8 s)
 * and end acked or FAILED, never silently lost; error rates fail the error-rate gate (exit 1).
 */
import { describe, expect, it } from 'vitest';
import { expectCellInvariants, gateReasons, runCell } from './cell.js';

describe('chaos matrix: request faults', () => {
  it('no fault: everything acked and stored once, exit 0', async () => {
    const cell = await runCell({});
    expectCellInvariants(cell);
    expect(cell.result.reasons).toEqual([]);
    expect(cell.result.audit!.totals.failed).toBe(0);
  }, 60_000);

  it('latency tail (lognormal median 30 ms, sigma 1): slower, nothing lost, within the default gates', async () => {
    const cell = await runCell({ server: { faults: { latency: { kind: 'lognormal', medianMs: 30, sigma: 1 }, seed: 3 } } });
    expectCellInvariants(cell);
    const http = cell.result.entries.find((e) => e.name.startsWith('POST /ingest/metrics'))!;
    expect(http.percentiles.p50).toBeGreaterThanOrEqual(20);
    expect(cell.result.exitCode).toBe(0);
  }, 60_000);

  it.each([500, 429] as const)('%i on 30 per cent of ingest requests: retried, acked or FAILED, stored = acked, error-rate gate fails (exit 1)', async (status) => {
    const cell = await runCell({ server: { faults: { errorRate: 0.3, errorStatus: status, seed: 5 } } });
    expectCellInvariants(cell);
    expect(cell.stats.requests[`POST /ingest/metrics ${status}`]).toBeGreaterThan(0);
    expect(cell.result.exitCode).toBe(1);
    expect(gateReasons(cell.result).some((r) => /error_rate|error rate/.test(r))).toBe(true);
  }, 90_000);

  it('connection resets on 20 % of ingest requests: retried, acked or FAILED, error-rate gate fails (exit 1)', async () => {
    const cell = await runCell({ server: { faults: { resetRate: 0.2, seed: 9 } } });
    expectCellInvariants(cell);
    expect(cell.stats.requests['POST /ingest/metrics 0']).toBeGreaterThan(0);
    expect(cell.result.exitCode).toBe(1);
  }, 90_000);
});
