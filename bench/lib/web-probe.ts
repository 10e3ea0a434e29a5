/**
 * The live page's work alone, for bench/web-cost.ts: this process records about 10,000 samples a
 * second into a recorder shaped like the http scenario's at a fixed rate (three routes and the
 * iteration entries), and — with `--web PORT` — serves the live page of it through the real
 * output (src/output/web) and the real live result (run/live-result.ts), so the bench can open
 * event streams on it. Without --web it does the same recording and nothing else: the CPU
 * difference is the page's. Prints `READY` when the page is up (or at once), runs --seconds, and
 * prints `STEADY x ms CPU per second` over the run after its first 5 s (start-up left out).
 *
 * Usage: node --import tsx bench/lib/web-probe.ts [--web PORT] [--seconds 20]
 */
import { ITERATION_ACTUAL_ENTRY, ITERATION_CORRECTED_ENTRY } from '../../src/core/entry-names.js';
import { Recorder } from '../../src/metrics/recorder.js';
import { webOutput } from '../../src/output/web/index.js';
import { defineRun } from '../../src/run/definition.js';
import { thresholdSpecs } from '../../src/run/judging/gates.js';
import { attachLive } from '../../src/run/live-result.js';
import { numberArg } from './args.js';

const SECONDS = numberArg('--seconds', 20);
const PORT = numberArg('--web', -1);
const RATE = 10_000;

const def = await defineRun({ scenario: 'http', arrivalRate: String(RATE), runTime: `${SECONDS}s`, reportDir: false });
const recorder = new Recorder();
const routes = ['/ingest/metrics', '/ingest/logs', '/ingest/data'];
let i = 0;
// 10,000 requests a second in 10 ms slices, each also an iteration (actual and corrected).
const recording = setInterval(() => {
  for (let k = 0; k < RATE / 100; k++, i++) {
    const ms = 0.3 + ((i * 7919) % 97) / 50;
    recorder.record('POST', routes[i % 3]!, ms, i % 500 !== 0, 200);
    recorder.record(ITERATION_ACTUAL_ENTRY.method, ITERATION_ACTUAL_ENTRY.route, ms, true);
    recorder.record(ITERATION_CORRECTED_ENTRY.method, ITERATION_CORRECTED_ENTRY.route, ms, true);
  }
}, 10);

const output = PORT >= 0 ? webOutput({ host: '127.0.0.1', port: PORT, autoquitS: 0 }, {}) : undefined;
await output?.prepare?.();
const abort = new AbortController();
const t0 = performance.now();
attachLive(output ? [output] : [], {
  stats: () => recorder, activeUsers: () => 50, startedAt: new Date(), t0, loadDescription: `${RATE} iterations/s`,
  resettable: recorder,
}, {
  scenario: def.scenario, judged: def.judged, plan: def.plan, dlq: {},
  specs: thresholdSpecs({ expressions: def.plan.thresholds, env: {}, overrides: {} }, def.judged),
  target: { ingestUrl: 'http://127.0.0.1:1', apiUrl: 'http://127.0.0.1:1', embedded: false },
}, abort, () => undefined);
process.stdout.write('READY\n');
// The steady part: from 5 s in (the streams connected, the greeting built) to the end.
const WARM_S = Math.min(5, SECONDS / 4);
await new Promise((r) => setTimeout(r, WARM_S * 1000));
const cpu0 = process.cpuUsage();
await new Promise((r) => setTimeout(r, (SECONDS - WARM_S) * 1000));
const cpu = process.cpuUsage(cpu0);
process.stdout.write(`STEADY ${((cpu.user + cpu.system) / 1000 / (SECONDS - WARM_S)).toFixed(3)} ms CPU per second\n`);
clearInterval(recording);
output?.end?.();
await output?.linger?.(abort.signal);
process.exit(0);
