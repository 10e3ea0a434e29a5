/**
 * output-cost: what the streaming outputs add to a default run. The built CLI's default run
 * (sdk scenario, 50 users, embedded server; here 20 s) with and without
 * `--out prometheus-rw=URL --out json=FILE`, alternating, RUNS times each. CPU = the mlop-sim
 * process's user+system seconds (generator and embedded server together; bash `times`), pinned
 * to core 1; Prometheus (Debian's package) runs on core 0 and is not counted.
 * Goal (issue 14): the outputs add ≤ 5 % CPU.
 */
import { join } from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { exitWithCpu, fmt, fmtSpread, spawnMeasured, spread } from './lib/proc.js';
import { ensurePrometheus, startPrometheus } from '../test/e2e/prometheus-server.js';
import { Recorder } from '../src/metrics/recorder.js';
import type { SimulationResult } from '../src/metrics/result.js';
import type { SecondSnapshot } from '../src/output/stream/second-snapshot.js';
import { prometheusRwOutput } from '../src/output/prometheus-rw/index.js';
import { jsonStreamOutput } from '../src/output/json-stream/index.js';

const argv = process.argv.slice(2);
const RUNS = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : 5;
const RUN_TIME = '30s'; // the default run's length
const RUN_TIME_S = 30;
const CLI = join(import.meta.dirname, '../dist/bin/mlop-sim.js');

const missing = ensurePrometheus();
if (missing) throw new Error(missing);
const prom = await startPrometheus();
const dir = mkdtempSync(join(tmpdir(), 'mlop-sim-output-cost-'));

const variants = [
  { name: 'default run', extra: [] as string[] },
  { name: '+ --out prometheus-rw + --out json', extra: ['--out', `prometheus-rw=${prom.writeUrl}`, '--out', `json=${join(dir, 'stream.jsonl')}`] },
];
const cpu: Record<string, number[]> = {};
const perRecordUs: Record<string, number[]> = {};
let perSecondMs: number[] = [];
try {
  perSecondMs = await inProcessCost(prom.writeUrl, join(dir, 'in-process.jsonl'));
  for (let run = 0; run < RUNS; run++) {
    for (const v of run % 2 === 0 ? variants : [...variants].reverse()) {
      const reportDir = join(dir, `r${run}-${v.extra.length}`);
      const child = spawnMeasured(1, process.execPath, [CLI, '-q', '-t', RUN_TIME, '--seed', '7', '--report-dir', reportDir, ...v.extra]);
      const res = await exitWithCpu(child);
      // 1 = a gate failed (a loaded, pinned machine can miss the p95): still a complete run to measure.
      if (res.code !== 0 && res.code !== 1) throw new Error(`${v.name} exited ${res.code}: ${res.stderr}`);
      const latest = JSON.parse(readFileSync(join(reportDir, 'latest.json'), 'utf8'));
      const requests = latest.aggregated.count as number;
      (cpu[v.name] ??= []).push(res.cpuS);
      (perRecordUs[v.name] ??= []).push((res.cpuS / requests) * 1e6);
      process.stderr.write(`run ${run + 1}/${RUNS} ${v.name}: ${fmt(res.cpuS, 2)} CPU s, ${requests} samples\n`);
    }
  }
} finally {
  await prom.stop();
}

/**
 * The streaming work alone, in this process, through the real outputs: SECONDS seconds of a
 * recorder holding ENTRIES entries with SAMPLES samples each per second (about the sdk default
 * run's shape); per second: build the snapshot, hand it to `--out json` and `--out prometheus-rw`
 * (which encodes and pushes it to the real Prometheus), then idle 20 ms so pushes keep up; at the
 * end stop both. CPU ms per second of run, median of RUNS rounds (idle time costs no CPU).
 */
async function inProcessCost(writeUrl: string, jsonFile: string): Promise<number[]> {
  const ENTRIES = 12, SAMPLES = 40, SECONDS = 60;
  let nowMs = 1_800_000_000_000;
  const recorder = new Recorder({ now: () => nowMs });
  for (let s = 0; s < SECONDS; s++) {
    nowMs = 1_800_000_000_000 + s * 1000;
    for (let e = 0; e < ENTRIES; e++) for (let i = 0; i < SAMPLES; i++) recorder.record('POST', `/route/${e}`, 1 + ((i * 7919) % 97), i % 50 !== 0, 100);
  }
  const result = {
    entries: recorder.summaries(SECONDS), aggregated: recorder.group('Aggregated', () => true, SECONDS),
    thresholds: [], pass: true, endedAt: new Date().toISOString(),
  } as unknown as SimulationResult;
  const rounds: number[] = [];
  const firstStamp = Math.floor(Date.now() / 1000) - RUNS * SECONDS - 5; // one increasing second per push
  for (let round = 0; round < RUNS; round++) {
    const problems: string[] = [];
    const outputs = [jsonStreamOutput(jsonFile), prometheusRwOutput(writeUrl, { log: (l) => problems.push(l), labels: { job: 'bench' } })];
    for (const o of outputs) await o.prepare?.();
    let busy = 0;
    for (let s = 0; s < SECONDS; s++) {
      const c0 = process.cpuUsage();
      const snapshot: SecondSnapshot = { t: firstStamp + round * SECONDS + s, elapsedS: s, users: 50, droppedIterations: 0, generatorSaturation: 0.3, entries: recorder.second(1_800_000_000 + s) };
      for (const o of outputs) o.second?.(snapshot);
      await new Promise((r) => setTimeout(r, 20)); // the push completes here
      const u = process.cpuUsage(c0);
      busy += u.user + u.system;
    }
    const c1 = process.cpuUsage();
    for (const o of outputs) await o.stop(result);
    const u = process.cpuUsage(c1);
    if (problems.length > 0) throw new Error(problems.join('; '));
    rounds.push((busy + u.user + u.system) / 1000 / SECONDS);
  }
  return rounds;
}

const base = spread(cpu[variants[0].name]).median;
const withOut = spread(cpu[variants[1].name]).median;
const lines = [
  '### output-cost',
  '',
  `Default run (sdk, 50 users, embedded server, ${RUN_TIME}) with and without the streaming outputs; median (min–max) of ${RUNS} runs each, alternating. The machine has 2 cores shared with other helpers' jobs.`,
  '',
  '| variant | CPU s | µs CPU per recorded sample |',
  '|---|---|---|',
  ...variants.map((v) => `| ${v.name} | ${fmtSpread(spread(cpu[v.name]), 2)} | ${fmtSpread(spread(perRecordUs[v.name]))} |`),
  '',
  `Added by the outputs: ${fmt(((withOut - base) / base) * 100)} % of the median CPU (goal ≤ 5 %); per recorded sample: ${fmt(((spread(perRecordUs[variants[1].name]).median - spread(perRecordUs[variants[0].name]).median) / spread(perRecordUs[variants[0].name]).median) * 100)} %.`,
  '',
  `The streaming work alone, in process, through the real outputs (12 entries × 40 samples per second; per second: snapshot, --out json lines, --out prometheus-rw encoding and push to the real Prometheus; then stop): ${fmtSpread(spread(perSecondMs), 2)} ms CPU per second of run, i.e. ${fmt((spread(perSecondMs).median / ((base / RUN_TIME_S) * 1000)) * 100)} % of the default run's median CPU per second (${fmt((base / RUN_TIME_S) * 1000)} ms).`,
];
process.stdout.write(lines.join('\n') + '\n');
