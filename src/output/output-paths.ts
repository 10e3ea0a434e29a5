/**
 * Checks and creates where the reports will go, before the first user starts (Output.prepare):
 * a run must not load a target for minutes and then fail to write its verdict. Folders are
 * created one level at a time (Node's recursive mkdir loops forever on procfs paths such as
 * /proc/x), each check is bounded in time, and a write probe proves the folder takes files.
 * Problems end in SimUsageError (exit 2) with one sentence naming the flag and the path.
 */
import { constants } from 'node:fs';
import { access, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { SimUsageError } from '../core/errors.js';

/** A filesystem that does not answer within this long (a hung network mount) is a problem too. */
const CHECK_TIMEOUT_MS = 5_000;

/** Makes sure `folder` exists (creating it) and accepts new files. `what`: e.g. `latest.json (--report-dir)`. */
export function prepareFolder(folder: string, what: string): Promise<void> {
  return bounded(what, folder, async () => {
    await makeFolder(resolve(folder), what, folder);
    await probe(resolve(folder), what, folder);
  });
}

/** Makes sure the folder of `file` exists and takes files, and that `file` itself is not a folder. */
export function prepareFile(file: string, what: string): Promise<void> {
  return bounded(what, file, async () => {
    const full = resolve(file);
    const existing = await stat(full).catch(() => undefined);
    if (existing?.isDirectory()) throw new SimUsageError(`cannot write ${what} to ${file}: it is a folder.`);
    await makeFolder(dirname(full), what, file);
    if (existing) {
      await access(full, constants.W_OK).catch((err: NodeJS.ErrnoException) => {
        throw new SimUsageError(`cannot write ${what} to ${file}: the file is not writable (${err.code ?? err.message}).`);
      });
    }
    await probe(dirname(full), what, file);
  });
}

/** mkdir -p, one level at a time from the deepest folder that exists. */
async function makeFolder(full: string, what: string, given: string): Promise<void> {
  const missing: string[] = [];
  let at = full;
  for (;;) {
    const s = await stat(at).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw new SimUsageError(`cannot write ${what} to ${given}: ${at} cannot be read (${err.code ?? err.message}).`);
    });
    if (s) {
      if (!s.isDirectory()) throw new SimUsageError(`cannot write ${what} to ${given}: ${at} is a file, not a folder.`);
      break;
    }
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const folder of missing) {
    await mkdir(folder).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return;
      throw new SimUsageError(`cannot write ${what} to ${given}: the folder ${folder} cannot be created (${err.code ?? err.message}).`);
    });
  }
}

/** Writes and removes a small file: permission bits alone do not tell (read-only mounts, procfs). */
async function probe(folder: string, what: string, given: string): Promise<void> {
  const file = join(folder, `.mlop-sim-write-check-${process.pid}`);
  try {
    await writeFile(file, '');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SimUsageError(`cannot write ${what} to ${given}: the folder ${folder} does not accept files (${e.code ?? e.message}).`);
  }
  await rm(file, { force: true });
}

async function bounded(what: string, path: string, check: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SimUsageError(`cannot write ${what} to ${path}: checking the path took longer than ${CHECK_TIMEOUT_MS / 1000} s.`)),
      CHECK_TIMEOUT_MS,
    );
    timer.unref();
  });
  try {
    await Promise.race([check(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
