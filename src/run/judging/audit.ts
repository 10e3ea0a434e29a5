/**
 * The delivery audit of SDK runs: per run and per kind (user metrics, system metrics with the
 * health line, data, console lines, files, config/tags), records logged, acked, FAILED and
 * pending (from the SDK), and — when the target is the reference server — rows expected, stored,
 * lost and duplicated per table (mlop_metrics, mlop_logs, mlop_data, mlop_files), read through
 * its control routes after a flush. Rows lost or duplicated, records never acked nor FAILED, or a
 * reference server whose storage cannot be read fail the run.
 */
import { AUDIT_KINDS, TABLE_OF_KIND, type AuditKind, type DeliveryAudit, type KindAudit, type RunAudit, type TableAudit } from '../../metrics/result.js';
import type { SdkRun } from '../../load/sdk-session.js';
import { describeNetworkError } from '../../core/errors.js';
import type { TargetControl } from '../target-control.js';

interface TableCount {
  rows: number;
  distinct: number;
}
interface StoredRun {
  tenantId?: string;
  projectName: string;
  runId: number | string;
  tables: Record<string, TableCount>;
}

/** What the reference server's flush said (docs/server.md, "Control routes"). */
interface FlushAnswer {
  ok?: boolean;
  error?: string;
  dlqBatchesPending?: number;
  rowsLost?: number;
}

type StorageRead =
  | { kind: 'read'; runs: Map<string, StoredRun>; dlqBatchesPending: number }
  | { kind: 'unreadable'; problem: string };

/**
 * `storageCheck`: the target is mlop-sim's reference server, so its storage must be read; a
 * storage that cannot be read then fails the audit with the reason (it is never quietly
 * downgraded to "acked only"). Other targets are audited on the SDK's acks alone, and say so.
 */
export async function auditDelivery(
  runs: readonly SdkRun[],
  project: string,
  control: TargetControl,
  ingestUrl: string,
  storageCheck: boolean,
): Promise<DeliveryAudit> {
  return auditRuns(runDeliveries(runs), project, control, ingestUrl, storageCheck);
}

/** What the SDK says of each run: logged, acked, failed, pending, rows expected; in total and per kind. */
export function runDeliveries(runs: readonly SdkRun[]): RunAudit[] {
  return runs.map((run) => {
    const d = run.delivery();
    const kinds = {} as Record<AuditKind, KindAudit>;
    for (const k of AUDIT_KINDS) {
      const c = d.byKind[k];
      kinds[k] = { logged: c.logged, acked: c.acked, failed: c.failed, pending: c.pending, expectedRows: c.ackedRows };
    }
    return {
      runId: Number(run.id),
      runName: run.name,
      logged: d.logged,
      acked: d.acked,
      failed: d.failed,
      pending: d.pending,
      expectedRows: d.ackedRows,
      kinds,
    };
  });
}

/**
 * The audit of runs whose SDK counts are known (from this process or from workers): with the
 * storage check, the reference server's stored rows are read once for all of them.
 */
export async function auditRuns(
  deliveries: readonly RunAudit[],
  project: string,
  control: TargetControl,
  ingestUrl: string,
  storageCheck: boolean,
): Promise<DeliveryAudit> {
  const read = storageCheck ? await readStoredRuns(control, ingestUrl, project) : undefined;
  const stored = read?.kind === 'read' ? read.runs : undefined;
  const audits: RunAudit[] = deliveries.map((d) => {
    const a: RunAudit = { ...d };
    if (stored) {
      // per table: the kinds whose rows land there, against the distinct rows stored there
      const have = stored.get(String(d.runId))?.tables ?? {};
      const tables: Record<string, TableAudit> = {};
      for (const [k, table] of Object.entries(TABLE_OF_KIND)) {
        const h = have[table];
        const t = (tables[table] ??= { expectedRows: 0, storedRows: h?.distinct ?? 0, lostRows: 0, duplicatedRows: (h?.rows ?? 0) - (h?.distinct ?? 0) });
        t.expectedRows += d.kinds?.[k as AuditKind]?.expectedRows ?? 0;
      }
      for (const t of Object.values(tables)) t.lostRows = Math.max(0, t.expectedRows - t.storedRows);
      a.tables = tables;
      a.storedRows = sumOf(Object.values(tables), 'storedRows');
      a.lostRows = sumOf(Object.values(tables), 'lostRows');
      a.duplicatedRows = sumOf(Object.values(tables), 'duplicatedRows');
    }
    return a;
  });
  const storage: StorageVerdict = read === undefined ? 'acked-only' : read.kind === 'read' ? 'checked' : 'unreadable';
  const audit = auditTotals(audits, storage);
  if (read?.kind === 'unreadable') audit.storageProblem = read.problem;
  if (read?.kind === 'read' && read.dlqBatchesPending > 0) audit.dlqBatchesPending = read.dlqBatchesPending;
  return audit;
}

