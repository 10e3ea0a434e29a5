/**
 * `mlop-sim record`: a recording reverse proxy. Every request is streamed to the upstream as it
 * arrives (HTTP/1.1, keep-alive both sides, chunked or Content-Length bodies of any size) and the
 * answer is streamed back; only the Host header is rewritten to the upstream's. When the response
 * has ended, one trace line is queued (trace-writer.ts: never awaited, dropped and counted when
 * the disk falls behind). Secrets are redacted before anything is written (trace-format.ts).
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { once } from 'node:events';
import { SimTargetError, SimUsageError, describeNetworkError } from '../core/errors.js';
import { footerLine, headerLine, redactHeaders, scrubSecrets, secretOf, type TraceExchange } from './trace-format.js';
import { TraceWriter } from './trace-writer.js';

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

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'host']);
const TEXT_TYPE = /json|ndjson|text\/|x-www-form-urlencoded/i;

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
  const lib = up.protocol === 'https:' ? https : http;
  const agent = new lib.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, noDelay: true } as http.AgentOptions);
  const maxBody = o.maxBodyBytes ?? 8 * 1024 * 1024;
  const secrets = new Set<string>();
  let seq = 0;
  let inFlight = 0;
  let drained: (() => void) | null = null;

  const server = http.createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
    const t0 = performance.now();
    const id = ++seq;
    inFlight++;
    const headers: string[] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i];
      const value = req.rawHeaders[i + 1];
      const secret = secretOf(name, value);
      if (secret) secrets.add(secret);
      if (!HOP_BY_HOP.has(name.toLowerCase())) headers.push(name, value);
    }
    headers.push('Host', up.host);
    const type = req.headers['content-type'] ?? '';
    const keepText = type === '' || TEXT_TYPE.test(type);
    const chunks: Buffer[] = [];
    let bodyBytes = 0;
    let responseBytes = 0;
    let done = false;
    const finish = (status: number, error?: string): void => {
      if (done) return;
      done = true;
      const keep = keepText && bodyBytes <= maxBody;
      const body = keep ? scrubSecrets(Buffer.concat(chunks).toString('utf8'), secrets) : null;
      const ex: TraceExchange = {
        seq: id,
        t: round(t0 - started),
        method: req.method ?? 'GET',
        route: scrubSecrets(req.url ?? '/', secrets),
        headers: redactHeaders(req.rawHeaders),
        body,
        bodyBytes,
        ...(keep ? {} : { bodyType: type || 'application/octet-stream' }),
        status,
        latencyMs: round(performance.now() - t0),
        responseBytes,
        ...(error ? { error } : {}),
      };
      writer.line(JSON.stringify(ex));
      if (--inFlight === 0 && drained) drained();
    };
    const upstreamReq = lib.request({
      protocol: up.protocol, hostname: up.hostname, port: up.port, method: req.method, path: req.url,
      headers: headers as unknown as http.OutgoingHttpHeaders, agent,
    });
    upstreamReq.on('response', (ur) => {
      const outHeaders: string[] = [];
      for (let i = 0; i + 1 < ur.rawHeaders.length; i += 2) {
        if (!HOP_BY_HOP.has(ur.rawHeaders[i].toLowerCase())) outHeaders.push(ur.rawHeaders[i], ur.rawHeaders[i + 1]);
      }
      res.writeHead(ur.statusCode ?? 502, ur.statusMessage, outHeaders);
      ur.on('data', (c: Buffer) => {
        responseBytes += c.length;
        res.write(c);
      });
      ur.on('end', () => {
        res.end();
        finish(ur.statusCode ?? 0);
      });
      ur.on('error', (err) => {
        res.destroy();
        finish(ur.statusCode ?? 0, describeNetworkError(err));
      });
    });
    upstreamReq.on('error', (err) => {
      const why = describeNetworkError(err);
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`mlop-sim record: upstream ${why}\n`);
      } else {
        res.destroy();
      }
      finish(0, why);
    });
    req.on('data', (c: Buffer) => {
      bodyBytes += c.length;
      if (keepText && bodyBytes <= maxBody) chunks.push(c);
      else if (chunks.length) chunks.length = 0;
      if (!upstreamReq.write(c)) {
        req.pause();
        upstreamReq.once('drain', () => req.resume());
      }
    });
    req.on('end', () => upstreamReq.end());
    req.on('error', () => upstreamReq.destroy());
    res.on('close', () => {
      if (!done && !res.writableFinished) {
        upstreamReq.destroy();
        finish(0, 'client closed the connection');
      }
    });
  });
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
      agent.destroy();
      const exchanges = writer.written + writer.dropped - 1;
      await writer.close(footerLine(exchanges, writer.dropped, writer.droppedBytes, new Date()));
      return { exchanges, dropped: writer.dropped, droppedBytes: writer.droppedBytes };
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
