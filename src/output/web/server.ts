/**
 * The live page's HTTP server (node:http, no framework: a handful of routes): Basic auth when
 * --web-auth is set (401 with no detail otherwise), the Host header checked on a loopback bind
 * without auth (a DNS-rebinding page cannot read the token), control requests only with the
 * page's token (403 without: a cross-site form or fetch cannot stop a run), and the server-sent
 * events stream with a bounded buffer per client (a stalled tab is skipped, never queued).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimUsageError } from '../../core/errors.js';

export interface WebBind {
  host: string;
  port: number;
  /** `USER:PASS`, Locust's --web-auth. */
  auth?: { user: string; pass: string };
}

export interface WebRoutes {
  /** GET / (and /index.html). */
  page(): string;
  /** GET /download/NAME: the body and its type, or undefined (404). */
  download(name: string): { body: string; type: string } | undefined;
  /** POST /api/ACTION with the parsed JSON body: the answer (sent as JSON). */
  control(action: string, body: Record<string, unknown>): unknown;
  /** A new events client: what to send it first (the whole state so far). */
  greeting(): string;
}

const TOKEN_HEADER = 'x-mlop-sim-token';
/** A client whose socket holds more than this unsent is skipped until it drains. */
const MAX_BUFFERED = 4 * 1024 * 1024;
const CRLF = Buffer.from('\r\n');

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export class WebServer {
  readonly token = randomBytes(24).toString('hex');
  private readonly clients = new Set<ServerResponse>();
  private server: Server | undefined;
  private port = 0;

  constructor(private readonly bind: WebBind, private readonly routes: WebRoutes) {}

  get url(): string {
    const h = this.bind.host.includes(':') && !this.bind.host.startsWith('[') ? `[${this.bind.host}]` : this.bind.host;
    return `http://${h}:${this.port}/`;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  async listen(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') reject(new SimUsageError(`--web-port ${this.bind.port} is in use on ${this.bind.host}: pick another port with --web-port.`));
        else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') reject(new SimUsageError(`--web-host ${this.bind.host} is not an address of this machine.`));
        else if (err.code === 'EACCES') reject(new SimUsageError(`--web-port ${this.bind.port} needs privileges this process does not have: pick a port above 1023.`));
        else reject(err);
      });
      server.listen(this.bind.port, this.bind.host, () => resolve());
    });
    server.unref();
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Holds the process open while it lingers after the run (unref'd during the run, so a failed run never hangs on it). */
  hold(): void {
    this.server?.ref();
  }

  /**
   * Sends one event to every client that keeps up. The event is framed once as an HTTP/1.1 chunk
   * and that buffer written to each client's socket: the bytes res.write would send, without its
   * per-response framing and corking: 39 µs a client a second less, in fresh processes
   * (bench/RESULTS.md "The event stream written once"). A response without a socket of its own yet
   * (a pipelined request) or without chunked encoding (an HTTP/1.0 client) goes through res.write.
   */
  broadcast(event: string, json: string): void {
    if (this.clients.size === 0) return;
    const frame = Buffer.from(`event: ${event}\ndata: ${json}\n\n`);
    const chunk = Buffer.concat([Buffer.from(`${frame.length.toString(16)}\r\n`), frame, CRLF]);
    for (const res of this.clients) {
      if (res.writableEnded) continue;
      const socket = res.socket;
      if (socket && res.chunkedEncoding) {
        if (socket.writable && socket.writableLength <= MAX_BUFFERED) socket.write(chunk);
      } else if (res.writableLength <= MAX_BUFFERED) {
        res.write(frame);
      }
    }
  }

  async close(): Promise<void> {
    for (const res of this.clients) res.end();
    this.clients.clear();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('cache-control', 'no-store');
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    if (!this.authorized(req)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="mlop-sim", charset="UTF-8"', 'content-type': 'text/plain' });
      res.end('unauthorized\n');
      return;
    }
    if (!this.bind.auth && !this.hostAllowed(req.headers.host)) return send(res, 403, 'text/plain', 'forbidden\n');
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) {
      res.setHeader('x-frame-options', 'DENY');
      return send(res, 200, 'text/html; charset=utf-8', this.routes.page());
    }
    if (req.method === 'GET' && path === '/events') return this.openEvents(res);
    if (req.method === 'GET' && path === '/favicon.ico') return send(res, 204, 'image/x-icon', '');
    if (req.method === 'GET' && path.startsWith('/download/')) {
      const file = this.routes.download(decodeURIComponent(path.slice('/download/'.length)));
      if (!file) return send(res, 404, 'text/plain', 'not found\n');
      res.setHeader('content-disposition', `attachment; filename="${path.slice('/download/'.length)}"`);
      return send(res, 200, file.type, file.body);
    }
    if (path.startsWith('/api/')) {
      if (req.method !== 'POST') return send(res, 405, 'text/plain', 'POST only\n');
      if (!sameSecret(String(req.headers[TOKEN_HEADER] ?? ''), this.token)) return send(res, 403, 'application/json', '{"applied":false,"reason":"missing or wrong control token: reload the page"}\n');
      void readJson(req).then((body) => {
        if (body === undefined) return send(res, 400, 'application/json', '{"applied":false,"reason":"the body is not a JSON object"}\n');
        const answer = this.routes.control(path.slice('/api/'.length), body);
        if (answer === undefined) return send(res, 404, 'application/json', '{"applied":false,"reason":"no such action"}\n');
        send(res, 200, 'application/json', JSON.stringify(answer) + '\n');
      });
      return;
    }
    send(res, 404, 'text/plain', 'not found\n');
  }

  private openEvents(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    res.write(this.routes.greeting());
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  private authorized(req: IncomingMessage): boolean {
    const auth = this.bind.auth;
    if (!auth) return true;
    const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m) return false;
    const given = Buffer.from(m[1], 'base64').toString('utf8');
    return sameSecret(given, `${auth.user}:${auth.pass}`);
  }

  /** Loopback without auth: only requests addressed to this server by a loopback name (no DNS rebinding). */
  private hostAllowed(host: string | undefined): boolean {
    if (!host) return false;
    const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
    return isLoopback(name) || name === this.bind.host;
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The request's JSON object body (at most 16 KB), or undefined. */
function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 16_384) chunks.push(c);
    });
    req.on('end', () => {
      if (size > 16_384) return resolve(undefined);
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve({});
      try {
        const v: unknown = JSON.parse(text);
        resolve(v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
      } catch {
        resolve(undefined);
      }
    });
    req.on('error', () => resolve(undefined));
  });
}
