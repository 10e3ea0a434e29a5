/** Small loopback clients for the server tests: undici for ordinary requests, raw sockets for the rest. */
import { connect } from 'node:net';
import { request } from 'undici';
import { afterEach } from 'vitest';
import { DEFAULT_API_KEY, startReferenceServer, type ReferenceServer, type ReferenceServerOptions } from '../../src/server/index.js';

/** A start() for a test file: every reference server it starts is stopped after each test. */
export function serversStoppedAfterEach(): (opts?: ReferenceServerOptions) => Promise<ReferenceServer> {
  const servers: ReferenceServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });
  return async (opts = {}) => {
    const s = await startReferenceServer(opts);
    servers.push(s);
    return s;
  };
}

export interface Answer {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
  json<T = unknown>(): T;
}

export async function send(
  base: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await request(base + path, { method, body, headers });
  const text = await res.body.text();
  return { status: res.statusCode, text, headers: res.headers, json: <T>() => JSON.parse(text) as T };
}

export function ingestHeaders(runId = '1', project = 'p', key = DEFAULT_API_KEY): Record<string, string> {
  return { authorization: `Bearer ${key}`, 'x-run-id': runId, 'x-project-name': project, 'content-type': 'application/x-ndjson' };
}

export function apiHeaders(key = DEFAULT_API_KEY): Record<string, string> {
  return { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
}

export const postJson = (base: string, path: string, value: unknown, key = DEFAULT_API_KEY): Promise<Answer> =>
  send(base, 'POST', path, JSON.stringify(value), apiHeaders(key));

/** Writes raw bytes on one connection; resolves with everything received until close or `waitMs` of silence. */
export function raw(port: number, bytes: Buffer | string, waitMs = 300): Promise<{ data: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const parts: Buffer[] = [];
    let timer: NodeJS.Timeout;
    const done = (error?: string): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(parts).toString('latin1'), error });
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => done(), waitMs);
    };
    socket.on('data', (d) => {
      parts.push(d);
      arm();
    });
    socket.on('end', () => done());
    socket.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    socket.on('connect', () => {
      socket.write(bytes);
      arm();
    });
  });
}

/** Parses `{"code","message"}` of a 422 ingest answer and returns the message. */
export function innerMessage(a: Answer): string {
  const body = a.json<{ code: string; message: string }>();
  if (body.code !== 'PROCESSING_FAILED') throw new Error(`unexpected code ${body.code}`);
  return body.message;
}

export const metricLine = (step: number, data: Record<string, number> = { 'train/loss': 0.5 }, time = 1_700_000_000_000 + step): string =>
  JSON.stringify({ time, step, data });
