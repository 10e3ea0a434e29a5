import { describe, expect, it } from 'vitest';
import { createRandom, userRandom } from '../../src/core/random.js';
import { TaskPicker } from '../../src/load/task-picker.js';
import { BUILTIN_SCENARIOS } from '../../src/load/scenarios/index.js';
import { dataLine, logLine, metricsLine } from '../../src/load/scenarios/payloads.js';

function shares(scenario: string, seed: number, picks: number): Record<string, number> {
  const def = BUILTIN_SCENARIOS[scenario];
  const picker = new TaskPicker(def.tasks);
  const r = userRandom(seed, 1);
  const counts: Record<string, number> = {};
  for (let i = 0; i < picks; i++) {
    const t = picker.pick(r).name;
    counts[t] = (counts[t] ?? 0) + 1;
  }
  for (const k of Object.keys(counts)) counts[k] /= picks;
  return counts;
}

function sequence(seed: number, user: number, n: number): string[] {
  const picker = new TaskPicker(BUILTIN_SCENARIOS.http.tasks);
  const r = userRandom(seed, user);
  return Array.from({ length: n }, () => picker.pick(r).name);
}

describe('task weights of the built-in scenarios (the seed locustfiles)', () => {
  it('sdk: run.log 5 : run._log 3', () => {
    const s = shares('sdk', 7, 40_000);
    expect(s.log_metrics).toBeCloseTo(5 / 8, 2);
    expect(s.log_with_step).toBeCloseTo(3 / 8, 2);
  });

  it('http: metrics 5 : logs 3 : data 2', () => {
    const s = shares('http', 7, 40_000);
    expect(s.log_metrics).toBeCloseTo(0.5, 2);
    expect(s.log_console).toBeCloseTo(0.3, 2);
    expect(s.log_data).toBeCloseTo(0.2, 2);
  });

  it('stress: metrics 10 : logs 3 : data 2, with shorter waits', () => {
    const s = shares('stress', 7, 40_000);
    expect(s.log_metrics_batch).toBeCloseTo(10 / 15, 2);
    expect(s.log_console).toBeCloseTo(3 / 15, 2);
    expect(s.log_data).toBeCloseTo(2 / 15, 2);
    expect(BUILTIN_SCENARIOS.stress.wait).toEqual({ minS: 0.01, maxS: 0.1 });
    expect(BUILTIN_SCENARIOS.http.wait).toEqual({ minS: 0.1, maxS: 0.5 });
  });
});

describe('--seed makes task choice and payloads repeatable', () => {
  it('the same seed and user give the same task sequence', () => {
    expect(sequence(42, 3, 200)).toEqual(sequence(42, 3, 200));
  });

  it('another seed or another user gives another sequence', () => {
    expect(sequence(42, 3, 200)).not.toEqual(sequence(43, 3, 200));
    expect(sequence(42, 3, 200)).not.toEqual(sequence(42, 4, 200));
  });

  it('payload lines repeat for the same seed and are valid NDJSON of the seed shapes', () => {
    const a = createRandom(9);
    const b = createRandom(9);
    const lines = [metricsLine(a, 1, 1_700_000_000_000), logLine(a, 2, 1_700_000_000_000), dataLine(a, 3, 1_700_000_000_000)];
    expect([metricsLine(b, 1, 1_700_000_000_000), logLine(b, 2, 1_700_000_000_000), dataLine(b, 3, 1_700_000_000_000)]).toEqual(lines);
    for (const l of lines) expect(l.endsWith('\n')).toBe(true);
    const [m, lg, d] = lines.map((l) => JSON.parse(l));
    expect(Object.keys(m)).toEqual(['time', 'step', 'data']);
    expect(Object.keys(m.data)).toEqual(['train/loss', 'train/accuracy', 'val/loss', 'val/accuracy', 'learning_rate']);
    expect(lg).toMatchObject({ lineNumber: 2, logType: 'stdout' });
    expect(d).toMatchObject({ dataType: 'batch_metrics', logName: 'training_metrics', step: 3 });
    expect(Object.keys(JSON.parse(d.data))).toEqual(['batch_loss', 'batch_size', 'gpu_util']);
  });
});
