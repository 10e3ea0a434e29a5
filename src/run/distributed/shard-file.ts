/**
 * The shard result file: what `mlop-sim run --shard I/N` writes to its report folder and
 * `mlop-sim merge` reads — the plan's fingerprint and identity, what the merge needs to judge
 * (the scenario's judged entries, the gates the shard was given), the target, the DLQ health at
 * the start and end, and the segment's result (stats, runs, timing). Never the API key.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SimUsageError } from '../../core/errors.js';
import type { SimulationResult } from '../../metrics/result.js';
import type { PlanIdentity } from './fingerprint.js';
import type { SegmentResult } from './segment-result.js';

export const SHARD_FORMAT = 'mlop-sim-shard';
export const SHARD_VERSION = 1;

export interface ShardGates {
  thresholds: string[];
  p95Ms: number;
  p99Ms: number;
  maxErrorRate: number;
}

export interface ShardFile {
  format: typeof SHARD_FORMAT;
  version: typeof SHARD_VERSION;
  fingerprint: string;
  identity: PlanIdentity;
  scenario: { name: string; judged: string[]; failsBuild: boolean; capacityAssessment: boolean };
  gates: ShardGates;
  target: SimulationResult['target'];
  dlq: SimulationResult['dlq'];
  result: SegmentResult;
}

/** `shard-I-of-N.json` (I 0-based, as JOB_COMPLETION_INDEX). */
export function shardFileName(index: number, count: number): string {
  return `shard-${index}-of-${count}.json`;
}

/** Writes the file atomically (temp file, then rename) so a merge never reads half a shard. */
export async function writeShardFile(dir: string, shard: ShardFile): Promise<string> {
  const file = join(dir, shardFileName(shard.result.segment.index, shard.result.segment.count));
  try {
    await mkdir(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(shard));
    await rename(tmp, file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SimUsageError(`cannot write the shard file (${e.code ?? e.message} at ${file}).`);
  }
  return file;
}

export async function readShardFile(file: string): Promise<ShardFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new SimUsageError(`cannot read the shard file ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'}).`);
  }
  let data: Partial<ShardFile>;
  try {
    data = JSON.parse(text) as Partial<ShardFile>;
  } catch {
    throw new SimUsageError(`${file} is not a shard file (not JSON; was it cut short?).`);
  }
  if (data?.format !== SHARD_FORMAT) throw new SimUsageError(`${file} is not a shard file (written by mlop-sim run --shard I/N).`);
  if (data.version !== SHARD_VERSION) throw new SimUsageError(`${file} is a shard file of version ${data.version}; this mlop-sim reads version ${SHARD_VERSION}.`);
  const r = data.result;
  if (!r || !r.segment || !r.stats || !Array.isArray(r.stats.entries) || !Array.isArray(r.runs) || typeof data.fingerprint !== 'string') {
    throw new SimUsageError(`${file} is an incomplete shard file (no result, stats or fingerprint).`);
  }
  return data as ShardFile;
}

export function shardLabel(file: string): string {
  return basename(file);
}
