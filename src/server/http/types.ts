import type { HeaderList } from './header-list.js';

/** The contract between the HTTP/1.1 connection driver and the route handlers. */

export interface RequestHead {
  method: string;
  /** Path without the query string, exactly as sent (not percent-decoded). */
  path: string;
  /** Query string without the leading '?', '' when absent. */
  query: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minorVersion: number;
  /**
   * The header fields the server reads (authorization, x-run-id, x-project-name, content-type,
   * content-length, transfer-encoding, connection, expect): names lower-cased, values
   * latin1-decoded and trimmed. Other fields are validated and dropped.
   */
  headers: HeaderList;
  /** The route label requests are counted under (set by the router). */
  route: string;
}

export interface Reply {
  status: number;
  /** Extra response headers (Content-Length and Date are added by the driver). */
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Close the connection after this response. */
  close?: boolean;
}

/**
 * Receives a request's body as it arrives. `data` may return a promise to apply backpressure:
 * the connection reads no further until it settles. `end` produces the reply.
 */
export interface BodyConsumer {
  data(chunk: Buffer): void | Promise<void>;
  end(): Reply | Promise<Reply>;
}

/** Destroy the socket with a TCP reset instead of answering (fault injection). */
export const RESET = Symbol('reset');

export type Dispatch = (head: RequestHead) => BodyConsumer | typeof RESET;

export const TEXT = 'text/plain; charset=utf-8';
export const JSON_TYPE = 'application/json';

export function textReply(status: number, body: string): Reply {
  return { status, headers: { 'content-type': TEXT }, body };
}

export function jsonReply(status: number, value: unknown): Reply {
  return { status, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify(value) };
}

export function emptyReply(status: number, headers?: Record<string, string>): Reply {
  return { status, headers };
}

class FixedReply implements BodyConsumer {
  constructor(private readonly reply: Reply | (() => Reply | Promise<Reply>)) {}
  data(): void {}
  end(): Reply | Promise<Reply> {
    return typeof this.reply === 'function' ? this.reply() : this.reply;
  }
}

/** A consumer that ignores the body and answers with a fixed reply. */
export function fixedReply(reply: Reply | (() => Reply | Promise<Reply>)): BodyConsumer {
  return new FixedReply(reply);
}

/** Collects the body up to `limit` bytes; beyond it, `overflow` is set and bytes are dropped. */
export class BodyCollector {
  private readonly parts: Buffer[] = [];
  size = 0;
  overflow = false;
  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.overflow = true;
      this.parts.length = 0;
      return;
    }
    this.parts.push(chunk);
  }

  buffer(): Buffer {
    if (this.parts.length === 0) return Buffer.alloc(0);
    return this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
  }
}

class CollectingConsumer extends BodyCollector implements BodyConsumer {
  constructor(
    limit: number,
    private readonly handle: (body: Buffer, overflow: boolean) => Reply | Promise<Reply>,
  ) {
    super(limit);
  }
  data(chunk: Buffer): void {
    this.push(chunk);
  }
  end(): Reply | Promise<Reply> {
    return this.handle(this.overflow ? Buffer.alloc(0) : this.buffer(), this.overflow);
  }
}

/** A consumer that buffers the whole body (bounded) and hands it to `handle`. */
export function collectBody(limit: number, handle: (body: Buffer, overflow: boolean) => Reply | Promise<Reply>): BodyConsumer {
  return new CollectingConsumer(limit, handle);
}
