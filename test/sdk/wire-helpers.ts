/** Helpers to compare what our SDK sends with the real SDK's captured traces. */
import { readFileSync } from 'node:fs';
import type { Recorded } from './recording-server.js';

export interface TraceRecord {
  seq: number;
  method: string;
  path: string;
  headers: [string, string][];
  body: string;
  status: number;
  response: string;
}

/**
 * The real SDK's captures (docs/protocol/sdk.md §15, pluto-ml 0.0.28), copied into
 * test/sdk/fixtures so the suite runs from any checkout.
 */
export function loadTrace(name: 'main' | 'types'): TraceRecord[] {
  const text = readFileSync(new URL(`./fixtures/${name}.jsonl`, import.meta.url), 'utf8');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as TraceRecord);
}

/** Parse Python-style JSON (bare NaN / Infinity / -Infinity become the JS numbers). */
export function parsePy(text: string): unknown {
  const quoted = text.replace(/(:\s*|\[\s*|,\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g, '$1"__$2__"');
  return JSON.parse(quoted, (_k, v: unknown) => {
    if (v === '__NaN__') return NaN;
    if (v === '__Infinity__') return Infinity;
    if (v === '__-Infinity__') return -Infinity;
    return v;
  });
}

/** NDJSON body → parsed lines; asserts the trailing newline convention. */
export function ndjsonLines(text: string): Record<string, unknown>[] {
  if (!text.endsWith('\n')) throw new Error('NDJSON body must end with a newline');
  return text.slice(0, -1).split('\n').map((l) => parsePy(l) as Record<string, unknown>);
}

/**
 * Header names in order, lower-cased, without the ones undici places itself (host,
 * connection, content-length) and the ones httpx adds that we do not control the place of.
 */
export function ourHeaderOrder(headers: [string, string][]): string[] {
  return headers.map(([k]) => k.toLowerCase()).filter((k) => !['host', 'connection', 'content-length'].includes(k));
}

export function headerValue(headers: [string, string][], name: string): string | undefined {
  return headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

export function requestsTo(reqs: Recorded[], path: string): Recorded[] {
  return reqs.filter((r) => r.path === path);
}
