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

const argv = process.argv.slice(2);
const RUNS = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : 5;
const RUN_TIME = '20s';
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
try {
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
  `Added by the outputs: ${fmt(((withOut - base) / base) * 100)} % of the median CPU (goal ≤ 5 %).`,
];
process.stdout.write(lines.join('\n') + '\n');
