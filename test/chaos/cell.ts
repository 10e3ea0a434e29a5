/**
 * One cell of the chaos matrix: the built-in sdk scenario (through the library API) against the
 * real reference server with a set of faults, and the invariants every cell must hold.
 */
import { expect } from 'vitest';
import { DEFAULT_API_KEY, runSimulation, startReferenceServer, type ReferenceServer, type ReferenceServerOptions, type SimulationResult } from '../../src/index.js';

export interface CellOutcome {
  result: SimulationResult;
  server: ReferenceServer;
  stats: ReturnType<ReferenceServer['stats']>;
}

export interface CellPlan {
  server?: ReferenceServerOptions;
  users?: number;
  runTimeS?: number;
  /** Changes faults while the load runs: [seconds after start, action]. */
  during?: Array<[number, (s: ReferenceServer) => void]>;
}

export async function runCell(plan: CellPlan): Promise<CellOutcome> {
  const server = await startReferenceServer({ flushIntervalMs: 500, ...plan.server });
  const timers = (plan.during ?? []).map(([s, act]) => setTimeout(() => act(server), s * 1000));
  try {
    const result = await runSimulation({
      host: server.url, key: DEFAULT_API_KEY, users: plan.users ?? 4, runTime: plan.runTimeS ?? 3, seed: 7, reportDir: false,
    });
    return { result, server, stats: server.stats() };
  } finally {
    for (const t of timers) clearTimeout(t);
    await server.stop();
  }
}

const AUDIT_REASON = /^delivery audit/;

/**
 * What every cell must show: each logged record acked or reported FAILED by the SDK (none left
 * pending); stored = acked minus exactly the rows a fault dropped; duplicates = exactly the rows a
 * fault wrote twice; no silent loss; the verdict and exit code agree with the reasons.
 */
export function expectCellInvariants({ result, stats }: CellOutcome): void {
  const audit = result.audit!;
  expect(audit, 'the sdk scenario always audits').toBeDefined();
  expect(audit.storageChecked).toBe(true);
  const t = audit.totals;
  expect(t.logged).toBeGreaterThan(0);
  expect(t.pending, 'records neither acked nor FAILED').toBe(0);
  expect(t.acked + t.failed, 'logged = acked + FAILED').toBe(t.logged);
  expect(t.lostRows, 'lost = the rows the dropRate fault dropped').toBe(stats.faultRowsDropped);
  expect(t.duplicatedRows, 'duplicated = the rows the duplicateRate fault wrote twice').toBe(stats.faultRowsDuplicated);
  expect(t.storedRows, 'stored = acked rows − lost').toBe(t.expectedRows - t.lostRows!);
  expect(stats.rowsLost, 'the server lost nothing on its own (DLQ write failures)').toBe(0);
  for (const run of audit.runs) expect(run.acked + run.failed + run.pending).toBe(run.logged);
  // The verdict: exit 0 exactly when there is no reason; a loss or a duplicate is always a reason.
  expect(result.exitCode).toBe(result.reasons.length === 0 ? 0 : 1);
  expect(result.pass).toBe(result.reasons.length === 0);
  const auditReasons = result.reasons.filter((r) => AUDIT_REASON.test(r));
  expect(auditReasons.length > 0, `audit reason iff lost or duplicated: ${JSON.stringify(result.reasons)}`).toBe(t.lostRows! > 0 || t.duplicatedRows! > 0);
  expect(audit.pass).toBe(auditReasons.length === 0);
}

/** Reasons other than the delivery audit (latency and error-rate gates). */
export const gateReasons = (r: SimulationResult): string[] => r.reasons.filter((x) => !AUDIT_REASON.test(x));
