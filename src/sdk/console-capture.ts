import { consoleLine } from './values/ndjson.js';
import { KIND, QueuedRecord } from './sync/record-queue.js';

/** Secret patterns redacted from console lines (docs/protocol/sdk.md §12, pluto/sanitize.py, simplified). */
const SECRETS: [RegExp, string][] = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, '***REDACTED***'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/g, '***REDACTED***'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 ***REDACTED***'],
  [/\b(mlp[is]_|ghp_|gho_|xox[abp]-|sk-)[A-Za-z0-9_-]{6,}/g, '***REDACTED***'],
  [/(:\/\/[^:/\s]+:)[^@\s]+@/g, '$1***REDACTED***@'],
  [/\b(password|passwd|token|secret|api_key|apikey)(\s*[=:]\s*)\S+/gi, '$1$2***REDACTED***'],
];

function sanitize(line: string): string {
  for (const [re, rep] of SECRETS) line = line.replace(re, rep);
  return line;
}

export type StreamKind = 'stdout' | 'stderr';

interface StreamState {
  partial: string;
  lineNumber: number;
}

export interface ConsoleOptions {
  disabled: boolean;
  sanitize: boolean;
  rank: string | null;
  flushLines: number;
  flushMs: number;
}

/**
 * Console lines → /ingest/logs records (docs/protocol/sdk.md §12): split on \n, partial writes
 * carried over, empty lines skipped, numbering per stream from 1, stdout INFO / stderr ERROR.
 * Buffered and handed to the queue at ≥ 50 lines or ≥ 0.2 s since the last hand-over (checked
 * on each write and on each sync tick), and at finish.
 */
export class RunConsole {
  private readonly streams: Record<StreamKind, StreamState> = {
    stdout: { partial: '', lineNumber: 0 },
    stderr: { partial: '', lineNumber: 0 },
  };
  private buffer: QueuedRecord[] = [];
  private lastFlush = performance.now();
  private readonly restorers = new Set<() => void>();
  /** After close() nothing more is captured (the real SDK stops its fd capture at finish). */
  private closed = false;

  constructor(
    private readonly opts: ConsoleOptions,
    private readonly sink: (r: QueuedRecord) => void,
    private readonly isOpen: () => boolean,
  ) {}

  /** Push text written to a stream (may hold several lines or a partial one). */
  write(stream: StreamKind, text: string): void {
    if (this.opts.disabled || this.closed || !this.isOpen()) return;
    const st = this.streams[stream];
    const parts = (st.partial + text).split('\n');
    st.partial = parts.pop() ?? '';
    const now = performance.now();
    for (const p of parts) this.addLine(stream, p, now);
    this.maybeFlush(now);
  }

  /** Tee a writable stream (e.g. process.stdout) into the run; returns the restore function. */
  capture(target: NodeJS.WritableStream, kind: StreamKind): () => void {
    const original = target.write;
    const self = this;
    const patched = function (this: NodeJS.WritableStream, chunk: unknown, ...rest: unknown[]): boolean {
      try {
        self.write(kind, typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      } catch {
        // capture must never break the program's own output
      }
      return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    };
    target.write = patched as typeof target.write;
    const restore = (): void => {
      if (target.write === (patched as typeof target.write)) target.write = original;
      this.restorers.delete(restore);
    };
    this.restorers.add(restore);
    return restore;
  }

  /** Hand buffered lines to the queue if the 0.2 s rule says so (called by the sync tick). */
  tick(now: number): void {
    if (this.buffer.length && now - this.lastFlush >= this.opts.flushMs) this.flush(now);
  }

  /** At finish: stop captures, emit trailing partial lines, hand everything over. */
  close(): void {
    this.closed = true;
    for (const r of [...this.restorers]) r();
    const now = performance.now();
    for (const k of ['stdout', 'stderr'] as const) {
      const st = this.streams[k];
      if (st.partial) {
        const p = st.partial;
        st.partial = '';
        this.addLine(k, p, now);
      }
    }
    this.flush(now);
  }

  private addLine(stream: StreamKind, raw: string, now: number): void {
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line) return;
    if (this.opts.rank !== null) line = `[rank${this.opts.rank}] ${line}`;
    if (this.opts.sanitize) line = sanitize(line);
    const st = this.streams[stream];
    st.lineNumber++;
    const time = Date.now();
    const enc = consoleLine(time, line, st.lineNumber, stream === 'stdout' ? 'INFO' : 'ERROR');
    this.buffer.push(new QueuedRecord(KIND.CONSOLE, time, st.lineNumber, now, null, null, enc, 1));
  }

  private maybeFlush(now: number): void {
    if (this.buffer.length >= this.opts.flushLines || (this.buffer.length && now - this.lastFlush >= this.opts.flushMs)) {
      this.flush(now);
    }
  }

  private flush(now: number): void {
    this.lastFlush = now;
    const b = this.buffer;
    if (!b.length) return;
    this.buffer = [];
    for (const r of b) this.sink(r);
  }

  /** Lines buffered but not yet queued (counted as pending by delivery()). */
  get buffered(): number {
    return this.buffer.length;
  }
}
