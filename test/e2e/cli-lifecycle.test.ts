/**
 * One run lifecycle for every mode (src/run/session.ts): a single process, `--workers 2` and
 * `merge` of shard files refuse the same things the same way, before any user or worker starts —
 * an incomparable baseline, a tag filter that leaves no task, an output path that cannot be
 * written, bad thresholds — with exit 2 and the same one sentence.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, tempDir, type CliOutcome } from './cli-process.js';

beforeAll(() => ensureBuilt());

function refusal(r: CliOutcome): string {
  expect(r.code, r.stderr + r.stdout).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stdout).not.toMatch(/worker \d+ of \d+ started/);
  expect(r.stdout).not.toMatch(/scenario, /); // no load started
  return lines[0];
}

describe('every mode refuses in prepare, with the same sentence', () => {
  it('an incomparable baseline: single run, --workers 2 and merge all exit 2 before any user starts', async () => {
    const base = tempDir();
    const http = await runCli(['--scenario', 'http', '-u', '2', '-t', '1s', '--report-dir', base, '-q'], { timeoutMs: 30_000 });
    expect(http.code).toBe(0);
    const baseline = join(base, 'latest.json');
    const single = refusal(await runCli(['-u', '2', '-t', '2s', '--baseline', baseline, '--report-dir', tempDir()], { timeoutMs: 30_000 }));
    expect(single).toMatch(/not comparable/);
    const workers = refusal(await runCli(['--workers', '2', '-u', '2', '-t', '2s', '--baseline', baseline, '--report-dir', tempDir()], { timeoutMs: 30_000 }));
    expect(workers).toBe(single);

    const shards = tempDir();
    const shard = await runCli(['--shard', '0/1', '--seed', '5', '-u', '2', '-t', '1s', '--report-dir', shards, '-q'], { timeoutMs: 30_000 });
    expect(shard.code, shard.stderr).toBe(0);
    const merged = refusal(await runCli(['merge', join(shards, 'shard-0-of-1.json'), '--baseline', baseline, '--report-dir', tempDir()], { timeoutMs: 30_000 }));
    expect(merged).toBe(single);
  }, 120_000);

  it('a tag filter that leaves no task: --workers 2 exits 2 before forking, as a single run does', async () => {
    const single = refusal(await runCli(['--scenario', 'http', '--tags', 'nosuchtag', '-u', '2', '-t', '2s', '--report-dir', tempDir()], { timeoutMs: 30_000 }));
    const workers = refusal(await runCli(['--workers', '2', '--scenario', 'http', '--tags', 'nosuchtag', '-u', '2', '-t', '2s', '--report-dir', tempDir()], { timeoutMs: 30_000 }));
    expect(single).toMatch(/--tags nosuchtag leaves no task of scenario http to run\./);
    expect(workers).toBe(single);
  }, 60_000);

  it('an output path that cannot be written and a bad threshold: refused before the workers start', async () => {
    const blocked = join(tempDir(), 'a-file');
    await runCli(['--scenario', 'http', '-u', '1', '-t', '1s', '--report-dir', blocked, '-q'], { timeoutMs: 30_000 }); // makes `blocked` a folder
    const file = join(blocked, 'latest.json'); // a file where --html wants a folder
    const single = refusal(await runCli(['--scenario', 'http', '-u', '2', '-t', '2s', '--html', join(file, 'r.html'), '--report-dir', tempDir()], { timeoutMs: 30_000 }));
    const workers = refusal(await runCli(['--workers', '2', '--scenario', 'http', '-u', '2', '-t', '2s', '--html', join(file, 'r.html'), '--report-dir', tempDir()], { timeoutMs: 30_000 }));
    expect(workers).toBe(single);
    const badSingle = refusal(await runCli(['--scenario', 'http', '-u', '2', '-t', '2s', '--threshold', 'e2e:p95<fast', '--report-dir', tempDir()], { timeoutMs: 30_000 }));
    const badWorkers = refusal(await runCli(['--workers', '2', '--scenario', 'http', '-u', '2', '-t', '2s', '--threshold', 'e2e:p95<fast', '--report-dir', tempDir()], { timeoutMs: 30_000 }));
    expect(badWorkers).toBe(badSingle);
  }, 90_000);
});
