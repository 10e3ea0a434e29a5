/** System metrics and the heartbeat schedule (§10.1), the health line (§8.3). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, type Settings } from '@mlop/sdk-ts';
import { RecordingServer } from './recording-server.js';
import { ndjsonLines, parsePy } from './wire-helpers.js';

const srv = new RecordingServer();
beforeAll(() => srv.start());
afterAll(() => srv.stop());

function base(extra: Settings = {}): Settings {
  return { ...srv.settings(), x_log_level: 30, x_sync_start_delay_seconds: 0, sync_process_flush_interval: 0.05, x_retry_wait_scale: 0.001, ...extra };
}
function sysLines(runName: string): Record<string, unknown>[] {
  return srv.byPath('/ingest/metrics')
    .filter((r) => r.headers.some(([k, v]) => k === 'X-Run-Name' && v === runName))
    .flatMap((r) => ndjsonLines(r.text))
    .filter((l) => Object.keys(l.data as object).some((k) => k.startsWith('sys/')));
}

describe('system metrics', () => {
  it('samples at start and every interval on its own step counter, rates from the second sample', async () => {
    srv.requests.length = 0;
    const run = await init({ project: 'p', name: 'sys', settings: base({ x_sys_sampling_interval: 0.15 }) });
    run.log({ a: 1 }, { step: 50 });
    await srv.waitFor(() => sysLines('sys').length >= 3, 5_000);
    await run.finish();
    const lines = sysLines('sys');
    expect(lines.map((l) => l.step).slice(0, 3)).toEqual([1, 2, 3]);
    const first = Object.keys(lines[0].data as object);
    expect(first).toContain('sys/memory.used');
    expect(first).not.toContain('sys/network.bytes_sent.rate');
    expect(Object.keys(lines[1].data as object)).toContain('sys/network.bytes_sent.rate');
    for (const l of lines) for (const v of Object.values(l.data as object)) expect(Number.isFinite(v)).toBe(true);
    // heartbeats on the same schedule until finish() starts
    expect(srv.byPath('/api/runs/trigger').length).toBeGreaterThanOrEqual(3);
  });

  it('is off with disable_system_metrics: no names registered, no lines', async () => {
    srv.requests.length = 0;
    const run = await init({ project: 'p', name: 'nosys', settings: base({ disable_system_metrics: true, x_sys_sampling_interval: 0.05 }) });
    await new Promise((r) => setTimeout(r, 200));
    await run.finish();
    expect(srv.byPath('/api/runs/logName/add')).toHaveLength(0);
    expect(sysLines('nosys')).toHaveLength(0);
    expect(srv.byPath('/api/runs/trigger').length).toBeGreaterThanOrEqual(2); // the heartbeat stays
  });

  it('reads the machine once per interval for all runs of the process', async () => {
    srv.requests.length = 0;
    const runs = await Promise.all(['s1', 's2', 's3'].map((name) => init({ project: 'p', name, settings: base({ x_sys_sampling_interval: 30 }) })));
    await Promise.all(runs.map((r) => r.finish()));
    const firsts = ['s1', 's2', 's3'].map((n) => sysLines(n)[0].data);
    expect(firsts[1]).toEqual(firsts[0]);
    expect(firsts[2]).toEqual(firsts[0]);
  });

  it('sends the sys/pluto.* health line with step 0 on its interval', async () => {
    srv.requests.length = 0;
    const run = await init({ project: 'p', name: 'health', settings: base({ sync_process_health_interval: 0.1, x_sys_sampling_interval: 30 }) });
    run.log({ a: 1 });
    await srv.waitFor(() => sysLines('health').some((l) => l.step === 0), 5_000);
    await run.finish();
    const health = sysLines('health').find((l) => l.step === 0)!;
    const names = parsePy(srv.byPath('/api/runs/logName/add')[0].text) as { logName: string[] };
    const keys = Object.keys(health.data as object);
    expect([...keys].sort()).toEqual(names.logName.filter((n) => n.startsWith('sys/pluto.')).sort());
    expect(keys[0]).toBe('sys/pluto.lag_s'); // get_health_stats fills lag_s first
    // a POST of its own, not batched with the system metrics
    const own = srv.byPath('/ingest/metrics').find((r) => r.text.includes('sys/pluto.lag_s'))!;
    expect(ndjsonLines(own.text)).toHaveLength(1);
    expect(run.delivery()).toMatchObject({ failed: 0, pending: 0 });
    // the system samples and the health line count as system records; the user's line as a metric
    const k = run.delivery().byKind;
    expect(k.metric).toMatchObject({ logged: 1, acked: 1, ackedRows: 1 });
    expect(k.system.acked).toBeGreaterThanOrEqual(2);
    expect(k.system.ackedRows).toBeGreaterThanOrEqual(13 + 7);
  });
});
