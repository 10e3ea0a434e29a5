/**
 * The three things `mlop-sim history` does, as library calls: add a run's latest.json to a
 * store, check the store for change points, and show it (text or an HTML page).
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SimUsageError } from '../core/errors.js';
import { CHANGE_POINT_DEFAULTS } from '../metrics/statistics/change-points.js';
import { checkHistory, pickEntries, type CheckOptions, type HistoryCheck } from './check.js';
import { historyHtml } from './html-page.js';
import { recordOfResult, type HistoryRecord } from './record.js';
import { openHistoryStore, type HistoryStoreOptions } from './store.js';
import { formatCheck, formatSeries } from './text.js';

/** The label a result gets when none is given: the commit in GitHub Actions (GITHUB_SHA, first 12 characters), else none. */
export function defaultLabel(env: Record<string, string | undefined>): string | null {
  const sha = env.GITHUB_SHA?.trim();
  return sha ? sha.slice(0, 12) : null;
}

export interface AddOptions {
  /** The latest.json of a run. */
  result: string;
  label?: string | null;
  store: HistoryStoreOptions;
  /** Add an interrupted run too. */
  force?: boolean;
}

export async function addToHistory(o: AddOptions): Promise<{ record: HistoryRecord; store: string; results: number }> {
  let text: string;
  try {
    text = await readFile(o.result, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new SimUsageError(code === 'ENOENT' ? `the result file ${o.result} does not exist.` : `cannot read the result file ${o.result} (${code ?? String(err)}).`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SimUsageError(`${o.result} is not JSON, so not a latest.json of mlop-sim.`);
  }
  const record = recordOfResult(parsed, o.result, o.label ?? null, o.force === true);
  const store = await openHistoryStore(o.store);
  try {
    await store.append(record);
    const results = (await store.read()).length;
    return { record, store: store.description, results };
  } finally {
    await store.close();
  }
}

export interface ReadOptions extends CheckOptions {
  store: HistoryStoreOptions;
}

export interface HistoryReport {
  check: HistoryCheck;
  entries: string[];
  store: string;
  /** What `history check` prints. */
  text: string;
}

/** Reads the store and checks it; an empty store is a usage error (a misspelt --store would otherwise pass). */
export async function readAndCheck(o: ReadOptions): Promise<HistoryReport> {
  const store = await openHistoryStore(o.store);
  let records: HistoryRecord[];
  try {
    records = await store.read();
  } finally {
    await store.close();
  }
  if (records.length === 0) throw new SimUsageError(`the history store ${store.description} holds no results (add them with mlop-sim history add).`);
  const check = checkHistory(records, o);
  const entries = pickEntries(check.records, o.entries);
  const p = { ...CHANGE_POINT_DEFAULTS, ...o };
  const method = `E-divisive means, ${p.permutations} permutations, p ≤ ${p.maxPValue}`;
  return { check, entries, store: store.description, text: formatCheck(check, store.description, method) };
}

/** `history show`: the series as text, or the HTML page written to `html` (returns its path). */
export async function showHistory(o: ReadOptions & { html?: string }): Promise<{ text: string; file?: string }> {
  const report = await readAndCheck(o);
  if (o.html) {
    try {
      await mkdir(dirname(o.html), { recursive: true });
      await writeFile(o.html, historyHtml(report.check, report.entries, report.store), 'utf8');
    } catch (err) {
      throw new SimUsageError(`cannot write ${o.html} (${(err as { code?: string }).code ?? String(err)}).`);
    }
    return { text: report.text, file: o.html };
  }
  return { text: formatSeries(report.check.records, report.entries, report.check.changes) + report.text };
}
