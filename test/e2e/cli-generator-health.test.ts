/**
 * The generator's self-diagnosis through the real CLI: a scenario whose task blocks the main
 * thread saturates the generator; the console, latest.json and the HTML report say so, and a
 * latency failure is flagged as possibly the generator's. A light run is not flagged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { ensureBuilt, runCli, tempDir, writeBusyScenario } from './cli-process.js';

beforeAll(() => ensureBuilt(), 120_000);

it('a generator kept busy by its own users: WARNING on the console, generator.saturated in latest.json, a warning in the HTML', async () => {
  const dir = tempDir();
  const file = writeBusyScenario(dir, 'busy', 150, "await ctx.http.get('/health');");
  const html = join(dir, 'report.html');
  const r = await runCli(['--scenario', file, '-u', '4', '-t', '3s', '--p95', '1', '--report-dir', dir, '--html', html], { timeoutMs: 60_000 });
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/Generator: main thread busy \d+ % .* — SATURATED/);
  expect(r.stdout).toMatch(/WARNING: The load generator itself was saturated .* The failed latency thresholds may be the generator's doing, not the target's\.\n(WARNING: mlop-sim's own event loop ran up to .*\n)?FAIL/);
  const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
  expect(latest.generator.saturated).toBe(true);
  expect(latest.generator.utilisation).toBeGreaterThan(0.9);
  // Other warnings (e.g. the timing warning of a late event loop) may stand beside it.
  expect(latest.warnings.some((w: string) => /^The load generator itself was saturated/.test(w))).toBe(true);
  const page = readFileSync(html, 'utf8');
  expect(page).toContain('id="generator-warning"');
  expect(page).toContain('Load generator');
}, 90_000);

it('a light run is not flagged, but still reports its figures', async () => {
  const dir = tempDir();
  const r = await runCli(['--scenario', 'http', '-u', '2', '-t', '2s', '--report-dir', dir], { timeoutMs: 60_000 });
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/Generator: main thread busy \d+ %/);
  expect(r.stdout).not.toMatch(/SATURATED|WARNING: The load generator/);
  const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
  expect(latest.generator).toMatchObject({ saturated: false, warning: '' });
  // (a timing note may appear on a busy machine; saturation must not)
  expect(latest.warnings.filter((w: string) => /saturated/.test(w))).toEqual([]);
}, 60_000);
