/**
 * An incremental HTTP/1.x response parser for one response at a time (no pipelining): the
 * status line, the few headers a client must act on (Content-Length, Transfer-Encoding,
 * Connection, Keep-Alive), and the body by length, chunked (trailers skipped) or until close.
 * 1xx interim responses are skipped; HEAD, 204 and 304 answers have no body (RFC 9112 §6.3).
 * Body bytes are handed to the sink as (buffer, start, end) views, never copied here: the
 * buffer may be reused by the caller after execute() returns, so the sink copies what it keeps.
 */

export interface BodySink {
  /** The final (non-1xx) status arrived. */
  onHead(status: number): void;
  /** Body bytes buf[start, end), valid only during the call. */
  onBody(buf: Buffer, start: number, end: number): void;
}

/** A response that breaks HTTP/1.1 framing; the connection it came on cannot be trusted. */
export class MalformedResponseError extends Error {
  constructor(reason: string) {
    super(`malformed response (${reason})`);
    this.name = 'MalformedResponseError';
  }
}

const enum State {
  Head,
  Body,
  ChunkSize,
  ChunkData,
  ChunkDataCr,
  ChunkDataLf,
  Trailers,
  UntilClose,
  Done,
}

const CR = 13;
const LF = 10;
const CRLF2 = Buffer.from('\r\n\r\n', 'latin1');
const MAX_HEAD_BYTES = 64 * 1024;
const MAX_LINE_BYTES = 8 * 1024;

const CONTENT_LENGTH = Buffer.from('content-length', 'latin1');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding', 'latin1');
const CONNECTION = Buffer.from('connection', 'latin1');
const KEEP_ALIVE = Buffer.from('keep-alive', 'latin1');
const CLOSE_BYTES = Buffer.from('close', 'latin1');
const TIMEOUT_EQ = Buffer.from('timeout=', 'latin1');
const HTTP_1 = Buffer.from('HTTP/1.', 'latin1');
const CLOSE = 1;
const KEEP_ALIVE_TOKEN = 2;

export class ResponseParser {
  /** Final status of the current response (0 until its head arrived). */
  status = 0;
  /** Whether the connection may carry another request after this response. */
  keepAlive = true;
  /** The server's `Keep-Alive: timeout=N` hint in ms, or -1 when it gave none. */
  keepAliveHintMs = -1;
  private state = State.Done;
  private noBody = false;
  private remaining = 0;
  /** Unconsumed bytes of an unfinished head or line, copied out of the caller's buffer. */
  private partial: Buffer | null = null;
  private sink: BodySink | null = null;

  /** Prepares for the response to the next request; `noBody` for HEAD requests. */
  reset(sink: BodySink, noBody: boolean): void {
    this.sink = sink;
    this.noBody = noBody;
    this.status = 0;
    this.keepAlive = true;
    this.keepAliveHintMs = -1;
    this.remaining = 0;
    this.partial = null;
    this.state = State.Head;
  }

  /** True when the response is complete (bytes after it are a protocol error). */
  get done(): boolean {
    return this.state === State.Done;
  }

  /**
   * At the peer's end of stream: true when that ends the response (body delimited by close);
   * false when the response was cut short.
   */
  endOfStream(): boolean {
    if (this.state !== State.UntilClose) return false;
    this.state = State.Done;
    return true;
  }

