/**
 * `mlop-sim record`: a recording reverse proxy. Every request is streamed to the upstream as it
 * arrives (HTTP/1.1, keep-alive both sides, chunked or Content-Length bodies of any size) and the
 * answer is streamed back (record-forward.ts). When the response has ended, one trace line is
 * queued (trace-writer.ts: never awaited, dropped and counted when the disk falls behind). Secrets
 * are redacted before anything is written (trace-format.ts). Before it listens, the recorder warms
 * its forwarding path on a throwaway upstream (record-warmup.ts).
 */
import net from 'node:net';
import { once } from 'node:events';
import { SimTargetError, SimUsageError, describeNetworkError } from '../core/errors.js';
import { footerLine, headerLine } from './trace-format.js';
import { forwardRoute, forwardingServer } from './record-forward.js';
import { TraceWriter } from './trace-writer.js';
import { warmUp } from './record-warmup.js';

export interface RecordOptions {
  /** The origin requests go to, e.g. http://127.0.0.1:3003. */
  upstream: string;
  /** Port to listen on (0: any free port). */
  port?: number;
  host?: string;
  /** Trace file to write. */
  out: string;
  /** Request bodies larger than this are not kept (their size is). Default 8 MiB. */
  maxBodyBytes?: number;
  /** Bytes the trace may fall behind the disk before lines are dropped. Default 64 MiB. */
  maxQueuedBytes?: number;
  /** Exercise the forwarding path on a throwaway upstream before listening (record-warmup.ts). Default true. */
  warmUp?: boolean;
}

export interface RecordSummary {
  exchanges: number;
  dropped: number;
  droppedBytes: number;
}

export interface RecordingProxy {
  /** The proxy's own origin, e.g. http://127.0.0.1:4318. */
  readonly url: string;
  /** Exchanges traced so far (written or dropped). */
  readonly count: number;
  /** Stops accepting, lets requests in flight end (≤ 5 s), writes the closing line. */
  stop(): Promise<RecordSummary>;
}

/** Parses and checks the upstream origin; a bad one is a usage error. */
export function parseUpstream(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new SimUsageError(`--upstream "${raw}" is not a URL (use e.g. http://127.0.0.1:3003).`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new SimUsageError(`--upstream must be http:// or https://, not ${u.protocol}.`);
  return u;
}

/** Resolves when a TCP connection to the upstream opens; a refused or silent upstream → exit 3. */
export async function checkUpstream(u: URL, timeoutMs = 3000): Promise<void> {
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    const s = net.connect({ host, port });
    const timer = setTimeout(() => s.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.end();
      resolve();
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(new SimTargetError(`the upstream ${u.origin} is not reachable (${describeNetworkError(err)}); start it first.`));
    });
  });
}

export async function startRecording(o: RecordOptions): Promise<RecordingProxy> {
  const up = parseUpstream(o.upstream);
  await checkUpstream(up);
  const writer = new TraceWriter(o.out, o.maxQueuedBytes);
  await writer.ready().catch((err: NodeJS.ErrnoException) => {
    throw new SimUsageError(`cannot write the trace ${o.out}: ${err.code ?? err.message}.`);
  });
  const started = performance.now();
  writer.line(headerLine(up.origin, new Date()));
  const maxBody = o.maxBodyBytes ?? 8 * 1024 * 1024;
  if (o.warmUp !== false) await warmUp(maxBody);
  let seq = 0;
  let inFlight = 0;
  let drained: (() => void) | null = null;
  const route = forwardRoute(up, maxBody, started, () => (inFlight++, ++seq), (line) => {
    writer.line(line);
    if (--inFlight === 0 && drained) drained();
  });
  const server = forwardingServer(route);
  server.listen(o.port ?? 0, o.host ?? '127.0.0.1');
  try {
    await once(server, 'listening');
  } catch (err) {
    await writer.close(footerLine(0, 0, 0, new Date())).catch(() => undefined);
    throw new SimUsageError(`cannot listen on port ${o.port ?? 0}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  const addr = server.address() as net.AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    get count() {
      return seq;
    },
    async stop(): Promise<RecordSummary> {
      server.close();
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([new Promise<void>((r) => (drained = r)), new Promise((r) => setTimeout(r, 5000).unref())]);
      }
      server.closeAllConnections();
      route.agent.destroy();
      const exchanges = writer.written + writer.dropped - 1;
      await writer.close(footerLine(exchanges, writer.dropped, writer.droppedBytes, new Date()));
      return { exchanges, dropped: writer.dropped, droppedBytes: writer.droppedBytes };
    },
  };
}

