/**
 * Scaling out (docs/cli.md "Scaling out"): runScaled() picks the path from the options —
 * `--shard`/`--shards` (one segment, a shard file), `--workers N` (one machine's cores, one
 * report), or the single-process runSimulation(); mergeShardFiles() is `mlop-sim merge`.
 */
import { share } from '../../executor/segment.js';
import type { SimulationResult } from '../../metrics/result.js';
import type { ShardDone } from '../../output/index.js';
import type { SimulationOptions } from '../plan.js';
import { runSimulation } from '../runner.js';
import { resolveWorkers, runWorkers } from './fleet-driver.js';
import { runShard } from './shard-run.js';
import { resolveShard } from './shard-spec.js';

export { mergeShardFiles, type MergeOptions } from './shard-files-driver.js';
export { parseStartAt } from './shard-spec.js';

export interface ScaledRun {
  result: SimulationResult;
  /** The shard file written, when this was a shard. */
  shardFile?: string;
  /** When this was a shard: its file, index, count and its share of the users (it is judged by merge). */
  shard?: ShardDone;
}

export async function runScaled(options: SimulationOptions): Promise<ScaledRun> {
  const so = options.scaleOut ?? {};
  const workers = resolveWorkers(so.workers);
  const shard = resolveShard(so, options.env ?? {});
  if (shard) {
    const { result, file } = await runShard(options, shard, workers);
    return { result, shardFile: file, shard: { file, index: shard.index, count: shard.count, users: share(shard, result.users) } };
  }
  if (workers > 1) return { result: (await runWorkers(options, workers)).result };
  return { result: await runSimulation(options) };
}
