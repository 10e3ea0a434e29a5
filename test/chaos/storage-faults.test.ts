/**
 * Chaos matrix, storage faults: a stalled flusher, a failing flusher that later recovers and
 * replays its DLQ, one that never recovers, a writer that drops acked rows and one that writes
 * batches twice. Rows lost or duplicated are counted exactly and fail the run (exit 1);
 * stored = acked once the DLQ was replayed.
 */
import { describe, expect, it } from 'vitest';
import { expectCellInvariants, gateReasons, runCell } from './cell.js';

describe('chaos matrix: storage faults', () => {
  it('a stalled flusher (each insert 1.5 s, 30-row channels): handlers wait, nothing lost', async () => {
    const cell = await runCell({ server: { queueCapacity: 30, faults: { flushStallMs: 1500 } } });
    expectCellInvariants(cell);
    expect(cell.result.audit!.totals.lostRows).toBe(0);
    expect(cell.stats.flushes).toBeGreaterThan(0);
  }, 90_000);

  it('a failing flusher that recovers after 3 s and replays its DLQ: stored = acked, no audit reason', async () => {
    const cell = await runCell({
      server: { flushRetryDelaysMs: [100, 200], dlq: { replayIntervalMs: 300 }, faults: { flushFailing: true } },
      during: [[3, (s) => s.setFaults({})]],
      runTimeS: 5,
    });
    expectCellInvariants(cell);
    expect(cell.stats.batchesToDlq).toBeGreaterThan(0);
    expect(cell.stats.batchesReplayed).toBe(cell.stats.batchesToDlq);
    expect(cell.stats.dlq.batches_pending).toBe(0);
    expect(cell.result.audit!.totals.storedRows).toBe(cell.result.audit!.totals.expectedRows);
    expect(cell.result.reasons.filter((r) => r.startsWith('delivery audit'))).toEqual([]);
  }, 90_000);

  it('a failing flusher that never recovers: the rows sit in the DLQ, the audit fails with the reason (exit 1)', async () => {
    const cell = await runCell({ server: { flushRetryDelaysMs: [100, 200], faults: { flushFailing: true } } });
    const audit = cell.result.audit!;
    expect(audit.totals.pending).toBe(0);
    expect(audit.totals.storedRows).toBe(0);
    expect(cell.stats.rowsToDlq).toBeGreaterThan(0);
    expect(cell.result.exitCode).toBe(1);
    expect(audit.pass).toBe(false);
    expect(cell.result.reasons.find((r) => r.startsWith('delivery audit'))).toMatch(/dead-letter queue|DLQ/);
  }, 90_000);

  it('a writer that drops 5 % of acked rows: lost = exactly the dropped rows, exit 1 with the count', async () => {
    const cell = await runCell({ server: { faults: { dropRate: 0.05, seed: 4 } } });
    expectCellInvariants(cell);
    const lost = cell.result.audit!.totals.lostRows!;
    expect(lost).toBeGreaterThan(0);
    expect(cell.result.exitCode).toBe(1);
    expect(cell.result.reasons).toContain(`delivery audit: ${lost} acknowledged rows are missing from the target's storage.`);
  }, 90_000);

  it('a writer that stores 30 % of batches twice: duplicated = exactly those rows, exit 1 with the count', async () => {
    const cell = await runCell({ server: { faults: { duplicateRate: 0.3, seed: 4 } } });
    expectCellInvariants(cell);
    const dup = cell.result.audit!.totals.duplicatedRows!;
    expect(dup).toBeGreaterThan(0);
    expect(cell.result.exitCode).toBe(1);
    expect(cell.result.reasons.some((r) => r.startsWith('delivery audit') && r.includes(`${dup} rows were stored more than once`))).toBe(true);
    expect(gateReasons(cell.result)).toEqual([]);
  }, 90_000);
});
