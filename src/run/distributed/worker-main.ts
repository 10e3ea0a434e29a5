/**
 * A worker process of `--workers N` (forked by fleet-driver.ts): it runs its segment of the plan
 * with runSimulation() against the coordinator's target, outputs off, and reports its stats every
 * second (with its SDK runs' queue readings, taken every 250 ms) and its result at the end over IPC. Ctrl+C (SIGINT to the process group), SIGTERM, the
 * coordinator's `stop` or a lost coordinator stop its users; a second signal quits at once.
 */
import { EXIT_CODES } from '../../core/exit-codes.js';
import type { Recorder } from '../../metrics/recorder.js';
import { resolveScenario } from '../../load/scenario-resolve.js';
import { runSimulation } from '../runner.js';
import { segmentResultOf } from './segment-result-of.js';
import { WorkerLive } from './worker-live.js';
import { QUEUE_READING_MS, type FromWorker, type ToWorker, type WorkerHeap, type WorkerOptions } from './worker-protocol.js';

const abort = new AbortController();
let signals = 0;
const onSignal = (): void => {
  if (++signals > 1) process.exit(EXIT_CODES.interrupted);
  abort.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('disconnect', () => abort.abort());

function send(m: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });
}

let options: WorkerOptions | undefined;
let startAtMs: ((at: number) => void) | undefined;
const started = new Promise<number>((resolve) => (startAtMs = resolve));

process.on('message', (m: ToWorker) => {
  if (m.type === 'prepare') {
    options = m.options;
    void prepare(m.options);
  } else if (m.type === 'start') startAtMs?.(m.startAtMs);
  else if (m.type === 'stop') abort.abort();
});

async function prepare(o: WorkerOptions): Promise<void> {
  try {
    // Loads (and for .ts files compiles) the scenario once before the common start.
    if (o.scenario !== undefined) await resolveScenario(o.scenario);
    await send({ type: 'ready' });
    const at = await Promise.race([started, new Promise<number>((r) => abort.signal.addEventListener('abort', () => r(Date.now()), { once: true }))]);
    await run(at);
  } catch (err) {
    await fail(err);
  }
}

/** Heap in MB, after a full GC when the process was started with --expose-gc (benchmarks do). */
function heapMB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

async function run(at: number): Promise<void> {
  let recorder: Recorder | undefined;
  const live = new WorkerLive();
  const heap: WorkerHeap = { baseMB: heapMB(), peakMB: 0, afterGc: typeof (globalThis as { gc?: unknown }).gc === 'function' };
  const ticker = setInterval(() => {
    heap.peakMB = Math.max(heap.peakMB, heapMB());
    if (recorder) void send(live.message(recorder));
  }, 1000);
  const queueTimer = setInterval(() => live.readQueue(), QUEUE_READING_MS);
  try {
    const result = await runSimulation({ ...(options as WorkerOptions), startAt: at, signal: abort.signal, onRecorder: (r) => (recorder = r), onSdkRun: live.addRun });
    clearInterval(ticker);
    clearInterval(queueTimer);
    const cpu = process.cpuUsage();
    const queue = live.takeQueue();
    await send({ type: 'done', result: segmentResultOf(options?.segment ?? { index: 0, count: 1 }, recorder, result), cpuS: (cpu.user + cpu.system) / 1e6, heap, ...(queue ? { queue } : {}) });
    process.disconnect?.();
    process.exitCode = 0;
  } finally {
    clearInterval(ticker);
    clearInterval(queueTimer);
  }
}

async function fail(err: unknown): Promise<void> {
  const code = (err as { exitCode?: unknown })?.exitCode;
  const known = err instanceof Error && typeof code === 'number';
  const message = err instanceof Error ? (known ? err.message : (err.stack ?? err.message)) : String(err);
  await send({ type: 'failed', message, exitCode: known ? code : EXIT_CODES.internal });
  process.exitCode = known ? code : EXIT_CODES.internal;
  process.disconnect?.();
}

void send({ type: 'booted' });
