/**
 * The enrichment headers (server-protocol.md §1.2): `X-Run-Id` checked first, then
 * `X-Project-Name`; missing or not visible ASCII → INVALID_HEADER_FORMAT.
 */
import { IngestError } from '../errors.js';
import { isVisibleAscii, type HeaderList } from '../http/header-list.js';

export interface Enrichment {
  /** The header text; the ingest routes parse it as u64 with a fallback of 0. */
  runIdText: string;
  projectName: string;
}

function required(headers: HeaderList, lower: string, display: string): string {
  const v = headers.get(lower);
  if (v === undefined || !isVisibleAscii(v)) {
    throw new IngestError('INVALID_HEADER_FORMAT', `Missing required header: ${display}`);
  }
  return v;
}

export function readEnrichment(headers: HeaderList): Enrichment {
  const runIdText = required(headers, 'x-run-id', 'X-Run-Id');
  const projectName = required(headers, 'x-project-name', 'X-Project-Name');
  return { runIdText, projectName };
}

/** Rust `str::parse::<u64>()`: ASCII digits with an optional '+'; null when it does not parse. */
export function parseRunId(text: string): number | null {
  const start = text.charCodeAt(0) === 43 /* + */ ? 1 : 0;
  if (text.length === start) return null;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  const n = Number(start === 1 ? text.slice(1) : text);
  return n <= 18446744073709551615 ? n : null;
}

/** On /ingest/* a run id that does not parse is stored as run 0 (`.unwrap_or(0)`, §1.2). */
export function ingestRunId(text: string): number {
  return parseRunId(text) ?? 0;
}
