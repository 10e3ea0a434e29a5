/**
 * End-to-end: the exit codes a CI job relies on — 1 for a failed gate, 2 for a usage error,
 * 3 for a target that cannot be reached or rejects the key, 130 for Ctrl+C (reports still
 * written) — each with one sentence and never a stack trace.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY } from '../../src/server/index.js';
import { ensureBuilt, runCli, tempDir, type CliOutcome } from './cli-process.js';

beforeAll(() => ensureBuilt(), 120_000);

/** One line on stderr, prefixed `mlop-sim:`, no stack frames. */
function expectOneSentence(r: CliOutcome): string {
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^mlop-sim: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return lines[0];
}

describe('gates → exit 1', () => {
  it('injected server latency above a low p95 threshold fails the run', async () => {
    const dir = tempDir();
    const r = await runCli(['--scenario', 'http', '-u', '5', '-t', '2s', '--server-latency', '40ms', '--p95', '20', '--report-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL\n\s+- threshold: Aggregated p95 was [\d.]+ ms, which breaks P95_THRESHOLD_MS=20 /);
    const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    expect(latest.p95_ms).toBeGreaterThanOrEqual(40);
    expect(latest.pass).toBe(false);
    expect(latest.exitCode).toBe(1);
  });

  it('the same limit from the environment (P95_THRESHOLD_MS) and a k6-like --threshold both judge', async () => {
    const dir = tempDir();
    const env = { ...process.env, P95_THRESHOLD_MS: '20', INGEST_URL: undefined, TEST_API_KEY: undefined };
    const r = await runCli(['--scenario', 'http', '-u', '3', '-t', '2s', '--server-latency', '40ms', '--threshold', 'agg:p50<10', '--report-dir', dir], { env });
    expect(r.code).toBe(1);
    const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    const failed = latest.thresholds.filter((t: { pass: boolean }) => !t.pass).map((t: { expression: string }) => t.expression);
    expect(failed).toEqual(['P95_THRESHOLD_MS=20', 'agg:p50<10']);
  });

  it('a regressed baseline fails the run', async () => {
    const dir = tempDir();
    const baseline = join(dir, 'baseline.json');
    writeFileSync(baseline, JSON.stringify({ p50_ms: 2, p95_ms: 5, p99_ms: 8, error_rate: 0, total_requests: 100, rps: 30 }));
    const r = await runCli(['--scenario', 'http', '-u', '5', '-t', '2s', '--server-latency', '30ms', '--baseline', baseline, '--report-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/- baseline \S+: p95_ms changed by \+\d+/);
    const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    expect(latest.baseline.pass).toBe(false);
    expect(latest.thresholds.every((t: { pass: boolean }) => t.pass)).toBe(true);
  });
});

describe('usage errors → exit 2', () => {
  it.each([
    [['--nope'], /^mlop-sim: unknown option --nope \(see mlop-sim --help\)\.$/],
    [['--usres', '3'], /^mlop-sim: unknown option --usres; did you mean --users\? \(see mlop-sim --help\)\.$/],
    // yargs itself names a kebab-case flag twice (`made-up-latency, madeUpLatency`): once here, as typed.
    [['--made-up-latency', '5ms'], /^mlop-sim: unknown option --made-up-latency \(see mlop-sim --help\)\.$/],
    [['--run-time', 'soon'], /--run-time must look like 30s/],
    [['--users', '0'], /--users must be a whole number/],
    [['--scenario', 'nonsense'], /unknown scenario "nonsense"/],
    [['--scenario', 'missing-file.ts'], /scenario file missing-file\.ts does not exist/],
    [['--threshold', 'e2e:p95<fast'], /not a finite number/],
    [['--baseline', '/nonexistent/base.json'], /baseline file \/nonexistent\/base\.json cannot be read/],
  ])('%j', async (args, message) => {
    const r = await runCli(['--scenario', 'http', '-t', '1s', ...args]);
    expect(r.code).toBe(2);
    expect(expectOneSentence(r)).toMatch(message);
  });

  it("a subcommand's unknown flag is matched against that subcommand's flags", async () => {
    const r = await runCli(['serve', '--prot', '0']);
    expect(r.code).toBe(2);
    expect(expectOneSentence(r)).toBe('mlop-sim: unknown option --prot; did you mean --port? (see mlop-sim --help).');
  });

  it('a malformed scenario file', async () => {
    const dir = tempDir();
    const file = join(dir, 'broken.ts');
    writeFileSync(file, 'export default { name: "x", tasks: [] };\n');
    const r = await runCli(['--scenario', file, '-t', '1s']);
    expect(r.code).toBe(2);
    expect(expectOneSentence(r)).toMatch(/is not usable: the scenario has no tasks/);
  });
});

describe('target problems at start → exit 3', () => {
  it('an unreachable host', async () => {
    const r = await runCli(['--host', 'http://127.0.0.1:1', '--key', 'k', '-t', '1s']);
    expect(r.code).toBe(3);
    expect(expectOneSentence(r)).toBe('mlop-sim: cannot reach http://127.0.0.1:1 (connection refused).');
  });

  it.each(['sdk', 'http'])('a rejected key (%s scenario), never echoed', async (scenario) => {
    const wrong = 'mlps_wrong_key_0123456789abcdef';
    const r = await runCli(['--scenario', scenario, '--key', wrong, '-u', '2', '-t', '1s']);
    expect(r.code).toBe(3);
    expect(expectOneSentence(r)).toMatch(/rejected the API key/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });
});

describe('Ctrl+C → exit 130', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('%s mid-run stops the users, finishes their runs and still writes the reports', async (signal) => {
    const dir = tempDir();
    const r = await runCli(['-u', '5', '-t', '60s', '--report-dir', dir, '--junit', join(dir, 'junit.xml')], {
      interrupt: { signal, afterText: '] users 5 |' },
    });
    expect(r.code).toBe(130);
    const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
    expect(latest.interrupted).toBe(true);
    expect(latest.exitCode).toBe(130);
    expect(latest.durationS).toBeLessThan(30);
    expect(latest.audit.totals.pending).toBe(0);
    expect(latest.audit.totals.lostRows).toBe(0);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('<testsuite');
    expect(r.stdout + r.stderr).not.toContain(DEFAULT_API_KEY);
  });
});
