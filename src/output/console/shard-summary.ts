/**
 * What a shard (`run --shard I/N`) prints at its end. A shard is one part of a run: its
 * thresholds, baseline and exit code come from `mlop-sim merge` of all N shard files, so it shows
 * no PASS/FAIL and no judged percentiles of its own — only what it did (its share of the users,
 * its counts, which add up across shards) and where its file went.
 */
import type { SimulationResult } from '../../metrics/result.js';
import { judgedUnit } from '../entry-sections.js';
import { formatPercent } from '../number-format.js';

export interface ShardDone {
  /** The shard file written. */
  file: string;
  /** 0-based index of this shard, and how many shards the plan has. */
  index: number;
  count: number;
  /** The most users this shard ran at once (its share of the plan's). */
  users: number;
}

/** Two lines: this shard's share and counts, then the file and where the verdict comes from. */
export function formatShardSummary(result: SimulationResult, shard: ShardDone): string {
  const unit = judgedUnit(result);
  const primary = result.entries.find((e) => e.name === result.judged[0]);
  const failed = primary?.failures ?? Math.round(result.error_rate * result.total_requests);
  const http = unit === 'records' ? `; HTTP: ${result.aggregated.count} requests` : '';
  const done = `Shard ${shard.index} of ${shard.count}${result.interrupted ? ' (interrupted)' : ''}: ` +
    `${shard.users} of the plan's ${result.users} users for ${result.durationS.toFixed(1)} s; ` +
    `${result.total_requests} ${unit}, ${failed} failed (${formatPercent(result.error_rate)})${http}.`;
  const next = `Wrote ${shard.file}. A shard is not judged alone: the report, the verdict and the exit code come from ` +
    `\`mlop-sim merge\` of all ${shard.count} shard files.`;
  return `${done}\n${next}\n`;
}
