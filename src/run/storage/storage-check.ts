/**
 * What `--clickhouse-url` adds to a run, in the runner's order: at start, a connection checked
 * with the given credentials (one sentence and exit 3 when ClickHouse is unreachable, rejects the
 * credentials or lacks the tables); while users run, the acked rows per run and table (from the
 * SDK observer) and the time-to-visible probe (`E2E log→visible`); after the load, the probe's
 * last samples, then the storage audit once the flush window has passed.
 */
import { ClickHouseSession, ClickHouseUnavailableError, type ClickHouseConnectionOptions } from '../../core/clickhouse/session.js';
import { TABLES, type TableName } from '../../core/clickhouse/tables.js';
import { VISIBLE_ENTRY } from '../../core/entry-names.js';
import { sdkProject, usesSdk, type ScenarioDefinition } from '../../load/scenario.js';
import type { SettledRecord } from '../../load/sdk-session.js';
import { SimTargetError } from '../../core/errors.js';
import type { RunAudit, StorageAudit, VisibilitySummary } from '../../metrics/result.js';
import type { StatsSink } from '../../metrics/stats-sink.js';
import { auditClickHouseStorage, judge, type AckedRun } from './clickhouse-audit.js';
import { TABLE_OF_RECORD_KIND } from './storage-kinds.js';
import { VisibilityProbe } from './visibility-probe.js';

export interface StorageCheckPlan extends ClickHouseConnectionOptions {
  /** Longest wait for the flush window after the load (and for the probe's last samples). */
  settleTimeoutS: number;
  /** Time-to-visible samples per second. */
  probeRate: number;
  /** Probe queries ≤ this share of the run's requests. */
  probeBudget: number;
}

/**
 * `--clickhouse-url` for a run (single process or --workers coordinator): checked before anything
 * starts (exit 3 with one sentence); with the embedded server (`createDatabase`) the database is
 * created here and the server creates its tables. Undefined without `--clickhouse-url`.
 */
export async function openRunStorage(
  plan: StorageCheckPlan | undefined, scenario: ScenarioDefinition, createDatabase: boolean, log: (line: string) => void,
): Promise<StorageCheck | undefined> {
  if (!plan) return undefined;
  const storage = await StorageCheck.open(plan, sdkProject(scenario), createDatabase);
  if (!usesSdk(scenario)) log(`--clickhouse-url: the ${scenario.name} scenario makes no SDK runs, so nothing is audited in ClickHouse`);
  return storage;
}

export class StorageCheck {
  private readonly acked = new Map<number, Partial<Record<TableName, number>>>();
  private probe: VisibilityProbe | undefined;

  private constructor(
    private readonly session: ClickHouseSession,
    private readonly plan: StorageCheckPlan,
    private readonly project: string,
  ) {}

  /**
   * Connects and checks. `createDatabase` when the embedded server will write there (it creates
   * the tables); otherwise the database and the four tables must exist.
   */
  static async open(plan: StorageCheckPlan, project: string, createDatabase: boolean): Promise<StorageCheck> {
    let session: ClickHouseSession;
    try {
      session = await ClickHouseSession.open(plan, createDatabase);
    } catch (err) {
      if (err instanceof ClickHouseUnavailableError) throw new SimTargetError(err.message.replace(/\.$/, '') + '.');
      throw err;
    }
    if (!createDatabase) {
      try {
        const found = await session.rows<{ name: string }>(
          'SELECT name FROM system.tables WHERE database = {db:String} AND has({names:Array(String)}, name)',
          { db: session.database, names: [...TABLES] },
        );
        const missing = TABLES.filter((t) => !found.some((f) => f.name === t));
        if (missing.length) {
          throw new SimTargetError(`ClickHouse database "${session.database}" at ${session.displayUrl} has no table ${missing.join(', ')} (the ingest's tables, docs/protocol/clickhouse.md).`);
        }
      } catch (err) {
        await session.close();
        if (err instanceof ClickHouseUnavailableError) throw new SimTargetError(err.message);
        throw err;
      }
    }
    return new StorageCheck(session, plan, project);
  }

