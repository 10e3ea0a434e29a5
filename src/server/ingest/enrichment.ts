/**
 * The enrichment headers (docs/protocol/ingest.md §1.2): `X-Run-Id` checked first, then
 * `X-Project-Name`; missing or not visible ASCII → INVALID_HEADER_FORMAT.
 */
import type { KeyStore } from '../auth.js';
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

export type IngestCaller = { ok: true; tenantId: string; enrichment: Enrichment } | { ok: false; error: IngestError };

/**
 * The start every ingest-side route shares (§1.2, §1.3 step 1): auth first, then X-Run-Id, then
 * X-Project-Name. The caller decides how an error is answered (wrapped 422 on /ingest/*,
 * unwrapped on /files and /step).
 */
export function identifyCaller(keys: KeyStore, headers: HeaderList): IngestCaller {
  const auth = keys.checkIngest(headers.get('authorization'));
  if (!auth.ok) return auth;
  try {
    return { ok: true, tenantId: auth.organization.id, enrichment: readEnrichment(headers) };
  } catch (err) {
    if (err instanceof IngestError) return { ok: false, error: err };
    throw err;
  }
}
