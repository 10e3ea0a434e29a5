/**
 * Which shard this process is: `--shard I/N` (I from 0), or `--shards N` with I from the
 * JOB_COMPLETION_INDEX a Kubernetes Indexed Job sets in each pod; and `--start-at`.
 */
import { SimUsageError } from '../../core/errors.js';
import { segmentProblem, type Segment } from '../../executor/segment.js';
import type { Env, ScaleOutOptions } from '../plan.js';

export function resolveShard(o: ScaleOutOptions, env: Env): Segment | undefined {
  if (o.shard === undefined && o.shards === undefined) return undefined;
  let segment: Segment;
  if (o.shard !== undefined) {
    const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(String(o.shard));
    if (!m) throw new SimUsageError(`--shard must be I/N with I from 0 to N-1, e.g. 0/4, got "${o.shard}".`);
    segment = { index: Number(m[1]), count: Number(m[2]) };
    if (o.shards !== undefined && o.shards !== segment.count) throw new SimUsageError(`--shard ${o.shard} and --shards ${o.shards} disagree on the number of shards.`);
  } else {
    const raw = env.JOB_COMPLETION_INDEX;
    if (raw === undefined || raw.trim() === '') {
      throw new SimUsageError('--shards N needs this shard\'s index: pass --shard I/N or set JOB_COMPLETION_INDEX (a Kubernetes Indexed Job sets it).');
    }
    if (!/^\d+$/.test(raw.trim())) throw new SimUsageError(`JOB_COMPLETION_INDEX must be a whole number, got "${raw}".`);
    segment = { index: Number(raw.trim()), count: Number(o.shards) };
  }
  const problem = segmentProblem(segment);
  if (problem) throw new SimUsageError(`${problem.replace('segments', 'shards').replace('segment index', 'shard index')}.`);
  return segment;
}

/**
 * `--start-at`: an ISO 8601 time (`2026-12-02T03:00:00Z`) or epoch seconds → epoch ms.
 * A time in the past starts at once (a pod retried later than the others).
 */
export function parseStartAt(text: string): number {
  const t = text.trim();
  const ms = /^\d+(\.\d+)?$/.test(t) ? Number(t) * 1000 : Date.parse(t);
  if (!Number.isFinite(ms) || t === '') throw new SimUsageError(`--start-at must be an ISO 8601 time such as 2026-12-02T03:00:00Z or epoch seconds, got "${text}".`);
  return ms;
}
