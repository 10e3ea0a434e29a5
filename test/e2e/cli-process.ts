/**
 * Runs the real, built CLI (`node dist/bin/mlop-sim.js`) as a child process, the way a user or
 * CI does. `ensureBuilt()` runs the incremental `tsc -b` once so the dist matches the sources.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/bin/mlop-sim.js');

let built = false;
export function ensureBuilt(): void {
  if (built) return;
  spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-b'], { cwd: ROOT, stdio: 'ignore' });
  if (!existsSync(CLI)) throw new Error(`the build did not produce ${CLI}`);
  built = true;
}

export function tempDir(prefix = 'mlop-sim-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Writes `DIR/NAME.ts`, a scenario file whose one task spins the main thread for `burnMs`, then
 * sends one request (`request`: a statement on `ctx`), with no wait: a generator kept busy by
 * its own users. Returns the file's path.
 */
export function writeBusyScenario(dir: string, name: string, burnMs: number, request: string): string {
  const file = join(dir, `${name}.ts`);
  writeFileSync(
    file,
    "import { defineScenario } from 'mlop-sim';\n" +
      'const burn = (ms: number) => { const end = performance.now() + ms; while (performance.now() < end) Math.sqrt(Math.random()); };\n' +
      `export default defineScenario({ name: '${name}', wait: { minS: 0, maxS: 0 }, tasks: [{ name: '${name}', weight: 1, run: async (ctx) => { burn(${burnMs}); ${request} } }] });\n`,
  );
  return file;
}

export interface CliOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Send this signal once stdout contains `afterText` (e.g. the first live line). */
  interrupt?: { signal: NodeJS.Signals; afterText: string };
  /** Called with stdout as it grows. */
  onStdout?: (all: string) => void;
  timeoutMs?: number;
}

/** Env without the variables that would change the CLI's defaults. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of ['INGEST_URL', 'TEST_API_KEY', 'P95_THRESHOLD_MS', 'P99_THRESHOLD_MS', 'MAX_ERROR_RATE']) delete env[k];
  return { ...env, ...extra };
}

export function runCli(args: string[], o: CliOptions = {}): Promise<CliOutcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: o.cwd ?? ROOT, env: o.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      o.onStdout?.(stdout);
      if (o.interrupt && !interrupted && stdout.includes(o.interrupt.afterText)) {
        interrupted = true;
        child.kill(o.interrupt.signal);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** Runs a command to its end (killed after 90 s), stdout and stderr together, as a CI step would. */
export function runCommand(cmd: string, args: string[], o: { env: Record<string, string | undefined>; cwd?: string }): Promise<{ code: number | null; out: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env: o.env, cwd: o.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, out });
    });
  });
}
