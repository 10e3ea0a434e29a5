/**
 * The gates' wording: one sentence per threshold verdict, baseline check, delivery audit and
 * storage audit, and the run's failure reasons. Judging stamps each verdict's `sentence` into the
 * result (wordVerdicts), so the console table, the JUnit file, the HTML page and latest.json all
 * say the same thing, and outputs never word a gate themselves.
 */
import {
  type BaselineCheck, type BaselineVerdict, type DeliveryAudit, type KindCounts, type RunAudit, type StorageAudit,
  type StorageKind, type ThresholdVerdict,
} from '../../metrics/result.js';
import { formatMs, formatNumber, formatPercent } from '../../output/number-format.js';

/** A verdict's note (e.g. `no samples were recorded`) as a clause, or nothing. */
function withNote(note: string | undefined): string {
  return note ? ` (${note})` : '';
}

const LATENCY_METRICS = new Set(['avg', 'max', 'min']);

function isLatencyMetric(metric: string): boolean {
  return LATENCY_METRICS.has(metric) || /^p\d/.test(metric);
}

/** A metric value with its unit: `312 ms`, `1.20 %`, `45.5 req/s`. */
function formatMetricValue(metric: string, value: number): string {
  if (isLatencyMetric(metric)) return `${formatMs(value)} ms`;
  if (metric === 'error_rate') return `${formatNumber(value, 4)} (${formatPercent(value)})`;
  if (metric === 'rps') return `${formatNumber(value, 2)} req/s`;
  return formatNumber(value);
}

/** e.g. `e2e log→ack p95 was 912 ms; e2e:p95<800 requires < 800 ms.` */
export function describeThreshold(v: ThresholdVerdict): string {
  const actual = formatMetricValue(v.metric, v.actual);
  const limit = isLatencyMetric(v.metric) ? `${formatNumber(v.limit)} ms` : formatNumber(v.limit, 6);
  const verb = v.pass ? 'meets' : 'breaks';
  return `${v.entry} ${v.metric} was ${actual}, which ${verb} ${v.expression} (${v.op} ${limit})${withNote(v.note)}.`;
}

function baselineValue(metric: BaselineCheck['metric'], value: number): string {
  return metric === 'error_rate' ? formatNumber(value, 4) : `${formatMs(value)} ms`;
}

/** e.g. `p95_ms grew by 35.0 % (12.0 ms → 16.2 ms); the limit is +20.0 %.` */
export function describeBaselineCheck(c: BaselineCheck): string {
  const values = `(${baselineValue(c.metric, c.baseline)} → ${baselineValue(c.metric, c.current)})`;
  if (c.metric === 'error_rate') {
    // docs/protocol/load-test-suite.md §6.8: the error rate is compared in absolute terms.
    const change = `${c.change >= 0 ? '+' : ''}${formatNumber(c.change, 4)}`;
    return `error_rate changed by ${change} ${values}; the limit is +${formatNumber(c.limit, 4)}${withNote(c.note)}.`;
  }
  // docs/protocol/load-test-suite.md §6.8: p95/p99 are compared relative to the baseline.
  const change = Number.isFinite(c.change)
    ? `${c.change >= 0 ? '+' : ''}${(c.change * 100).toFixed(1)} %`
    : 'an unbounded amount from a zero baseline';
  return `${c.metric} changed by ${change} ${values}; the limit is +${(c.limit * 100).toFixed(1)} %${withNote(c.note)}.`;
}

type AuditCounts = Omit<RunAudit, 'runId' | 'runName'>;

type StorageState = DeliveryAudit['storage'];

/** The audit's storage state (results written before it existed only had storageChecked). */
export function auditStorage(audit: Pick<DeliveryAudit, 'storage' | 'storageChecked'>): StorageState {
  return audit.storage ?? (audit.storageChecked ? 'checked' : 'acked-only');
}

/** Records and rows of one run (or the totals) in one line. */
export function describeAuditCounts(a: AuditCounts, storage: StorageState | boolean, storageProblem?: string): string {
  const state: StorageState = typeof storage === 'boolean' ? (storage ? 'checked' : 'acked-only') : storage;
  const records = `${a.logged} records logged, ${a.acked} acked, ${a.failed} failed, ${a.pending} pending`;
  const rows =
    state === 'checked'
      ? `${a.expectedRows} rows expected, ${a.storedRows ?? 'n/a'} stored, ${a.lostRows ?? 'n/a'} lost, ${a.duplicatedRows ?? 'n/a'} duplicated`
      : state === 'unreadable'
        ? `${a.expectedRows} rows expected, storage could not be read${storageProblem ? ` (${storageProblem})` : ''}`
        : `${a.expectedRows} rows expected; acked only, storage not checked (the target is not mlop-sim's reference server, so stored rows cannot be read)`;
  return `${records}; ${rows}`;
}

