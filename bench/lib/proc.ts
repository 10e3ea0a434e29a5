/** Child-process plumbing for the benchmarks: pinned spawns, CPU accounting, medians. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

export const HAS_TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/** Spawn `cmd args` pinned to one core when taskset exists (target on core 0, generator on core 1). */
export function spawnPinned(core: number, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcess {
  const [c, a] = HAS_TASKSET ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args];
  return spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd });
}

/** Resolve with the child's stdout line matching `re` (e.g. /^PORT (\d+)/m). */
export function waitForLine(child: ChildProcess, re: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}: ${buf.slice(-500)}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = buf.match(re);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited (${code}) before ${re}: ${buf.slice(-500)}`));
    });
  });
}

/**
 * Spawn `cmd args` pinned to `core`, wrapped in bash so that its `times` builtin reports the exact
 * user+system CPU of the command and every thread and child it had (rusage of reaped children).
 */
export function spawnMeasured(core: number, cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildProcess {
  const script = '"$@"; rc=$?; echo "__CPU__"; times; exit $rc';
  return spawnPinned(core, 'bash', ['-c', script, 'bench', cmd, ...args], opts);
}

function parseTimes(s: string): number {
  const t = (x: string): number => {
    const m = x.match(/(\d+)m([\d.]+)s/);
    return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
  };
  const lines = s.slice(s.lastIndexOf('__CPU__')).trim().split('\n');
  const children = lines[2] ?? ''; // line 1: the shell itself; line 2: its reaped children
  const [user, sys] = children.trim().split(/\s+/);
  return t(user ?? '') + t(sys ?? '');
}

/** Wait for a process started by spawnMeasured; cpuS = the command's user+system CPU seconds. */
export function exitWithCpu(child: ChildProcess): Promise<{ code: number | null; cpuS: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('close', (code) => {
      const cpuS = parseTimes(stdout);
      resolve({ code, cpuS, stdout: stdout.slice(0, stdout.lastIndexOf('__CPU__')), stderr });
    });
  });
}

/** The pids of `parent`'s children (from /proc; Linux only). */
export function childPids(parent: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) out.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

const TICKS_PER_S = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** A running process's user+system CPU seconds so far, all its threads (from /proc/PID/stat, in clock ticks). */
export function processCpuS(pid: number): number {
  return statCpuS(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** User+system CPU seconds from a /proc stat line (a process's or a thread's). */
function statCpuS(stat: string): number {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_S; // fields 14 (utime) and 15 (stime)
}

/**
 * A running process's CPU seconds split by thread: the main thread (the event loop, where the
 * JavaScript runs) against all the others (V8's compiler and garbage-collector helpers, libuv's
 * pool) and per thread name. Read from each thread's /proc schedstat (the scheduler's time on CPU,
 * in nanoseconds) where the kernel has it, else from its stat line in clock ticks (10 ms: 1.1 ms/s
 * over a 9 s window). `total` sums the threads alive at the reading: a thread that ended between
 * two readings drops out of the later one (Node's threads live as long as the process).
 */
export function threadCpuS(pid: number): { total: number; main: number; byName: Record<string, number> } {
  const byName: Record<string, number> = {};
  let main = 0, total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const cpuS = SCHEDSTAT ? Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e9 : statCpuS(stat);
      total += cpuS;
      if (Number(tid) === pid) main = cpuS;
      else {
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        byName[name] = (byName[name] ?? 0) + cpuS;
      }
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return { total, main, byName };
}

/** Whether this kernel keeps per-thread time on CPU in nanoseconds (CONFIG_SCHED_INFO). */
const SCHEDSTAT = (() => {
  try {
    return Number(readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) > 0;
  } catch {
    return false;
  }
})();

export interface Spread { median: number; min: number; max: number }
export function spread(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1] };
}
export const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
export const fmtSpread = (s: Spread, digits = 1): string => `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;

export function machineLine(): string {
  return `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}
