/**
 * Buffering and the dead-letter queue (docs/protocol/ingest.md §3): failed flushes retried then written
 * to the DLQ in the §3.4 layout, /health/dlq computed from the folder as §3.5 says, replay, full
 * queues make handlers wait (never 429/503), the row cap.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../src/server/index.js';
import { ingestHeaders, metricLine, send } from './client.js';

const servers: ReferenceServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mlop-sim-dlq-test-'));
  dirs.push(d);
  return d;
}

async function start(opts: Parameters<typeof startReferenceServer>[0]): Promise<ReferenceServer> {
  const s = await startReferenceServer(opts);
  servers.push(s);
  return s;
}

/** Polls `check` every 20 ms for at most `ms`. */
async function eventually(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not met in time');
}

/** /health/dlq computed independently from the folder, exactly as §3.5 describes. */
function expectedDlqHealth(path: string) {
  let batches = 0;
  let records = 0;
  for (const t of ['mlop_metrics', 'mlop_logs', 'mlop_data', 'mlop_files']) {
    for (const f of readdirSync(join(path, t)).filter((n) => n.endsWith('.json'))) {
      batches++;
      records += Math.floor(statSync(join(path, t, f)).size / 1024);
    }
  }
  const total = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => sum + (e.isDirectory() ? total(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
  return { batches_pending: batches, records_pending: records, disk_usage_mb: Math.floor(total(path) / 2 ** 20) };
}

const manyRows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => metricLine(from + i, { 'train/loss': i, 'train/acc': i / n })).join('\n');

describe('DLQ', () => {
  it('a failing flusher retries, then writes one JSON file per batch in the §3.4 layout; /health/dlq matches the folder', async () => {
    const path = tempDir();
    const s = await start({ dlq: { path }, flushRetryDelaysMs: [10, 20], faults: { flushFailing: true } });
    expect((await send(s.url, 'POST', '/ingest/metrics', manyRows(100), ingestHeaders('3', 'dlq-p'))).status).toBe(200);
    expect((await send(s.url, 'POST', '/ingest/logs', '{"time":1,"message":"m","lineNumber":1,"logType":"INFO"}', ingestHeaders('3', 'dlq-p'))).status).toBe(200);
    await s.flush();

    expect(readdirSync(path).sort()).toEqual(['.metadata', 'mlop_data', 'mlop_files', 'mlop_logs', 'mlop_metrics']);
    const files = readdirSync(join(path, 'mlop_metrics'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.json$/);
    const batch = JSON.parse(readFileSync(join(path, 'mlop_metrics', files[0]), 'utf8'));
    expect(batch).toMatchObject({ table_name: 'mlop_metrics', record_count: 200 });
    expect(new Date(batch.timestamp).getTime()).toBeGreaterThan(0);
    expect(batch.records[0]).toEqual({ tenantId: 'org-loadtest', projectName: 'dlq-p', runId: 3, logGroup: 'train', logName: 'train/loss', time: 1_700_000_000_000, step: 0, value: 0 });
    expect(readdirSync(join(path, 'mlop_logs'))).toHaveLength(1);

    const stats = s.stats();
    expect(stats).toMatchObject({ flushFailures: 6, batchesToDlq: 2, rowsToDlq: 201 });
    expect(stats.rowsStored.mlop_metrics).toBe(0);
    const health = (await send(s.url, 'GET', '/health/dlq')).json();
    expect(health).toEqual(expectedDlqHealth(path));
    expect(health).toMatchObject({ batches_pending: 2 });
    expect((health as { records_pending: number }).records_pending).toBeGreaterThan(0);
    expect(stats.dlq).toEqual(health);
    expect((await send(s.url, 'GET', '/health/ready')).status).toBe(503);
  });

  it('replay stores the batches once the fault clears and empties the folder (library and control route)', async () => {
    const path = tempDir();
    const s = await start({ dlq: { path }, flushRetryDelaysMs: [1], faults: { flushFailing: true } });
    await send(s.url, 'POST', '/ingest/metrics', manyRows(10), ingestHeaders('4', 'replay-p'));
    await s.flush();
    await send(s.url, 'POST', '/ingest/data', '{"time":1,"data":"x","dataType":"T","logName":"n","step":1}', ingestHeaders('4', 'replay-p'));
    await s.flush();
    expect(await s.replayDlq()).toBe(0); // still failing: batches stay
    expect(expectedDlqHealth(path).batches_pending).toBe(2);

    s.setFaults({});
    expect((await send(s.url, 'POST', '/_sim/dlq/replay')).json()).toEqual({ replayed: 2 });
    expect(s.runs('replay-p')[0].tables).toEqual({ mlop_metrics: { rows: 20, distinct: 20 }, mlop_data: { rows: 1, distinct: 1 } });
    expect((await send(s.url, 'GET', '/health/dlq')).json()).toEqual({ batches_pending: 0, records_pending: 0, disk_usage_mb: 0 });
    expect(s.stats().batchesReplayed).toBe(2);
  });

  it('the background replay loop and the startup replay pick batches up', async () => {
    const path = tempDir();
    const first = await start({ dlq: { path, replayIntervalMs: 60_000 }, flushRetryDelaysMs: [], faults: { flushFailing: true } });
    await send(first.url, 'POST', '/ingest/metrics', manyRows(3), ingestHeaders('6', 'startup-p'));
    await first.flush();
    await first.stop();
    expect(expectedDlqHealth(path).batches_pending).toBe(1);

    // A new process on the same folder replays at startup (DLQ_REPLAY_ON_STARTUP).
    const second = await start({ dlq: { path, replayIntervalMs: 50 }, flushRetryDelaysMs: [], faults: { flushFailing: true } });
    await send(second.url, 'POST', '/ingest/logs', '{"time":1,"message":"m","lineNumber":1,"logType":"INFO"}', ingestHeaders('6', 'startup-p'));
    await second.flush();
    second.setFaults({});
    await eventually(() => expectedDlqHealth(path).batches_pending === 0);
    expect(second.runs('startup-p')[0].tables).toEqual({ mlop_metrics: { rows: 6, distinct: 6 }, mlop_logs: { rows: 1, distinct: 1 } });
  });

  it('with the DLQ disabled a failed batch is lost and counted; /health/dlq reports zeros', async () => {
    const s = await start({ dlq: { enabled: false }, flushRetryDelaysMs: [], faults: { flushFailing: true } });
    await send(s.url, 'POST', '/ingest/metrics', manyRows(2), ingestHeaders());
    await s.flush();
    expect(s.stats()).toMatchObject({ rowsLost: 4, batchesToDlq: 0 });
    expect((await send(s.url, 'GET', '/health/dlq')).json()).toEqual({ batches_pending: 0, records_pending: 0, disk_usage_mb: 0 });
  });
});

describe('buffering', () => {
  it('the background flusher stores rows after the flush interval without an explicit flush', async () => {
    const s = await start({ flushIntervalMs: 30 });
    await send(s.url, 'POST', '/ingest/metrics', manyRows(2), ingestHeaders('8', 'interval-p'));
    await eventually(() => s.stats().rowsStored.mlop_metrics === 4);
    expect(s.stats().rowsQueued.mlop_metrics).toBe(0);
  });

  it('a full queue makes the handler wait, then answer 200 (never 429/503)', async () => {
    const s = await start({ queueCapacity: 5, flushIntervalMs: 60_000, faults: { flushStallMs: 300 } });
    await send(s.url, 'POST', '/ingest/metrics', manyRows(1), ingestHeaders('9', 'full-p'));
    const stalled = s.flush(); // the processor is now inserting (stalled) and does not drain its channel
    const pending = send(s.url, 'POST', '/ingest/metrics', manyRows(20, 100), ingestHeaders('9', 'full-p'));
    let settled = false;
    void pending.then(() => (settled = true));
    await eventually(() => s.stats().rowsQueued.mlop_metrics >= 2 + 5);
    expect(settled).toBe(false);
    await stalled;
    const a = await pending;
    expect([a.status, a.text]).toEqual([200, 'Stream processed successfully: 40 records']);
    await s.flush();
    expect(s.runs('full-p')[0].tables.mlop_metrics).toEqual({ rows: 42, distinct: 42 });
    expect(Object.keys(s.stats().requests).some((k) => / (429|503)$/.test(k))).toBe(false);
  });

  it('beyond the row cap counts stay exact, bodies are dropped, and stats say so', async () => {
    const s = await start({ rowCap: 3 });
    await send(s.url, 'POST', '/ingest/metrics', manyRows(4), ingestHeaders('10', 'cap-p'));
    await send(s.url, 'POST', '/ingest/metrics', manyRows(1), ingestHeaders('10', 'cap-p'));
    await s.flush();
    expect(s.runs('cap-p')[0].tables.mlop_metrics).toEqual({ rows: 10, distinct: 8 });
    expect(s.rows(10, 'mlop_metrics', 'cap-p')).toHaveLength(3);
    expect(s.stats()).toMatchObject({ bodiesDropped: true, rowCap: 3, rowsStored: { mlop_metrics: 10 } });
  });
});
