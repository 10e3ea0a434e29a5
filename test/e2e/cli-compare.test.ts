/**
 * End-to-end, the real CLI against the real embedded server (issue 20): the regression verdict
 * sees the doubled ingest latency the seed's keys hid, `compare` says the same, and each bad
 * input is one sentence and exit 2.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, tempDir, type CliOutcome } from './cli-process.js';

beforeAll(() => ensureBuilt(), 120_000);

function oneSentence(r: CliOutcome): string {
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^mlop-sim: .+[.)]$/);
  return lines[0];
}

describe('the doubled-latency sdk case (issue 20)', () => {
  const dir = tempDir('mlop-sim-compare-');
  const base = join(dir, 'base', 'latest.json');
  const cand = join(dir, 'cand', 'latest.json');

  it('--baseline: exit 1 naming an SDK HTTP entry; the seed rule printed beside, still passing', async () => {
    const a = await runCli(['-u', '20', '-t', '20s', '--seed', '3', '--server-latency', '20ms', '--report-dir', join(dir, 'base')], { timeoutMs: 90_000 });
    expect(a.code, a.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(base, 'utf8'));
    expect(Object.keys(saved).slice(0, 6)).toEqual(['p50_ms', 'p95_ms', 'p99_ms', 'error_rate', 'total_requests', 'rps']);
    expect(saved.distributions.version).toBe(1);
    expect(saved.distributions.entries['SDK HTTP (all)'].windows.length).toBeGreaterThanOrEqual(4);
    expect(saved.distributions.entries['POST /ingest/metrics'].count).toBeGreaterThan(100);

    const b = await runCli(['-u', '20', '-t', '20s', '--seed', '3', '--server-latency', '40ms', '--baseline', base, '--report-dir', join(dir, 'cand')], { timeoutMs: 90_000 });
    expect(b.code, b.stdout + b.stderr).toBe(1);
    // The typical SDK request over all its routes, and an SDK HTTP entry's quantile among the three named.
    expect(b.stdout).toMatch(/FAIL: regression beyond the \+3\.0 % minimum effect: [^\n]*All routes typical [\d.]+ → [\d.]+ ms/);
    expect(b.stdout).toMatch(/FAIL: regression beyond the \+3\.0 % minimum effect: [^\n]*(SDK HTTP \(all\)|POST \/ingest\/\w+) p\d\d/);
    expect(b.stdout).toMatch(/seed rule \(\+20% p95\/p99, \+0\.05 error rate; does not decide here\): pass/);
    const result = JSON.parse(readFileSync(cand, 'utf8'));
    expect(result.verdict.outcome).toBe('regression');
    expect(result.baseline.pass).toBe(true);
    expect(result.reasons.join(' ')).toMatch(/SDK HTTP \(all\)|POST \/ingest/);
  }, 200_000);

  it('--baseline-rule seed: the seed rule decides (exit 0 here), no verdict', async () => {
    const r = await runCli(['-u', '20', '-t', '5s', '--seed', '3', '--server-latency', '40ms', '--baseline', base, '--baseline-rule', 'seed', '--report-dir', join(dir, 'seed')], { timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'seed', 'latest.json'), 'utf8')).verdict).toBeUndefined();
  }, 90_000);

  it('a baseline without distributions falls back to the seed rule with a one-line warning', async () => {
    const old = JSON.parse(readFileSync(base, 'utf8'));
    delete old.distributions;
    const oldFile = join(dir, 'old.json');
    writeFileSync(oldFile, JSON.stringify(old));
    const r = await runCli(['-u', '20', '-t', '5s', '--seed', '3', '--server-latency', '20ms', '--baseline', oldFile, '--report-dir', join(dir, 'old')], { timeoutMs: 60_000 });
    expect(r.stdout).toMatch(/WARNING: baseline .*old\.json: judged by the seed's rule \(\+20 % p95\/p99, \+0\.05 error rate\) because it has no distributions/);
  }, 90_000);

  it('compare BASE CAND: the same verdict, exit 1; --json; --html draws the intervals; A against itself passes', async () => {
    const r = await runCli(['compare', base, cand]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/REGRESSION/);
    const j = await runCli(['compare', base, cand, '--json', '--html', join(dir, 'v.html')]);
    expect(j.code).toBe(1);
    const v = JSON.parse(j.stdout);
    expect(v.outcome).toBe('regression');
    expect(v.tests.some((t: { entry: string; outcome: string }) => /SDK HTTP|ingest/.test(t.entry) && t.outcome === 'regression')).toBe(true);
    const html = readFileSync(join(dir, 'v.html'), 'utf8');
    expect(html).toMatch(/<svg id="verdict-intervals"/);
    expect((html.match(/<g class="interval" data-outcome="regression"/g) ?? []).length).toBeGreaterThan(0);
    const same = await runCli(['compare', base, base]);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/PASS: no change beyond ±\d+\.\d % \(95 %\)|INCONCLUSIVE: /);
  }, 60_000);

  it('bad input: one sentence, exit 2 each', async () => {
    const text = readFileSync(base, 'utf8');
    const truncated = join(dir, 'truncated.json');
    writeFileSync(truncated, text.slice(0, Math.floor(text.length / 2)));
    const notResult = join(dir, 'package.json');
    writeFileSync(notResult, JSON.stringify({ name: 'x', version: '1.0.0' }));
    const http = JSON.parse(text);
    http.scenario = 'http';
    const httpFile = join(dir, 'http.json');
    writeFileSync(httpFile, JSON.stringify(http));
    const empty = JSON.parse(text);
    empty.distributions.entries['E2E log→ack'] = { ...empty.distributions.entries['E2E log→ack'], count: 0, windows: [] };
    const emptyFile = join(dir, 'empty.json');
    writeFileSync(emptyFile, JSON.stringify(empty));

    const cases: Array<[string[], RegExp]> = [
      [['compare', truncated, cand], /truncated\.json is not complete JSON \(truncated\?\), so it is not a result file\./],
      [['compare', notResult, cand], /package\.json is not a result file: lacks p95_ms, p99_ms, error_rate/],
      [['compare', httpFile, cand], /is of the http scenario and .* of the sdk scenario: the files are not comparable\./],
      [['compare', emptyFile, cand], /has no sample of the judged entry E2E log→ack/],
      [['compare', base], /compare takes two files, BASE and CAND \(got 1\)/],
      [['compare', join(dir, 'nope.json'), cand], /nope\.json cannot be read\./],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(oneSentence(r)).toMatch(message);
    }
  }, 60_000);
});
