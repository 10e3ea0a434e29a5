/** The sync loop (§8.3–§8.6): cadence, batch size, grouping order, retries, FAILED, finish. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, type RecordSettled, type RequestExchange, type Settings } from '@mlop/sdk-ts';
import { RecordingServer } from './recording-server.js';
import { ndjsonLines, parsePy } from './wire-helpers.js';

const srv = new RecordingServer();
beforeAll(() => srv.start());
afterAll(() => srv.stop());

function base(extra: Settings = {}): Settings {
  return { ...srv.settings(), x_log_level: 30, x_sync_start_delay_seconds: 0, disable_system_metrics: true, x_retry_wait_scale: 0.001, sync_process_flush_interval: 0.05, ...extra };
}

function reset(): void {
  srv.requests.length = 0;
  srv.override = undefined;
}

/** Steps carried by metrics requests the server answered 200. */
function ackedSteps(): number[] {
  return srv.byPath('/ingest/metrics').filter((r) => r.status === 200).flatMap((r) => ndjsonLines(r.text).map((l) => l.step as number));
}

describe('cadence, batching and grouping', () => {
  it('uploads on the default 1 s cadence, not before', async () => {
    reset();
    const run = await init({ project: 'p', name: 'cadence', settings: { ...srv.settings(), disable_system_metrics: true } });
    const t0 = performance.now();
    run.log({ a: 1 });
    await srv.waitFor(() => srv.byPath('/ingest/metrics').length === 1, 5_000);
    const first = performance.now() - t0;
    run.log({ a: 2 });
    await srv.waitFor(() => srv.byPath('/ingest/metrics').length === 2, 5_000);
    const [m1, m2] = srv.byPath('/ingest/metrics');
    await run.finish();
    expect(first).toBeGreaterThan(800);
    expect(first).toBeLessThan(2_500);
    expect(m2.t - m1.t).toBeGreaterThan(800);
    expect(m2.t - m1.t).toBeLessThan(2_000);
  });

  it('starts uploading 1.35–1.65 s after create, as the real SDK whose sync process starts first', async () => {
    const gaps: number[] = [];
    for (let i = 0; i < 3; i++) {
      reset();
      const run = await init({ project: 'p', name: `start-${i}`, settings: { ...srv.settings(), disable_system_metrics: true, x_log_level: 30 } });
      run.log({ a: 1 });
      await srv.waitFor(() => srv.byPath('/ingest/metrics').length === 1, 5_000);
      gaps.push(srv.byPath('/ingest/metrics')[0].at - srv.byPath('/api/runs/create')[0].at);
      await run.finish();
    }
    for (const g of gaps) {
      expect(g).toBeGreaterThanOrEqual(1_350);
      expect(g).toBeLessThan(1_750); // 1.65 s plus loopback and timer slack
    }
    // a fixed delay of 0 leaves the flush interval alone
    reset();
    const run = await init({ project: 'p', name: 'start-0', settings: { ...srv.settings(), disable_system_metrics: true, x_log_level: 30, x_sync_start_delay_seconds: 0 } });
    run.log({ a: 1 });
    await srv.waitFor(() => srv.byPath('/ingest/metrics').length === 1, 5_000);
    const g0 = srv.byPath('/ingest/metrics')[0].at - srv.byPath('/api/runs/create')[0].at;
    await run.finish();
    expect(g0).toBeGreaterThanOrEqual(1_000);
    expect(g0).toBeLessThan(1_300);
  });

  it('takes at most 100 records a cycle, oldest first, each exactly once', async () => {
    reset();
    const run = await init({ project: 'p', name: 'batch', settings: base({ sync_process_flush_interval: 0.3 }) });
    for (let i = 0; i < 250; i++) run.log({ a: i });
    await run.finish();
    const bodies = srv.byPath('/ingest/metrics').map((r) => ndjsonLines(r.text).length);
    expect(bodies).toEqual([100, 100, 50]);
    expect(ackedSteps()).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(run.delivery()).toMatchObject({ logged: 250, acked: 250, failed: 0, pending: 0, ackedRows: 250 });
    expect(run.delivery().byKind.metric).toEqual({ logged: 250, acked: 250, failed: 0, pending: 0, ackedRows: 250 });
  });

  it('sends one POST per kind in the order metrics, config, tags, system, data, logs, then files', async () => {
    reset();
    const run = await init({
      project: 'p', name: 'groups', tags: ['t0'],
      settings: base({ disable_system_metrics: false, sync_process_flush_interval: 1, x_sys_sampling_interval: 60 }),
    });
    run.console.write('stderr', 'an error line\n');
    await run.log({ loss: 1, phase: 'a' });
    run.updateConfig({ lr: 0.1 });
    run.addTags(['t1']);
    run.log({ loss: 2 });
    await srv.waitFor(() => srv.byPath('/ingest/logs').length === 1, 5_000);
    await run.finish();
    const order = srv.requests
      .filter((r) => r.path.startsWith('/ingest/') || r.path.endsWith('/update'))
      .map((r) => (r.path === '/ingest/metrics' ? (r.text.includes('sys/') ? 'system' : 'metrics') : r.path));
    expect(order).toEqual(['metrics', '/api/runs/config/update', '/api/runs/tags/update', 'system', '/ingest/data', '/ingest/logs', '/api/runs/status/update']);
    expect(ndjsonLines(srv.byPath('/ingest/metrics')[0].text)).toHaveLength(2);
    expect(parsePy(srv.byPath('/api/runs/config/update')[0].text)).toEqual({ runId: 1000, config: '{"lr": 0.1}' });
    expect(parsePy(srv.byPath('/api/runs/tags/update')[0].text)).toEqual({ runId: 1000, tags: ['t0', 't1'] });
  });
});

