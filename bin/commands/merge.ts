/**
 * `mlop-sim merge FILES…`: the shard files of one plan (written by `run --shard I/N`) → one set
 * of reports, one verdict and one exit code, as a single run would give. Behaviour lives in
 * src/run/distributed/shard-files-driver.ts.
 */
import type { Argv } from 'yargs';
import { formatFinalTable, mergeShardFiles, type MergeOptions } from '../../src/index.js';
import { RUN_FLAGS, runOptions } from './run.js';
import { exit, out } from './terminal.js';

/** The run flags that mean something to a merge: where reports go and how the run is judged. */
const MERGE_FLAGS = ['report-dir', 'csv', 'html', 'junit', 'baseline', 'threshold', 'p95', 'p99', 'max-error-rate'] as const;

/** A merge judges with the gates the shards were given unless told otherwise. */
const GATE_DEFAULTS: Partial<Record<(typeof MERGE_FLAGS)[number], string>> = {
  threshold: "the shards'",
  p95: "P95_THRESHOLD_MS, else the shards'",
  p99: "P99_THRESHOLD_MS, else the shards'",
  'max-error-rate': "MAX_ERROR_RATE, else the shards'",
};

export function mergeBuilder(y: Argv): Argv {
  const withFiles = y.positional('files', { type: 'string', array: true, describe: 'shard files (reports/shard-*.json)' });
  const withFlags = MERGE_FLAGS.reduce((acc, flag) => {
    const { to: _to, ...def } = RUN_FLAGS[flag];
    const shards = GATE_DEFAULTS[flag];
    return acc.option(flag, shards ? { ...def, defaultDescription: shards } : def);
  }, withFiles);
  return withFlags.option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only PASS/FAIL' });
}

export async function mergeCommand(a: Record<string, unknown>): Promise<void> {
  const quiet = a.quiet === true;
  const picked: Record<string, unknown> = {};
  for (const flag of MERGE_FLAGS) picked[flag] = a[flag];
  const options: MergeOptions = {
    ...runOptions(picked),
    env: process.env,
    log: quiet ? undefined : (line) => out(`mlop-sim: ${line}\n`),
  };
  const files = ((a.files as unknown[] | undefined) ?? []).map(String);
  const result = await mergeShardFiles(files, options);
  if (quiet) out(`${result.pass ? 'PASS' : 'FAIL'}${result.reasons.map((r) => `\n  - ${r}`).join('')}\n`);
  else out('\n' + formatFinalTable(result));
  exit(result.exitCode);
}
