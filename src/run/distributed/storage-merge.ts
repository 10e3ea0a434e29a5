/**
 * The ClickHouse storage audits of several shards as one (`mlop-sim merge`): each shard audited
 * its own runs in ClickHouse, so runs are listed together and counts add up; the merged audit
 * passes only when every shard's did, and a shard that could not count says which one it was.
 */
import type { KindCounts, StorageAudit, StorageKind } from '../../metrics/result.js';

export function mergeStorageAudits(parts: readonly { index: number; count: number; audit: StorageAudit }[]): StorageAudit | undefined {
  if (parts.length === 0) return undefined;
  const first = parts[0].audit;
  const totals = {} as Record<StorageKind, KindCounts>;
  for (const { audit } of parts) {
    for (const [kind, c] of Object.entries(audit.totals) as [StorageKind, KindCounts][]) {
      const t = (totals[kind] ??= { acked: 0, stored: 0, lost: 0, duplicated: 0, unacked: 0 });
      for (const f of Object.keys(t) as (keyof KindCounts)[]) t[f] += c[f] ?? 0;
    }
  }
  const errors = parts.filter((p) => p.audit.error).map((p) => `shard ${p.index} of ${p.count}: ${p.audit.error}`);
  return {
    url: first.url,
    database: first.database,
    settled: parts.every((p) => p.audit.settled),
    waitedMs: Math.max(...parts.map((p) => p.audit.waitedMs)),
    polls: parts.reduce((n, p) => n + p.audit.polls, 0),
    runs: parts.flatMap((p) => p.audit.runs).sort((a, b) => a.runId - b.runId),
    totals,
    lostRows: parts.reduce((n, p) => n + p.audit.lostRows, 0),
    duplicatedRows: parts.reduce((n, p) => n + p.audit.duplicatedRows, 0),
    pass: parts.every((p) => p.audit.pass),
    ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
  };
}
