/**
 * The capacity search as a controller over the load (docs/cli.md "`capacity`"): a coarse
 * ramp (the load multiplied by `factor` while steps pass), then bisection between the last
 * passing and the first failing load until the bracket is narrower than `resolution`; a marginal
 * step is run again, longer. Never over-claims: a failure with the generator saturated ends the
 * search with the figure as a floor, and so do the time budget and the highest load.
 *
 * Pure logic: the steps run through `runStep` (a real run, or a model in the tests) and time
 * comes from `now`, so a fake target of known capacity tests it exactly.
 */
import type { CapacityReport, CapacityStep } from '../../metrics/capacity-report.js';
import { judgeStep, type StepMeasure } from './step-verdict.js';

export interface SearchOptions {
  /** The first (lowest) load. */
  start: number;
  /** Ramp multiplier (default 2). */
  factor?: number;
  /** Stop bisecting when high − low ≤ resolution × low (default 0.03). */
  resolution?: number;
  /** Loads are whole numbers (runs; requests/s). */
  integer: boolean;
  /** Never offer more than this. */
  maxLoad?: number;
  /** Time budget, s: a step is started only if it ends within it. */
  maxTimeS: number;
  /** Seconds, any origin (the tests pass a manual clock). */
  now: () => number;
  /** The step's length for this load, s; `rerun` asks for a longer one. */
  lengthFor: (load: number, rerun: boolean) => number;
  /** First guess of a step's cost beyond its length (start and stop), s; later steps use the largest seen. */
  overheadS?: number;
  keepUpCause: 'throughput' | 'backlog';
  /** Told of each step as it ends. */
  onStep?: (step: CapacityStep) => void;
}

export type RunStep = (load: number, lengthS: number) => Promise<StepMeasure>;

export type SearchOutcome = Omit<CapacityReport, 'unit' | 'summary' | 'slos'>;

export const DEFAULT_FACTOR = 2;
export const DEFAULT_RESOLUTION = 0.03;

export async function searchCapacity(runStep: RunStep, o: SearchOptions): Promise<SearchOutcome> {
  const factor = o.factor ?? DEFAULT_FACTOR;
  const resolution = o.resolution ?? DEFAULT_RESOLUTION;
  const t0 = o.now();
  let overheadS = o.overheadS ?? 2;
  const steps: CapacityStep[] = [];
  const round = (x: number): number => (o.integer ? Math.max(1, Math.round(x)) : Number(x.toPrecision(4)));

  /** Runs a step (again, longer, when marginal); undefined when the budget has no room for it. */
  const step = async (load: number, phase: 'ramp' | 'bisect'): Promise<CapacityStep | undefined> => {
    let last: CapacityStep | undefined;
    for (const rerun of [false, true]) {
      const lengthS = o.lengthFor(load, rerun);
      if (o.now() - t0 + lengthS + overheadS > o.maxTimeS) return last;
      const began = o.now();
      const m = await runStep(load, lengthS);
      overheadS = Math.max(overheadS, o.now() - began - lengthS);
      const j = judgeStep(m, o.keepUpCause);
      last = { index: steps.length + 1, phase: rerun ? 'rerun' : phase, ...m, ...j };
      steps.push(last);
      o.onStep?.(last);
      // The generator's saturation is never settled by running longer.
      if (!j.marginal || j.causes.includes('generator')) return last;
    }
    return last;
  };

  const done = (kind: SearchOutcome['kind'], limitedBy: SearchOutcome['limitedBy'], low: number, fail?: CapacityStep): SearchOutcome => ({
    kind, figure: low, bracket: fail ? { low, high: fail.offered } : { low }, limitedBy,
    firstFailure: fail && { offered: fail.offered, causes: fail.causes, reasons: fail.reasons },
    elapsedS: Math.round((o.now() - t0) * 10) / 10, steps,
  });

  // Coarse ramp.
  let low = 0;
  let load = round(o.maxLoad !== undefined ? Math.min(o.start, o.maxLoad) : o.start);
  let fail: CapacityStep | undefined;
  for (;;) {
    const s = await step(load, 'ramp');
    if (s === undefined) return done(low === 0 && steps.length === 0 ? 'below-lowest' : 'floor', 'time', low);
    if (s.verdict === 'fail') {
      fail = s;
      break;
    }
    low = load;
    if (o.maxLoad !== undefined && load >= o.maxLoad) return done('floor', 'max-load', low);
    load = round(o.maxLoad !== undefined ? Math.min(load * factor, o.maxLoad) : load * factor);
  }
  if (low === 0) return done('below-lowest', fail.causes.includes('generator') ? 'generator' : 'target', 0, fail);
  if (fail.causes.includes('generator')) return done('floor', 'generator', low, fail);

  // Bisection between the last pass and the first failure.
  while (fail.offered - low > Math.max(o.integer ? 1 : 0, resolution * low)) {
    const mid = round((low + fail.offered) / 2);
    if (mid <= low || mid >= fail.offered) break;
    const s = await step(mid, 'bisect');
    if (s === undefined) return done('capacity', 'time', low, fail);
    if (s.verdict === 'pass') low = mid;
    else {
      fail = s;
      if (s.causes.includes('generator')) return done('floor', 'generator', low, fail);
    }
  }
  return done('capacity', 'target', low, fail);
}
