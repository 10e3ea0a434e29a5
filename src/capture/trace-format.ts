/**
 * The trace format of `mlop-sim record` (docs/workloads.md "Trace format"): JSON lines, version 1.
 *
 *   line 1      {"format":"mlop-sim-trace","version":1,"startedAt":"<ISO>","upstream":"<origin>"}
 *   lines 2..n  one exchange per line (TraceExchange), in the order the responses ended
 *   last line   {"end":true,"exchanges":n,"dropped":d,"droppedBytes":b,"endedAt":"<ISO>"}
 *
 * A trace without its closing line was cut off (a recorder killed, a disk full): it is refused.
 * Secrets never reach a trace: Authorization / API-key / cookie headers are written as
 * `[redacted]`, and every key seen in an Authorization header is scrubbed from routes and bodies.
 */
import { readFileSync } from 'node:fs';
import { SimUsageError } from '../core/errors.js';

export const TRACE_FORMAT = 'mlop-sim-trace';
export const TRACE_VERSION = 1;
export const REDACTED = '[redacted]';

export interface TraceHeader {
  format: typeof TRACE_FORMAT;
  version: number;
  startedAt: string;
  upstream: string;
}

export interface TraceExchange {
  seq: number;
  /** Milliseconds from the recorder's start to the request's first byte. */
  t: number;
  method: string;
  /** Path and query, as sent. */
  route: string;
  /** Request headers in wire order, secrets redacted. */
  headers: [string, string][];
  /** The request body as UTF-8 text (JSON, NDJSON), or null when binary or above the cap. */
  body: string | null;
  /** The request body's size on the wire (after de-chunking). */
  bodyBytes: number;
  /** Content type of a body not kept (a file upload), for the profile's file kinds. */
  bodyType?: string;
  /** Response status; 0 when the upstream did not answer (then `error`). */
  status: number;
  /** Milliseconds from the request's first byte to the response's last byte. */
  latencyMs: number;
  responseBytes: number;
  error?: string;
}

export interface TraceFooter {
  end: true;
  exchanges: number;
  dropped: number;
  droppedBytes: number;
  endedAt: string;
}

export interface Trace {
  header: TraceHeader;
  exchanges: TraceExchange[];
  footer: TraceFooter;
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'cookie', 'set-cookie']);

/** The bearer token (or the whole value) of an Authorization-like header, for scrubbing. */
export function secretOf(name: string, value: string): string | undefined {
  const n = name.toLowerCase();
  if (!SECRET_HEADERS.has(n)) return undefined;
  const m = /^\s*(?:bearer|basic|token)\s+(.+)$/i.exec(value);
  const s = (m ? m[1] : value).trim();
  return s.length >= 4 ? s : undefined;
}

/** Headers with every secret value replaced (wire order kept). */
export function redactHeaders(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    out.push([name, SECRET_HEADERS.has(name.toLowerCase()) ? REDACTED : raw[i + 1]]);
  }
  return out;
}

/** Text with every known secret replaced by `[redacted]`. */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  for (const s of secrets) if (text.includes(s)) text = text.split(s).join(REDACTED);
  return text;
}

export function headerLine(upstream: string, startedAt: Date): string {
  const h: TraceHeader = { format: TRACE_FORMAT, version: TRACE_VERSION, startedAt: startedAt.toISOString(), upstream };
  return JSON.stringify(h);
}

export function footerLine(exchanges: number, dropped: number, droppedBytes: number, endedAt: Date): string {
  const f: TraceFooter = { end: true, exchanges, dropped, droppedBytes, endedAt: endedAt.toISOString() };
  return JSON.stringify(f);
}

/** Reads and checks a trace file; a file that is not one, or is cut off, is a usage error naming the line. */
export function readTrace(path: string): Trace {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SimUsageError(`cannot read the trace ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  return parseTrace(text, path);
}

/** Parses trace text (see the format above); throws SimUsageError with the line number on the first problem. */
export function parseTrace(text: string, name = 'the trace'): Trace {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const at = (i: number, what: string) => new SimUsageError(`${name} is not a usable trace: line ${i + 1} ${what}.`);
  const parseLine = (i: number): Record<string, unknown> => {
    try {
      const v: unknown = JSON.parse(lines[i]);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw at(i, i === lines.length - 1 ? 'is not complete JSON (the trace was cut off)' : 'is not a JSON object');
  };
  if (lines.length === 0) throw at(0, 'is missing (the file is empty)');
  const first = parseLine(0);
  if (first.format !== TRACE_FORMAT) throw at(0, `does not start with {"format":"${TRACE_FORMAT}"} (is it a trace of mlop-sim record?)`);
  if (first.version !== TRACE_VERSION) throw at(0, `has version ${String(first.version)}; this mlop-sim reads version ${TRACE_VERSION}`);
  const exchanges: TraceExchange[] = [];
  let footer: TraceFooter | undefined;
  for (let i = 1; i < lines.length; i++) {
    const o = parseLine(i);
    if (o.end === true) {
      if (i !== lines.length - 1) throw at(i + 1, 'follows the closing line');
      footer = o as unknown as TraceFooter;
      break;
    }
    const problem = exchangeProblem(o);
    if (problem) throw at(i, problem);
    exchanges.push(o as unknown as TraceExchange);
  }
  if (!footer) throw at(lines.length - 1, 'is the last one and the closing {"end":true} line is missing (the trace was cut off)');
  return { header: first as unknown as TraceHeader, exchanges, footer };
}

function exchangeProblem(o: Record<string, unknown>): string | undefined {
  if (typeof o.method !== 'string') return 'has no method';
  if (typeof o.route !== 'string') return 'has no route';
  if (typeof o.t !== 'number' || !Number.isFinite(o.t)) return 'has no time t';
  if (typeof o.status !== 'number') return 'has no status';
  if (o.body !== null && typeof o.body !== 'string') return 'has a body that is neither text nor null';
  if (!Array.isArray(o.headers)) return 'has no headers list';
  return undefined;
}

/** The route's path without its query. */
export function pathOf(route: string): string {
  const q = route.indexOf('?');
  return q < 0 ? route : route.slice(0, q);
}
