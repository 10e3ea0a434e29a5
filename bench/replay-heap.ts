/**
 * replay-heap: heap per replayed job. In a fresh process with --expose-gc: the reference server in
 * a worker thread, then `--scenario replay:profiles/<profile>.json` with N users (default 1,000)
 * through the library (runSimulation), every user one job of the profile through the SDK. Once
 * every user's run has started and 10 s have passed, a full GC and the heap used, minus the heap
 * before the load, divided by N. Goal (issue 23): ≤ 50 KB heap per job at 1,000 users.
 *
 *   node --import tsx --expose-gc bench/replay-heap.ts [--users 1000] [--profile seed] [--runs 3]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { numberArg } from './lib/args.js';

const argv = process.argv.slice(2);
const USERS = numberArg('--users', 1000);
const RUNS = numberArg('--runs', 3);
const PROFILE = argv.includes('--profile') ? argv[argv.indexOf('--profile') + 1] : 'seed';
const gc = (globalThis as { gc?: () => void }).gc;

async function child(): Promise<void> {
  const { runSimulation, startReferenceServerInWorker } = await import('../src/index.js');
  const server = await startReferenceServerInWorker({ port: 0 });
  gc?.();
  gc?.();
  const before = process.memoryUsage().heapUsed;
  let runs = 0;
  let allAt = 0;
  let measured: { heapPerJobKB: number; heapMB: number } | undefined;
  const ac = new AbortController();
  const timer = setInterval(() => {
    if (runs < USERS || measured) return;
    allAt ||= performance.now();
    if (performance.now() - allAt < 10_000) return;
    gc?.();
    gc?.();
    const used = process.memoryUsage().heapUsed;
    measured = { heapPerJobKB: (used - before) / 1024 / USERS, heapMB: used / 1e6 };
    ac.abort();
  }, 250);
  const result = await runSimulation({
    host: server.url, key: server.key, scenario: `replay:${join(fileURLToPath(new URL('..', import.meta.url)), 'profiles', `${PROFILE}.json`)}`,
    users: USERS, spawnRate: 250, runTime: '120s', reportDir: false, console: false, log: () => undefined, handleSignals: false,
    signal: ac.signal, onSdkRun: () => void runs++,
  });
  clearInterval(timer);
  await server.stop();
  process.stdout.write(JSON.stringify({ ...measured, runs, exitCode: result.exitCode }) + '\n');
  process.exit(0);
}

if (argv.includes('--child')) {
  await child();
} else {
  const rows: string[] = [];
  for (let r = 0; r < RUNS; r++) {
    process.stderr.write(`replay-heap: pass ${r + 1} of ${RUNS} (${USERS} users of ${PROFILE})\n`);
    const out = await new Promise<string>((resolve) => {
      const c = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', ...argv], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      c.stdout.on('data', (d: Buffer) => (text += d.toString()));
      c.on('close', () => resolve(text.trim().split('\n').pop() ?? '{}'));
    });
    const m = JSON.parse(out) as { heapPerJobKB?: number; heapMB?: number; runs?: number };
    rows.push(`| ${r + 1} | ${m.runs ?? '?'} | ${m.heapPerJobKB?.toFixed(1) ?? 'not reached'} | ${m.heapMB?.toFixed(0) ?? '?'} |`);
  }
  console.log(`### Heap per replayed job (${USERS} users of profiles/${PROFILE}.json, each one job through the SDK; reference server in a worker thread)

| pass | runs started | heap per job KB | heap used MB |
|---|---|---|---|
${rows.join('\n')}

Goal: ≤ 50 KB heap per job at 1,000 users.`);
}
