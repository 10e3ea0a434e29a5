/**
 * `run._log` against pluto 0.0.28's capture (real-sdk-traces/main.jsonl: 20 log() calls and a
 * `_log` every 3rd step, yet no `_log` line and no `_log` name on the wire). With
 * `x_explicit_log_upload: false` our SDK sends what 0.0.28 sent; by default it uploads `_log`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, login } from '@mlop/sdk-ts';
import { RecordingServer } from './recording-server.js';
import { loadTrace, ndjsonLines, parsePy } from './wire-helpers.js';

const main = loadTrace('main');
const fast = { sync_process_flush_interval: 0.1, x_retry_wait_scale: 0.001, disable_system_metrics: true, disable_console: true };
const userLines = main.filter((r) => r.path === '/ingest/metrics').flatMap((r) => ndjsonLines(r.body)).filter((l) => 'train/loss' in (l.data as object));

/** The captured job: log() every step; _log() of two batch keys at the same step every 3rd step. */
async function runJob(srv: RecordingServer, explicitUpload: boolean | undefined): Promise<void> {
  await login(srv.settings());
  const settings = { ...srv.settings(), ...fast, ...(explicitUpload === undefined ? {} : { x_explicit_log_upload: explicitUpload }) };
  const run = await init({ project: 'load-test-project', name: 'load-test-run-1', config: {}, settings });
  for (const line of userLines) {
    await run.log(line.data as Record<string, number>);
    const step = line.step as number;
    if (step % 3 === 0) await run._log({ 'batch/loss': 0.5, 'batch/size': 64 }, step, Date.now() / 1000);
  }
  await new Promise((r) => setTimeout(r, 700));
  await run.finish();
}

const sent = (srv: RecordingServer) => srv.byPath('/ingest/metrics').flatMap((r) => ndjsonLines(r.text));
const registered = (srv: RecordingServer) => srv.byPath('/api/runs/logName/add').flatMap((r) => (parsePy(r.text) as { logName: string[] }).logName);

describe('x_explicit_log_upload: false (pluto 0.0.28)', () => {
  const srv = new RecordingServer();
  beforeAll(async () => {
    await srv.start();
    await runJob(srv, false);
  });
  afterAll(() => srv.stop());

  it('sends the captured user lines, steps 1–20, and no _log line', () => {
    expect(sent(srv).map((l) => ({ step: l.step, data: l.data }))).toEqual(userLines.map((l) => ({ step: l.step, data: l.data })));
  });

  it('registers only the names log() used, as the capture shows', () => {
    const theirs = main.filter((r) => r.path === '/api/runs/logName/add').map((r) => parsePy(r.body) as { logName: string[] });
    expect(registered(srv)).toEqual(theirs[1].logName);
  });
});

describe('x_explicit_log_upload default (true): _log uploads like log()', () => {
  const srv = new RecordingServer();
  beforeAll(async () => {
    await srv.start();
    await runJob(srv, undefined);
  });
  afterAll(() => srv.stop());

  it('sends one batch line at each 3rd step with its explicit step, and registers its names', () => {
    const batch = sent(srv).filter((l) => 'batch/loss' in (l.data as object));
    expect(batch.map((l) => l.step)).toEqual([3, 6, 9, 12, 15, 18]);
    expect(registered(srv)).toEqual(expect.arrayContaining(['batch/loss', 'batch/size']));
  });
});
