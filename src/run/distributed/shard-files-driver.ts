/**
 * `mlop-sim merge FILES…`: the shard files of one plan through the session's one lifecycle — the
 * reports, gates and exit code of a single run. The driver defines the run from the files (their
 * scenario, judged entries, load and gates) and "drives" it by merging their segments. Refuses
 * files of different plans (their fingerprints differ); a shard index given twice (a retried
 * pod) counts once; a missing shard is reported and fails the run.
 */
import { isHttpEntry, VISIBLE_ENTRY_NAME } from '../../core/entry-names.js';
import { SimUsageError } from '../../core/errors.js';
import type { ScenarioDefinition } from '../../load/scenario.js';
import { describeLoad } from '../../executor/registry.js';
import type { DeliveryAudit, SegmentStatus, SimulationResult } from '../../metrics/result.js';
import { auditTotals } from '../judging/audit.js';
import { resolvePlan, type SimulationOptions } from '../plan.js';
import { runSession, type RunDefinition, type RunDriver } from '../session.js';
import type { PlanIdentity } from './fingerprint.js';
import { mergeSegments, pickParts, type MergedSegments } from './merge.js';
import { readShardFile, shardLabel, type ShardFile } from './shard-file.js';
import { mergeStorageAudits } from './storage-merge.js';
import { mergeVisibility } from './visibility-merge.js';

/** What `merge` takes: the report and gate options of a run. */
export type MergeOptions = Pick<
  SimulationOptions,
  'reportDir' | 'csv' | 'html' | 'junit' | 'baseline' | 'thresholds' | 'p95Ms' | 'p99Ms' | 'maxErrorRate' | 'env' | 'log'
>;

export function mergeShardFiles(files: readonly string[], options: MergeOptions = {}): Promise<SimulationResult> {
  return runSession(options, shardFilesDriver(files));
}

interface Shard {
  file: string;
  data: ShardFile;
}

export function shardFilesDriver(files: readonly string[]): RunDriver {
  let shards: Shard[] = [];
  return {
    sendsLoad: false,
    async define(options: MergeOptions): Promise<RunDefinition> {
      if (files.length === 0) throw new SimUsageError('merge needs at least one shard file (mlop-sim merge reports/shard-*.json).');
      shards = [];
      for (const file of files) shards.push({ file, data: await readShardFile(file) });
      checkSamePlan(shards);
      const count = shards[0].data.identity.segments;
      for (const s of shards) {
        if (s.data.result.segment.index >= count) throw new SimUsageError(`${shardLabel(s.file)} claims shard ${s.data.result.segment.index} of a ${count}-shard plan.`);
      }
      // Gates, scenario and target come from the lowest shard used, whatever order the files were given in.
      const first = lowestUsed(shards);
      const env = options.env ?? {};
      const has = (k: string): boolean => (env[k] ?? '').trim() !== '';
      const gates = first.gates;
      const plan = resolvePlan({
        seed: first.identity.seed, plannedLoad: first.identity.load,
        reportDir: options.reportDir, csv: options.csv, html: options.html, junit: options.junit, baseline: options.baseline, env,
      });
      const scenario: ScenarioDefinition = { name: first.scenario.name, tasks: [], failsBuild: first.scenario.failsBuild, capacityAssessment: first.scenario.capacityAssessment };
      return {
        plan, scenario, judged: first.scenario.judged,
        gates: {
          expressions: options.thresholds ?? gates.thresholds,
          env,
          overrides: {
            p95Ms: options.p95Ms ?? (has('P95_THRESHOLD_MS') ? undefined : gates.p95Ms),
            p99Ms: options.p99Ms ?? (has('P99_THRESHOLD_MS') ? undefined : gates.p99Ms),
            maxErrorRate: options.maxErrorRate ?? (has('MAX_ERROR_RATE') ? undefined : gates.maxErrorRate),
          },
        },
      };
    },
    async drive(ctx) {
      const count = shards[0].data.identity.segments;
      const merged = mergeSegments(shards.map((s) => s.data.result), count);
      const { chosen } = pickParts(shards.map((s) => s.data.result));
      const first = lowestUsed(shards);
      const parts: SegmentStatus[] = [];
      for (let i = 0; i < count; i++) {
        const used = shards.find((s) => s.data.result === chosen.find((c) => c.segment.index === i));
        const dup = merged.duplicates.get(i);
        if (!used) parts.push({ index: i, complete: false, reason: 'no shard file for it' });
        else parts.push({ index: i, complete: true, file: shardLabel(used.file), ...(dup ? { duplicates: dup } : {}) });
      }
      const byStart = [...shards].sort((a, b) => a.data.result.startedAtMs - b.data.result.startedAtMs);
      const byEnd = [...shards].sort((a, b) => endMs(b.data) - endMs(a.data));
      const startedAt = new Date(merged.startedAtMs);
      const endedAt = new Date(Math.max(merged.endedAtMs, startedAt.getTime()));
      return {
        stats: merged.recorder, startedAt, endedAt, durationS: (endedAt.getTime() - startedAt.getTime()) / 1000,
        interrupted: merged.interrupted, loadDescription: describeLoad(ctx.def.plan.load), runs: merged.runs,
        audit: merged.runs.length > 0 ? mergedAudit(merged, count) : undefined,
        // With --clickhouse-url each shard audited its runs in ClickHouse and probed time to visible.
        storage: mergeStorageAudits(chosen.flatMap((p) => (p.clickhouse ? [{ index: p.segment.index, count, audit: p.clickhouse }] : []))),
        visibility: mergeVisibility(
          chosen.flatMap((p) => (p.visibility ? [p.visibility] : [])),
          merged.recorder.count(isHttpEntry),
          merged.recorder.summary(VISIBLE_ENTRY_NAME, 1)?.percentiles.p50 ?? 0,
        ),
        target: first.target,
        dlq: { start: byStart[0].data.dlq.start, end: byEnd[0].data.dlq.end },
        scaleOut: { mode: 'shards', segments: count, fingerprint: first.fingerprint, parts },
      };
    },
  };
}

