import { describe, expect, it } from 'vitest';
import { createRandom, userRandom } from '../../src/core/random.js';
import { TaskPicker } from '../../src/load/task-picker.js';
import { BUILTIN_SCENARIOS } from '../../src/load/scenarios/index.js';
import { currentStep, dataLine, logLine, metricsLine, nextStep, stressMetricsLine } from '../../src/load/scenarios/payloads.js';

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

describe("the built-in scenarios post the seed's payloads (docs/protocol/load-test-suite.md §6.4–§6.6)", () => {
  it('http lines: value ranges, key order, log wording, data as a JSON string', () => {
    const r = createRandom(5);
    for (let i = 0; i < 200; i++) {
      const m = JSON.parse(metricsLine(r, 7, 1)) as { step: number; data: Record<string, number> };
      expect(Object.keys(m)).toEqual(['time', 'step', 'data']);
      expect(m.step).toBe(7);
      expect(m.data['train/loss']).toBeGreaterThanOrEqual(0);
      expect(m.data['train/loss']).toBeLessThan(1);
      expect(m.data['train/accuracy']).toBeGreaterThanOrEqual(0.8);
      expect(m.data['val/accuracy']).toBeGreaterThanOrEqual(0.75);
      expect(m.data['val/accuracy']).toBeLessThan(0.95);
      expect(m.data.learning_rate).toBeLessThan(0.001);
      const log = JSON.parse(logLine(r, 7, 1)) as { message: string; lineNumber: number };
      expect(log.message).toMatch(/^Training step 7 completed - batch_size: \d+$/);
      expect(log.lineNumber).toBe(7);
      expect(JSON.parse(logLine(r, 7, 1, true)).message).toMatch(/^Step 7 - batch_size: \d+$/);
      const d = JSON.parse(dataLine(r, 7, 1)) as { data: string };
      expect(Object.keys(d)).toEqual(['time', 'step', 'data', 'dataType', 'logName']);
      const inner = JSON.parse(d.data) as { batch_loss: number; batch_size: number; gpu_util: number };
      expect(inner.batch_size).toBeGreaterThanOrEqual(16);
      expect(inner.batch_size).toBeLessThanOrEqual(128);
      expect(inner.gpu_util).toBeGreaterThanOrEqual(0.7);
      expect(inner.batch_loss).toBeLessThan(1.5);
    }
  });

  it('stress batch lines carry four keys (no learning_rate); only the metrics tasks move the step', () => {
    const r = createRandom(6);
    expect(Object.keys(JSON.parse(stressMetricsLine(r, 3, 1)).data)).toEqual(['train/loss', 'train/accuracy', 'val/loss', 'val/accuracy']);
    const state: Record<string, unknown> = {};
    expect(currentStep(state)).toBe(0);
    expect(nextStep(state)).toBe(1);
    expect(currentStep(state)).toBe(1);
  });
});
