/**
 * End-to-end: `mlop-sim serve` runs the reference server standalone; a second CLI process
 * load-tests it through --host/--key (the path a user takes against a real stack), and the
 * server stops cleanly on Ctrl+C.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { DEFAULT_API_KEY } from '../../src/server/index.js';
import { cleanEnv, ensureBuilt, runCli, tempDir } from './cli-process.js';
import { startServe } from './serve-process.js';

beforeAll(() => ensureBuilt(), 120_000);

it('serve prints its URL and key; a run against it with --host passes with a storage audit; Ctrl+C stops it', async () => {
  const { server, closed, url: started, output } = startServe([]);
  try {
    const url = await started;
    const out = output();
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

it('serve takes fault flags and extra keys (flag and MLOP_SIM_KEYS); a bad fault value is a usage error', async () => {
  const extra = 'mlpi_serve_extra_key_1';
  const { server, closed, url: started, output } = startServe(
    ['--error-rate', '1', '--error-status', '503', '--key', extra, '--no-default-key'],
    cleanEnv({ MLOP_SIM_KEYS: 'mlpi_serve_env_key_2' }),
    'Press Ctrl+C',
  );
  try {
    const url = await started;
    const out = output();
    expect(out).toContain('Faults on: errorRate, errorStatus');
    expect(out).not.toContain(DEFAULT_API_KEY);
    expect(out).not.toContain(extra);
    const post = (key: string) =>
      fetch(`${url}/api/slug`, { method: 'POST', headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
    // Backend routes are not faulted by default (latencyRoutes 'ingest'); keys decide there.
    expect(await post(extra)).toBe(200);
    expect(await post('mlpi_serve_env_key_2')).toBe(200);
    expect(await post(DEFAULT_API_KEY)).toBe(401);
    const ingest = await fetch(`${url}/ingest/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${extra}`, 'x-run-id': '1', 'x-project-name': 'p' },
      body: '{"time":1,"step":1,"data":{"x":1}}\n',
    });
    expect(ingest.status).toBe(503);
  } finally {
    server.kill('SIGINT');
  }
  expect(await closed).toBe(0);

  const bad = await runCli(['serve', '--port', '0', '--latency', 'gamma:1:2']);
  expect(bad.code).toBe(2);
  expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  expect(bad.stderr).toMatch(/^mlop-sim: latency "gamma:1:2" must look like/);
});
