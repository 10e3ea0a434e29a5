/**
 * The NDJSON lines of the seed's HTTP and stress locustfiles (docs/protocol/load-test-suite.md §6.4, §6.6,
 * `locustfile_http.py`, `locustfile_stress.py`), built as strings without JSON.stringify on
 * the hot path. Values come from the user's seeded random source.
 */
import type { RandomSource } from '../../core/random.js';

/** One metrics line of the http scenario: step plus the five training keys (load-test-suite.md §6.4). */
export function metricsLine(r: RandomSource, step: number, timeMs: number): string {
  return (
    `{"time":${timeMs},"step":${step},"data":{"train/loss":${r.uniform(0, 1)},` +
    `"train/accuracy":${r.uniform(0.8, 1)},"val/loss":${r.uniform(0, 1)},` +
    `"val/accuracy":${r.uniform(0.75, 0.95)},"learning_rate":${r.uniform(0.0001, 0.001)}}}\n`
  );
}

/** One line of the stress scenario's 5-line batches: the four keys without learning_rate (§6.6). */
export function stressMetricsLine(r: RandomSource, step: number, timeMs: number): string {
  return (
    `{"time":${timeMs},"step":${step},"data":{"train/loss":${r.uniform(0, 1)},` +
    `"train/accuracy":${r.uniform(0.8, 1)},"val/loss":${r.uniform(0, 1)},"val/accuracy":${r.uniform(0.75, 0.95)}}}\n`
  );
}

/** One log line: logType "stdout", lineNumber = the current step (§6.4; the stress test's wording, §6.6). */
export function logLine(r: RandomSource, step: number, timeMs: number, stress = false): string {
  const batch = r.int(16, 128);
  const message = stress ? `Step ${step} - batch_size: ${batch}` : `Training step ${step} completed - batch_size: ${batch}`;
  return `{"time":${timeMs},"message":"${message}","lineNumber":${step},"logType":"stdout"}\n`;
}

/** One data line: `data` is a JSON string of {batch_loss, batch_size, gpu_util} (§6.4). */
export function dataLine(r: RandomSource, step: number, timeMs: number): string {
  const inner = `{\\"batch_loss\\":${r.uniform(0, 1.5)},\\"batch_size\\":${r.int(16, 128)},\\"gpu_util\\":${r.uniform(0.7, 1)}}`;
  return `{"time":${timeMs},"step":${step},"data":"${inner}","dataType":"batch_metrics","logName":"training_metrics"}\n`;
}

/** The per-user step counter the seed's users keep: only the metrics tasks move it (§6.4–§6.6). */
export function nextStep(state: Record<string, unknown>): number {
  const step = currentStep(state) + 1;
  state.step = step;
  return step;
}

/** The step the logs and data tasks stamp: the last one the metrics task used (0 before it ran). */
export function currentStep(state: Record<string, unknown>): number {
  return (state.step as number | undefined) ?? 0;
}
