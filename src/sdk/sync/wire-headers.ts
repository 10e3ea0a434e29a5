/**
 * Request headers in the order the real SDK puts them on the wire (docs/protocol/sdk.md
 * §15.2 "Headers, in wire order"). undici itself writes `host` and
 * `connection: keep-alive` first and `content-length` last; everything between is ours, in the
 * captured order.
 */

/** Accept-Encoding as captured from pluto 0.0.28 (httpx default with brotli installed). */
const ACCEPT_ENCODING = 'gzip, deflate, br';

/**
 * User-Agent of the clients that do not set one: login (`/api/slug`) and the storage PUT use a
 * bare httpx client, so the real SDK sends httpx's default (captured: `python-httpx/0.28.1`).
 */
export const HTTPX_USER_AGENT = 'python-httpx/0.28.1';

export type ContentType = 'application/json' | 'application/x-ndjson';

/** API, heartbeat and ingest requests. `runId` is the literal 'None' before create. */
export function standardHeaders(
  auth: string | null,
  contentType: ContentType,
  tag: string,
  runId: number | 'None',
  runName: string,
  project: string,
): string[] {
  return [
    'Accept', '*/*',
    'Accept-Encoding', ACCEPT_ENCODING,
    'Authorization', `Bearer ${auth ?? 'None'}`,
    'Content-Type', contentType,
    'User-Agent', tag,
    'X-Run-Id', String(runId),
    'X-Run-Name', runName,
    'X-Project-Name', project,
  ];
}

/** `/api/slug`: httpx's defaults plus Authorization, no body (captured, main.jsonl seq 1–2). */
export function loginHeaders(auth: string): string[] {
  return ['Accept', '*/*', 'Accept-Encoding', ACCEPT_ENCODING, 'User-Agent', HTTPX_USER_AGENT, 'Authorization', `Bearer ${auth}`];
}

/**
 * The storage PUT: httpx's defaults plus the file's Content-Type; no Authorization, no X-*
 * (pluto/sync/process.py `_upload_file_to_storage`). `contentType` is the file's MIME type, or
 * the literal `mask` for a segmentation mask (its stored file_type).
 */
export function storageHeaders(contentType: string): string[] {
  return ['Accept', '*/*', 'Accept-Encoding', ACCEPT_ENCODING, 'User-Agent', HTTPX_USER_AGENT, 'Content-Type', contentType];
}

/** Header values must be visible ASCII; names outside it become '-' like util.get_char. */
export function printable(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : s.replace(/[^\x20-\x7e]/g, '-');
}
