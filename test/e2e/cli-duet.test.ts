/**
 * Duet runs (docs/cli.md "Duet runs"): the same users drive two embedded servers at the same
 * moments; each side keeps its own figures, runs and audits; a side that is down or rejects the
 * key stops the run at the start naming the side (exit 3); what a duet cannot be combined with is
 * refused in one sentence (exit 2).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SimulationResult } from '../../src/index.js';
import { cleanEnv, ensureBuilt, runCli, tempDir } from './cli-process.js';
import { startServe } from './serve-process.js';

beforeAll(() => ensureBuilt());

const readLatest = (dir: string): SimulationResult => JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as SimulationResult;

describe('mlop-sim --duet-*', () => {
  it('http: both sides get the same users in turn, and each side shows only its own latency', async () => {
    const dir = tempDir();
    const r = await runCli(['--scenario', 'http', '-u', '4', '-t', '4s', '--seed', '3', '--server-latency', '10ms', '--duet-server-latency', '30ms', '--report-dir', dir], { timeoutMs: 60_000 });
    // B is three times slower: the duet's verdict fails the run.
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^Duet: A http:\/\/127\.0\.0\.1:\d+ \(baseline\) and B http:\/\/127\.0\.0\.1:\d+ \(candidate\)/m);
    const latest = readLatest(dir);
    const { a, b } = latest.duet!;
    expect(a.target.ingestUrl).not.toBe(b.target.ingestUrl);
    // Never mixed: A's requests saw ~10 ms, every B request at least 30 ms (a B request counted on
    // A would put a tenth of A's requests above 28 ms; the generator's own delays stay below that).
    expect(a.aggregated.percentiles.p90).toBeLessThan(28);
    expect(b.aggregated.minMs).toBeGreaterThanOrEqual(29.5);
    // The same users took turns (ABBA): the sides' request counts differ by at most a turn per user.
    expect(Math.abs(a.aggregated.count - b.aggregated.count)).toBeLessThanOrEqual(2 * 4);
    // The result's own figures are the candidate's.
    expect(latest.p50_ms).toBe(b.p50_ms);
    expect(latest.target.ingestUrl).toBe(b.target.ingestUrl);
  }, 90_000);

  it('sdk: the runs split between the sides, each audited on its own server', async () => {
    const dir = tempDir();
    const r = await runCli(['-u', '4', '-t', '4s', '--seed', '4', '--duet-server-latency', '20ms', '--report-dir', dir, '-q'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const { a, b } = readLatest(dir).duet!;
    expect(a.audit!.runs).toHaveLength(2);
    expect(b.audit!.runs).toHaveLength(2);
    for (const side of [a, b]) {
      expect(side.audit!.storage).toBe('checked');
      expect(side.audit!.totals.lostRows).toBe(0);
    }
    // Each user's run went to one side: no run name (one per user) on both.
    const names = (s: typeof a): string[] => s.audit!.runs.map((x) => x.runName);
    expect(names(a).filter((n) => names(b).includes(n))).toEqual([]);
  }, 90_000);

  it("the regression issue's doubled ingest latency, as a 20 s sdk duet: exit 1 naming an SDK HTTP entry; an A/A duet passes", async () => {
    const slower = tempDir();
    const r = await runCli(['-u', '20', '-t', '20s', '--seed', '3', '--server-latency', '20ms', '--duet-server-latency', '40ms', '--report-dir', slower, '-q'], { timeoutMs: 90_000 });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/duet: side B against side A: regression beyond the \+1\.0 % minimum effect: .*(SDK HTTP \(all\)|POST \/ingest\/)/);
    const verdict = readLatest(slower).duet!.verdict!;
    expect(verdict.outcome).toBe('regression');
    const same = tempDir();
    const aa = await runCli(['--scenario', 'http', '-u', '10', '-t', '10s', '--seed', '5', '--server-latency', '20ms', '--duet-server-latency', '20ms', '--report-dir', same, '-q'], { timeoutMs: 90_000 });
    expect(aa.code, aa.stdout + aa.stderr).toBe(0);
    expect(readLatest(same).duet!.verdict!.outcome).not.toBe('regression');
  }, 120_000);

  it('a candidate that is down or rejects the key stops the run at the start, naming side B (exit 3)', async () => {
    const down = await runCli(['--scenario', 'http', '-u', '1', '-t', '2s', '--duet-host', 'http://127.0.0.1:9', '--duet-key', 'mlps_some_key_1', '--report-dir', tempDir()], { timeoutMs: 30_000 });
    expect(down.code).toBe(3);
    expect(down.stderr.trim().split('\n').at(-1)).toMatch(/^mlop-sim: the candidate side B: .*127\.0\.0\.1:9/);
    expect(down.stderr).not.toContain('mlps_some_key_1');
    // B is a real server (`mlop-sim serve`) that does not know the key given for it.
    const serve = startServe([]);
    try {
      const url = await serve.url;
      const rejected = await runCli(['--scenario', 'http', '-u', '1', '-t', '2s', '--duet-host', url, '--duet-key', 'mlps_wrong_key_123', '--report-dir', tempDir()], { timeoutMs: 30_000 });
      expect(rejected.code).toBe(3);
      expect(rejected.stderr.trim().split('\n').at(-1)).toMatch(/^mlop-sim: the candidate side B: .*(key|401)/);
      expect(rejected.stderr).not.toContain('mlps_wrong_key_123');
    } finally {
      serve.server.kill('SIGINT');
      await serve.closed;
    }
  }, 60_000);

  it('refuses what a duet cannot be combined with, in one sentence (exit 2)', async () => {
    for (const args of [
      ['--duet-server-latency', '20ms', '--baseline', 'x.json'],
      ['--duet-server-latency', '20ms', '--workers', '2'],
      ['--host', 'http://127.0.0.1:9', '--duet-server-latency', '20ms'],
      ['--duet-host', 'http://127.0.0.1:9', '--duet-server-latency', '20ms'],
    ]) {
      const r = await runCli(['--scenario', 'http', '-u', '1', '-t', '1s', ...args, '--report-dir', tempDir()], { env: cleanEnv({ TEST_API_KEY: 'mlps_x' }), timeoutMs: 30_000 });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  }, 60_000);
});