describe('retries and failure', () => {
  it('delivers every record exactly once through 500s, 429s and connection resets', async () => {
    reset();
    let n = 0;
    srv.override = (r) => {
      if (r.path !== '/ingest/metrics') return undefined;
      n++;
      if (n <= 3) return { status: 500, body: '{"code":"INTERNAL_ERROR"}' };
      if (n <= 5) return { status: 429, body: '{"code":"RATE_LIMIT_EXCEEDED"}' };
      if (n <= 7) return 'reset';
      if (n % 3 === 0 && n < 30) return { status: 503, body: '' };
      return undefined;
    };
    const exchanges: RequestExchange[] = [];
    const run = await init({ project: 'p', name: 'retry', settings: base({ observer: { onRequest: (e) => exchanges.push(e) } }) });
    for (let i = 0; i < 120; i++) {
      run.log({ a: i });
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 20));
    }
    await run.finish();
    expect(ackedSteps().sort((a, b) => a - b)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(run.delivery()).toMatchObject({ acked: 120, failed: 0, pending: 0 });
    const ingest = exchanges.filter((e) => e.name === 'POST /ingest/metrics');
    expect(ingest.filter((e) => e.status === null).length).toBeGreaterThanOrEqual(2);
    expect(ingest.some((e) => e.attempt > 1)).toBe(true);
  });

  it('marks records FAILED after 5 failed cycles of 5 attempts, keeps counting them, never drops them silently', async () => {
    reset();
    srv.override = (r) => (r.path === '/ingest/metrics' ? { status: 500, body: 'down' } : undefined);
    const records: RecordSettled[] = [];
    const run = await init({ project: 'p', name: 'fail', settings: base({ sync_process_shutdown_timeout: 10, observer: { onRecord: (e) => records.push(e) } }) });
    run.log({ a: 1, b: 2 });
    run.log({ a: 3 });
    await srv.waitFor(() => run.delivery().failed === 2, 10_000);
    expect(srv.byPath('/ingest/metrics')).toHaveLength(25);
    expect(run.delivery()).toMatchObject({ logged: 2, acked: 0, failed: 2, pending: 0, ackedRows: 0 });
    expect(run.delivery().byKind.metric).toMatchObject({ logged: 2, failed: 2 });
    expect(records.map((r) => [r.kind, r.status, r.rows])).toEqual([['metric', 'failed', 2], ['metric', 'failed', 1]]);
    expect(records[0].error).toContain('500');
    await run.finish();
    expect(srv.byPath('/ingest/metrics')).toHaveLength(25);
  });

  it('treats 422 as permanent: one attempt per cycle, FAILED after 5 cycles', async () => {
    reset();
    srv.override = (r) => (r.path === '/ingest/metrics' ? { status: 422, body: '{"code":"PROCESSING_FAILED","message":"bad"}' } : undefined);
    const run = await init({ project: 'p', name: 'perm', settings: base() });
    run.log({ a: 1 });
    await srv.waitFor(() => run.delivery().failed === 1, 10_000);
    expect(srv.byPath('/ingest/metrics')).toHaveLength(5);
    await run.finish();
  });

  it('finish() drains what is pending, then sends the status once; a second finish is a no-op', async () => {
    reset();
    const settled: RecordSettled[] = [];
    const run = await init({ project: 'p', name: 'drain', settings: base({ sync_process_flush_interval: 0.5, observer: { onRecord: (e) => settled.push(e) } }) });
    for (let i = 0; i < 30; i++) run.log({ a: i, b: i });
    const p1 = run.finish('FAILED');
    const p2 = run.finish();
    await Promise.all([p1, p2]);
    expect(ackedSteps()).toHaveLength(30);
    const last = srv.requests.at(-1)!;
    expect(last.path).toBe('/api/runs/status/update');
    expect(parsePy(last.text)).toEqual({ runId: 1000, status: 'FAILED', statusMetadata: null, statusUpdated: null });
    expect(srv.byPath('/api/runs/status/update')).toHaveLength(1);
    expect(settled).toHaveLength(30);
    expect(settled.every((e) => e.status === 'acked' && e.rows === 2 && e.settledAt >= e.loggedAt)).toBe(true);
    expect(run.log({ a: 1 })).toBeUndefined();
  });

  it('close() drains without a status update', async () => {
    reset();
    const run = await init({ project: 'p', name: 'close', settings: base() });
    run.log({ a: 1 });
    await run.close();
    expect(ackedSteps()).toEqual([1]);
    expect(srv.byPath('/api/runs/status/update')).toHaveLength(0);
  });
});