/** e.g. `Delivery audit failed over 10 runs: …` */
export function describeAudit(audit: DeliveryAudit): string {
  const verdict = audit.pass ? 'passed' : 'failed';
  const runs = `${audit.runs.length} run${audit.runs.length === 1 ? '' : 's'}`;
  return `Delivery audit ${verdict} over ${runs}: ${describeAuditCounts(audit.totals, auditStorage(audit), audit.storageProblem)}.`;
}

/** One sentence per reason the audit failed (the run's reasons list), each starting `delivery audit:`. */
export function describeAuditFailures(audit: DeliveryAudit): string[] {
  const t = audit.totals;
  const out: string[] = [];
  if (auditStorage(audit) === 'unreadable') {
    out.push(`delivery audit: the reference server's storage could not be read (${audit.storageProblem ?? 'no answer'}), so ${t.expectedRows} acked rows are not confirmed stored.`);
  }
  if ((t.lostRows ?? 0) > 0) {
    const dlq = (audit.dlqBatchesPending ?? 0) > 0 ? ` (the server's dead-letter queue holds ${audit.dlqBatchesPending} batches its flusher could not store)` : '';
    out.push(`delivery audit: ${t.lostRows} acknowledged rows are missing from the target's storage${dlq}.`);
  }
  if ((t.duplicatedRows ?? 0) > 0) out.push(`delivery audit: ${t.duplicatedRows} rows were stored more than once.`);
  if (t.pending > 0) out.push(`delivery audit: ${t.pending} records were neither acked nor reported failed by the SDK (still queued when the run ended).`);
  if (out.length === 0 && !audit.pass) out.push(describeAudit(audit));
  return out;
}

/** One kind's rows, e.g. `metrics 1200 acked, 1200 stored, 0 lost, 0 duplicated`. */
export function describeKindCounts(kind: StorageKind, k: KindCounts): string {
  return `${kind} ${k.acked} acked, ${k.stored} stored, ${k.lost} lost, ${k.duplicated} duplicated${k.unacked ? `, ${k.unacked} never acked` : ''}`;
}

/** e.g. `Storage audit (ClickHouse http://…/db) passed over 50 runs: metrics …; logs …` */
export function describeStorageAudit(s: StorageAudit): string {
  const where = `ClickHouse ${s.url}, database ${s.database}`;
  if (s.error) return `Storage audit (${where}) failed: ${s.error.replace(/\.$/, '')}.`;
  const runs = `${s.runs.length} run${s.runs.length === 1 ? '' : 's'}`;
  const kinds = (Object.keys(s.totals) as StorageKind[]).filter((k) => s.totals[k].acked > 0 || s.totals[k].stored > 0);
  const counts = kinds.length ? kinds.map((k) => describeKindCounts(k, s.totals[k])).join('; ') : 'no rows acked';
  const wait = `counts ${s.settled ? 'settled' : 'not settled (timeout)'} after ${(s.waitedMs / 1000).toFixed(1)} s`;
  return `Storage audit (${where}) ${s.pass ? 'passed' : 'failed'} over ${runs}: ${counts} (${wait}).`;
}

/** The result's verdicts with their sentences: what every output prints. */
export function wordVerdicts<T extends {
  thresholds: ThresholdVerdict[]; baseline?: BaselineVerdict; audit?: DeliveryAudit; storage?: StorageAudit;
}>(r: T): T {
  for (const v of r.thresholds) v.sentence = describeThreshold(v);
  for (const c of r.baseline?.checks ?? []) c.sentence = describeBaselineCheck(c);
  if (r.audit) {
    const audit = r.audit;
    audit.sentence = describeAudit(audit);
    for (const run of audit.runs) {
      if ((run.lostRows ?? 0) > 0 || (run.duplicatedRows ?? 0) > 0 || run.failed > 0 || run.pending > 0) {
        run.sentence = describeAuditCounts(run, auditStorage(audit), audit.storageProblem);
      }
    }
  }
  if (r.storage) {
    r.storage.sentence = describeStorageAudit(r.storage);
    for (const run of r.storage.runs) {
      const bad = (Object.keys(run.kinds) as StorageKind[]).filter((k) => run.kinds[k].lost > 0 || run.kinds[k].duplicated > 0);
      if (bad.length) run.sentence = bad.map((k) => describeKindCounts(k, run.kinds[k])).join('; ');
    }
  }
  return r;
}
