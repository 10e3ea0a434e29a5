/** HTTP plumbing (dispatcher, observer) and the Python-style JSON encoding of values. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, type Dispatcher } from 'undici';
import { Histogram, init, type RequestExchange } from '@mlop/sdk-ts';
import { RecordingServer } from './recording-server.js';
import { ndjsonLines } from './wire-helpers.js';

const srv = new RecordingServer();
beforeAll(() => srv.start());
afterAll(() => srv.stop());

class CountingAgent extends Agent {
  calls = 0;
  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.calls++;
    return super.dispatch(opts, handler);
  }
}

describe('HTTP plumbing', () => {
  it('sends every request through settings.dispatcher when one is given', async () => {
    srv.requests.length = 0;
    const agent = new CountingAgent();
    const run = await init({ project: 'p', settings: { ...srv.settings(), x_log_level: 30, x_sync_start_delay_seconds: 0, dispatcher: agent, disable_system_metrics: true, sync_process_flush_interval: 0.05 } });
    await run.log({ a: 1 });
    await run.finish();
    expect(agent.calls).toBe(srv.requests.length);
    expect(agent.calls).toBeGreaterThanOrEqual(6); // slug, create, trigger, logName, metrics, status
    await agent.close();
  });

  it('runs in one process share keep-alive connections of the default dispatcher', async () => {
    srv.requests.length = 0;
    const before = srv.connectionCount;
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      init({ project: 'p', name: `share-${i}`, settings: { ...srv.settings(), x_log_level: 30, x_sync_start_delay_seconds: 0, disable_system_metrics: true, sync_process_flush_interval: 0.05 } })));
    for (let k = 0; k < 5; k++) {
      for (const r of runs) r.log({ a: k });
      await new Promise((res) => setTimeout(res, 60));
    }
    await Promise.all(runs.map((r) => r.finish()));
    const connections = srv.connectionCount - before;
    expect(srv.requests.length).toBeGreaterThan(150);
    expect(connections).toBeLessThanOrEqual(64);
    expect(connections).toBeLessThan(srv.requests.length / 3);
  });

  it('reports each exchange to the observer with route, status, bytes and attempt', async () => {
    srv.requests.length = 0;
    let n = 0;
    srv.override = (r) => (r.path === '/ingest/metrics' && ++n === 1 ? { status: 503, body: 'busy' } : undefined);
    const seen: RequestExchange[] = [];
    const run = await init({ project: 'p', settings: { ...srv.settings(), x_log_level: 30, x_sync_start_delay_seconds: 0, disable_system_metrics: true, sync_process_flush_interval: 0.05, x_retry_wait_scale: 0.001, observer: { onRequest: (e) => seen.push(e) } } });
    await run.log({ a: 1 });
    await run.finish();
    srv.override = undefined;
    const metrics = seen.filter((e) => e.name === 'POST /ingest/metrics');
    expect(metrics.map((e) => [e.method, e.route, e.status, e.attempt])).toEqual([['POST', '/ingest/metrics', 503, 1], ['POST', '/ingest/metrics', 200, 2]]);
    expect(metrics[0].error).toBe('HTTP 503');
    expect(metrics[1].error).toBeUndefined();
    const sent = srv.byPath('/ingest/metrics')[1];
    expect(metrics[1].requestBytes).toBe(sent.body.byteLength);
    expect(metrics[1].responseBytes).toBe(Buffer.byteLength('Stream processed successfully: 1 records'));
    expect(metrics[1].durationMs).toBeGreaterThan(0);
    expect(seen.map((e) => e.name)).toEqual(expect.arrayContaining(['POST /api/slug', 'POST /api/runs/create', 'POST /api/runs/trigger', 'POST /api/runs/logName/add', 'POST /api/runs/status/update']));
  });
});

describe('encoding', () => {
  it('writes JSON like Python json.dumps: ", " and ": " separators, \\uXXXX escapes', async () => {
    srv.requests.length = 0;
    const run = await init({ project: 'p', name: 'enc', settings: { ...srv.settings(), x_log_level: 30, x_sync_start_delay_seconds: 0, disable_system_metrics: true, sync_process_flush_interval: 0.05 } });
    await run.log({ note: 'héllo 🚀', 'x/y': 0.5 });
    run.console.write('stdout', 'naïve\n');
    await run.finish();
    const data = srv.byPath('/ingest/data')[0].text;
    expect(data).toContain('"data": "h\\u00e9llo \\ud83d\\ude80"');
    expect(ndjsonLines(data)[0].data).toBe('héllo 🚀');
    expect(srv.byPath('/ingest/metrics')[0].text).toMatch(/^\{"time": \d+, "step": 1, "data": \{"x\/y": 0\.5\}\}\n$/);
    expect(srv.byPath('/ingest/logs')[0].text).toContain('"message": "na\\u00efve", "lineNumber": 1, "logType": "INFO"}');
    expect(srv.byPath('/api/runs/status/update')[0].text).toBe('{"runId": 1000, "status": "COMPLETED", "statusMetadata": null, "statusUpdated": null}');
  });

  it('Histogram from counts and bin edges is "uniform" with min/max/num, "generic" when the edges do not fit', () => {
    // data.py: bins not an int and len(data) == 2 → shape 'uniform' when len(freq) + 1 == len(bins)
    expect(new Histogram([[1, 2], [0, 0.5, 2]], null).toDict()).toEqual({ freq: [1, 2], maxFreq: 2, bins: { min: 0, max: 2, num: 2 }, shape: 'uniform', type: 'Histogram', v: 1 });
    expect(new Histogram({ freq: [1, 2], bins: [0, 1] }).toDict()).toEqual({ freq: [1, 2], bins: [0, 1], shape: 'generic', type: 'Histogram', v: 1 });
  });
});
