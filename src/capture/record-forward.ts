/**
 * The recorder's forwarding path (record-proxy.ts runs it for the job, record-warmup.ts on a
 * throwaway upstream before listening): a request is streamed to the upstream as it arrives and the
 * answer streamed back; only the Host header is rewritten to the upstream's. When the response has
 * ended, its trace line is made (secrets redacted, trace-format.ts) and handed to `end`, never awaited.
 * Routes and servers come from the two factories below so that the warm-up and the job exercise
 * objects of the same shapes (the code V8 optimises during the warm-up stays valid).
 */
import http from 'node:http';
import https from 'node:https';
import { describeNetworkError } from '../core/errors.js';
import { redactHeaders, scrubSecrets, secretOf, type TraceExchange } from './trace-format.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'host']);
const TEXT_TYPE = /json|ndjson|text\/|x-www-form-urlencoded/i;

/** Where and how one recorder forwards; `begin` numbers an exchange, `end` takes its trace line. */
export interface ForwardRoute {
  up: URL;
  lib: typeof http | typeof https;
  agent: http.Agent;
  started: number;
  secrets: Set<string>;
  maxBody: number;
  begin(): number;
  /** Takes the exchange's trace line (JSON, one line). */
  end(line: string): void;
}

/** One proxied exchange: streamed to the upstream and back; its trace record is made when the response has ended. */
export function forward(r: ForwardRoute, req: http.IncomingMessage, res: http.ServerResponse): void {
  const t0 = performance.now();
  const id = r.begin();
  const headers: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    const value = req.rawHeaders[i + 1];
    const secret = secretOf(name, value);
    if (secret) r.secrets.add(secret);
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers.push(name, value);
  }
  headers.push('Host', r.up.host);
  const type = req.headers['content-type'] ?? '';
  const keepText = type === '' || TEXT_TYPE.test(type);
  const chunks: Buffer[] = [];
  let bodyBytes = 0;
  let responseBytes = 0;
  let done = false;
  const finish = (status: number, error?: string): void => {
    if (done) return;
    done = true;
    const keep = keepText && bodyBytes <= r.maxBody;
    const body = keep ? scrubSecrets(Buffer.concat(chunks).toString('utf8'), r.secrets) : null;
    const ex: TraceExchange = {
      seq: id,
      t: round(t0 - r.started),
      method: req.method ?? 'GET',
      route: scrubSecrets(req.url ?? '/', r.secrets),
      headers: redactHeaders(req.rawHeaders),
      body,
      bodyBytes,
      ...(keep ? {} : { bodyType: type || 'application/octet-stream' }),
      status,
      latencyMs: round(performance.now() - t0),
      responseBytes,
      ...(error ? { error } : {}),
    };
    r.end(JSON.stringify(ex));
  };
  const upstreamReq = r.lib.request({
    protocol: r.up.protocol, hostname: r.up.hostname, port: r.up.port, method: req.method, path: req.url,
    headers: headers as unknown as http.OutgoingHttpHeaders, agent: r.agent,
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
    if (keepText && bodyBytes <= r.maxBody) chunks.push(c);
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
}

/** A route to `up` with its own keep-alive agent (TCP_NODELAY) and its own set of secrets seen. */
export function forwardRoute(up: URL, maxBody: number, started: number, begin: () => number, end: (line: string) => void): ForwardRoute {
  const lib = up.protocol === 'https:' ? https : http;
  const agent = new lib.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, noDelay: true } as http.AgentOptions);
  return { up, lib, agent, started, secrets: new Set<string>(), maxBody, begin, end };
}

/** The listening side: keep-alive, TCP_NODELAY, each request forwarded on `route`. */
export function forwardingServer(route: ForwardRoute): http.Server {
  return http.createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => forward(route, req, res));
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
