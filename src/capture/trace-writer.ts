/**
 * Writes trace lines without ever making the proxied job wait: lines go to a file stream, and
 * when the disk falls behind by more than `maxQueuedBytes` the line is dropped and counted
 * (the closing line says how many). The proxy never awaits a write.
 *
 * The stream is corked for `FLUSH_MS` after a line arrives, so the lines of that interval reach
 * the file in one writev on the thread pool instead of one write (a thread-pool wake-up and a
 * completion callback on the proxy's event loop) per request: at ~1,300 requests/s this halved
 * the recorder's background CPU (bench/RESULTS.md, record-overhead). Corked lines count in
 * `writableLength`, so the drop bound covers them.
 */
import { createWriteStream, type WriteStream } from 'node:fs';

export const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;
/** How long lines gather (corked) before one writev hands them to the file. */
export const FLUSH_MS = 20;

export class TraceWriter {
  private readonly stream: WriteStream;
  private failure: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  written = 0;
  dropped = 0;
  droppedBytes = 0;

  constructor(
    path: string,
    private readonly maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES,
  ) {
    this.stream = createWriteStream(path, { flags: 'w' });
    this.stream.on('error', (err) => {
      this.failure ??= err;
    });
  }

  /** Opens the file; rejects when it cannot be created. */
  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.stream.once('ready', () => resolve());
      this.stream.once('error', reject);
    });
  }

  /** Queues one line; drops it (and counts it) when the queue is over its bound or the file failed. */
  line(text: string): void {
    const bytes = Buffer.byteLength(text) + 1;
    if (this.failure || this.stream.writableLength + bytes > this.maxQueuedBytes) {
      this.dropped++;
      this.droppedBytes += bytes;
      return;
    }
    if (!this.timer) {
      this.stream.cork();
      this.timer = setTimeout(this.flush, FLUSH_MS).unref();
    }
    this.stream.write(text + '\n');
    this.written++;
  }

  /** Hands the lines gathered since the last flush to the file in one writev (thread pool). */
  private readonly flush = (): void => {
    this.timer = undefined;
    this.stream.uncork();
  };

  /** Writes the closing line (always, past the bound) and waits for the file to be flushed. */
  close(last: string): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.flush();
    }
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.stream.end(last + '\n', () => (this.failure ? reject(this.failure) : resolve()));
    });
  }
}
