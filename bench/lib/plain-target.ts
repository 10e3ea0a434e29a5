/**
 * A plain loopback HTTP target for the benchmarks: answers every POST with 200 after an optional
 * delay, counts requests, and records the service time it actually applied (receipt of the full
 * request → response written), which is the "truth" the timing-fidelity benchmark compares against.
 *
 * Run as a child process: `node --import tsx bench/lib/plain-target.ts --delay fixed:20`
 * (or `lognormal:20:0.5` = median 20 ms, sigma 0.5; `none`). It prints `PORT <n>` when listening;
 * on SIGTERM (or GET /_bench/report) it prints/answers one JSON line:
 * {"requests", "serviceMs": {"p50","p95","p99"}, "loopDelayMs": {"p50","p99","max"}}. `fixed:0` answers at once and
 * still records (the zero-delay calibration); `none` answers at once without recording.
 * Routes under /_sim and /health answer 404, so mlop-sim treats it as a foreign target.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mulberry32, normal } from './samples.js';

type DelayFn = () => number;

function parseDelay(spec: string): DelayFn {
  const [kind, a, b] = spec.split(':');
  if (kind === 'none') return () => 0;
  if (kind === 'fixed') return () => Number(a);
  if (kind === 'lognormal') {
    const rand = mulberry32(42);
    const median = Number(a);
    const sigma = Number(b);
    return () => median * Math.exp(sigma * normal(rand));
  }
  throw new Error(`unknown delay spec ${spec}`);
}

function exactQuantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  // Nearest-rank, the definition Locust and HdrHistogram use.
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx];
}

const args = process.argv.slice(2);
const delaySpec = args[args.indexOf('--delay') + 1] ?? 'none';
const port = Number(args.includes('--port') ? args[args.indexOf('--port') + 1] : 0);
const delay = parseDelay(args.includes('--delay') ? delaySpec : 'none');
const record = delaySpec !== 'none';

let requests = 0;
let service: number[] = [];
// The target's own event-loop delay (above the 1 ms timer period): a late read of a request adds to
// what the generator measures but not to the service time recorded here.
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const aboveMs = (ns: number): number => Math.max(0, ns / 1e6 - 1);
const body = Buffer.from('Stream processed successfully: 1 records');

function report(): string {
  const sorted = Float64Array.from(service).sort();
  return JSON.stringify({
    requests,
    serviceMs: { p50: exactQuantile(sorted, 0.5), p95: exactQuantile(sorted, 0.95), p99: exactQuantile(sorted, 0.99) },
    loopDelayMs: { p50: aboveMs(loop.percentile(50)), p99: aboveMs(loop.percentile(99)), max: aboveMs(loop.max) },
  });
}

const server = http.createServer((req, res) => {
  if (req.url === '/_bench/report') {
    res.end(report());
    return;
  }
  if (req.url === '/_bench/reset') {
    requests = 0;
    service = [];
    loop.reset();
    res.end('ok');
    return;
  }
  if (req.url?.startsWith('/_sim') || req.url?.startsWith('/health')) {
    res.statusCode = 404;
    res.end();
    return;
  }
  req.on('data', () => {});
  req.on('end', () => {
    const start = performance.now();
    requests++;
    const answer = () => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length });
      res.end(body);
      if (record) service.push(performance.now() - start);
    };
    const d = delay();
    if (d > 0) setTimeout(answer, d);
    else answer();
  });
});
server.keepAliveTimeout = 60_000;
server.on('connection', (s) => s.setNoDelay(true));
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`PORT ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => {
  process.stdout.write(report() + '\n');
  server.close();
  process.exit(0);
});
