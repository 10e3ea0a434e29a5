/**
 * What the CLI prints and how it exits: every line passes through scrub() so the API key never
 * reaches the terminal; a user's error is one sentence on stderr and its exit code; anything
 * else is a bug (exit 70) and keeps its stack trace.
 */
import { EXIT_CODES } from '../../src/index.js';

const secrets: string[] = [];

/** A secret (API key, ClickHouse password) to hide from everything printed from now on. */
export function hideSecret(key: string | undefined): void {
  if (key) secrets.push(key);
}

export function scrub(text: string): string {
  // Very short "keys" (typos, placeholders) would shred ordinary words; real keys are long.
  for (const s of secrets) if (s.length >= 6) text = text.split(s).join('***');
  return text;
}

export function out(text: string): void {
  process.stdout.write(scrub(text));
}

export function err(text: string): void {
  process.stderr.write(scrub(text));
}

export function fail(message: string, code: number): never {
  process.stderr.write(scrub(`mlop-sim: ${message.replace(/\s+$/, '')}\n`));
  return exit(code);
}

export function exit(code: number): never {
  process.exitCode = code;
  // Let stdout/stderr drain, then leave even if a stray handle lingers.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  return undefined as never;
}

let handled = false;

/** A user-causable error carries its exit code; anything else is a bug and keeps its stack. */
export function handleError(err: unknown): void {
  if (handled) return;
  handled = true;
  const code = (err as { exitCode?: unknown })?.exitCode;
  if (err instanceof Error && typeof code === 'number') {
    fail(err.message, code);
    return;
  }
  process.stderr.write(scrub(`mlop-sim: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`));
  exit(EXIT_CODES.internal);
}

/** yargs' own complaints (unknown flag, bad value): one sentence, exit 2. */
export function handleUsage(msg: string | undefined): void {
  if (handled) return;
  handled = true;
  fail(`${(msg ?? 'invalid arguments').replace(/\.$/, '')} (see mlop-sim --help).`, EXIT_CODES.usage);
}

/** A flag given twice keeps its last value, as in Locust (yargs would make an array of it). */
export function lastValue<T>(v: T | T[]): T {
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** Wraps a value check of a flag so its failure is a usage error (exit 2) with one sentence. */
export function usageError(err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(`${message.replace(/\.$/, '')}.`), { exitCode: EXIT_CODES.usage });
}
