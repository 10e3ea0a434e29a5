/** Parses an HTTP/1.x request head (request line + header fields, without the final CRLFCRLF). */
import { HeaderList } from './header-list.js';
import type { RequestHead } from './types.js';

export class HeadError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface ParsedHead {
  head: RequestHead;
  keepAlive: boolean;
  chunked: boolean;
  contentLength: number;
  expectContinue: boolean;
}

const DIGITS = /^[0-9]{1,15}$/;
const KNOWN_METHODS = new Set(['GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH']);

/** RFC 9110 tchar lookup table. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) TCHAR[c] = 1;
for (let c = 65; c <= 90; c++) TCHAR[c] = 1;
for (let c = 97; c <= 122; c++) TCHAR[c] = 1;

/**
 * The header fields this server reads. Others are validated but not kept, which saves slicing
 * and lower-casing some ten fields per request on the hot path.
 */
const KNOWN_HEADERS = [
  'authorization', 'x-run-id', 'x-project-name', 'content-type', 'content-length',
  'transfer-encoding', 'connection', 'expect',
];

/** Validates the field name text[start, end) and returns its known lower-case name, or null. */
function knownHeader(text: string, start: number, end: number): string | null {
  const length = end - start;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || TCHAR[c] === 0) throw new HeadError(400, 'bad header name');
  }
  for (const known of KNOWN_HEADERS) {
    if (known.length !== length) continue;
    let i = 0;
    // Known names hold only letters and '-', so OR-ing 0x20 compares case-insensitively.
    while (i < length && (text.charCodeAt(start + i) | 0x20) === known.charCodeAt(i)) i++;
    if (i === length) return known;
  }
  return null;
}

function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TCHAR[c] === 0) return false;
  }
  return true;
}

export function parseHead(text: string, maxHeaders: number): ParsedHead {
  let eol = text.indexOf('\r\n');
  if (eol < 0) eol = text.length;
  const sp1 = text.indexOf(' ');
  const sp2 = text.lastIndexOf(' ', eol - 1);
  if (sp1 <= 0 || sp1 >= eol || sp2 <= sp1) throw new HeadError(400, 'bad request line');
  const method = text.slice(0, sp1);
  const target = text.slice(sp1 + 1, sp2);
  const version = text.slice(sp2 + 1, eol);
  if (!KNOWN_METHODS.has(method) && !isToken(method)) throw new HeadError(400, 'bad method');
  let minorVersion: number;
  if (version === 'HTTP/1.1') minorVersion = 1;
  else if (version === 'HTTP/1.0') minorVersion = 0;
  else throw new HeadError(400, 'unsupported version');
  if (target.length === 0 || target.includes(' ')) throw new HeadError(400, 'bad target');

  const headers = new HeaderList();
  let count = 0;
  let pos = eol + 2;
  while (pos < text.length) {
    let end = text.indexOf('\r\n', pos);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', pos);
    if (colon <= pos || colon > end) throw new HeadError(400, 'bad header line');
    if (++count > maxHeaders) throw new HeadError(431, 'too many headers');
    const name = knownHeader(text, pos, colon);
    pos = end + 2;
    if (name === null) continue;
    // Trim optional whitespace around the value.
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && (text.charCodeAt(vs) === 32 || text.charCodeAt(vs) === 9)) vs++;
    while (ve > vs && (text.charCodeAt(ve - 1) === 32 || text.charCodeAt(ve - 1) === 9)) ve--;
    headers.add(name, text.slice(vs, ve));
  }

  let path = target;
  if (!target.startsWith('/')) {
    // absolute-form (RFC 9112 §3.2.2): keep the path part only.
    const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*(.*)$/.exec(target);
    path = m ? m[1] || '/' : target;
  }
  let query = '';
  const q = path.indexOf('?');
  if (q >= 0) {
    query = path.slice(q + 1);
    path = path.slice(0, q);
  }

  let chunked = false;
  let contentLength = 0;
  const te = headers.get('transfer-encoding');
  if (te !== undefined) {
    const codings = te.toLowerCase().split(',').map((s) => s.trim());
    if (codings[codings.length - 1] !== 'chunked') throw new HeadError(400, 'unsupported transfer-encoding');
    chunked = true;
  } else {
    const cl = headers.get('content-length');
    if (cl !== undefined) {
      const values = cl.split(',').map((s) => s.trim());
      if (!values.every((v) => DIGITS.test(v) && v === values[0])) throw new HeadError(400, 'bad content-length');
      contentLength = Number(values[0]);
    }
  }

  const connection = headers.get('connection')?.toLowerCase() ?? '';
  let keepAlive = minorVersion === 1 ? !connection.includes('close') : connection.includes('keep-alive');
  // Both framings at once is a smuggling hazard: serve it, then close (RFC 9112 §6.3).
  if (te !== undefined && headers.get('content-length') !== undefined) keepAlive = false;
  const expectContinue = minorVersion === 1 && headers.get('expect')?.toLowerCase() === '100-continue';

  return {
    head: { method, path, query, minorVersion, headers, route: '' },
    keepAlive,
    chunked,
    contentLength,
    expectContinue,
  };
}
