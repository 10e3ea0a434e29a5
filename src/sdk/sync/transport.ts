import { Agent, type Dispatcher } from 'undici';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { SdkObserver } from '../observer.js';

/**
 * One HTTP exchange over undici. Many runs in one process share the module-level Agent
 * (one connection pool per origin), unless settings.dispatcher is given.
 */
let defaultAgent: Agent | undefined;

/** Connections per origin of the shared default dispatcher. */
export const DEFAULT_CONNECTIONS_PER_ORIGIN = 64;

export function defaultDispatcher(): Dispatcher {
  if (!defaultAgent) {
    defaultAgent = new Agent({ connections: DEFAULT_CONNECTIONS_PER_ORIGIN, keepAliveTimeout: 4_000 });
  }
  return defaultAgent;
}

/** Close the shared dispatcher (tests, benchmarks). A later request creates a new one. */
export async function closeDefaultDispatcher(): Promise<void> {
  const a = defaultAgent;
  defaultAgent = undefined;
  if (a) await a.close();
}

/** What went wrong when there is no status. */
export type NetworkFailure = 'timeout' | 'connect' | 'reset' | 'other';

export interface HttpResponse {
  status: number | null;
  body: string;
  failure?: NetworkFailure;
  error?: string;
}

/** A parsed endpoint: origin + path, computed once per run. */
export interface Target {
  origin: string;
  path: string;
  /** Observer name, e.g. 'POST /ingest/metrics'. */
  name: string;
  route: string;
}

export function targetOf(method: string, url: string, routeOverride?: string): Target {
  const u = new URL(url);
  const route = routeOverride ?? u.pathname;
  return { origin: u.origin, path: u.pathname + u.search, name: `${method} ${route}`, route };
}

export interface HttpRequest {
  method: 'POST' | 'PUT';
  target: Target;
  /** Flat [name, value, name, value, ...] in wire order. */
  headers: string[];
  body: string | Uint8Array | null;
  timeoutMs: number;
  attempt: number;
}

function classify(err: unknown): { failure: NetworkFailure; error: string } {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code ?? '';
  const msg = `${code || 'error'}: ${e?.message ?? String(err)}`.slice(0, 300);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
    return { failure: 'timeout', error: msg };
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return { failure: 'connect', error: msg };
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'ECONNABORTED' || code === 'UND_ERR_CLOSED') {
    return { failure: 'reset', error: msg };
  }
  return { failure: 'other', error: msg };
}

/** We send Accept-Encoding like the real SDK (docs/protocol/sdk.md §15.2), so undo what a server applies. */
function decode(buf: Buffer, encoding: string | string[] | undefined): Buffer {
  const enc = (Array.isArray(encoding) ? encoding[0] : encoding)?.trim().toLowerCase();
  if (!enc || enc === 'identity' || buf.byteLength === 0) return buf;
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return gunzipSync(buf);
    if (enc === 'deflate') return inflateSync(buf);
    if (enc === 'br') return brotliDecompressSync(buf);
  } catch {
    // leave undecodable bodies as they are
  }
  return buf;
}

function byteLength(body: string | Uint8Array | null): number {
  if (body === null) return 0;
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
}

/** Send one request and report it to the observer. Never throws. */
export async function sendOnce(
  dispatcher: Dispatcher,
  observer: SdkObserver | undefined,
  req: HttpRequest,
): Promise<HttpResponse> {
  const started = performance.now();
  let result: HttpResponse;
  let responseBytes = 0;
  try {
    const res = await dispatcher.request({
      origin: req.target.origin,
      path: req.target.path,
      method: req.method,
      headers: req.headers,
      body: req.body,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    let buf: Buffer = Buffer.from(await res.body.arrayBuffer());
    responseBytes = buf.byteLength;
    buf = decode(buf, res.headers['content-encoding']);
    result = { status: res.statusCode, body: buf.toString('utf8') };
  } catch (err) {
    result = { status: null, body: '', ...classify(err) };
  }
  const onRequest = observer?.onRequest;
  if (onRequest) {
    try {
      onRequest({
        name: req.target.name,
        method: req.method,
        route: req.target.route,
        status: result.status,
        durationMs: performance.now() - started,
        requestBytes: byteLength(req.body),
        responseBytes,
        error: result.error ?? (result.status !== null && (result.status < 200 || result.status >= 300) ? `HTTP ${result.status}` : undefined),
        attempt: req.attempt,
      });
    } catch {
      // An observer must not break the upload path.
    }
  }
  return result;
}
