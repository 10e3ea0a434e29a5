/**
 * `npm run bench` — runs every benchmark part and writes bench/RESULTS.md.
 *
 *   npm run bench                         # all parts
 *   npm run bench -- --only generator-cost,timing-fidelity
 *   npm run bench -- --runs 3             # passed through to each part (default: 5)
 *
 * Each part is its own script (runnable alone, see bench/README.md) that prints a markdown section
 * on stdout and progress on stderr. Parts run one after another so they do not share the cores.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { machineLine } from './lib/proc.js';

const PARTS: Array<{ name: string; script: string; nodeArgs?: string[]; optIn?: boolean }> = [
  { name: 'generator-cost', script: 'bench/generator-cost.ts' },
  { name: 'sdk-scale', script: 'bench/sdk-scale.ts', nodeArgs: ['--expose-gc'] },
  { name: 'quantiles', script: 'bench/quantiles.ts' },
  { name: 'server-throughput', script: 'bench/server-throughput.ts' },
  { name: 'timing-fidelity', script: 'bench/timing-fidelity.ts' },
  // 30 minutes: only with --only soak (pass --minutes 10 through for the CI-sized variant).
  { name: 'soak', script: 'bench/soak.ts', nodeArgs: ['--expose-gc'], optIn: true },
  { name: 'history-memory', script: 'bench/history-memory.ts', nodeArgs: ['--expose-gc'] },
  { name: 'time-to-visible', script: 'bench/time-to-visible.ts' },
  { name: 'stall-case', script: 'bench/stall-case.ts' },
  { name: 'scheduler-speed', script: 'bench/scheduler-speed.ts' },
  { name: 'output-cost', script: 'bench/output-cost.ts' },
  { name: 'scale-out', script: 'bench/scale-out.ts' },
  { name: 'live-report', script: 'bench/live-report.ts' },
  // About 10 minutes the first time (48 real runs, kept in bench/out/history-pool), seconds after.
  { name: 'history-changepoints', script: 'bench/history-changepoints.ts' },
  { name: 'web-cost', script: 'bench/web-cost.ts' },
  { name: 'capacity', script: 'bench/capacity.ts' },
  // Needs an older build: only with --only build-parity (pass --before <its dist/bin/mlop-sim.js>).
  { name: 'build-parity', script: 'bench/build-parity.ts', optIn: true },
  { name: 'record-overhead', script: 'bench/record-overhead.ts' },
  { name: 'replay-heap', script: 'bench/replay-heap.ts', nodeArgs: ['--expose-gc'] },
  // ~45 min (82 runs of 30 s, one scenario after the other): only with --only regression-power.
  { name: 'regression-power', script: 'bench/regression-power.ts', optIn: true },
  // ~70 min (134 runs of 30 s: duet quiet and beside a hog, sequential under the hog): only with --only duet-power.
  { name: 'duet-power', script: 'bench/duet-power.ts', optIn: true },
  // Needs pluto's source and a Python with its packages (PLUTO_SRC, PLUTO_PYTHON; docs/workloads.md): only with --only real-sdk-record.
  { name: 'real-sdk-record', script: 'bench/real-sdk-record.ts', optIn: true },
];

const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : PARTS.filter((p) => !p.optIn).map((p) => p.name);
const passThrough = [
  ...(argv.includes('--runs') ? ['--runs', argv[argv.indexOf('--runs') + 1]] : []),
  ...(argv.includes('--minutes') ? ['--minutes', argv[argv.indexOf('--minutes') + 1]] : []),
  ...(argv.includes('--before') ? ['--before', argv[argv.indexOf('--before') + 1]] : []),
];

// The generator benchmarks run the built CLI.
const build = spawnSync('npx', ['tsc', '-b'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

function runPart(p: (typeof PARTS)[number]): Promise<string> {
  return new Promise((resolve) => {
    const args = [...(p.nodeArgs ?? []), '--import', 'tsx', p.script, ...passThrough];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
    });
    child.on('close', (code) => {
      const cmd = `node ${args.join(' ')}`;
      resolve(code === 0 ? `${out.trim()}\n\nCommand: \`${cmd}\`\n` : `### ${p.name}\n\nFAILED (exit ${code}); command: \`${cmd}\`\n`);
    });
  });
}

const sections: Record<string, string> = {};
for (const p of PARTS.filter((x) => only.includes(x.name))) sections[p.name] = await runPart(p);

// Keep sections of parts not run this time from the previous RESULTS.md.
const file = 'bench/RESULTS.md';
let previous = '';
try {
  previous = readFileSync(file, 'utf8');
} catch {
  /* first run */
}
const date = new Date().toISOString().slice(0, 10);
const body = PARTS.map((p) => {
  if (sections[p.name]) return `<!-- part:${p.name} -->\n_Measured ${date} on ${machineLine()}._\n\n${sections[p.name]}<!-- /part -->`;
  const m = previous.match(new RegExp(`<!-- part:${p.name} -->[\\s\\S]*?<!-- /part -->`));
  return m ? m[0] : `<!-- part:${p.name} -->\n### ${p.name}\n\nNot measured yet.\n<!-- /part -->`;
}).join('\n\n');
const head = previous.includes('<!-- results -->') ? previous.slice(0, previous.indexOf('<!-- results -->')) : '# Benchmark results\n\nWritten by `npm run bench` (see README.md beside this file).\n\n';
writeFileSync(file, `${head}<!-- results -->\n\n${body}\n`);
console.log(`\nwrote ${file}`);
