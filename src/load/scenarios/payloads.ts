/**
 * The NDJSON lines of the seed's HTTP and stress locustfiles (server-protocol.md §6,
 * `locustfile_http.py`, `locustfile_stress.py`), built as strings without JSON.stringify on
 * the hot path. Values come from the user's seeded random source.
 */
import type { RandomSource } from '../../core/random.js';

/** One metrics line: step counter plus the five training keys (server-protocol.md §1.3 metrics). */
export function metricsLine(r: RandomSource, step: number, timeMs: number): string {
  return (
    `{"time":${timeMs},"step":${step},"data":{"train/loss":${r.uniform(0.1, 2)},` +
    `"train/accuracy":${r.uniform(0.5, 0.99)},"val/loss":${r.uniform(0.1, 2.5)},` +
    `"val/accuracy":${r.uniform(0.4, 0.95)},"learning_rate":${r.uniform(0.0001, 0.01)}}}\n`
  );
}

/** One log line: logType "stdout", lineNumber = step (§1.3 logs). */
export function logLine(r: RandomSource, step: number, timeMs: number): string {
  return `{"time":${timeMs},"message":"Training step ${step}: loss=${r.uniform(0.1, 2).toFixed(4)}","lineNumber":${step},"logType":"stdout"}\n`;
}

/** One data line: `data` is a JSON string of {batch_loss, batch_size, gpu_util} (§1.3 data). */
export function dataLine(r: RandomSource, step: number, timeMs: number): string {
  const inner = `{\\"batch_loss\\":${r.uniform(0.1, 2)},\\"batch_size\\":${r.int(16, 128)},\\"gpu_util\\":${r.uniform(50, 100)}}`;
  return `{"time":${timeMs},"data":"${inner}","dataType":"batch_metrics","logName":"training_metrics","step":${step}}\n`;
}

/** The per-user step counter the seed's users keep. */
export function nextStep(state: Record<string, unknown>): number {
  const step = ((state.step as number | undefined) ?? 0) + 1;
  state.step = step;
  return step;
}
