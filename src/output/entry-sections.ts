/**
 * The result's entries sorted into what they count, so no table adds one unit to another
 * (issue 10): HTTP requests (with the judged groups of them and the Aggregated row, which adds up
 * HTTP requests only), records (E2E log→ack: one per NDJSON line or file the SDK delivered) and
 * SDK calls (the time spent inside run.log / run._log), plus task crashes.
 */
import { AGGREGATED } from '../core/entry-names.js';
import type { EntrySummary, SimulationResult } from '../metrics/result.js';

export interface EntrySections {
  /** HTTP requests, by (route, method) as Locust sorts them. */
  http: EntrySummary[];
  /** Named groups of HTTP requests other than Aggregated (e.g. `SDK HTTP (all)`). */
  groups: EntrySummary[];
  /** E2E entries: records from log() to the 2xx that carried them. */
  records: EntrySummary[];
  /** SDK entries: the time of the SDK calls themselves. */
  calls: EntrySummary[];
  /** TASK entries: crashed tasks, onStart and onStop. */
  tasks: EntrySummary[];
}

/** Locust's order: by name, then type, in Python's code-point order. */
function byRoute(a: EntrySummary, b: EntrySummary): number {
  return codepoint(a.route, b.route) || codepoint(a.method, b.method);
}

function codepoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function entrySections(result: SimulationResult): EntrySections {
  const s: EntrySections = { http: [], groups: [], records: [], calls: [], tasks: [] };
  for (const e of result.entries) {
    if (e.name === AGGREGATED) continue;
    if (e.method === '') s.groups.push(e);
    else if (e.method === 'E2E') s.records.push(e);
    else if (e.method === 'SDK') s.calls.push(e);
    else if (e.method === 'TASK') s.tasks.push(e);
    else s.http.push(e);
  }
  for (const list of Object.values(s)) (list as EntrySummary[]).sort(byRoute);
  return s;
}

/**
 * What the seed's figures (total_requests, rps) count: records when the primary judged entry is
 * an E2E log→ack entry (the sdk scenario), HTTP requests otherwise.
 */
export function judgedUnit(result: SimulationResult): 'records' | 'requests' {
  const primary = result.entries.find((e) => e.name === result.judged[0]);
  return primary?.method === 'E2E' ? 'records' : 'requests';
}
