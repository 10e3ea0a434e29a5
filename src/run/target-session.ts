/**
 * The run's target: `--host` (with `--api-url` and the key), or the embedded reference server
 * started for this run with its default key. Used by the single-process runner and by the
 * --workers coordinator (which starts it once for all its workers).
 */
import { SimUsageError } from '../core/errors.js';
import type { EmbeddedTarget } from './embedded-target.js';
import type { Plan } from './plan.js';

export interface OpenedTarget {
  ingestUrl: string;
  apiUrl: string;
  key: string;
  /** Set when the embedded server was started: stop it at the end. */
  embedded?: EmbeddedTarget;
}

export async function openTarget(plan: Plan, log: (line: string) => void): Promise<OpenedTarget> {
  if (plan.host) {
    if (!plan.key) throw new SimUsageError('no API key: pass --key or set TEST_API_KEY');
    return { ingestUrl: plan.host, apiUrl: plan.apiUrl ?? plan.host, key: plan.key };
  }
  // Loaded only when needed: worker processes (always given --host) never load the server's code.
  const { startEmbeddedTarget } = await import('./embedded-target.js');
  const embedded = await startEmbeddedTarget(plan.embeddedServer, plan.seed, plan.clickhouse);
  log(`started the embedded reference server at ${embedded.url}`);
  return { ingestUrl: embedded.url, apiUrl: plan.apiUrl ?? embedded.url, key: plan.key ?? embedded.key, embedded };
}
