/**
 * Which entries a saved result keeps distributions of (issue 20, docs/reports.md
 * "distributions"): the judged entries, then every HTTP route with samples — for sdk runs the
 * SDK's own requests (`SDK HTTP (all)`, `POST /ingest/metrics`, …), where the ingest's latency shows.
 */
import { isHttpEntry } from '../../core/entry-names.js';
import { distributionsOf, type Distributions } from '../../metrics/distributions.js';
import type { EntrySelector, Recorder } from '../../metrics/recorder.js';

export function savedDistributions(recorder: Recorder, judged: readonly string[], selectorFor: (name: string) => EntrySelector, durationS: number): Distributions {
  const names = [...judged, ...recorder.names().filter((n) => isHttpEntry(n) && !judged.includes(n))];
  return distributionsOf(recorder, names.map((name) => ({ name, select: judged.includes(name) ? selectorFor(name) : [name] })), durationS);
}