  /** The SDK observer's settled records: acked rows per run and table, and probe samples. */
  readonly onRecordSettled = (ev: SettledRecord): void => {
    if (ev.status !== 'acked') return;
    const table = TABLE_OF_RECORD_KIND[ev.kind];
    const run = this.acked.get(ev.runId) ?? {};
    run[table] = (run[table] ?? 0) + ev.rows;
    this.acked.set(ev.runId, run);
    if (this.probe && ev.kind === 'metric' && ev.step !== undefined && ev.name !== undefined) {
      this.probe.offer({ runId: ev.runId, step: ev.step, logName: ev.name, loggedAt: ev.loggedAt });
    }
  };

  /** Starts the probe; `requests()` is the run's request count so far (its budget). */
  startProbe(stats: StatsSink, requests: () => number, log: (line: string) => void): void {
    let reported = false;
    this.probe = new VisibilityProbe(this.session, {
      project: this.project,
      requests,
      maxSamplesPerSecond: this.plan.probeRate,
      budgetFraction: this.plan.probeBudget,
      onVisible: (ms) => stats.record(VISIBLE_ENTRY.method, VISIBLE_ENTRY.route, ms, true),
      onError: (err) => {
        if (reported) return;
        reported = true;
        log(`time-to-visible probe: a ClickHouse query failed (${err instanceof Error ? err.message : String(err)})`);
      },
    });
    this.probe.start();
  }

  /** Lets the probe see its last samples (bounded by the settle timeout), then stops it. */
  async finishProbe(): Promise<VisibilitySummary | undefined> {
    return this.probe?.drain(this.plan.settleTimeoutS * 1000);
  }

  /** Stops the probe now (an interrupted run does not wait). */
  async stopProbe(): Promise<VisibilitySummary | undefined> {
    return this.probe?.stop();
  }

  /** The storage audit of the runs (names from the SDK), after the flush window. */
  async audit(runs: ReadonlyArray<{ id: number | string; name: string }>, signal?: AbortSignal): Promise<StorageAudit> {
    return this.auditAcked(runs.map((r) => ({ runId: Number(r.id), runName: r.name, rows: this.acked.get(Number(r.id)) ?? {} })), signal);
  }

  /**
   * The same audit from runs' delivery counts (the --workers coordinator's merged runs, whose
   * records were settled in the worker processes): the rows each kind's acked records became.
   */
  async auditDeliveries(runs: readonly RunAudit[], signal?: AbortSignal): Promise<StorageAudit> {
    return this.auditAcked(runs.map((r) => {
      const rows: Partial<Record<TableName, number>> = {};
      for (const [kind, table] of Object.entries(TABLE_OF_RECORD_KIND)) {
        const n = r.kinds?.[kind as keyof typeof TABLE_OF_RECORD_KIND]?.expectedRows ?? 0;
        if (n > 0) rows[table] = (rows[table] ?? 0) + n;
      }
      return { runId: r.runId, runName: r.runName, rows };
    }), signal);
  }

  private async auditAcked(acked: AckedRun[], signal?: AbortSignal): Promise<StorageAudit> {
    try {
      return await auditClickHouseStorage(this.session, acked, { project: this.project, settleTimeoutMs: this.plan.settleTimeoutS * 1000, signal });
    } catch (err) {
      if (!(err instanceof ClickHouseUnavailableError)) throw err;
      // ClickHouse went away after the start: nothing can be said about storage, and that fails the run.
      const failed = judge(this.session, acked, new Map(), { settled: false, waitedMs: 0, polls: 0 });
      return { ...failed, pass: false, error: err.message };
    }
  }

  async close(): Promise<void> {
    await this.probe?.stop();
    await this.session.close();
  }
}
