/**
 * Chaos matrix, every fault at once: a latency tail, 5xx then 429 answers, connection resets, a
 * stalled flusher and a failing flusher that recovers and replays its DLQ. Nothing may be lost
 * silently: each logged record is acked or FAILED, stored = acked after the replay.
 */
import { describe, expect, it } from 'vitest';
import type { FaultOptions } from '../../src/index.js';
import { expectCellInvariants, runCell } from './cell.js';

describe('chaos matrix: all faults combined', () => {
  it('acked or FAILED, stored = acked after the replay, the error-rate gate fails (exit 1)', async () => {
    const common: FaultOptions = { latency: { kind: 'lognormal', medianMs: 20, sigma: 1 }, resetRate: 0.05, flushStallMs: 300, seed: 12 };
    const cell = await runCell({
      server: {
        flushRetryDelaysMs: [100, 200],
        dlq: { replayIntervalMs: 300 },
        faults: { ...common, errorRate: 0.15, errorStatus: 500, flushFailing: true },
      },
      during: [
        [2.5, (s) => s.setFaults({ ...common, errorRate: 0.15, errorStatus: 429, flushFailing: true })],
        [4, (s) => s.setFaults({})],
      ],
      runTimeS: 5.5,
    });
    expectCellInvariants(cell);
    const st = cell.stats;
    expect(st.requests['POST /ingest/metrics 500'] ?? 0, '500s answered').toBeGreaterThan(0);
    expect(st.requests['POST /ingest/metrics 429'] ?? 0, '429s answered').toBeGreaterThan(0);
    expect(st.batchesToDlq, 'batches sent to the DLQ').toBeGreaterThan(0);
    expect(st.dlq.batches_pending).toBe(0);
    expect(cell.result.audit!.totals.lostRows).toBe(0);
    expect(cell.result.exitCode).toBe(1);
  }, 120_000);
});
