/**
 * The plan fingerprint: a hash over what decides the load — the scenario (a built-in's name, or
 * a scenario file's content), the seed, the number of segments, the executor's load (users,
 * spawn rate, run time), the wait, the shutdown budget and the embedded server's faults — and
 * nothing else (not the shard index, not the target, not the gates or report paths). Shards
 * with different fingerprints ran different plans and must not be merged.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { looksLikeScenarioFile } from '../../load/scenario-file.js';
import type { Plan } from '../plan.js';

export interface PlanIdentity {
  scenario: string;
  seed: number;
  segments: number;
  load: Plan['load'];
  wait: Plan['wait'] | null;
  shutdownTimeoutS: number;
  embeddedServer: Plan['embeddedServer'] | null;
}

/** What identifies the plan: the scenario file is hashed by content so a renamed copy matches. */
export async function planIdentity(plan: Plan): Promise<PlanIdentity> {
  const ref = plan.scenarioRef;
  if (typeof ref !== 'string') throw new Error('a scenario object has no fingerprint');
  const scenario = looksLikeScenarioFile(ref) ? `file sha256:${createHash('sha256').update(await readFile(ref)).digest('hex')}` : ref;
  return {
    scenario,
    seed: plan.seed,
    segments: plan.segment.count,
    // (a load shape's function is the scenario's, hashed with it)
    load: plan.load.executor === 'load-shape' ? { ...plan.load, shape: undefined } as unknown as Plan['load'] : plan.load,
    wait: plan.wait ?? null,
    shutdownTimeoutS: plan.shutdownTimeoutS,
    // Faults of the embedded server shape the load's answers; with --host (or none set) they do not exist.
    embeddedServer: plan.host || Object.values(plan.embeddedServer).every((v) => v === undefined) ? null : plan.embeddedServer,
  };
}

/** 16 hex digits of sha256 over the identity's canonical JSON (keys sorted). */
export function fingerprintOf(identity: PlanIdentity): string {
  return createHash('sha256').update(canonical(identity)).digest('hex').slice(0, 16);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
