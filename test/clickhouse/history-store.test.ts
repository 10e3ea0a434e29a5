/**
 * The results history in a real ClickHouse (Debian's clickhouse-server, 18.16): the table is
 * created when missing, records come back as they went in (ordered by run time), a table of the
 * same name that is not a history is refused (exit 2), and the real CLI adds and checks through
 * it without ever printing the password; an unreachable ClickHouse is exit 3. The same records
 * round-trip through a current ClickHouse (chdb, in process).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseSession } from '../../src/core/clickhouse/session.js';
import { ClickHouseHistoryStore } from '../../src/history/clickhouse-store.js';
import { HISTORY_FORMAT, type HistoryRecord } from '../../src/history/record.js';
import { cleanEnv, ensureBuilt, runCli, tempDir } from '../e2e/cli-process.js';
import { chdbConnection, startDebianClickHouse, type DebianClickHouse } from './engines.js';

let ch: DebianClickHouse;
beforeAll(async () => {
  ensureBuilt();
  ch = await startDebianClickHouse();
}, 120_000);
afterAll(async () => {
  await ch?.stop();
});

const conn = (database: string, table?: string) => ({ url: ch.url, username: ch.user, password: ch.password, database, table });

function record(i: number, p50: number, label: string | null): HistoryRecord {
  return {
    format: HISTORY_FORMAT, time: new Date(Date.UTC(2026, 0, 1, 0, 0, i, 123)).toISOString(), label, scenario: 'http', seed: 42 + i, durationS: 10.5, pass: i % 2 === 0,
    entries: {
      Aggregated: { p50_ms: p50, p95_ms: 45.25, p99_ms: 65.5, error_rate: 0.001, rps: 400.5, count: 4005 },
      'POST /ingest/metrics': { p50_ms: p50 + 1, p95_ms: 46, p99_ms: 66, error_rate: 0, rps: 130, count: 1300 },
    },
  };
}

describe('history in ClickHouse', () => {
  it('creates the database and table, and gives the records back ordered by run time', async () => {
    const store = await ClickHouseHistoryStore.open(conn('hist_db'));
    try {
      await store.append(record(2, 21, 'c3'));
      await store.append(record(0, 20, null));
      await store.append(record(1, 20.5, 'c2'));
      expect(await store.read()).toEqual([record(0, 20, null), record(1, 20.5, 'c2'), record(2, 21, 'c3')]);
      expect(store.description).toBe(`ClickHouse ${ch.url} table hist_db.mlop_sim_history`);
    } finally {
      await store.close();
    }
  });

  it('refuses a table of that name that is not a history (exit 2), naming a missing column', async () => {
    const session = await ClickHouseSession.open(conn('hist_other'), true);
    await session.command('CREATE TABLE hist_other.results (id String, value Float64) ENGINE = MergeTree ORDER BY id');
    await session.close();
    await expect(ClickHouseHistoryStore.open(conn('hist_other', 'results'))).rejects.toMatchObject({
      exitCode: 2, message: 'the ClickHouse table hist_other.results is not a history store (it has no column "run_id").',
    });
  });

  it('the CLI adds results and checks them through ClickHouse, with the password only from the env, never printed; unreachable is exit 3', async () => {
    const d = tempDir();
    const env = cleanEnv({ CLICKHOUSE_URL: ch.url, CLICKHOUSE_USER: ch.user, CLICKHOUSE_PASSWORD: ch.password, CLICKHOUSE_DATABASE: 'hist_cli' });
    for (let i = 0; i < 4; i++) {
      const file = join(d, `latest-${i}.json`);
      const row = { name: 'Aggregated', method: '', count: 100, failures: 0, rps: 10, percentiles: { p50: 20 + i, p95: 40, p99: 60 } };
      writeFileSync(file, JSON.stringify({ judged: ['Aggregated'], aggregated: row, entries: [], startedAt: new Date(Date.UTC(2026, 0, 1, i)).toISOString(), scenario: 'http', pass: true }));
      const added = await runCli(['history', 'add', file, '--label', `r${i}`], { env });
      expect(added.stderr).toBe('');
      expect(added.code).toBe(0);
      expect(added.stdout).toContain(`to ClickHouse ${ch.url} table hist_cli.mlop_sim_history: 1 entry, ${i + 1} result`);
    }
    const checked = await runCli(['history', 'check', '--entry', 'Aggregated'], { env });
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain('4 results in ClickHouse');
    expect(checked.stdout + checked.stderr).not.toContain(ch.password);

    const down = await runCli(['history', 'check', '--clickhouse-url', 'http://127.0.0.1:1', '--clickhouse-password', ch.password], { env: cleanEnv() });
    expect(down.code).toBe(3);
    expect(down.stderr).toBe('mlop-sim: cannot reach ClickHouse at http://127.0.0.1:1 (ECONNREFUSED).\n');
    expect(down.stdout + down.stderr).not.toContain(ch.password);
  });
});

describe('history in a current ClickHouse (chdb)', () => {
  it('creates the table and gives the records back as they went in', async () => {
    const chdb = await chdbConnection();
    const store = await ClickHouseHistoryStore.open({ url: 'http://chdb.invalid', connection: chdb.connection, database: 'hist_chdb' });
    try {
      await store.append(record(1, 20.5, 'c2'));
      await store.append(record(0, 20, null));
      expect(await store.read()).toEqual([record(0, 20, null), record(1, 20.5, 'c2')]);
    } finally {
      await store.close();
      await chdb.close();
    }
  });
});
