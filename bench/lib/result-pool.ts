/**
 * A pool of real results: runs of the built CLI against its embedded server, one latest.json each,
 * kept in a folder so that a bench can build many series from them (by permutation) without
 * re-running the load. Runs go one after another; files already in the folder are reused.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PoolSpec {
  /** File name prefix, e.g. `base` → base-00.json … */
  name: string;
  runs: number;
  /** mlop-sim arguments of one run. */
  args: string[];
}

function runOnce(args: string[], dest: string): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'result-pool-'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/bin/mlop-sim.js', ...args, '--quiet', '--report-dir', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      const latest = path.join(dir, 'latest.json');
      if (!existsSync(latest)) return reject(new Error(`run failed (exit ${code}): ${err.trim()}`));
      copyFileSync(latest, dest);
      resolve();
    });
  });
}

/** The pool's files for `spec`, running the missing ones first. */
export async function ensurePool(folder: string, spec: PoolSpec, log: (line: string) => void): Promise<string[]> {
  mkdirSync(folder, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < spec.runs; i++) {
    const file = path.join(folder, `${spec.name}-${String(i).padStart(2, '0')}.json`);
    if (!existsSync(file)) {
      const t0 = Date.now();
      await runOnce(spec.args, file);
      log(`${spec.name} ${i + 1}/${spec.runs} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
    files.push(file);
  }
  return files;
}
