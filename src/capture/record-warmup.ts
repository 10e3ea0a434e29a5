/**
 * The recorder's warm-up: before it listens, it sends a bounded burst of metrics-sized requests
 * through its own forwarding code to a throwaway upstream inside its process (loopback, never the
 * real upstream; the lines go through a TraceWriter to the null device, never to the trace).
 * A cold recorder compiles and tiers up its forwarding path (node:http server and client, the
 * agent, the trace line and writer) while the job's first requests go through it; on a busy
 * machine that compilation runs on background threads that compete with forwarding for the cores
 * (bench/RESULTS.md, record-overhead). Warmed, the job's first requests meet optimised code.
 */
import http from 'node:http';
import v8 from 'node:v8';
import { devNull } from 'node:os';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { forwardRoute, forwardingServer } from './record-forward.js';
import { TraceWriter } from './trace-writer.js';

/**
 * V8 flags the recorder sets for its own process (the `record` command, before the warm-up; never
 * for a library caller's process). `--always-sparkplug`: a function gets baseline machine code on
 * its first call instead of running in the interpreter until it is hot. Part of what TurboFan
 * optimised during the warm-up is thrown away when the job's own connections arrive ("wrong map"
 * deopts in node:http and streams) and some of the job's path was not hot enough to be optimised
 * yet; that code then runs as baseline code, and less of it reaches TurboFan while the job runs
 * (compilations after listening 59–72 → 28–33, their compile time 178–489 → 67–109 ms;
 * bench/RESULTS.md, record-overhead).
 */
export const RECORDER_V8_FLAGS: readonly string[] = ['--always-sparkplug'];

/** Sets RECORDER_V8_FLAGS for this process; call it before the first request is forwarded. */
export function tuneRecorderProcess(): void {
  for (const flag of RECORDER_V8_FLAGS) v8.setFlagsFromString(flag);
}

/** Requests sent through the forwarding path before the recorder listens. */
export const WARM_UP_REQUESTS = 3000;
/** The warm-up stops at this wall time even when not all requests were sent (a slow machine). */
export const WARM_UP_MAX_MS = 3000;
/** Requests in flight at once during the warm-up. */
const PARALLEL = 4;

const BODY = Buffer.from(
  Array.from({ length: 16 }, (_, i) => `{"time": ${1767225600000 + i}, "step": ${i}, "data": {"train/loss": 0.${i}1234, "lr": 0.0003}}`).join('\n') + '\n',
);

/** Runs the warm-up; resolves with the number of exchanges that went through. */
export async function warmUp(maxBody: number, requests = WARM_UP_REQUESTS, maxMs = WARM_UP_MAX_MS): Promise<number> {
  const stub = http.createServer({ noDelay: true }, (q, s) => {
    q.resume();
    q.on('end', () => {
      s.writeHead(200, { 'content-type': 'application/json' });
      s.end('{"ok":true}');
    });
  });
  stub.listen(0, '127.0.0.1');
  await once(stub, 'listening');
  const stubPort = (stub.address() as AddressInfo).port;
  // The lines go where a trace's go, through a TraceWriter, but to the null device.
  const sink = new TraceWriter(devNull);
  await sink.ready();
  let seq = 0;
  const route = forwardRoute(new URL(`http://127.0.0.1:${stubPort}`), maxBody, performance.now(), () => ++seq, (line) => sink.line(line));
  const proxy = forwardingServer(route);
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  const proxyPort = (proxy.address() as AddressInfo).port;
  const client = new http.Agent({ keepAlive: true, maxSockets: PARALLEL });
  const deadline = performance.now() + maxMs;
  let sent = 0;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const req = http.request(
        { host: '127.0.0.1', port: proxyPort, method: 'POST', path: '/ingest/metrics', agent: client, headers: { 'content-type': 'application/x-ndjson', 'content-length': BODY.length, authorization: 'Bearer warm-up-not-a-key' } },
        (res) => {
          res.resume();
          res.on('end', resolve);
          res.on('error', () => resolve());
        },
      );
      req.on('error', () => resolve());
      req.end(BODY);
    });
  const lane = async (): Promise<void> => {
    while (sent < requests && performance.now() < deadline) {
      sent++;
      await one();
    }
  };
  try {
    await Promise.all(Array.from({ length: PARALLEL }, lane));
  } finally {
    client.destroy();
    route.agent.destroy();
    proxy.closeAllConnections();
    stub.closeAllConnections();
    proxy.close();
    stub.close();
    await sink.close('').catch(() => undefined);
  }
  return sink.written;
}
