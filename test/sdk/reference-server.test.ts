/**
 * Against the reference server over loopback: the README's ten-line example stores every row;
 * records survive injected 500/429/resets exactly once; cancel via heartbeat; a rejected key.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, login, SdkAuthError, type Settings } from '@mlop/sdk-ts';
import { startReferenceServer } from '../../src/server/index.js';

type Server = Awaited<ReturnType<typeof startReferenceServer>>;
const root = fileURLToPath(new URL('../../', import.meta.url));
let server: Server;

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, flushIntervalMs: 50 });
});
afterAll(() => server.stop());

function settings(extra: Settings = {}): Settings {
  const u = server.url;
  return { url_app: u, url_api: u, url_ingest: u, url_py: u, _auth: server.key, x_retry_wait_scale: 0.001, x_log_level: 30, x_sync_start_delay_seconds: 0, ...extra };
}

/** The ```ts block of src/sdk/README.md, importing the package from its sources. */
function readmeExample(): string {
  const md = readFileSync(path.join(root, 'src/sdk/README.md'), 'utf8');
  const block = /## Ten lines\s+```ts\n([\s\S]*?)```/.exec(md)?.[1];
  if (!block) throw new Error('README has no ten-line example');
  return block.replace("from '@mlop/sdk-ts'", `from '${path.join(root, 'src/sdk/index.ts')}'`);
}

describe('the README example', () => {
  it('is ten lines and stores every row it delivered on the reference server', async () => {
    const code = readmeExample();
    expect(code.trim().split('\n').length).toBeLessThanOrEqual(10);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sdk-readme-'));
    const file = path.join(dir, 'example.mts');
    writeFileSync(file, code);
    const u = server.url;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...process.env, PLUTO_API_KEY: server.key, PLUTO_URL_APP: u, PLUTO_URL_API: u, PLUTO_URL_INGEST: u, PLUTO_URL_PY: u },
      timeout: 60_000,
    });
    const delivery = JSON.parse(stdout.trim().split('\n').at(-1)!) as { logged: number; acked: number; failed: number; pending: number; ackedRows: number };
    expect(delivery.failed).toBe(0);
    expect(delivery.pending).toBe(0);
    await server.flush();
    const runs = server.runs('demo');
    expect(runs).toHaveLength(1);
    const t = runs[0].tables;
    const stored = (t.mlop_metrics?.rows ?? 0) + (t.mlop_logs?.rows ?? 0) + (t.mlop_data?.rows ?? 0) + (t.mlop_files?.rows ?? 0);
    expect(stored).toBe(delivery.ackedRows);
    const id = runs[0].runId;
    const metrics = server.rows(id, 'mlop_metrics', 'demo') as { logName: string; value: number; step: number }[];
    expect(metrics.filter((r) => r.logName.startsWith('train/')).map((r) => [r.logName, r.value, r.step])).toEqual([['train/loss', 0.42, 1], ['train/acc', 0.91, 1]]);
    const data = server.rows(id, 'mlop_data', 'demo') as { logName: string; dataType: string; step: number }[];
    expect(data.map((r) => [r.logName, r.dataType, r.step])).toEqual([['phase', 'string-series', 2], ['grad/hist', 'HISTOGRAM', 2]]);
    const logs = server.rows(id, 'mlop_logs', 'demo') as { message: string; lineNumber: number; logType: string }[];
    expect(logs.filter((r) => r.logType === 'INFO').map((r) => [r.message, r.lineNumber, r.logType])).toEqual([['epoch 1 done', 1, 'INFO'], ['epoch 2 done', 2, 'INFO']]);
    // the SDK's own start-up lines reach storage as stderr lines, as the real SDK's capture uploads them
    const sdkLines = logs.filter((r) => r.logType === 'ERROR').map((r) => r.message);
    expect(sdkLines[0]).toMatch(/^pluto: 🚀 \d\d:\d\d:\d\d \| Started sync process \(PID: \d+\)$/);
    expect(sdkLines[1]).toMatch(/^pluto: 🚀 \d\d:\d\d:\d\d \| Operation: View run .+ at .+$/);
    const files = server.rows(id, 'mlop_files', 'demo') as { logName: string; fileType: string; fileSize: number; step: number }[];
    expect(files.map((r) => [r.logName, r.fileType, r.fileSize, r.step])).toEqual([['report', 'txt', 5, 3]]);
    expect(server.stats().objects.count).toBe(1);
  });
});

describe('faults on the reference server', () => {
  it('every record arrives exactly once through injected 500s, 429s and resets once the server recovers', async () => {
    const run = await init({ project: 'faults', name: 'f1', settings: settings({ disable_system_metrics: true, sync_process_flush_interval: 0.05 }) });
    server.setFaults({ errorRate: 0.3, errorStatus: 500, resetRate: 0.1, seed: 7 });
    for (let i = 0; i < 200; i++) {
      await run.log({ a: i, b: -i, c: i / 3 });
      if (i === 100) server.setFaults({ errorRate: 0.3, errorStatus: 429, seed: 8 });
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 60));
    }
    await new Promise((r) => setTimeout(r, 300));
    server.setFaults({});
    await run.finish();
    expect(run.delivery()).toMatchObject({ logged: 200, acked: 200, failed: 0, pending: 0, ackedRows: 600 });
    await server.flush();
    const t = server.runs('faults').find((r) => r.runId === run.id)!.tables.mlop_metrics!;
    expect(t).toEqual({ rows: 600, distinct: 600 });
    const faulted = Object.entries(server.stats().requests).filter(([k]) => k.startsWith('POST /ingest/metrics'));
    for (const status of [' 500', ' 429', ' 0']) expect(faulted.some(([k, n]) => k.endsWith(status) && n > 0), status).toBe(true);
  });

  it('records FAILED when the ingest never recovers are counted, and finish still returns', async () => {
    const run = await init({ project: 'faults', name: 'f2', settings: settings({ disable_system_metrics: true, sync_process_flush_interval: 0.02, sync_process_shutdown_timeout: 5 }) });
    server.setFaults({ errorRate: 1, errorStatus: 503 });
    run.log({ a: 1 });
    run.log({ a: 2 });
    await run.finish();
    server.setFaults({});
    expect(run.delivery()).toMatchObject({ logged: 2, acked: 0, failed: 2, pending: 0 });
  });

  it('cancelRun makes the next heartbeat end the run with a "cancelled" event', async () => {
    const run = await init({ project: 'faults', name: 'f3', settings: settings({ disable_system_metrics: true, x_sys_sampling_interval: 0.05 }) });
    const cancelled = new Promise((r) => run.once('cancelled', r));
    server.cancelRun(run.id);
    await expect(cancelled).resolves.toEqual({ runId: run.id });
    await run.finish();
  });

  it('a rejected key is SdkAuthError at login and at init', async () => {
    await expect(login(settings({ _auth: 'mlps_not_a_known_key' }))).rejects.toBeInstanceOf(SdkAuthError);
    await expect(init({ project: 'faults', settings: settings({ _auth: 'mlps_not_a_known_key' }) })).rejects.toBeInstanceOf(SdkAuthError);
  });
});
