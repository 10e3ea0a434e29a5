/**
 * The live page of an SDK run (the default scenario, embedded server): while it goes the page
 * has the SDK's E2E entries in its latency picker and tables, the delivery audit's running counts
 * with records in flight (not a failed gate), and the gates as they stand; at the end latest.json
 * has the audit proper.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, tempDir } from './cli-process.js';
import { freePort } from './web-helpers.js';

let dir = '';
beforeAll(() => {
  ensureBuilt();
  dir = tempDir('mlop-sim-web-sdk-');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('--web with the sdk scenario', () => {
  it('shows E2E entries, the running delivery counts and the gates while the run goes', async () => {
    const port = await freePort();
    const reports = join(dir, 'reports');
    let stdout = '';
    const cli = runCli(['-u', '4', '-t', '10s', '--web', '--web-port', String(port), '--autoquit', '0', '--report-dir', reports], { onStdout: (all) => (stdout = all) });
    const t0 = Date.now();
    while (!/\[\s+4s\]/.test(stdout)) {
      if (Date.now() - t0 > 60_000) throw new Error(`no live line: ${stdout}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const res = await fetch(`http://127.0.0.1:${port}/events`);
    const reader = res.body!.getReader();
    let text = '';
    let m: RegExpExecArray | null = null;
    while (!(m = /event: update\ndata: (.*)\n\n/.exec(text))) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const update = JSON.parse(m[1]!) as { main: string; data: string };
    const history = JSON.parse(update.data).history as Record<string, unknown[]>;
    expect(Object.keys(history)).toContain('E2E log→ack');
    expect(update.main).toContain('RUNNING');
    expect(update.main).toMatch(/the gates as they stand now: passing/);
    expect(update.main).toMatch(/Delivery so far over 4 runs: \d+ records logged, \d+ acked, 0 failed, \d+ in flight/);
    const r = await cli;
    expect(r.code).toBe(0);
    const latest = JSON.parse(await readFile(join(reports, 'latest.json'), 'utf8'));
    expect(latest.audit.pass).toBe(true);
    expect(latest.audit.totals.pending).toBe(0);
    expect(latest.control).toBeUndefined();
  }, 90_000);
});
