/**
 * The storage audit on the real chain — SDK → reference server ingest (1,000-row channels,
 * flusher, retries, DLQ) → Debian's clickhouse-server over HTTP → audit queries — with known
 * losses and duplicates, so every count is checked exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditClickHouseStorage } from '../../src/run/storage/clickhouse-audit.js';
import { VisibilityProbe } from '../../src/run/storage/visibility-probe.js';
import { ClickHouseSession } from '../../src/core/clickhouse/session.js';
import { startReferenceServer, type ReferenceServer } from '../../src/server/index.js';
import { chdbConnection, startDebianClickHouse, type DebianClickHouse } from './engines.js';
import { AckLedger, startRun } from './chain.js';

let ch: DebianClickHouse;
beforeAll(async () => {
  ch = await startDebianClickHouse();
});
afterAll(async () => {
  await ch?.stop();
});

const conn = (database: string) => ({ url: ch.url, username: ch.user, password: ch.password, database });

async function logRuns(server: ReferenceServer, ledger: AckLedger, project: string, runs: number, records: number): Promise<number[]> {
  const started = await Promise.all(Array.from({ length: runs }, (_, i) => startRun(server, ledger, project, `audit-${i}`)));
  for (let step = 1; step <= records; step++) for (const r of started) r.log({ 'train/loss': step / 10, 'train/acc': 1 - step / 100 }, step);
  await Promise.all(started.map((r) => r.finish()));
  return started.map((r) => r.id);
}

describe('storage audit against a real ClickHouse', () => {
  it('counts every acked row of every run as stored once it is visible, waiting out the flush window', async () => {
    // The ingest's real 5 s flush interval would make the test slow; 1 s keeps the same shape.
    const server = await startReferenceServer({ clickhouse: conn('audit_all'), flushIntervalMs: 1000 });
    const session = await ClickHouseSession.open(conn('audit_all'));
    try {
      const ledger = new AckLedger();
      const ids = await logRuns(server, ledger, 'audit-p', 3, 40);
      // No flush: the audit must wait for the flusher.
      const audit = await auditClickHouseStorage(session, ledger.ackedRuns(), { project: 'audit-p', settleTimeoutMs: 15_000, pollMs: 200 });
      expect(audit.settled).toBe(true);
      expect(audit.runs.map((r) => r.runId).sort()).toEqual([...ids].sort());
      expect(audit.totals.metrics).toEqual({ acked: 240, stored: 240, lost: 0, duplicated: 0, unacked: 0 });
      expect(audit.totals.logs).toEqual({ acked: 0, stored: 0, lost: 0, duplicated: 0, unacked: 0 });
      expect(audit).toMatchObject({ lostRows: 0, duplicatedRows: 0, pass: true, url: ch.url, database: 'audit_all' });
      expect(JSON.stringify(audit)).not.toContain(ch.password);
    } finally {
      await session.close();
      await server.stop();
    }
  });

  it('rows lost when the flusher fails and the DLQ is not replayed fail the audit with the exact count; the replay makes stored = acked', async () => {
    const server = await startReferenceServer({ clickhouse: conn('audit_loss'), flushIntervalMs: 100_000, flushRetryDelaysMs: [10, 10] });
    const session = await ClickHouseSession.open(conn('audit_loss'));
    try {
      const ledger = new AckLedger();
      await logRuns(server, ledger, 'loss-p', 2, 25); // 100 rows
      await server.flush(); // stored
      server.setFaults({ flushFailing: true });
      const [late] = await logRuns(server, ledger, 'loss-p', 1, 17); // 34 rows acked, then their flush fails 3 times
      await server.flush();
      expect(server.stats()).toMatchObject({ batchesToDlq: 1, rowsToDlq: 34 });
      server.setFaults({});

      const lossy = await auditClickHouseStorage(session, ledger.ackedRuns(), { project: 'loss-p', settleTimeoutMs: 5_000, quietMs: 600, pollMs: 200 });
      expect(lossy.totals.metrics).toEqual({ acked: 134, stored: 100, lost: 34, duplicated: 0, unacked: 0 });
      expect(lossy.runs.find((r) => r.runId === late)!.kinds.metrics).toEqual({ acked: 34, stored: 0, lost: 34, duplicated: 0, unacked: 0 });
      expect(lossy).toMatchObject({ lostRows: 34, pass: false, settled: true });

      expect(await server.replayDlq()).toBe(1);
      const replayed = await auditClickHouseStorage(session, ledger.ackedRuns(), { project: 'loss-p', settleTimeoutMs: 5_000, quietMs: 600, pollMs: 200 });
      expect(replayed.totals.metrics).toEqual({ acked: 134, stored: 134, lost: 0, duplicated: 0, unacked: 0 });
      expect(replayed.pass).toBe(true);
    } finally {
      await session.close();
      await server.stop();
    }
  });

  it('counts duplicates exactly: a batch stored twice, and rows nobody saw acked', async () => {
    const server = await startReferenceServer({ clickhouse: conn('audit_dups'), flushIntervalMs: 100_000 });
    const session = await ClickHouseSession.open(conn('audit_dups'));
    try {
      const ledger = new AckLedger();
      const [id] = await logRuns(server, ledger, 'dup-p', 1, 30); // 60 rows
      await server.flush();
      // A DLQ replay of a batch that had in fact been stored (the insert answered an error after writing): 11 rows twice.
      const stored = await server.readRows(id, 'mlop_metrics', 'dup-p');
      await session.insert(session.table('mlop_metrics'), stored.slice(0, 11));
      // One more row with an identity the SDK never saw acked.
      await session.insert(session.table('mlop_metrics'), [{ ...stored[0], step: 999 }]);
      const audit = await auditClickHouseStorage(session, ledger.ackedRuns(), { project: 'dup-p', settleTimeoutMs: 5_000, quietMs: 600, pollMs: 200 });
      expect(audit.totals.metrics).toEqual({ acked: 60, stored: 61, lost: 0, duplicated: 11, unacked: 1 });
      expect(audit).toMatchObject({ lostRows: 0, duplicatedRows: 11, pass: true });
    } finally {
      await session.close();
      await server.stop();
    }
  });
});

describe('the audit and probe queries on a current ClickHouse (chdb 26.7: server-side parameters, DateTime64)', () => {
  it('count stored, lost and duplicated rows and find probe samples with the same queries', async () => {
    const chdb = await chdbConnection();
    const conn = { url: 'http://chdb.invalid', connection: chdb.connection, database: 'modern' };
    const server = await startReferenceServer({ clickhouse: conn, flushIntervalMs: 100_000 });
    const session = await ClickHouseSession.open(conn);
    try {
      expect(session.dialect.modern).toBe(true);
      const ledger = new AckLedger();
      const [id] = await logRuns(server, ledger, 'modern-p', 1, 12); // 24 rows
      await server.flush();
      const stored = await server.readRows(id, 'mlop_metrics', 'modern-p');
      await session.insert(session.table('mlop_metrics'), stored.slice(0, 3)); // 3 duplicates
      const acked = ledger.ackedRuns().map((r) => ({ ...r, rows: { mlop_metrics: (r.rows.mlop_metrics ?? 0) + 5 } })); // 5 acked rows never stored
      const audit = await auditClickHouseStorage(session, acked, { project: 'modern-p', settleTimeoutMs: 3_000, quietMs: 300, pollMs: 100 });
      expect(audit.totals.metrics).toEqual({ acked: 29, stored: 24, lost: 5, duplicated: 3, unacked: 0 });
      expect(audit.pass).toBe(false);

      const probe = new VisibilityProbe(session, { project: 'modern-p', requests: () => 1000, budgetFraction: 0.05 });
      probe.start();
      const t0 = performance.now();
      expect(probe.offer({ runId: id, step: 3, logName: 'train/loss', loggedAt: t0 })).toBe(true);
      expect(probe.offer({ runId: id, step: 999, logName: 'train/loss', loggedAt: t0 })).toBe(true); // never stored
      const summary = await probe.drain(1_500);
      expect(summary).toMatchObject({ sampled: 2, seen: 1, unseen: 1, failedQueries: 0 });
      expect(summary.queries).toBeGreaterThan(0);
    } finally {
      await session.close();
      await server.stop();
    }
  });
});