  /**
   * Feeds buf[start, buf.length). Returns -1 when the response needs more bytes, else the number
   * of bytes left after the end of the response. Throws MalformedResponseError.
   */
  execute(input: Buffer, start: number): number {
    let buf = input;
    let pos = start;
    if (this.partial !== null) {
      buf = Buffer.concat([this.partial, input.subarray(start)]);
      pos = 0;
      this.partial = null;
    }
    const end = buf.length;
    while (pos < end) {
      switch (this.state) {
        case State.Head: {
          const headEnd = buf.indexOf(CRLF2, pos);
          if (headEnd < 0) return this.keep(buf, pos, MAX_HEAD_BYTES, 'head too large');
          if (headEnd - pos > MAX_HEAD_BYTES) throw new MalformedResponseError('head too large');
          this.parseHead(buf, pos, headEnd);
          pos = headEnd + 4;
          break;
        }
        case State.Body: {
          const n = Math.min(this.remaining, end - pos);
          this.sink!.onBody(buf, pos, pos + n);
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = State.Done;
          break;
        }
        case State.ChunkSize: {
          const lf = buf.indexOf(LF, pos);
          if (lf < 0) return this.keep(buf, pos, MAX_LINE_BYTES, 'chunk size line too long');
          this.remaining = parseChunkSize(buf, pos, lf);
          pos = lf + 1;
          this.state = this.remaining === 0 ? State.Trailers : State.ChunkData;
          break;
        }
        case State.ChunkData: {
          const n = Math.min(this.remaining, end - pos);
          this.sink!.onBody(buf, pos, pos + n);
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = State.ChunkDataCr;
          break;
        }
        case State.ChunkDataCr:
          if (buf[pos++] !== CR) throw new MalformedResponseError('chunk not followed by CRLF');
          this.state = State.ChunkDataLf;
          break;
        case State.ChunkDataLf:
          if (buf[pos++] !== LF) throw new MalformedResponseError('chunk not followed by CRLF');
          this.state = State.ChunkSize;
          break;
        case State.Trailers: {
          const lf = buf.indexOf(LF, pos);
          if (lf < 0) return this.keep(buf, pos, MAX_HEAD_BYTES, 'trailers too large');
          const empty = lf === pos + 1 && buf[pos] === CR;
          pos = lf + 1;
          if (empty) this.state = State.Done;
          break;
        }
        case State.UntilClose:
          this.sink!.onBody(buf, pos, end);
          pos = end;
          break;
        case State.Done:
          return end - pos;
      }
    }
    return this.state === State.Done ? 0 : -1;
  }

  private keep(buf: Buffer, pos: number, limit: number, reason: string): number {
    if (buf.length - pos > limit) throw new MalformedResponseError(reason);
    this.partial = Buffer.from(buf.subarray(pos));
    return -1;
  }

  /** Parses buf[start, headEnd) (status line + header lines, without the final CRLF CRLF). */
  private parseHead(buf: Buffer, start: number, headEnd: number): void {
    // Status line: HTTP/1.x SP 3DIGIT [SP reason] (RFC 9112 §4).
    if (headEnd - start < 12 || !startsWith(buf, start, HTTP_1) || buf[start + 8] !== 0x20) {
      throw new MalformedResponseError('bad status line');
    }
    const minor = buf[start + 7]! - 0x30;
    const status = digit(buf[start + 9]!) * 100 + digit(buf[start + 10]!) * 10 + digit(buf[start + 11]!);
    if (!(minor === 0 || minor === 1) || !(status >= 100 && status <= 999)) throw new MalformedResponseError('bad status line');
    const after = buf[start + 12];
    if (headEnd > start + 12 && after !== 0x20 && after !== CR) throw new MalformedResponseError('bad status line');

    let contentLength = -1;
    let chunked = false;
    let otherCoding = false;
    let close = minor === 0;
    let keepAliveHintMs = -1;
    let line = buf.indexOf(LF, start) + 1;
    while (line > 0 && line < headEnd) {
      let lineEnd = buf.indexOf(LF, line);
      if (lineEnd < 0 || lineEnd > headEnd) lineEnd = headEnd; // the last header line ends at the head's CRLF
      const valueEnd = buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
      const colon = buf.indexOf(0x3a, line);
      if (colon < 0 || colon > valueEnd || colon === line) throw new MalformedResponseError('bad header line');
      const name = colon - line;
      if (name === 14 && sameName(buf, line, CONTENT_LENGTH)) {
        const n = parseLength(buf, colon + 1, valueEnd);
        if (contentLength >= 0 && n !== contentLength) throw new MalformedResponseError('conflicting content-length');
        contentLength = n;
      } else if (name === 17 && sameName(buf, line, TRANSFER_ENCODING)) {
        const codings = headerValue(buf, colon + 1, valueEnd);
        chunked = /(^|,)\s*chunked\s*$/.test(codings);
        otherCoding = !chunked;
      } else if (name === 10 && sameName(buf, line, CONNECTION)) {
        const v = connectionValue(buf, colon + 1, valueEnd);
        if (v === CLOSE) close = true;
        else if (v === KEEP_ALIVE_TOKEN && minor === 0) close = false;
      } else if (name === 10 && sameName(buf, line, KEEP_ALIVE)) {
        keepAliveHintMs = timeoutHint(buf, colon + 1, valueEnd);
      }
      line = lineEnd + 1;
    }

    if (status < 200) {
      // 101 would switch protocols, which this client never asks for; other 1xx are interim.
      if (status === 101) throw new MalformedResponseError('unexpected 101 Switching Protocols');
      return; // stay in State.Head for the final response
    }
    this.status = status;
    this.keepAlive = !close;
    this.keepAliveHintMs = keepAliveHintMs;
    this.sink!.onHead(status);
    if (this.noBody || status === 204 || status === 304) {
      this.state = State.Done;
    } else if (chunked) {
      this.state = State.ChunkSize;
    } else if (otherCoding) {
      this.state = State.UntilClose; // RFC 9112 §6.3 rule 4: the body ends with the connection
      this.keepAlive = false;
    } else if (contentLength >= 0) {
      this.remaining = contentLength;
      this.state = contentLength === 0 ? State.Done : State.Body;
    } else {
      this.state = State.UntilClose;
      this.keepAlive = false;
    }
  }
}

