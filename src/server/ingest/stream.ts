/**
 * `JsonLineProcessor::process_stream` (docs/protocol/ingest.md §1.3): the body is read as a stream and
 * cut at '\n'; each trimmed, non-blank line is parsed, validated and its rows queued before the
 * next line is looked at. The first bad line ends processing; rows of earlier lines stay queued.
 * A line longer than `maxLineBytes` is an error (a deliberate divergence: the real service
 * buffers without bound).
 */
import { isUtf8 } from 'node:buffer';
import { IngestError, processingFailedBody, type IngestKind } from '../errors.js';
import { JSON_TYPE, TEXT, type BodyConsumer, type Reply } from '../http/types.js';
import type { Row, TableName } from '../store/rows.js';
import { decodeError, parseLine, type RowContext } from './records.js';

export const TABLE_OF: Record<IngestKind, TableName> = { metrics: 'mlop_metrics', logs: 'mlop_logs', data: 'mlop_data' };

export type RowSink = (table: TableName, row: Row) => void | Promise<void>;

export function ingestFailure(kind: IngestKind, err: IngestError): Reply {
  return { status: 422, headers: { 'content-type': JSON_TYPE }, body: processingFailedBody(kind, err) };
}

export class IngestStream implements BodyConsumer {
  private partial: Buffer[] = [];
  private partialLen = 0;
  private error: IngestError | null = null;
  private records = 0;
  private readonly table: TableName;

  constructor(
    private readonly kind: IngestKind,
    private readonly ctx: RowContext,
    private readonly sink: RowSink,
    private readonly maxLineBytes: number,
  ) {
    this.table = TABLE_OF[kind];
  }

  data(chunk: Buffer): void | Promise<void> {
    if (this.error) return;
    return this.consume(chunk, 0);
  }

  private consume(chunk: Buffer, start: number): void | Promise<void> {
    let pos = start;
    while (pos < chunk.length && !this.error) {
      const nl = chunk.indexOf(10, pos);
      if (nl < 0) {
        this.appendPartial(chunk.subarray(pos));
        return;
      }
      let line = chunk.subarray(pos, nl);
      if (this.partialLen > 0) {
        if (this.partialLen + line.length > this.maxLineBytes) {
          this.failTooLong();
          return;
        }
        this.partial.push(line);
        line = Buffer.concat(this.partial);
        this.partial = [];
        this.partialLen = 0;
      } else if (line.length > this.maxLineBytes) {
        this.failTooLong();
        return;
      }
      pos = nl + 1;
      const waiting = this.processLine(line, false);
      if (waiting) return waiting.then(() => this.consume(chunk, pos));
    }
  }

  private appendPartial(piece: Buffer): void {
    if (this.partialLen + piece.length > this.maxLineBytes) {
      this.failTooLong();
      return;
    }
    // Copy: the connection may reuse nothing, but a slice keeps the whole chunk alive.
    this.partial.push(Buffer.from(piece));
    this.partialLen += piece.length;
  }

  private failTooLong(): void {
    this.partial = [];
    this.partialLen = 0;
    this.error = new IngestError('STREAM_DECODING_ERROR', `Line exceeds the maximum length of ${this.maxLineBytes} bytes`);
  }

  private processLine(raw: Buffer, final: boolean): void | Promise<void> {
    // Trim leading space/tab and trailing CR/LF/space/tab; skip blank lines (§1.3 step 3).
    let s = 0;
    let e = raw.length;
    while (s < e && (raw[s] === 32 || raw[s] === 9)) s++;
    while (e > s && (raw[e - 1] === 13 || raw[e - 1] === 10 || raw[e - 1] === 32 || raw[e - 1] === 9)) e--;
    if (s === e) return;
    const bytes = raw.subarray(s, e);
    if (!isUtf8(bytes)) {
      this.error = decodeError(bytes.toString('utf8'), final, 'invalid UTF-8');
      return;
    }
    let rows: Row[];
    try {
      rows = parseLine(this.kind, bytes.toString('utf8'), final, this.ctx);
    } catch (err) {
      if (!(err instanceof IngestError)) throw err;
      this.error = err;
      return;
    }
    return this.queue(rows, 0);
  }

  private queue(rows: Row[], from: number): void | Promise<void> {
    for (let i = from; i < rows.length; i++) {
      const waiting = this.sink(this.table, rows[i]);
      this.records++;
      if (waiting) return waiting.then(() => this.queue(rows, i + 1));
    }
  }

  end(): Reply | Promise<Reply> {
    if (!this.error && this.partialLen > 0) {
      const line = Buffer.concat(this.partial);
      this.partial = [];
      this.partialLen = 0;
      const waiting = this.processLine(line, true);
      if (waiting) return waiting.then(() => this.reply());
    }
    return this.reply();
  }

  private reply(): Reply {
    if (this.error) return ingestFailure(this.kind, this.error);
    // §1.3 step 7: N counts rows, not lines.
    return { status: 200, headers: { 'content-type': TEXT }, body: `Stream processed successfully: ${this.records} records` };
  }
}
