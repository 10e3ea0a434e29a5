/**
 * `mlop-sim history add|check|show`: a results history across runs (e.g. commits) and its
 * change points (docs/cli.md "history"). Flags → options; behaviour lives in src/history/.
 */
import type { Argv } from 'yargs';
import {
  addToHistory, defaultLabel, DEFAULT_HISTORY_FILE, DEFAULT_WINDOW, DEFAULT_HISTORY_TABLE, EXIT_CODES, HISTORY_METRICS, readAndCheck, showHistory, SimUsageError,
  type HistoryMetric, type HistoryStoreOptions, type ReadOptions,
} from '../../src/index.js';
import { exit, hideSecret, lastValue, out } from './terminal.js';

type Args = Record<string, unknown>;
const single = { coerce: lastValue, type: 'string' as const };

function storeFlags(y: Argv): Argv {
  return y
    .option('store', { ...single, describe: 'the history file (JSON lines)', defaultDescription: DEFAULT_HISTORY_FILE })
    .option('clickhouse-url', { ...single, describe: 'keep the history in this ClickHouse (HTTP URL) instead of the file', defaultDescription: 'CLICKHOUSE_URL when no --store' })
    .option('clickhouse-user', { ...single, describe: 'ClickHouse user', defaultDescription: 'CLICKHOUSE_USER or default' })
    .option('clickhouse-password', { ...single, describe: 'ClickHouse password (never printed)', defaultDescription: 'CLICKHOUSE_PASSWORD' })
    .option('clickhouse-database', { ...single, describe: 'ClickHouse database (created when missing)', defaultDescription: 'CLICKHOUSE_DATABASE or default' })
    .option('clickhouse-table', { ...single, describe: 'ClickHouse table (created when missing)', default: DEFAULT_HISTORY_TABLE });
}

function checkFlags(y: Argv): Argv {
  return storeFlags(y)
    .option('window', { coerce: lastValue, type: 'number', default: DEFAULT_WINDOW, describe: 'fail when a regression starts within the last N results' })
    .option('entry', { type: 'string', array: true, describe: 'only this entry (repeatable), e.g. Aggregated' })
    .option('metric', { type: 'string', array: true, choices: [...HISTORY_METRICS], describe: 'only this figure (repeatable)' })
    .option('min-change', { coerce: lastValue, type: 'number', default: 0, describe: 'ignore change points smaller than this many percent' })
    .option('max-pvalue', { coerce: lastValue, type: 'number', default: 0.01, describe: 'significance level of the permutation test' })
    .option('permutations', { coerce: lastValue, type: 'number', default: 199, describe: 'permutations per significance test' })
    .option('last', { coerce: lastValue, type: 'number', describe: 'only the newest N results (default: all)' })
    .option('scenario', { ...single, describe: 'only the results of this scenario (needed when the history holds several)' })
    .option('seed', { coerce: lastValue, type: 'number', default: 1, describe: "seed of the permutations (same seed, same answer)" });
}

const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

function storeOptions(a: Args): HistoryStoreOptions {
  const env = process.env;
  const file = nonEmpty(a.store);
  const flagUrl = nonEmpty(a['clickhouse-url']);
  if (file && flagUrl) throw new SimUsageError('give either --store (a file) or --clickhouse-url, not both.');
  const url = flagUrl ?? (file ? undefined : nonEmpty(env.CLICKHOUSE_URL));
  if (!url) return { file: file ?? DEFAULT_HISTORY_FILE };
  const password = nonEmpty(a['clickhouse-password']) ?? nonEmpty(env.CLICKHOUSE_PASSWORD);
  hideSecret(password);
  return {
    clickhouse: {
      url,
      username: nonEmpty(a['clickhouse-user']) ?? nonEmpty(env.CLICKHOUSE_USER) ?? 'default',
      password,
      database: nonEmpty(a['clickhouse-database']) ?? nonEmpty(env.CLICKHOUSE_DATABASE) ?? 'default',
      table: nonEmpty(a['clickhouse-table']),
    },
  };
}

function number(a: Args, flag: string, ok: (v: number) => boolean, what: string): number {
  const v = a[flag] as number;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw new SimUsageError(`--${flag} must be ${what} (got ${String(a[flag])}).`);
  return v;
}

function readOptions(a: Args): ReadOptions {
  return {
    store: storeOptions(a),
    window: number(a, 'window', (v) => Number.isInteger(v) && v >= 1, 'a whole number of results, at least 1'),
    entries: (a.entry as string[] | undefined)?.map(String),
    scenario: nonEmpty(a.scenario),
    last: a.last === undefined ? undefined : number(a, 'last', (v) => Number.isInteger(v) && v >= 3, 'a whole number of results, at least 3'),
    metrics: a.metric as HistoryMetric[] | undefined,
    minChangePct: number(a, 'min-change', (v) => v >= 0, 'a percentage, 0 or more'),
    maxPValue: number(a, 'max-pvalue', (v) => v > 0 && v < 1, 'between 0 and 1'),
    permutations: number(a, 'permutations', (v) => Number.isInteger(v) && v >= 1, 'a whole number, at least 1'),
    seed: number(a, 'seed', (v) => Number.isInteger(v), 'a whole number'),
  };
}

export function historyBuilder(y: Argv): Argv {
  return y
    .command(
      'add <result>',
      "append a run's result (its latest.json) to the history",
      (yy) => storeFlags(yy.positional('result', { type: 'string', describe: 'a latest.json' }))
        .option('label', { ...single, describe: 'what the run measured, e.g. a commit', defaultDescription: 'GITHUB_SHA (12 characters), else none' })
        .option('force', { type: 'boolean', describe: 'add it even when the run was interrupted' }),
      (a) => addCommand(a),
    )
    .command('check', 'find change points in the history; exit 1 when a regression starts within the last --window results', checkFlags, (a) => checkCommand(a))
    .command(
      'show',
      'print the history (or write it as an HTML page) with its change points',
      (yy) => checkFlags(yy).option('html', { ...single, describe: 'write a self-contained HTML page here instead of printing' }),
      (a) => showCommand(a),
    )
    .demandCommand(1, 'Name a history action: add, check or show.');
}

async function addCommand(a: Args): Promise<void> {
  const label = nonEmpty(a.label) ?? defaultLabel(process.env);
  const added = await addToHistory({ result: String(a.result), label, store: storeOptions(a), force: a.force === true });
  const entries = Object.keys(added.record.entries).length;
  out(`mlop-sim: added ${a.result}${label ? ` (${label})` : ''} to ${added.store}: ${entries} entr${entries === 1 ? 'y' : 'ies'}, ${added.results} result${added.results === 1 ? '' : 's'} in all\n`);
  exit(EXIT_CODES.pass);
}

async function checkCommand(a: Args): Promise<void> {
  const report = await readAndCheck(readOptions(a));
  out(report.text);
  exit(report.check.pass ? EXIT_CODES.pass : EXIT_CODES.failed);
}

async function showCommand(a: Args): Promise<void> {
  const shown = await showHistory({ ...readOptions(a), html: nonEmpty(a.html) });
  if (shown.file) out(`mlop-sim: wrote ${shown.file}\n`);
  else out(shown.text);
  exit(EXIT_CODES.pass);
}
