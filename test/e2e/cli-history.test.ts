/**
 * `mlop-sim history` end to end: real runs of the CLI against its embedded server are added
 * one by one (8 at 5 ms server latency, then 4 at 50 ms), `history check` passes before the
 * slowdown and fails (exit 1) after it, naming the first slow run, and `history show` prints the
 * series and writes the HTML page with the change point marked. A file that is not a history
 * or not a result is refused with exit 2.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, ensureBuilt, runCli, tempDir } from './cli-process.js';

beforeAll(() => ensureBuilt(), 120_000);

describe('mlop-sim history', () => {
  it('adds real runs, checks them (pass, then exit 1 after a slowdown) and shows them', async () => {
    const d = tempDir();
    const store = join(d, 'history.jsonl');
    const env = cleanEnv({ GITHUB_SHA: 'feedc0ffee0123456789' });
    const run = async (i: number, latency: string): Promise<void> => {
      const reports = join(d, `run-${i}`);
      const r = await runCli(['--scenario', 'http', '-u', '4', '-t', '1s', '--wait', '0', '--server-latency', latency, '--seed', String(i), '--quiet', '--report-dir', reports], { env });
      expect(r.code, r.stderr).toBe(0);
      const added = await runCli(['history', 'add', join(reports, 'latest.json'), '--store', store, ...(i === 0 ? [] : ['--label', `run-${i + 1}`])], { env });
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout).toContain(`${i + 1} result${i === 0 ? '' : 's'} in all`);
    };
    for (let i = 0; i < 8; i++) await run(i, '5ms');
    // The first result got the commit as its label (GITHUB_SHA, 12 characters).
    expect(JSON.parse(readFileSync(store, 'utf8').split('\n')[0]).label).toBe('feedc0ffee01');

    // One series at the test's smallest p-value (no permutation as extreme): a false alarm here is ≤ 0.5 %.
    const steady = await runCli(['history', 'check', '--store', store, '--window', '4', '--entry', 'Aggregated', '--metric', 'p50_ms', '--max-pvalue', '0.005'], { env });
    expect(steady.stderr).toBe('');
    expect(steady.code).toBe(0);
    expect(steady.stdout).toContain('PASS: no regression starts within the last 4 results');

    for (let i = 8; i < 12; i++) await run(i, '50ms');
    const slow = await runCli(['history', 'check', '--store', store, '--window', '4', '--entry', 'Aggregated'], { env });
    expect(slow.code).toBe(1);
    // Which of the shifted figures reach significance with 4 results after the change varies with
    // the permutations (with 8 + 4 results, p = 0.005 or 0.01 is as low as it can go); all of
    // Aggregated's latencies moved 10x and its throughput fell, so at least one of them does.
    expect(slow.stdout).toMatch(/✗ Aggregated (p50|p95|p99|rps): regression at result 9 \(run-9\), [\d.]+ (ms|\/s) → [\d.]+ (ms|\/s) \([+-]\d+\.\d %, p = 0\.0\d\d\)/);
    expect(slow.stdout).toMatch(/FAIL: a regression starts within the last 4 results: Aggregated (p\d+|rps) [+-]\d+\.\d % at result 9 \(run-9\)/);
    // Outside the window it is reported but does not fail the check.
    const old = await runCli(['history', 'check', '--store', store, '--window', '3', '--entry', 'Aggregated'], { env });
    expect(old.code).toBe(0);
    expect(old.stdout).toContain('regression at result 9 (run-9)');

    const shown = await runCli(['history', 'show', '--store', store, '--entry', 'Aggregated'], { env });
    expect(shown.code).toBe(0);
    expect(shown.stdout.split('\n').find((l) => l.startsWith('9 '))).toMatch(/run-9 .*▲ (p50|p95|p99|rps) [+-]/);
    const html = join(d, 'history.html');
    const page = await runCli(['history', 'show', '--store', store, '--html', html], { env });
    expect(page.code).toBe(0);
    expect(page.stdout).toBe(`mlop-sim: wrote ${html}\n`);
    expect(readFileSync(html, 'utf8')).toMatch(/class="change-point regression" data-metric="\w+" data-result="9"/);
  }, 240_000);

  it('refuses a store that is not a history and a result that is not a latest.json (exit 2, one sentence)', async () => {
    const d = tempDir();
    const bad = join(d, 'h.jsonl');
    writeFileSync(bad, '{"format":"mlop-sim-history/1"}\n');
    const r = await runCli(['history', 'check', '--store', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`mlop-sim: ${bad} is not a history store: line 1 is not a history record (no "time").\n`);
    const notResult = join(d, 'x.json');
    writeFileSync(notResult, '[1, 2]');
    const a = await runCli(['history', 'add', notResult, '--store', join(d, 'ok.jsonl')]);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(`mlop-sim: ${notResult} is not a latest.json of mlop-sim (not a JSON object).\n`);
    const w = await runCli(['history', 'check', '--store', bad, '--window', '0']);
    expect(w.code).toBe(2);
    expect(w.stderr).toContain('--window must be a whole number of results, at least 1 (got 0).');
  });
});
