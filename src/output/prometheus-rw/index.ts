/**
 * `--out prometheus-rw=URL`: Prometheus remote write (protobuf + snappy, encoded by the npm
 * package prometheus-remote-write). Each second's points are pushed right after the second ends,
 * one request per second, in order; at the end one more push carries the run's final figures
 * (the same numbers as latest.json) and each gate's verdict. A receiver that is down or slow never
 * slows the load: pushes queue (at most MAX_QUEUED; older ones are dropped), the end waits for
 * them at most STOP_BUDGET_MS, and a failure is reported once, as a log line, at the end.
 */
import type { pushTimeseries } from 'prometheus-remote-write';
import { SimUsageError } from '../../core/errors.js';
import type { SimulationResult } from '../../metrics/result.js';
import type { Output } from '../output.js';
import { metricPoints } from '../stream/second-snapshot.js';
import { finalPoints, LabelCache, type Series, toSeries } from './series.js';

const MAX_QUEUED = 30;
const PUSH_TIMEOUT_MS = 5_000;
/** At the end, queued pushes get this long in all; a hanging receiver never holds the run's exit longer. */
const STOP_BUDGET_MS = 10_000;

export interface PrometheusRwOptions {
  /** Progress and warning lines (the run's log). */
  log?: (line: string) => void;
  /** Labels added to every series (default `job="mlop-sim"`). */
  labels?: Record<string, string>;
}

export function prometheusRwOutput(url: string, opts: PrometheusRwOptions = {}): Output {
  const labels = new LabelCache(opts.labels ?? { job: 'mlop-sim' });
  const queue: Series[][] = [];
  let pushing: Promise<void> | undefined;
  let pushed = 0, dropped = 0;
  let firstError: string | undefined;
  // Loaded in prepare(), so runs without this output never load protobufjs.
  let push: typeof pushTimeseries | undefined;

  const send = async (batch: Series[]): Promise<void> => {
    try {
      if (push === undefined) return;
      const r = await push(batch, { url, fetch: lightFetch as never, headers: { 'X-Prometheus-Remote-Write-Version': '0.1.0' } });
      if (r.status < 200 || r.status >= 300) firstError ??= `HTTP ${r.status}${r.errorMessage ? `: ${r.errorMessage.trim().slice(0, 200)}` : ''}`;
      else pushed++;
    } catch (err) {
      const e = err as { code?: string; cause?: { code?: string; message?: string }; message?: string };
      firstError ??= (e.code?.startsWith('E') ? e.code : undefined) ?? e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
    }
  };
  const drain = (): void => {
    if (pushing || queue.length === 0) return;
    const batch = queue.shift() as Series[];
    pushing = send(batch).finally(() => {
      pushing = undefined;
      drain();
    });
  };
  const enqueue = (batch: Series[]): void => {
    if (batch.length === 0) return;
    queue.push(batch);
    while (queue.length > MAX_QUEUED) {
      queue.shift();
      dropped++;
    }
    drain();
  };
  const settled = async (): Promise<void> => {
    while (pushing || queue.length > 0) {
      drain();
      await pushing;
    }
  };

  return {
    name: 'prometheus-rw',
    async prepare() {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        throw new SimUsageError(`--out prometheus-rw needs an http:// or https:// URL, got "${url}".`);
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new SimUsageError(`--out prometheus-rw needs an http:// or https:// URL, got "${url}".`);
      push = (await import('prometheus-remote-write')).pushTimeseries;
    },
    second(s) {
      enqueue(toSeries(metricPoints(s), labels));
    },
    async stop(result: SimulationResult) {
      enqueue(toSeries(finalPoints(result, Date.now()), labels));
      let timer: NodeJS.Timeout | undefined;
      const outOfTime = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_BUDGET_MS)));
      if ((await Promise.race([settled(), outOfTime])) === 'late') {
        dropped += queue.length;
        queue.length = 0;
      }
      clearTimeout(timer);
      if (firstError !== undefined || dropped > 0) {
        opts.log?.(`prometheus-rw: ${pushed} pushes accepted by ${url}` +
          `${firstError !== undefined ? `; a push failed (${firstError})` : ''}${dropped > 0 ? `; ${dropped} seconds dropped while the receiver lagged` : ''}`);
      }
      return [];
    },
  };
}

/**
 * The package's fetch, done with undici's request() (already loaded for the SDK): a third of the
 * CPU of the WHATWG fetch per push (bench/RESULTS.md, output-cost).
 */
async function lightFetch(url: string, init: { method: string; headers: Record<string, string>; body: Uint8Array }): Promise<{ status: number; statusText: string; text(): Promise<string> }> {
  // Loaded with the first push: importing the outputs (every run does) does not load undici.
  const { request } = await import('undici');
  const r = await request(url, {
    method: init.method as 'POST', headers: init.headers, body: init.body,
    headersTimeout: PUSH_TIMEOUT_MS, bodyTimeout: PUSH_TIMEOUT_MS,
  });
  const text = await r.body.text();
  return { status: r.statusCode, statusText: '', text: () => Promise.resolve(text) };
}
