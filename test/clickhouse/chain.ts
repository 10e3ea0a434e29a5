/**
 * The whole chain for the storage tests, no mock: SDK runs (@mlop/sdk-ts) → the reference
 * server's ingest → a real ClickHouse. Acked rows per run and table come from the SDK
 * observer, exactly as the simulator will collect them.
 */
import { init, login, type RecordSettled, type Settings } from '@mlop/sdk-ts';
import type { ReferenceServer, TableName } from '../../src/server/index.js';
import type { AckedRun } from '../../src/run/storage/clickhouse-audit.js';
import { TABLE_OF_RECORD_KIND } from '../../src/run/storage/storage-kinds.js';

export interface ChainRun {
  id: number;
  name: string;
  log(data: Record<string, number>, step: number): void;
  finish(): Promise<void>;
}

export class AckLedger {
  readonly acked = new Map<number, Partial<Record<TableName, number>>>();
  requests = 0;
  readonly records: RecordSettled[] = [];

  settings(server: ReferenceServer, extra: Settings = {}): Settings {
    const u = server.url;
    return {
      url_app: u, url_api: u, url_ingest: u, url_py: u, _auth: server.key,
      disable_console: true, disable_system_metrics: true, x_retry_wait_scale: 0.001,
      sync_process_flush_interval: 0.2,
      observer: {
        onRequest: () => void this.requests++,
        onRecord: (ev) => {
          this.records.push(ev);
          if (ev.status !== 'acked') return;
          const table = TABLE_OF_RECORD_KIND[ev.kind];
          const run = this.acked.get(ev.runId) ?? {};
          run[table] = (run[table] ?? 0) + ev.rows;
          this.acked.set(ev.runId, run);
        },
      },
      ...extra,
    };
  }

  ackedRuns(): AckedRun[] {
    return [...this.acked].map(([runId, rows]) => ({ runId, rows }));
  }
}

export async function startRun(server: ReferenceServer, ledger: AckLedger, project: string, name: string): Promise<ChainRun> {
  const settings = ledger.settings(server);
  await login(settings);
  const run = await init({ project, name, settings });
  return {
    id: run.id,
    name,
    log: (data, step) => void run._log(data, step, Date.now() / 1000),
    finish: async () => void (await run.finish()),
  };
}
