/**
 * One worker process as the coordinator sees it: forks worker-main (the build's .js, or the .ts
 * source under tsx), speaks the IPC protocol, keeps the stats it sent (SegmentLiveStats) and
 * tells how it ended: done (its result), failed (a user's error), or died (exit code, signal and
 * the last line it wrote to stderr).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Segment } from '../../executor/segment.js';
import type { RunAudit } from '../../metrics/result.js';
import { NO_MEMORY_REDUCER } from '../health/timing-health.js';
import { SegmentLiveStats } from './live-stats.js';
import type { SegmentResult } from './segment-result.js';
import type { FromWorker, QueueReading, ToWorker, WorkerHeap, WorkerOptions } from './worker-protocol.js';

/** After `done`, how long a worker may take to exit before it is killed (its result is in). */
const EXIT_GRACE_MS = 5_000;
const STDERR_TAIL = 2_000;
/** Queue readings kept per worker: the latest ~80 minutes at 4 a second (a capacity step reads seconds). */
const QUEUE_READINGS_KEPT = 20_000;

export interface WorkerEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class WorkerHandle {
  readonly live = new SegmentLiveStats();
  /** The delivery counts of its SDK runs as it last reported them (kept when it dies). */
  readonly runs = new Map<number, RunAudit>();
  /** Its SDK runs' queue readings as it sent them, oldest first (QueueReading). */
  readonly queue: QueueReading[] = [];
  result: SegmentResult | undefined;
  cpuS: number | undefined;
  heap: WorkerHeap | undefined;
  failure: { message: string; exitCode: number } | undefined;
  end: WorkerEnd | undefined;
  readonly exited: Promise<WorkerEnd>;
  readonly booted: Promise<void>;
  readonly ready: Promise<void>;
  private readonly child: ChildProcess;
  private stderr = '';
  private onReady: (() => void) | undefined;
  private onBooted: (() => void) | undefined;

  constructor(readonly segment: Segment) {
    const fromSources = import.meta.url.endsWith('.ts');
    const entry = fileURLToPath(new URL(fromSources ? './worker-main.ts' : './worker-main.js', import.meta.url));
    // --no-memory-reducer: at low load V8's memory reducer runs two mark-compacts ~8 s after
    // start-up whose 11–38 ms pauses land in the measured tail (bench/RESULTS.md, timing-fidelity);
    // it is a command-line flag only: V8 creates the memory reducer at heap set-up when the flag is on, so
    // v8.setFlagsFromString cannot remove it (set first thing in the entry it still ran in 4 of 4 runs).
    const execArgv = [NO_MEMORY_REDUCER, ...(fromSources ? ['--import', 'tsx'] : [])];
    this.child = fork(entry, [], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-STDERR_TAIL)));
    this.booted = new Promise((resolve) => (this.onBooted = resolve));
    this.ready = new Promise((resolve) => (this.onReady = resolve));
    this.child.on('message', (m: FromWorker) => this.receive(m));
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.end = { code, signal };
        resolve(this.end);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(m: ToWorker): void {
    if (this.child.connected) this.child.send(m, (err) => void err);
  }

  prepare(options: WorkerOptions): void {
    this.send({ type: 'prepare', options: { ...options, segment: this.segment } });
  }

  kill(): void {
    if (this.end === undefined) this.child.kill('SIGKILL');
  }

  /** Why this worker's part is incomplete, or undefined when it delivered its result. */
  problem(scrub: (s: string) => string): string | undefined {
    if (this.result) return undefined;
    if (this.failure) return scrub(this.failure.message.split('\n')[0]);
    const e = this.end;
    const how = e?.signal ? `killed by ${e.signal}` : `exited with code ${e?.code ?? 'unknown'}`;
    const last = this.stderr.trim().split('\n').filter(Boolean).pop();
    return `the process ${how} before it sent its result${last ? ` (${scrub(last).slice(0, 200)})` : ''}`;
  }

  private keepQueue(readings: QueueReading[] | undefined): void {
    if (!readings) return;
    this.queue.push(...readings);
    if (this.queue.length > QUEUE_READINGS_KEPT) this.queue.splice(0, this.queue.length - QUEUE_READINGS_KEPT);
  }

  private receive(m: FromWorker): void {
    if (m.type === 'booted') this.onBooted?.();
    else if (m.type === 'ready') this.onReady?.();
    else if (m.type === 'live') {
      this.live.update(m.stats, m.at, m.busy);
      for (const r of m.runs) this.runs.set(r.runId, r);
      this.keepQueue(m.queue);
    }
    else if (m.type === 'done') {
      this.result = m.result;
      this.cpuS = m.cpuS;
      this.heap = m.heap;
      this.keepQueue(m.queue);
      setTimeout(() => this.kill(), EXIT_GRACE_MS).unref();
    } else if (m.type === 'failed') {
      this.failure = { message: m.message, exitCode: m.exitCode };
      this.onReady?.();
    }
  }
}
