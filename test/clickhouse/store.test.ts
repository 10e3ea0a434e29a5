/**
 * The reference server writing to a real ClickHouse (no mock): Debian's clickhouse-server over
 * HTTP for the real client path, outages, readiness and credentials; chdb (ClickHouse 26.7) for
 * the fidelity of the §4.1 schema the DDL creates on a current server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseSession } from '../../src/core/clickhouse/session.js';
import { startReferenceServer, type ReferenceServer } from '../../src/server/index.js';
import { ingestHeaders, send } from '../server/client.js';
import { chdbConnection, freePort, startDebianClickHouse, type DebianClickHouse } from './engines.js';

const metricLine = (step: number, data: Record<string, unknown>, time = 1767225600000 + step): string => JSON.stringify({ time, step, data }) + '\n';

describe('ClickHouse store over HTTP (Debian clickhouse-server 18.16)', () => {
  let ch: DebianClickHouse;
  beforeAll(async () => {
    ch = await startDebianClickHouse();
  });
  afterAll(async () => {
    await ch?.stop();
  });
  const options = (database: string) => ({ url: ch.url, username: ch.user, password: ch.password, database });

  it('stores every flushed row of all four tables with the columns of §4.1; /step and /health/ready ask ClickHouse', async () => {
    const s = await startReferenceServer({ clickhouse: options('store_rows') });
    try {
      const h = ingestHeaders('11', 'ch-p', s.key);
      expect((await send(s.url, 'POST', '/ingest/metrics', metricLine(1, { 'train/loss': 0.5, acc: 'NaN' }) + metricLine(2, { 'train/loss': 0.4 }), h)).status).toBe(200);
      await send(s.url, 'POST', '/ingest/logs', JSON.stringify({ time: 1767225600100, message: "it's \\ a line", lineNumber: 4, logType: 'stderr' }), h);
      await send(s.url, 'POST', '/ingest/data', JSON.stringify({ time: 1767225600200, step: 3, data: '{"x":1}', dataType: 'histogram', logName: 'dist/w' }), h);
      const files = await send(s.url, 'POST', '/files', JSON.stringify({ files: [{ fileName: 'a.png', fileType: 'png', fileSize: 12, logName: 'img/a', step: 2, time: 1767225600300 }] }), { ...h, 'content-type': 'application/json' });
      expect(files.status).toBe(200);
      await s.flush();

      expect(await s.countRuns('ch-p')).toEqual([
        { tenantId: 'org-loadtest', projectName: 'ch-p', runId: 11, tables: {
          mlop_metrics: { rows: 3, distinct: 3 }, mlop_logs: { rows: 1, distinct: 1 }, mlop_data: { rows: 1, distinct: 1 }, mlop_files: { rows: 1, distinct: 1 },
        } },
      ]);
      const metrics = await s.readRows(11, 'mlop_metrics', 'ch-p');
      expect(metrics.find((r) => r.time === 1767225600002)).toEqual({ tenantId: 'org-loadtest', projectName: 'ch-p', runId: 11, logGroup: 'train', logName: 'train/loss', time: 1767225600002, step: 2, value: 0.4 });
      expect(await s.readRows(11, 'mlop_logs', 'ch-p')).toEqual([
        { tenantId: 'org-loadtest', projectName: 'ch-p', runId: 11, logType: 'stderr', time: 1767225600100, lineNumber: 4, message: "it's \\ a line", step: 0 },
      ]);
      expect((await s.readRows(11, 'mlop_files', 'ch-p'))[0]).toMatchObject({ logGroup: 'img', fileName: 'a.png', fileSize: 12, caption: null, sampleIndex: 0 });

      // The NaN metric is stored as NaN, not as 0 or null.
      const session = await ClickHouseSession.open(options('store_rows'));
      expect(await session.rows(`SELECT logName, isNaN(value) AS nan FROM ${session.table('mlop_metrics')} WHERE runId = {r:UInt64} AND logName = {n:String}`, { r: 11, n: 'acc' }))
        .toEqual([{ logName: 'acc', nan: 1 }]);
      await session.close();

      expect((await send(s.url, 'POST', '/step', '', { ...h, 'content-type': 'application/json' })).json()).toEqual({ step: 2 });
      const ready = await send(s.url, 'GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.json()).toMatchObject({ status: 'healthy', checks: { clickhouse: { status: 'up' } } });
      expect(s.stats()).toMatchObject({ store: ch.url, rowsStored: { mlop_metrics: 3, mlop_logs: 1, mlop_data: 1, mlop_files: 1 } });
      expect(JSON.stringify(s.stats())).not.toContain(ch.password);
      expect(() => s.runs()).toThrow(/countRuns/);
    } finally {
      await s.stop();
    }
  });

  it('when ClickHouse dies, flushes fail, retry and go to the DLQ, readiness says down; after a restart the replay stores exactly the rows', async () => {
    const s = await startReferenceServer({ clickhouse: options('store_outage'), flushRetryDelaysMs: [20, 20] });
    try {
      await ch.crash();
      const ready = await send(s.url, 'GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.json()).toMatchObject({ status: 'unhealthy', checks: { clickhouse: { status: 'down', error: 'ClickHouse health check failed' } } });
      const h = ingestHeaders('12', 'outage-p', s.key);
      const lines = Array.from({ length: 25 }, (_, i) => metricLine(i + 1, { loss: i, acc: i / 10 })).join('');
      expect((await send(s.url, 'POST', '/ingest/metrics', lines, h)).text).toBe('Stream processed successfully: 50 records');
      await s.flush();
      expect(s.stats()).toMatchObject({ flushFailures: 3, batchesToDlq: 1, rowsToDlq: 50, rowsLost: 0, dlq: { batches_pending: 1 } });

      await ch.restart();
      expect((await send(s.url, 'GET', '/health/ready')).status).toBe(200);
      expect(await s.replayDlq()).toBe(1);
      expect(await s.countRuns('outage-p')).toEqual([{ tenantId: 'org-loadtest', projectName: 'outage-p', runId: 12, tables: { mlop_metrics: { rows: 50, distinct: 50 } } }]);
      expect(s.stats().dlq.batches_pending).toBe(0);
    } finally {
      await s.stop();
    }
  });

  it('a wrong password or an unreachable ClickHouse stops the start with one sentence that never shows the password', async () => {
    const wrong = startReferenceServer({ clickhouse: { url: ch.url, username: ch.user, password: 'not-the-password', database: 'x' } });
    await expect(wrong).rejects.toThrow(`ClickHouse at ${ch.url} rejected the credentials of user "mlop" (wrong user or password).`);
    const port = await freePort();
    const err = await startReferenceServer({ clickhouse: { url: `http://127.0.0.1:${port}`, password: 'pw-never-shown' } }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(`cannot reach ClickHouse at http://127.0.0.1:${port} (ECONNREFUSED).`);
    const inUrl = await startReferenceServer({ clickhouse: { url: `http://u:pw-in-url@127.0.0.1:${port}` } }).catch((e: Error) => e);
    expect((inUrl as Error).message).not.toContain('pw-in-url');
  });
});

describe('ClickHouse store schema on a current ClickHouse (chdb 26.7)', () => {
  let chdb: { connection: unknown; close(): Promise<void> };
  let s: ReferenceServer;
  beforeAll(async () => {
    chdb = await chdbConnection();
    s = await startReferenceServer({ clickhouse: { url: 'http://chdb.invalid', connection: chdb.connection, database: 'fidelity' } });
  });
  afterAll(async () => {
    await s?.stop(); // closes the chdb connection with the client
  });

  it('creates the four tables of §4.1: MergeTree, the column types, codecs and ORDER BY', async () => {
    const session = await ClickHouseSession.open({ url: 'http://chdb.invalid', connection: chdb.connection, database: 'fidelity' });
    const cols = await session.rows<{ table: string; name: string; type: string; compression_codec: string }>(
      "SELECT table, name, type, compression_codec FROM system.columns WHERE database = {db:String} ORDER BY table, position", { db: 'fidelity' });
    const of = (t: string) => cols.filter((c) => c.table === t).map((c) => `${c.name} ${c.type}${c.compression_codec ? ' ' + c.compression_codec : ''}`);
    expect(of('mlop_metrics')).toEqual([
      'tenantId LowCardinality(String) CODEC(ZSTD(1))', 'projectName String CODEC(ZSTD(1))', 'runId UInt64',
      'logGroup String CODEC(ZSTD(1))', 'logName String CODEC(ZSTD(1))', 'time DateTime64(3) CODEC(DoubleDelta, LZ4)',
      'step UInt64 CODEC(DoubleDelta, LZ4)', 'value Float64 CODEC(ZSTD(1))',
    ]);
    expect(of('mlop_logs')).toContain('logType LowCardinality(String) CODEC(ZSTD(1))');
    expect(of('mlop_logs')).toContain('lineNumber UInt64 CODEC(DoubleDelta, LZ4)');
    expect(of('mlop_files')).toEqual(expect.arrayContaining(['caption Nullable(String) CODEC(ZSTD(1))', 'sampleIndex UInt32', 'annotations Nullable(String) CODEC(ZSTD(1))', 'fileType LowCardinality(String) CODEC(ZSTD(1))']));
    const tables = await session.rows<{ name: string; engine: string; sorting_key: string }>(
      'SELECT name, engine, sorting_key FROM system.tables WHERE database = {db:String} ORDER BY name', { db: 'fidelity' });
    expect(tables).toEqual([
      { name: 'mlop_data', engine: 'MergeTree', sorting_key: 'tenantId, projectName, runId, logGroup, logName, time, step' },
      { name: 'mlop_files', engine: 'MergeTree', sorting_key: 'tenantId, projectName, runId, logGroup, logName, time, step' },
      { name: 'mlop_logs', engine: 'MergeTree', sorting_key: 'tenantId, projectName, runId, logType, time, lineNumber' },
      { name: 'mlop_metrics', engine: 'MergeTree', sorting_key: 'tenantId, projectName, runId, logGroup, logName, time, step' },
    ]);
    expect(session.dialect).toMatchObject({ modern: true, asyncInsert: true });
  });

  it('epoch milliseconds land in DateTime64(3) exactly, NaN and ±Infinity stay, small and large batches both arrive', async () => {
    const h = ingestHeaders('21', 'fid-p', s.key);
    await send(s.url, 'POST', '/ingest/metrics', metricLine(1, { a: 'NaN', b: 'Infinity', c: '-Infinity', d: 1.25 }, 1767225600123), h);
    await s.flush(); // 4 rows: an async insert
    const big = Array.from({ length: 700 }, (_, i) => metricLine(i + 2, { x: i, y: -i })).join(''); // 1,400 rows: a plain insert
    await send(s.url, 'POST', '/ingest/metrics', big, h);
    await s.flush();
    const session = await ClickHouseSession.open({ url: 'http://chdb.invalid', connection: chdb.connection, database: 'fidelity' });
    const t = session.table('mlop_metrics');
    const [a] = await session.rows<{ t: string; ms: string | number; nan: number }>(
      `SELECT toString(time) AS t, toUnixTimestamp64Milli(time) AS ms, isNaN(value) AS nan FROM ${t} WHERE runId = {r:UInt64} AND logName = {n:String}`, { r: 21, n: 'a' });
    expect({ ...a, ms: Number(a.ms) }).toEqual({ t: '2026-01-01 00:00:00.123', ms: 1767225600123, nan: 1 });
    expect(await session.rows(`SELECT logName, value > 0 AS positive FROM ${t} WHERE runId = {r:UInt64} AND isInfinite(value) ORDER BY logName`, { r: 21 }))
      .toEqual([{ logName: 'b', positive: 1 }, { logName: 'c', positive: 0 }]);
    // Eventually visible (an async insert is buffered by the server).
    let counts: unknown;
    for (let i = 0; i < 50; i++) {
      counts = await s.countRuns('fid-p');
      if (JSON.stringify(counts).includes('"rows":1404')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(counts).toEqual([{ tenantId: 'org-loadtest', projectName: 'fid-p', runId: 21, tables: { mlop_metrics: { rows: 1404, distinct: 1404 } } }]);
  });
});
