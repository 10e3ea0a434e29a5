/**
 * A capacity step under --workers (one runWorkers() per step, src/run/distributed/fleet-driver.ts),
 * judged as a single-process step is:
 * - the window: the second half less its last 100 ms, read from the workers' merged per-second
 *   digests (step-window.ts) instead of a reset at half time;
 * - the target's DLQ: read every 500 ms through the step (the window is known only after it);
 * - sdk: the runs' queues, read by each worker every 250 ms and streamed to the coordinator,
 *   merged on one grid (worker-queues.ts) and judged by the same queue trend;
 * - the generator: each worker watches its own health (generatorHealth), and the step counts as
 *   generator-saturated when any worker's was, as one process's own monitor would say.
 */
import { keptUpShare, queueTrend } from '../../executor/capacity/queue-trend.js';
import { Recorder } from '../../metrics/recorder.js';
import type { SimulationResult } from '../../metrics/result.js';
import type { SimulationOptions } from '../plan.js';
import { runWorkers } from '../distributed/fleet-driver.js';
import type { StepContext } from './step-run.js';
import { READ_BEFORE_END_MS, secondsWithin, sleep, visibilityLagIn, windowRows, type StepWindow } from './step-window.js';
import { mergedQueue } from './worker-queues.js';

/** How often the target's DLQ is read through a --workers step. */
const DLQ_SAMPLE_MS = 500;

export async function measureOnWorkers(ctx: StepContext, options: SimulationOptions, lengthS: number): Promise<{ result: SimulationResult; w: StepWindow }> {
  const dlq: { atMs: number; pending: number }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling && !ctx.signal?.aborted) {
      const atMs = Date.now();
      const d = await ctx.control.readDlq(ctx.ingestUrl);
      if (d) dlq.push({ atMs, pending: d.batches_pending });
      await sleep(DLQ_SAMPLE_MS, ctx.signal);
    }
  })();
  let run: Awaited<ReturnType<typeof runWorkers>>;
  try {
    run = await runWorkers({ ...options, scaleOut: { workers: ctx.workers }, generatorHealth: true }, ctx.workers);
  } finally {
    sampling = false;
    await sampler;
  }
  const recorder = new Recorder();
  recorder.mergeSnapshot(run.merged.stats);
  const startMs = run.merged.startedAtMs;
  const secs = secondsWithin(startMs + (lengthS * 1000) / 2, startMs + lengthS * 1000 - READ_BEFORE_END_MS);
  const windowS = Math.max(1e-9, secs.toSec - secs.fromSec);
  const w: StepWindow = { rows: windowRows(recorder, secs, ctx.sdk), windowS };
  const first = dlq.find((d) => d.atMs >= secs.fromSec * 1000);
  const last = [...dlq].reverse().find((d) => d.atMs <= secs.toSec * 1000);
  if (first && last && last.atMs >= first.atMs) w.dlqGrowth = Math.max(0, last.pending - first.pending);
  const lag = visibilityLagIn(recorder, secs);
  if (lag) w.lag = lag;
  if (ctx.sdk) {
    const { samples, logged } = mergedQueue(run.queues, secs.fromSec * 1000, secs.toSec * 1000);
    w.keptUp = keptUpShare(queueTrend(samples), logged / windowS);
  }
  w.generatorSaturated = (run.result.scaleOut?.parts ?? []).some((p) => p.generatorSaturated === true);
  return { result: run.result, w };
}
