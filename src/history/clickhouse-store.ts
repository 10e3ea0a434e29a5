/**
 * The results history as a ClickHouse table (docs/history.md "In ClickHouse"): one row per run
 * and entry, so the figures can be queried and charted where they are kept. The table is created
 * when missing; a table of that name without the history's columns is refused (exit 2), an
 * unreachable ClickHouse is exit 3 (ClickHouseSession's sentences, the password never shown).
 * The columns use only types Debian's packaged server (18.16) has: the time is epoch ms.
 */
import { randomUUID } from 'node:crypto';
import { SimUsageError } from '../core/errors.js';
import { ClickHouseSession, checkIdentifier, type ClickHouseConnectionOptions } from '../core/clickhouse/session.js';
import { HISTORY_FORMAT, HISTORY_METRICS, recordProblem, type HistoryRecord } from './record.js';
import { orderByTime, type HistoryStore } from './store.js';

export const DEFAULT_HISTORY_TABLE = 'mlop_sim_history';

/** Column → type, in table order. */
const COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['run_id', 'String'],
  ['time_ms', 'Int64'],
  ['label', 'Nullable(String)'],
  ['scenario', 'String'],
  ['seed', 'Int64'],
  ['duration_s', 'Float64'],
  ['pass', 'UInt8'],
  ['entry', 'String'],
  ['p50_ms', 'Float64'],
  ['p95_ms', 'Float64'],
  ['p99_ms', 'Float64'],
  ['error_rate', 'Float64'],
  ['rps', 'Float64'],
  ['count', 'UInt64'],
  ['format', 'String'],
];

interface Row {
  run_id: string;
  time_ms: string | number;
  label: string | null;
  scenario: string;
  seed: string | number;
  duration_s: number;
  pass: number;
  entry: string;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  error_rate: number;
  rps: number;
  count: string | number;
  format: string;
}

export class ClickHouseHistoryStore implements HistoryStore {
  private constructor(
    private readonly session: ClickHouseSession,
    private readonly table: string,
  ) {}

  get description(): string {
    return `ClickHouse ${this.session.displayUrl} table ${this.table}`;
  }

  static async open(opts: ClickHouseConnectionOptions & { table?: string }): Promise<ClickHouseHistoryStore> {
    const name = checkIdentifier(opts.table ?? DEFAULT_HISTORY_TABLE, 'ClickHouse table');
    const session = await ClickHouseSession.open(opts, true);
    try {
      const table = session.table(name);
      const found = await session.rows<{ name: string }>(
        'SELECT name FROM system.columns WHERE database = {db:String} AND table = {t:String}',
        { db: session.database, t: name },
      );
      if (found.length === 0) {
        const cols = COLUMNS.map(([c, type]) => `${c} ${type}`).join(', ');
        await session.command(`CREATE TABLE IF NOT EXISTS ${table} (${cols}) ENGINE = MergeTree ORDER BY (time_ms, run_id, entry)`);
      } else {
        const have = new Set(found.map((c) => c.name));
        const missing = COLUMNS.find(([c]) => !have.has(c));
        if (missing) throw new SimUsageError(`the ClickHouse table ${table} is not a history store (it has no column "${missing[0]}").`);
      }
      return new ClickHouseHistoryStore(session, table);
    } catch (err) {
      await session.close();
      throw err;
    }
  }

  async read(): Promise<HistoryRecord[]> {
    const rows = await this.session.rows<Row>(`SELECT ${COLUMNS.map(([c]) => c).join(', ')} FROM ${this.table} ORDER BY time_ms, run_id, entry`);
    const runs = new Map<string, HistoryRecord>();
    for (const row of rows) {
      let rec = runs.get(row.run_id);
      if (!rec) {
        rec = {
          format: row.format as typeof HISTORY_FORMAT,
          time: new Date(Number(row.time_ms)).toISOString(),
          label: row.label,
          scenario: row.scenario,
          seed: Number(row.seed),
          durationS: row.duration_s,
          pass: Number(row.pass) === 1,
          entries: {},
        };
        runs.set(row.run_id, rec);
      }
      rec.entries[row.entry] = {
        p50_ms: row.p50_ms, p95_ms: row.p95_ms, p99_ms: row.p99_ms, error_rate: row.error_rate, rps: row.rps, count: Number(row.count),
      };
    }
    const records = [...runs.values()];
    records.forEach((r, i) => {
      const problem = recordProblem(r);
      if (problem) throw new SimUsageError(`the ClickHouse table ${this.table} is not a history store: run ${i + 1} is not a history record (${problem}).`);
    });
    return orderByTime(records);
  }

  async append(record: HistoryRecord): Promise<void> {
    const runId = randomUUID();
    const rows = Object.entries(record.entries).map(([entry, f]) => {
      const row: Record<string, unknown> = {
        run_id: runId, time_ms: Date.parse(record.time), label: record.label, scenario: record.scenario, seed: record.seed,
        duration_s: record.durationS, pass: record.pass ? 1 : 0, entry, count: f.count, format: record.format,
      };
      for (const m of HISTORY_METRICS) row[m] = f[m];
      return row;
    });
    await this.session.insert(this.table, rows);
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