function digit(c: number): number {
  const d = c - 0x30;
  return d >= 0 && d <= 9 ? d : NaN;
}

/** Case-insensitive comparison of the header name at `at` with a lower-case name. */
function sameName(buf: Buffer, at: number, lower: Buffer): boolean {
  for (let i = 0; i < lower.length; i++) {
    if ((buf[at + i]! | 0x20) !== lower[i]) return false;
  }
  return true;
}

function startsWith(buf: Buffer, at: number, bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) if (buf[at + i] !== bytes[i]) return false;
  return true;
}

/** Connection header: CLOSE, KEEP_ALIVE_TOKEN or neither; the common one-token values without a string. */
function connectionValue(buf: Buffer, start: number, end: number): number {
  while (start < end && (buf[start] === 0x20 || buf[start] === 0x09)) start++;
  while (end > start && (buf[end - 1] === 0x20 || buf[end - 1] === 0x09)) end--;
  if (end - start === 10 && sameName(buf, start, KEEP_ALIVE)) return KEEP_ALIVE_TOKEN;
  if (end - start === 5 && sameName(buf, start, CLOSE_BYTES)) return CLOSE;
  const tokens = headerValue(buf, start, end);
  if (/(^|,)\s*close\s*(,|$)/.test(tokens)) return CLOSE;
  return /(^|,)\s*keep-alive\s*(,|$)/.test(tokens) ? KEEP_ALIVE_TOKEN : 0;
}

/** `Keep-Alive: timeout=N[, max=M]` → N s in ms, or -1. */
function timeoutHint(buf: Buffer, start: number, end: number): number {
  while (start < end && (buf[start] === 0x20 || buf[start] === 0x09)) start++;
  if (end - start > TIMEOUT_EQ.length && sameName(buf, start, TIMEOUT_EQ)) {
    let n = 0;
    let i = start + TIMEOUT_EQ.length;
    for (; i < end; i++) {
      const d = buf[i]! - 0x30;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i > start + TIMEOUT_EQ.length && (i === end || buf[i] === 0x2c)) return n * 1000;
  }
  const m = /timeout\s*=\s*(\d+)/.exec(headerValue(buf, start, end));
  return m ? Number(m[1]) * 1000 : -1;
}

function headerValue(buf: Buffer, start: number, end: number): string {
  return buf.toString('latin1', start, end).trim().toLowerCase();
}

function parseLength(buf: Buffer, start: number, end: number): number {
  while (start < end && (buf[start] === 0x20 || buf[start] === 0x09)) start++;
  while (end > start && (buf[end - 1] === 0x20 || buf[end - 1] === 0x09)) end--;
  if (start === end || end - start > 15) throw new MalformedResponseError('bad content-length');
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) throw new MalformedResponseError('bad content-length');
    n = n * 10 + d;
  }
  return n;
}

/** Parses `HEX [; ext] CRLF` in buf[start, lf]. */
function parseChunkSize(buf: Buffer, start: number, lf: number): number {
  let n = 0;
  let i = start;
  for (; i < lf; i++) {
    const c = buf[i]!;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x57 : -1;
    if (d < 0) break;
    n = n * 16 + d;
  }
  if (i === start || i - start > 12) throw new MalformedResponseError('bad chunk size');
  const c = buf[i];
  if (c !== 0x3b && c !== 0x20 && c !== 0x09 && c !== CR) throw new MalformedResponseError('bad chunk size');
  if (buf[lf - 1] !== CR) throw new MalformedResponseError('bad chunk size');
  return n;
}
