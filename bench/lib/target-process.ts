/** Start bench/lib/plain-target.ts in a child process pinned to core 0, and talk to it. */
import type { ChildProcess } from 'node:child_process';
import { spawnPinned, waitForLine } from './proc.js';

export interface PlainTarget {
  url: string;
  reset(): Promise<void>;
  report(): Promise<{ requests: number; serviceMs: { p50: number; p95: number; p99: number }; loopDelayMs: { p50: number; p99: number; max: number } }>;
  stop(): Promise<void>;
}

export async function startPlainTarget(delay = 'none'): Promise<PlainTarget> {
  const child: ChildProcess = spawnPinned(0, process.execPath, ['--import', 'tsx', 'bench/lib/plain-target.ts', '--delay', delay]);
  const [, port] = await waitForLine(child, /PORT (\d+)/);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async reset() {
      await fetch(`${url}/_bench/reset`);
    },
    async report() {
      return (await (await fetch(`${url}/_bench/report`)).json()) as Awaited<ReturnType<PlainTarget['report']>>;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
