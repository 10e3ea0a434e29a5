/**
 * Issue 11 — scheduler speed and timing error: how many iterations per second the open-model
 * scheduler (src/executor/open-model.ts, constant arrival rate, uniform arrivals) starts on one
 * core, and how late it starts them. Users are stand-ins whose iteration resolves at once, so
 * the figure is the scheduler's own cost (dispatch, user hand-off, both latency callbacks), not
 * a target's. Late starts: started > 1 ms after the due time; lateness = start − due, with the
 * starts up to 0.5 ms early that the scheduler allows (no sleep below a timer's grain) counted as 0.
 *
 * Usage: node --import tsx bench/scheduler-speed.ts [--runs 5] [--seconds 5]   (re-runs itself under taskset -c 1)
 */
import { spawnSync } from 'node:child_process';
import { realClock } from '../src/core/clock.js';
import { constantArrivalRate } from '../src/executor/constant-arrival-rate.js';
import type { ExecutionContext } from '../src/executor/executor.js';
import { WHOLE } from '../src/executor/segment.js';
import type { VirtualUser } from '../src/load/virtual-user.js';
import { fmt, HAS_TASKSET, spread } from './lib/proc.js';
import { numberArg } from './lib/args.js';

if (HAS_TASKSET && process.env.SCHEDULER_BENCH_PINNED !== '1') {
  const r = spawnSync('taskset', ['-c', '1', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit', env: { ...process.env, SCHEDULER_BENCH_PINNED: '1' },
  });
  process.exit(r.status ?? 1);
}

const argv = process.argv.slice(2);
const RUNS = numberArg('--runs', 5);
const SECONDS = numberArg('--seconds', 5);
const RATES = [10_000, 20_000, 40_000];

interface Figures { achieved: number; cpuUsPerIteration: number; lateShare: number; p50Us: number; p99Us: number; maxUs: number; dropped: number }

async function once(rate: number): Promise<Figures> {
  const lateness = new Float64Array(Math.ceil(rate * SECONDS) + 16);
  let n = 0;
  const user = (index: number): VirtualUser => {
    let stopping = false;
    return {
      index, run: undefined,
      get stopping() { return stopping; },
      requestStop: () => void (stopping = true),
      start: async () => true, iterate: async () => true, think: async () => undefined,
      stop: async () => void (stopping = true),
    } as unknown as VirtualUser;
  };
  const ctx: ExecutionContext = {
    clock: realClock, segment: WHOLE, shutdownTimeoutS: 1, onActiveUsers: () => undefined, newUser: user,
    iterations: { completed: (due, started) => void (lateness[n++] = started - due), dropped: () => undefined },
  };
  const ex = constantArrivalRate({
    executor: 'constant-arrival-rate', rate, runTimeS: SECONDS, arrivals: { kind: 'uniform' },
    preAllocatedUsers: 64, maxUsers: 64, onSaturation: 'drop', iteration: 'task', runLengthS: 0,
  }, ctx);
  const cpu0 = process.cpuUsage();
  const out = await ex.run();
  const cpu = process.cpuUsage(cpu0);
  const late = Array.from(lateness.subarray(0, n)).sort((a, b) => a - b);
  const q = (p: number): number => late[Math.min(late.length - 1, Math.floor(p * late.length))] * 1000;
  return {
    achieved: (out.iterations?.started ?? 0) / SECONDS,
    cpuUsPerIteration: ((cpu.user + cpu.system) / Math.max(1, out.iterations?.started ?? 1)),
    lateShare: (out.iterations?.lateStarts ?? 0) / Math.max(1, out.iterations?.started ?? 1),
    p50Us: q(0.5), p99Us: q(0.99), maxUs: late[late.length - 1] * 1000,
    dropped: out.iterations?.dropped ?? 0,
  };
}

/**
 * The peer, measured in the same run: a bare timer loop waking every 1 ms for the same time,
 * its lateness = how late Node's timers (and the shared machine) wake anything up.
 */
async function timerFloor(): Promise<{ p50Us: number; p99Us: number; maxUs: number }> {
  const late: number[] = [];
  const t0 = performance.now();
  for (let k = 1; k <= SECONDS * 1000; k++) {
    const due = t0 + k;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    late.push(Math.max(0, performance.now() - due));
  }
  late.sort((a, b) => a - b);
  const q = (p: number): number => late[Math.min(late.length - 1, Math.floor(p * late.length))] * 1000;
  return { p50Us: q(0.5), p99Us: q(0.99), maxUs: late[late.length - 1] * 1000 };
}

const rows: string[] = [];
const floors: { p50Us: number; p99Us: number; maxUs: number }[] = [];
for (let i = 0; i < RUNS; i++) {
  process.stderr.write(`scheduler-speed: bare 1 ms timer loop, run ${i + 1}/${RUNS}\n`);
  floors.push(await timerFloor());
}
{
  const f = (k: 'p50Us' | 'p99Us' | 'maxUs'): string => {
    const x = spread(floors.map((r) => r[k]));
    return `${fmt(x.median, 0)} (${fmt(x.min, 0)}–${fmt(x.max, 0)})`;
  };
  rows.push(`| peer: bare setTimeout loop, 1 ms ticks | 1000 | – | – | ${f('p50Us')} | ${f('p99Us')} | ${f('maxUs')} | – |`);
}
for (const rate of RATES) {
  const runs: Figures[] = [];
  for (let i = 0; i < RUNS; i++) {
    process.stderr.write(`scheduler-speed: ${rate}/s, run ${i + 1}/${RUNS}\n`);
    runs.push(await once(rate));
  }
  const s = (k: keyof Figures, d = 1): string => {
    const x = spread(runs.map((r) => r[k]));
    return `${fmt(x.median, d)} (${fmt(x.min, d)}–${fmt(x.max, d)})`;
  };
  rows.push(`| ${rate} | ${s('achieved', 0)} | ${s('cpuUsPerIteration', 2)} | ${s('lateShare', 4)} | ${s('p50Us', 0)} | ${s('p99Us', 0)} | ${s('maxUs', 0)} | ${s('dropped', 0)} |`);
}
const lines = [
  `### Open-model scheduler: iterations started per second on one core (${SECONDS} s runs × ${RUNS}, median (min–max))`, '',
  `${HAS_TASKSET ? 'Pinned to one core (taskset -c 1)' : 'Not pinned (no taskset)'}; other helpers' builds, tests and benchmarks use the same 2 cores at the same time, so lateness includes the time the process was descheduled.`, '',
  '| target rate /s | started /s | CPU µs / iteration | share started > 1 ms late | lateness p50 µs | p99 µs | max µs | dropped |',
  '|---|---|---|---|---|---|---|---|',
  ...rows, '',
  'Users are stand-ins whose iteration resolves at once (the scheduler\'s own cost). The peer row is a bare 1 ms timer loop in the same process and run: the lateness any timer-driven scheduler sees on this machine at that time. Goal: ≥ 10,000 iterations/s started on one core.', '',
];
process.stdout.write(lines.join('\n') + '\n');