type StorageVerdict = NonNullable<DeliveryAudit['storage']>;

/**
 * Totals and the verdict over audited runs (also of shards that each checked their own runs):
 * rows lost or duplicated, records neither acked nor FAILED, or an unreadable storage fail it.
 */
export function auditTotals(audits: RunAudit[], storage: StorageVerdict | boolean): DeliveryAudit {
  if (typeof storage === 'boolean') storage = storage ? 'checked' : 'acked-only';
  const storageChecked = storage === 'checked';
  const sum = (k: 'logged' | 'acked' | 'failed' | 'pending' | 'expectedRows' | 'storedRows' | 'lostRows' | 'duplicatedRows'): number =>
    audits.reduce((s, a) => s + (a[k] ?? 0), 0);
  const kinds = {} as Record<AuditKind, KindAudit>;
  for (const k of AUDIT_KINDS) {
    kinds[k] = { logged: 0, acked: 0, failed: 0, pending: 0, expectedRows: 0 };
    // (a shard file written before kinds were counted has none: it adds nothing here)
    for (const a of audits) for (const f of ['logged', 'acked', 'failed', 'pending', 'expectedRows'] as const) kinds[k][f] += a.kinds?.[k]?.[f] ?? 0;
  }
  const totals: DeliveryAudit['totals'] = {
    logged: sum('logged'),
    acked: sum('acked'),
    failed: sum('failed'),
    pending: sum('pending'),
    expectedRows: sum('expectedRows'),
    kinds,
  };
  if (storageChecked) {
    totals.storedRows = sum('storedRows');
    totals.lostRows = sum('lostRows');
    totals.duplicatedRows = sum('duplicatedRows');
    const tables: Record<string, TableAudit> = {};
    for (const a of audits) {
      for (const [name, t] of Object.entries(a.tables ?? {})) {
        const all = (tables[name] ??= { expectedRows: 0, storedRows: 0, lostRows: 0, duplicatedRows: 0 });
        all.expectedRows += t.expectedRows;
        all.storedRows += t.storedRows;
        all.lostRows += t.lostRows;
        all.duplicatedRows += t.duplicatedRows;
      }
    }
    totals.tables = tables;
  }
  const pass = storage !== 'unreadable' && (totals.lostRows ?? 0) === 0 && (totals.duplicatedRows ?? 0) === 0 && totals.pending === 0;
  return { storageChecked, storage, runs: audits, totals, pass };
}

function sumOf(ts: TableAudit[], k: keyof TableAudit): number {
  return ts.reduce((s, t) => s + t[k], 0);
}

/**
 * `POST /_sim/flush` (which answers within 5 s, 503 when the flush is stuck), then
 * `GET /_sim/runs?project=P`, keyed by run id; or why the storage could not be read.
 */
async function readStoredRuns(control: TargetControl, ingestUrl: string, project: string): Promise<StorageRead> {
  let flush: FlushAnswer;
  try {
    const res = await control.call(ingestUrl, 'POST', '_sim/flush');
    flush = parseJson<FlushAnswer>(res.text) ?? {};
    if (res.status === 503) return { kind: 'unreadable', problem: flush.error ?? 'the flush did not finish' };
    if (res.status !== 200) return { kind: 'unreadable', problem: `POST /_sim/flush answered ${res.status}` };
  } catch (err) {
    return { kind: 'unreadable', problem: `POST /_sim/flush failed: ${describeNetworkError(err)}` };
  }
  try {
    const res = await control.call(ingestUrl, 'GET', `_sim/runs?project=${encodeURIComponent(project)}`);
    const body = parseJson<{ runs?: StoredRun[] }>(res.text);
    if (res.status !== 200 || !body || !Array.isArray(body.runs)) return { kind: 'unreadable', problem: `GET /_sim/runs answered ${res.status}` };
    const byId = new Map<string, StoredRun>();
    for (const r of body.runs) if (r.projectName === project) byId.set(String(r.runId), r);
    return { kind: 'read', runs: byId, dlqBatchesPending: flush.dlqBatchesPending ?? 0 };
  } catch (err) {
    return { kind: 'unreadable', problem: `GET /_sim/runs failed: ${describeNetworkError(err)}` };
  }
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
