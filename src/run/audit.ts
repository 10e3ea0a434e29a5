/**
 * The delivery audit of SDK runs: per run, records logged, acked, FAILED and pending (from the
 * SDK), and — when the target is the reference server — rows stored, lost and duplicated, read
 * through its control routes after a flush. Lost > 0 fails the run.
 */
import type { DeliveryAudit, RunAudit } from '../metrics/result.js';
import type { SdkRun } from '../load/sdk-session.js';
import type { TargetControl } from './target-control.js';

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

export async function auditDelivery(
  runs: readonly SdkRun[],
  project: string,
  control: TargetControl,
  ingestUrl: string,
  storageCheck: boolean,
): Promise<DeliveryAudit> {
  return auditRuns(runDeliveries(runs), project, control, ingestUrl, storageCheck);
}

/** What the SDK says of each run: logged, acked, failed, pending, rows expected. */
export function runDeliveries(runs: readonly SdkRun[]): RunAudit[] {
  return runs.map((run) => {
    const d = run.delivery();
    return {
      runId: Number(run.id),
      runName: run.name,
      logged: d.logged,
      acked: d.acked,
      failed: d.failed,
      pending: d.pending,
      expectedRows: d.ackedRows,
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
  const stored = storageCheck ? await readStoredRuns(control, ingestUrl, project) : undefined;
  const audits: RunAudit[] = deliveries.map((d) => {
    const a: RunAudit = { ...d };
    if (stored) {
      const tables = Object.values(stored.get(String(d.runId))?.tables ?? {});
      const rows = tables.reduce((s, t) => s + t.rows, 0);
      const distinct = tables.reduce((s, t) => s + t.distinct, 0);
      a.storedRows = distinct;
      a.lostRows = Math.max(0, a.expectedRows - distinct);
      a.duplicatedRows = rows - distinct;
    }
    return a;
  });
  return auditTotals(audits, stored !== undefined);
}

/** Totals and the verdict over audited runs (also of shards that each checked their own runs). */
export function auditTotals(audits: RunAudit[], storageChecked: boolean): DeliveryAudit {
  const sum = (k: keyof Omit<RunAudit, 'runId' | 'runName'>): number => audits.reduce((s, a) => s + (a[k] ?? 0), 0);
  const totals: DeliveryAudit['totals'] = {
    logged: sum('logged'),
    acked: sum('acked'),
    failed: sum('failed'),
    pending: sum('pending'),
    expectedRows: sum('expectedRows'),
  };
  if (storageChecked) {
    totals.storedRows = sum('storedRows');
    totals.lostRows = sum('lostRows');
    totals.duplicatedRows = sum('duplicatedRows');
  }
  return { storageChecked, runs: audits, totals, pass: (totals.lostRows ?? 0) === 0 };
}

/** `POST /_sim/flush`, then `GET /_sim/runs?project=P`, keyed by run id. */
async function readStoredRuns(control: TargetControl, ingestUrl: string, project: string): Promise<Map<string, StoredRun> | undefined> {
  try {
    await control.call(ingestUrl, 'POST', '_sim/flush');
    const res = await control.call(ingestUrl, 'GET', `_sim/runs?project=${encodeURIComponent(project)}`);
    if (res.status !== 200) return undefined;
    const body = JSON.parse(res.text) as { runs?: StoredRun[] };
    const byId = new Map<string, StoredRun>();
    for (const r of body.runs ?? []) if (r.projectName === project) byId.set(String(r.runId), r);
    return byId;
  } catch {
    return undefined;
  }
}