/** The lowest-indexed shard file the merge uses. */
function lowestUsed(shards: readonly Shard[]): ShardFile {
  const { chosen } = pickParts(shards.map((s) => s.data.result));
  return (shards.find((s) => s.data.result === chosen[0]) ?? shards[0]).data;
}

/**
 * The audit of the shards' runs, each checked by its shard: a shard whose storage could not be
 * read makes the merged storage unreadable (a failure naming the shard), never `acked-only`.
 */
function mergedAudit(merged: MergedSegments, count: number): DeliveryAudit {
  const audit = auditTotals(merged.runs, merged.storage);
  if (merged.storage === 'unreadable') {
    audit.storageProblem = merged.unreadable.map((u) => `shard ${u.index} of ${count}: ${u.problem ?? 'no answer'}`).join('; ');
  }
  return audit;
}

function endMs(s: ShardFile): number {
  return s.result.startedAtMs + s.result.durationS * 1000;
}

const IDENTITY_WORDS: Record<keyof PlanIdentity, string> = {
  scenario: 'scenario',
  seed: 'seed',
  segments: 'number of shards',
  load: 'load (users, spawn rate, run time)',
  wait: 'wait',
  shutdownTimeoutS: 'shutdown timeout',
  embeddedServer: 'embedded server faults',
};

/** One sentence naming two files whose plans differ, and in what. */
function checkSamePlan(shards: readonly Shard[]): void {
  const a = shards[0];
  const b = shards.find((s) => s.data.fingerprint !== a.data.fingerprint);
  if (!b) return;
  const fields = (Object.keys(a.data.identity) as (keyof PlanIdentity)[])
    .filter((k) => JSON.stringify(a.data.identity[k]) !== JSON.stringify(b.data.identity[k]))
    .map((k) => IDENTITY_WORDS[k]);
  throw new SimUsageError(
    `${shardLabel(a.file)} and ${shardLabel(b.file)} come from different plans (${fields.join(', ') || 'fingerprint'} differ${fields.length === 1 ? 's' : ''}): merge only the shards of one run.`,
  );
}
