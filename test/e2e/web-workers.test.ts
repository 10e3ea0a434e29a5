/**
 * The live page under --workers 2 (the coordinator serves it from the merged reports): the page
 * shows every worker's users and a growing history, "set users" is refused with the reason, stop
 * stops every worker as Ctrl+C does, and the result records both.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, tempDir } from './cli-process.js';
import { freePort } from './web-helpers.js';

let dir = '';
beforeAll(() => {
  ensureBuilt();
  dir = tempDir('mlop-sim-web-workers-');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The first `update` event of the stream, parsed. */
async function firstUpdate(url: string): Promise<{ users: number; data: string; status: string }> {
  const res = await fetch(`${url}events`);
  const reader = res.body!.getReader();
  let text = '';
  for (;;) {
    text += new TextDecoder().decode((await reader.read()).value);
    const m = /event: update\ndata: (.*)\n\n/.exec(text);
    if (m) {
      await reader.cancel();
      return JSON.parse(m[1]!);
    }
  }
}

describe('--web with --workers 2', () => {
  it('shows the merged run, refuses live changes with the reason, and stops every worker', async () => {
    const port = await freePort();
    const reports = join(dir, 'reports');
    let stdout = '';
    const cli = runCli(['-u', '4', '-t', '60s', '--scenario', 'http', '--workers', '2', '--web', '--web-port', String(port), '--autoquit', '0', '--report-dir', reports],
      { timeoutMs: 90_000, onStdout: (all) => (stdout = all) });
    const url = `http://127.0.0.1:${port}/`;
    const t0 = Date.now();
    while (!/\[\s+4s\]/.test(stdout)) {
      if (Date.now() - t0 > 60_000) throw new Error(`no live line: ${stdout}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const update = await firstUpdate(url);
    expect(update.users).toBe(4);
    const history = JSON.parse(update.data).history.Aggregated as { requests: number }[];
    expect(history.length).toBeGreaterThanOrEqual(2);
    expect(history.reduce((n, p) => n + p.requests, 0)).toBeGreaterThan(0);

    const page = await (await fetch(url)).text();
    const token = /data-token="([0-9a-f]+)"/.exec(page)![1]!;
    const post = async (path: string, body: unknown): Promise<{ applied: boolean; reason?: string }> =>
      (await fetch(`${url}api/${path}`, { method: 'POST', headers: { 'x-mlop-sim-token': token, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as never;
    expect(await post('users', { users: 2 })).toEqual({ applied: false, reason: expect.stringContaining('under --workers the page can stop the run') });
    expect((await post('stop', {})).applied).toBe(true);
    const r = await cli;
    expect(r.code).toBe(130);
    const latest = JSON.parse(await readFile(join(reports, 'latest.json'), 'utf8'));
    expect(latest.interrupted).toBe(true);
    expect(latest.control.map((c: { action: string; applied: boolean }) => [c.action, c.applied])).toEqual([['set-users', false], ['stop', true]]);
    expect(latest.durationS).toBeLessThan(30);
  }, 120_000);
});
