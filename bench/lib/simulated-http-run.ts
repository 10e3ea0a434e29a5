/**
 * The http scenario's statistics on a simulated clock, for the probes that time the live page's
 * updates (live-update-probe.ts, greeting-probe.ts): a recorder fed 10,000 requests a second
 * (three routes and the two iteration entries: 30,000 samples, seeded lognormal latencies around
 * 0.8 ms) and the live run of it (run/live-result.ts), as the CLI's --web output gets it.
 */
import { ITERATION_ACTUAL_ENTRY, ITERATION_CORRECTED_ENTRY } from '../../src/core/entry-names.js';
import { mulberry32 } from '../../src/core/random.js';
import { Recorder } from '../../src/metrics/recorder.js';
import type { LiveRun } from '../../src/output/index.js';
import { defineRun } from '../../src/run/definition.js';
import { thresholdSpecs } from '../../src/run/judging/gates.js';
import { attachLive } from '../../src/run/live-result.js';

export interface SimulatedRun {
  run: LiveRun;
  /** Epoch ms of the first simulated second. */
  t0: number;
  /** The simulated clock's epoch ms; setting it moves the recorder's time. */
  now: number;
  /** Records the requests k = fromK … toK − 1 of simulated second `s` (10,000 a second, k / 10 ms into it). */
  record(s: number, fromK: number, toK: number): void;
}

/** A run of `seconds` simulated seconds that ends now (its clock starts at the first of them). */
export async function simulatedHttpRun(seconds: number): Promise<SimulatedRun> {
  const t0 = Math.floor(Date.now() / 1000) * 1000 - seconds * 1000;
  const sim = { t0, now: t0 } as SimulatedRun;
  const recorder = new Recorder({ now: () => sim.now, startMs: t0 });
  const def = await defineRun({ scenario: 'http', arrivalRate: '10000', runTime: `${seconds}s`, reportDir: false });
  attachLive([{ name: 'probe', attach: (live) => { sim.run = live; }, stop: async () => [] }], {
    stats: () => recorder, activeUsers: () => 50, startedAt: new Date(t0), t0: performance.now(), loadDescription: '10000 iterations/s', resettable: recorder,
  }, {
    scenario: def.scenario, judged: def.judged, plan: def.plan, dlq: {},
    specs: thresholdSpecs({ expressions: def.plan.thresholds, env: {}, overrides: {} }, def.judged),
    target: { ingestUrl: 'http://127.0.0.1:1', apiUrl: 'http://127.0.0.1:1', embedded: false },
  }, new AbortController(), () => undefined);
  const routes = ['/ingest/metrics', '/ingest/logs', '/ingest/data'];
  const rnd = mulberry32(7);
  const latency = (): number => 0.8 * Math.exp(0.5 * Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd()));
  let i = 0;
  sim.record = (s, fromK, toK) => {
    for (let k = fromK; k < toK; k++, i++) {
      sim.now = t0 + s * 1000 + k / 10;
      const ms = latency();
      recorder.record('POST', routes[i % 3]!, ms, i % 500 !== 0, 200);
      recorder.record(ITERATION_ACTUAL_ENTRY.method, ITERATION_ACTUAL_ENTRY.route, ms, true);
      recorder.record(ITERATION_CORRECTED_ENTRY.method, ITERATION_CORRECTED_ENTRY.route, ms + 0.01, true);
    }
  };
  return sim;
}
