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

it('serve --host 0.0.0.0 needs a key of its own, prints the address it bound, guards /_sim/*; a run with the key still passes its audit', async () => {
  const refused = await runCli(['serve', '--port', '0', '--host', '0.0.0.0']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toBe('mlop-sim: --host 0.0.0.0 lets other machines reach this server and its control routes, and the default API key is public: give a key of your own with --key K (or MLOP_SIM_KEYS).\n');

  const key = 'mlps_shared_ci_network_key_0123456789';
  const { server, closed, url: started, output } = startServe(['--host', '0.0.0.0', '--key', key], cleanEnv(), 'Press Ctrl+C');
  try {
    const url = await started; // reached through loopback
    const port = new URL(url).port;
    const out = output();
    expect(out).toContain(`mlop-sim reference server listening on http://0.0.0.0:${port} (every interface; from this machine: http://127.0.0.1:${port})`);
    expect(out).not.toContain('listening on http://127.0.0.1');
    expect(out).not.toContain(key);
    expect(out).not.toContain(DEFAULT_API_KEY);
    expect(out).toContain('Off loopback: the control routes (/_sim/*) answer only "Authorization: Bearer <an accepted key>"');

    // Another client without the key cannot switch faults on (it could, with a 200, before).
    const faults = (headers: Record<string, string>) =>
      fetch(`${url}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"errorRate":1}' }).then((r) => r.status);
    expect(await faults({})).toBe(401);
    expect(await faults({ authorization: `Bearer ${DEFAULT_API_KEY}` })).toBe(401);

    const dir = tempDir();
    const r = await runCli(['--host', url, '--key', key, '-u', '3', '-t', '2s', '--report-dir', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('(reference server)');
    const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    expect(latest.audit.storage).toBe('checked'); // /_sim/flush and /_sim/runs answered the run's key
    expect(latest.audit.totals.lostRows).toBe(0);
    expect(latest.audit.totals.storedRows).toBeGreaterThan(0);
    expect(r.stdout + JSON.stringify(latest)).not.toContain(key);
    // The faults were never changed by the refused POSTs.
    const stats = await fetch(`${url}/_sim/stats`, { headers: { authorization: `Bearer ${key}` } }).then((x) => x.json() as Promise<{ faults: object }>);
    expect(stats.faults).toEqual({});
  } finally {
    server.kill('SIGINT');
  }
  expect(await closed).toBe(0);
});
