/**
 * Request headers in the order the real SDK puts them on the wire (docs/protocol/sdk.md
 * §15.2 "Headers, in wire order"). undici itself writes `host` and `connection: keep-alive` first
 * and `content-length` last; everything between is ours, in the capture's order.
 */

/** Accept-Encoding as captured from pluto 0.0.28 (httpx default). */
const ACCEPT_ENCODING = 'gzip, deflate, br';

/** User-Agent of the login client (the real SDK sends httpx's default there). */
export const LOGIN_USER_AGENT = 'mlop-sdk-ts/0.1.0';

export type ContentType = 'application/json' | 'application/x-ndjson';

/** API, heartbeat and ingest requests (§4). `runId` is the literal 'None' before create (§3.2). */
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

/** `/api/slug` carries only a User-Agent and Authorization (§2, real-sdk-traces). */
export function loginHeaders(auth: string): string[] {
  return ['User-Agent', LOGIN_USER_AGENT, 'Authorization', `Bearer ${auth}`];
}

/** The storage PUT carries only the file's Content-Type (§4). */
export function storageHeaders(mime: string): string[] {
  return ['Content-Type', mime];
}

/** Header values must be visible ASCII; names outside it become '-' like util.get_char (§3.1). */
export function printable(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : s.replace(/[^\x20-\x7e]/g, '-');
}
