/**
 * The live page's event stream on the wire: broadcast() frames each event once as an HTTP/1.1
 * chunk and writes it to every client's socket, so what a client reads must be exactly the chunked
 * body res.write would have sent, ended by the last chunk when the server closes; an HTTP/1.0
 * client (no chunked encoding) gets the events as they are.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebServer } from '../../src/output/web/server.js';

const GREETING = 'event: update\ndata: {"full":true}\n\n';

let server: WebServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function started(): Promise<WebServer> {
  server = new WebServer({ host: '127.0.0.1', port: 0 }, {
    page: () => '', download: () => undefined, control: () => ({}), greeting: () => GREETING,
  });
  await server.listen();
  return server;
}

/** A raw client of /events: `ready` once it has read the greeting, `bytes` everything it read until the server closed (one char a byte). */
function rawClient(s: WebServer, version: '1.1' | '1.0'): { ready: Promise<void>; bytes: Promise<string> } {
  const { port } = new URL(s.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  socket.write(`GET /events HTTP/${version}\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  let text = '';
  let seen: () => void = () => {};
  const ready = new Promise<void>((resolve) => { seen = resolve; });
  socket.on('data', (d: Buffer) => {
    text += d.toString('latin1');
    if (text.includes('{"full":true}')) seen();
  });
  const bytes = new Promise<string>((resolve, reject) => {
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  return { ready, bytes };
}

/** The body of a chunked message, and whether it ended with the last chunk. */
function dechunk(body: string): { text: string; ended: boolean } {
  let text = '', at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) return { text, ended: false };
    const size = parseInt(body.slice(at, eol), 16);
    if (Number.isNaN(size)) throw new Error(`not a chunk size at ${at}: ${JSON.stringify(body.slice(at, at + 20))}`);
    if (size === 0) return { text, ended: body.slice(eol, eol + 4) === '\r\n\r\n' };
    text += body.slice(eol + 2, eol + 2 + size);
    expect(body.slice(eol + 2 + size, eol + 4 + size)).toBe('\r\n');
    at = eol + 4 + size;
  }
}

describe('the live page event stream', () => {
  it('sends each broadcast as one chunk of the chunked body, in order, ended by the last chunk on close', async () => {
    const s = await started();
    const a = rawClient(s, '1.1'), b = rawClient(s, '1.1');
    await Promise.all([a.ready, b.ready]);
    s.broadcast('update', '{"n":1,"text":"é"}');
    s.broadcast('final', '{}');
    await s.close();
    server = undefined;
    for (const raw of await Promise.all([a.bytes, b.bytes])) {
      const [head, body] = [raw.slice(0, raw.indexOf('\r\n\r\n')), raw.slice(raw.indexOf('\r\n\r\n') + 4)];
      expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(head.toLowerCase()).toContain('transfer-encoding: chunked');
      expect(head.toLowerCase()).toContain('content-type: text/event-stream; charset=utf-8');
      const { text, ended } = dechunk(body);
      expect(Buffer.from(text, 'latin1').toString('utf8')).toBe(
        `retry: 1000\n\n${GREETING}event: update\ndata: {"n":1,"text":"é"}\n\nevent: final\ndata: {}\n\n`,
      );
      expect(ended).toBe(true);
    }
  });

  it('sends an HTTP/1.0 client the events unframed', async () => {
    const s = await started();
    const c = rawClient(s, '1.0');
    await c.ready;
    s.broadcast('update', '{"n":2}');
    await s.close();
    server = undefined;
    const raw = await c.bytes;
    expect(raw.toLowerCase()).not.toContain('transfer-encoding');
    expect(raw.slice(raw.indexOf('\r\n\r\n') + 4)).toBe(`retry: 1000\n\n${GREETING}event: update\ndata: {"n":2}\n\n`);
  });
});
