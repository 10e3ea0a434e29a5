/**
 * End-to-end: `mlop-sim serve` runs the reference server standalone; a second CLI process
 * load-tests it through --host/--key (the path a user takes against a real stack), and the
 * server stops cleanly on Ctrl+C.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { DEFAULT_API_KEY } from '../../src/server/index.js';
import { CLI, cleanEnv, ensureBuilt, ROOT, runCli, tempDir } from './cli-process.js';

beforeAll(() => ensureBuilt(), 120_000);

it('serve prints its URL and key; a run against it with --host passes with a storage audit; Ctrl+C stops it', async () => {
  const server = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const closed = new Promise<number | null>((resolve) => server.on('close', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve printed no URL: ${out}`)), 20_000);
      server.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m && out.includes('API key:')) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    expect(out).toContain(`API key: ${DEFAULT_API_KEY}`);

    const dir = tempDir();
    const env = cleanEnv({ TEST_API_KEY: DEFAULT_API_KEY });
    const r = await runCli(['--host', url, '-u', '4', '-t', '2s', '--report-dir', dir], { env });
    expect(r.code).toBe(0);
    const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    expect(latest.target).toEqual({ ingestUrl: url, apiUrl: url, embedded: false });
    expect(latest.audit.storageChecked).toBe(true);
    expect(latest.audit.totals.lostRows).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(DEFAULT_API_KEY);
  } finally {
    server.kill('SIGINT');
  }
  expect(await closed).toBe(0);
});
