/**
 * The bytes of an HTTP/1.1 request: the request line and headers are encoded and checked once per
 * method + path + header set; per request only Content-Length and the body are written, into one
 * Buffer, so a request is one socket write.
 */

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PATH = /^\/[^\x00-\x20\x7f]*$/;
const FIELD_VALUE = /^[^\x00\r\n]*$/;
/** Methods whose requests carry a body: without one they still say `content-length: 0`, as undici does. */
const PAYLOAD_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const CONTENT_LENGTH = Buffer.from('content-length: ', 'latin1');
const CRLF2 = Buffer.from('\r\n\r\n', 'latin1');

/** The request cannot be written: a bad method, path or header. */
export class InvalidRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

export class RequestHead {
  /** Request line and header lines, each ending in CRLF, without Content-Length or the blank line. */
  private readonly lines: Buffer;
  /** The whole request when it has no body and no Content-Length. */
  private readonly bare: Buffer | null;

  /** Throws InvalidRequestError. `headers` may set Host; a Content-Length in them is ignored. */
  constructor(method: string, path: string, host: string, headers: Readonly<Record<string, string>>) {
    if (!TOKEN.test(method)) throw new InvalidRequestError(`invalid request method ${JSON.stringify(method)}`);
    if (!PATH.test(path)) throw new InvalidRequestError(`invalid request path ${JSON.stringify(path)} (must start with a slash, no spaces)`);
    let text = `${method} ${path} HTTP/1.1\r\n`;
    let hasHost = false;
    for (const [name, value] of Object.entries(headers)) {
      if (!TOKEN.test(name)) throw new InvalidRequestError(`invalid header name ${JSON.stringify(name)}`);
      if (!FIELD_VALUE.test(value)) throw new InvalidRequestError(`invalid ${name} header`);
      const lower = name.toLowerCase();
      if (lower === 'content-length') continue;
      if (lower === 'host') hasHost = true;
      text += `${name}: ${value}\r\n`;
    }
    if (!hasHost) text = text.replace('\r\n', `\r\nhost: ${host}\r\n`);
    this.lines = Buffer.from(text, 'latin1');
    this.bare = PAYLOAD_METHODS.has(method) ? null : Buffer.concat([this.lines, Buffer.from('\r\n', 'latin1')]);
  }

  /** The full request with this body: head, `content-length: N`, blank line, body. */
  encode(body: string | Buffer | undefined): Buffer {
    if (body === undefined && this.bare) return this.bare;
    const bodyBytes = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
    const lines = this.lines;
    let digits = 1;
    for (let p = 10; p <= bodyBytes; p *= 10) digits++;
    const bodyAt = lines.length + CONTENT_LENGTH.length + digits + 4;
    const out = Buffer.allocUnsafe(bodyAt + bodyBytes);
    lines.copy(out, 0);
    CONTENT_LENGTH.copy(out, lines.length);
    let n = bodyBytes;
    for (let i = bodyAt - 5; i >= bodyAt - 4 - digits; i--) {
      out[i] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    }
    CRLF2.copy(out, bodyAt - 4);
    if (typeof body === 'string') out.write(body, bodyAt, 'utf8');
    else if (body !== undefined) body.copy(out, bodyAt);
    return out;
  }
}
