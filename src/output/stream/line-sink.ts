/**
 * Where a line stream goes: a file (created with its folder before the load starts) or stdout
 * for `-`. Writes are buffered by the stream; close() waits until they are on disk.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { SimUsageError } from '../../core/errors.js';

export interface LineSink {
  write(text: string): void;
  close(): Promise<void>;
  /** The file written, or undefined for stdout. */
  readonly file: string | undefined;
}

/** Opens `target` (`-` = stdout); a path that cannot be created is a usage error (exit 2). */
export async function openLineSink(target: string, flag: string): Promise<LineSink> {
  if (target === '-') {
    return { file: undefined, write: (t) => void process.stdout.write(t), close: () => Promise.resolve() };
  }
  let stream: WriteStream;
  try {
    mkdirSync(dirname(target), { recursive: true });
    stream = createWriteStream(target, { flags: 'w' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SimUsageError(`${flag}: cannot write ${target} (${e.code ?? e.message}).`);
  }
  return {
    file: target,
    write: (t) => void stream.write(t),
    close: () => new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve()))),
  };
}
