/** The live page's watchers for the web benches: a free port, the `--web` run they watch, and event streams opened and closed on demand. */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** web-toggle's windows start this long after the run's first request, and the last one ends at least this long before the run's planned end (its last requests and the final report stay out). */
export const TOGGLE_WARM_S = 10, TOGGLE_TAIL_S = 3;

/** The API key the web benches' runs send (the plain target accepts any). */
const KEY = 'mlps_bench_web_toggle_key_01';

/**
 * The CLI's arguments for the web benches' run: the http scenario at `rate` requests/s
 * (constant-arrival-rate) against `targetUrl` for `seconds`, with `--web` on `port`, quiet, no
 * linger, reports into a fresh temporary folder.
 */
export function webRunArgs(targetUrl: string, port: number, rate: number, seconds: number): string[] {
  return ['-q', '--scenario', 'http', '--host', targetUrl, '--key', KEY,
    '--arrival-rate', String(rate), '--pre-allocated-users', '50', '--max-users', '200', '--run-time', `${seconds}s`,
    '--report-dir', mkdtempSync(path.join(os.tmpdir(), 'web-bench-')), '--web', '--web-port', String(port), '--autoquit', '0'];
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once the live page at `url` answers with the page (not the waiting page). */
export async function pageUp(url: string): Promise<void> {
  for (;;) {
    const ok = await fetch(url).then((r) => r.text()).then((t) => t.includes('live-bar'), () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Pages {
  /** Closes the streams (or waits for the server to close them, with `untilEnd`); the bytes and updates they read. */
  close(untilEnd?: boolean): Promise<{ bytes: number; updates: number }>;
}

/** Opens `n` event streams on the live page at `url` and reads them. */
export function openPages(url: string, n: number): Pages {
  const abort = new AbortController();
  let bytes = 0, updates = 0;
  const reading = Promise.all(Array.from({ length: n }, async () => {
    try {
      const res = await fetch(`${url}events`, { signal: abort.signal });
      const reader = res.body!.getReader();
      const text = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        bytes += value.length;
        updates += (text.decode(value).match(/event: update/g) ?? []).length;
      }
    } catch {
      /* closed: by us, or by the server at the end */
    }
  }));
  return {
    async close(untilEnd = false) {
      if (!untilEnd) abort.abort();
      await reading;
      return { bytes, updates };
    },
  };
}
