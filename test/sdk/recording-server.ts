/**
 * A raw recording HTTP server on loopback, like the stand-in that captured real-sdk-traces:
 * it records every request (method, path, headers in wire order, body) and answers the way the
 * captured server did. Not a mock of our code: it is the capture side of the wire.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  seq: number;
  /** ms since the server started. */
  t: number;
  /** performance.now() when the request was complete. */
  at: number;
  method: string;
  path: string;
  headers: [string, string][];
  body: Buffer;
  text: string;
  status: number;
}

export type Reply = { status: number; body: string; contentType?: string } | 'reset' | 'hang';

/** Return a reply to override the default, or undefined to answer normally. */
export type Override = (req: Recorded) => Reply | undefined | Promise<Reply | undefined>;

export const TEST_KEY = 'mlps_loadtest_key_0123456789abcdef';

function countRows(path: string, text: string): number {
  const lines = text.split('\n').filter((l) => l.trim());
  if (path !== '/ingest/metrics') return lines.length;
  let n = 0;
  for (const l of lines) {
    const m = /"data": \{(.*)\}\}$/.exec(l);
    if (m) n += m[1].split(/, "/).length;
  }
  return n;
}

export class RecordingServer {
  readonly requests: Recorded[] = [];
  override: Override | undefined;
  runId = 1000;
  status = 'RUNNING';
  private server = http.createServer((req, res) => this.handle(req, res));
  private seq = 0;
  private readonly t0 = performance.now();
  url = '';
  readonly sockets = new Set<import('node:net').Socket>();
  /** TCP connections accepted so far. */
  connectionCount = 0;

  async start(): Promise<this> {
    this.server.on('connection', (s) => {
      s.setNoDelay(true);
      this.connectionCount++;
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Settings pointing every base URL at this server. */
  settings(): { url_app: string; url_api: string; url_ingest: string; url_py: string; _auth: string } {
    return { url_app: this.url, url_api: this.url, url_ingest: this.url, url_py: this.url, _auth: TEST_KEY };
  }

  byPath(path: string): Recorded[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Wait until `pred` holds, polling every 10 ms, failing after `ms`. */
  async waitFor(pred: () => boolean, ms = 10_000): Promise<void> {
    const end = performance.now() + ms;
    while (!pred()) {
      if (performance.now() > end) throw new Error('timed out waiting for the recorded condition');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const rawH: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) rawH.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
      const rec: Recorded = {
        seq: ++this.seq, t: performance.now() - this.t0, at: performance.now(), method: req.method ?? '', path: (req.url ?? '').split('?')[0],
        headers: rawH, body, text: body.toString('utf8'), status: 0,
      };
      this.requests.push(rec);
      let reply = (await this.override?.(rec)) ?? this.defaultReply(rec);
      if (reply === 'reset') {
        rec.status = -1;
        req.socket.destroy();
        return;
      }
      if (reply === 'hang') {
        rec.status = -2;
        return;
      }
      rec.status = reply.status;
      res.writeHead(reply.status, { 'Content-Type': reply.contentType ?? 'application/json' });
      res.end(reply.body);
    });
  }

  private defaultReply(r: Recorded): Reply {
    const json = (o: unknown): Reply => ({ status: 200, body: JSON.stringify(o) });
    switch (r.path) {
      case '/api/slug':
        return r.headers.some(([k, v]) => k.toLowerCase() === 'authorization' && v === `Bearer ${TEST_KEY}`)
          ? json({ organization: { slug: 'loadtest-org' } })
          : { status: 401, body: JSON.stringify({ message: 'Invalid API key' }) };
      case '/api/runs/create':
      case '/api/runs/resume':
        return json({ runId: this.runId, number: 1, displayId: 'LT-1', projectName: 'load-test-project', organizationSlug: 'loadtest-org',
          url: `http://127.0.0.1/o/loadtest-org/projects/p/${this.runId}`, resumed: r.path.endsWith('resume'), forkedFromRunId: null, forkStep: null });
      case '/api/runs/logName/add':
      case '/api/runs/status/update':
      case '/api/runs/tags/update':
      case '/api/runs/config/update':
        return json({ success: true });
      case '/api/runs/trigger':
        return json({ status: this.status, triggers: null });
      case '/ingest/metrics':
      case '/ingest/data':
      case '/ingest/logs':
        return { status: 200, body: `Stream processed successfully: ${countRows(r.path, r.text)} records`, contentType: 'text/plain; charset=utf-8' };
      case '/files': {
        const files = (JSON.parse(r.text) as { files: { fileName: string; logName: string }[] }).files;
        const out: Record<string, Record<string, string>[]> = {};
        for (const f of files) (out[f.logName] ??= []).push({ [f.fileName]: `${this.url}/storage/${f.logName}/${f.fileName}?sig=x` });
        return json(out);
      }
      default:
        if (r.method === 'PUT' && r.path.startsWith('/storage/')) return { status: 200, body: '' };
        return { status: 404, body: '' };
    }
  }
}

/** Parse the captured traces. */
export interface TraceRecord {
  seq: number;
  method: string;
  path: string;
  headers: [string, string][];
  body: string;
  status: number;
}
