/**
 * `mlop-sim compare BASE CAND` (and several files per side) as a library call: read and check
 * the files (compare-files.ts), reach the verdict (verdict.ts), write the optional HTML page;
 * exit 0 no regression (pass or inconclusive), 1 regression; bad input throws SimUsageError (2).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EXIT_CODES } from '../../core/exit-codes.js';
import { SimUsageError } from '../../core/errors.js';
import { DEFAULT_SETTINGS, type VerdictSettings } from '../../metrics/statistics/compare-entries.js';
import type { RegressionVerdict } from '../../metrics/verdict.js';
import { verdictPage } from '../../output/html/verdict.js';
import { assertComparableSides, readResultFile } from './compare-files.js';
import { regressionVerdict } from './verdict.js';

export interface CompareOptions extends MinimumEffectOptions {
  base: readonly string[];
  candidate: readonly string[];
  /** Write the verdict as a self-contained HTML page here. */
  html?: string;
}

/** Reads `5%`, `0.05` or `5` (percent when > 1) as a fraction; throws SimUsageError otherwise. */
export function parseMinEffect(text: string | number): number {
  const s = String(text).trim();
  const n = Number(s.replace(/\s*%$/, ''));
  const f = s.endsWith('%') || n >= 1 ? n / 100 : n;
  if (!Number.isFinite(f) || !(f > 0 && f < 1)) throw new SimUsageError(`--min-effect must be a change between 0 and 100 %, e.g. 5% or 0.05, got ${JSON.stringify(s)}.`);
  return f;
}

/** Reads `0.5`, `0.5ms` or `0` (no floor) as milliseconds; throws SimUsageError otherwise. */
export function parseMinEffectMs(text: string | number): number {
  const s = String(text).trim();
  const ms = Number(s.replace(/\s*ms$/, ''));
  if (s === '' || !Number.isFinite(ms) || ms < 0) throw new SimUsageError(`--min-effect-ms must be a number of milliseconds, 0 or more (e.g. 0.5), got ${JSON.stringify(s)}.`);
  return ms;
}

/** The verdict's minimum effect, relative and absolute; what is not given keeps its default (docs/statistics.md). */
export interface MinimumEffectOptions {
  /** Smallest latency change that counts, as a fraction (default 0.03). */
  minEffect?: number;
  /** …and at least this many milliseconds (default 0.5; 0 drops the floor). */
  minEffectMs?: number;
}

export function verdictSettings(o: MinimumEffectOptions = {}): VerdictSettings {
  return {
    ...DEFAULT_SETTINGS,
    ...(o.minEffect !== undefined ? { minEffect: o.minEffect } : {}),
    ...(o.minEffectMs !== undefined ? { minEffectMs: o.minEffectMs } : {}),
  };
}

export async function compareResults(o: CompareOptions): Promise<{ verdict: RegressionVerdict; exitCode: number }> {
  if (o.base.length === 0 || o.candidate.length === 0) throw new SimUsageError('compare needs a base and a candidate: mlop-sim compare BASE CAND, or --base FILE… --candidate FILE….');
  const base = await Promise.all(o.base.map(readResultFile));
  const cand = await Promise.all(o.candidate.map(readResultFile));
  assertComparableSides(base, cand);
  const verdict = regressionVerdict(base, cand, verdictSettings(o));
  if (o.html) {
    await mkdir(dirname(o.html), { recursive: true });
    await writeFile(o.html, verdictPage(verdict), 'utf8');
  }
  return { verdict, exitCode: verdict.outcome === 'regression' ? EXIT_CODES.failed : EXIT_CODES.pass };
}
