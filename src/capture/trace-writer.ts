/**
 * Writes trace lines without ever making the proxied job wait: lines go to a file stream, and
 * when the disk falls behind by more than `maxQueuedBytes` the line is dropped and counted
 * (the closing line says how many). The proxy never awaits a write.
 */
import { createWriteStream, type WriteStream } from 'node:fs';

export const DEFAULT_MAX_QUEUED_BYTES = 64 * 1024 * 1024;

export class TraceWriter {
  private readonly stream: WriteStream;
  private failure: Error | undefined;
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
    this.stream.write(text + '\n');
    this.written++;
  }

  /** Writes the closing line (always, past the bound) and waits for the file to be flushed. */
  close(last: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.stream.end(last + '\n', () => (this.failure ? reject(this.failure) : resolve()));
    });
  }
}
