/** The /_sim/ control routes the simulator audits delivery with, and the worker-thread variant. */
import { describe, expect, it } from 'vitest';
import { startReferenceServer, startReferenceServerInWorker } from '../../src/server/index.js';
import { ingestHeaders, metricLine, send } from './client.js';

describe('control routes', () => {
  it('stats (with the reference marker), flush, runs per project, rows of a run', async () => {
    const s = await startReferenceServer({ flushIntervalMs: 60_000 });
    try {
      await send(s.url, 'POST', '/ingest/metrics', `${metricLine(1, { a: 1 })}\n${metricLine(2, { a: 2 })}`, ingestHeaders('12', 'ctl-p'));
      await send(s.url, 'POST', '/ingest/metrics', metricLine(1, { z: 1 }), ingestHeaders('13', 'other-p'));
      const before = (await send(s.url, 'GET', '/_sim/stats')).json<{ server: string; rowsQueued: Record<string, number>; rowsStored: Record<string, number> }>();
      expect(before.server).toBe('mlop-sim-reference');
      expect(before.rowsQueued.mlop_metrics).toBe(3);
      expect(before.rowsStored.mlop_metrics).toBe(0);
      expect((await send(s.url, 'POST', '/_sim/flush')).json()).toMatchObject({ ok: true, rowsQueued: 0 });
      expect((await send(s.url, 'GET', '/_sim/runs?project=ctl-p')).json()).toEqual({
        runs: [{ tenantId: 'org-loadtest', projectName: 'ctl-p', runId: 12, tables: { mlop_metrics: { rows: 2, distinct: 2 } } }],
      });
      expect((await send(s.url, 'GET', '/_sim/runs')).json<{ runs: unknown[] }>().runs).toHaveLength(2);
      const rows = (await send(s.url, 'GET', '/_sim/runs/12/rows?table=mlop_metrics&project=ctl-p')).json<{ rows: Array<{ step: number }> }>();
      expect(rows.rows.map((r) => r.step)).toEqual([1, 2]);
      expect((await send(s.url, 'GET', '/_sim/runs/12/rows?table=nope')).status).toBe(400);
      expect((await send(s.url, 'GET', '/_sim/unknown')).status).toBe(404);
      expect((await send(s.url, 'POST', '/_sim/stats')).status).toBe(405);
    } finally {
      await s.stop();
      await s.stop(); // idempotent
    }
  });

  it('a second server on a taken port fails with one clear sentence', async () => {
    const s = await startReferenceServer();
    try {
      await expect(startReferenceServer({ port: s.port })).rejects.toThrow(`Port ${s.port} on 127.0.0.1 is already in use.`);
    } finally {
      await s.stop();
    }
  });
});

describe('startReferenceServerInWorker', () => {
  it('starts in a worker thread, serves ingest and control routes, and stops', async () => {
    const w = await startReferenceServerInWorker({ flushIntervalMs: 60_000, keys: ['mlps_worker_extra_key_000000000'] });
    try {
      expect(w.url).toBe(`http://127.0.0.1:${w.port}`);
      expect(w.key).toBe('mlps_loadtest_deterministic_key_for_ci_load_tests_12345678');
      const a = await send(w.url, 'POST', '/ingest/metrics', metricLine(1, { a: 1, b: 2 }), ingestHeaders('5', 'w-p', 'mlps_worker_extra_key_000000000'));
      expect(a.text).toBe('Stream processed successfully: 2 records');
      await send(w.url, 'POST', '/_sim/flush');
      expect((await send(w.url, 'GET', '/_sim/runs?project=w-p')).json<{ runs: Array<{ runId: number }> }>().runs[0].runId).toBe(5);
    } finally {
      await w.stop();
    }
    await expect(send(w.url, 'GET', '/health')).rejects.toThrow();
  });

  it('reports a start failure as a rejected promise', async () => {
    const s = await startReferenceServer();
    try {
      await expect(startReferenceServerInWorker({ port: s.port })).rejects.toThrow('already in use');
    } finally {
      await s.stop();
    }
  });
});
