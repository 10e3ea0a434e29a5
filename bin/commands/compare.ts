/** `mlop-sim compare BASE CAND`, or `--base FILE… --candidate FILE…`: the regression verdict between saved results (docs/cli.md "compare"). */
import type { Argv } from 'yargs';
import { compareResults, formatVerdict, parseMinEffect, parseMinEffectMs } from '../../src/index.js';
import { exit, lastValue, out, usageError } from './terminal.js';

interface CompareArgs {
  files?: string[];
  base?: string[];
  candidate?: string[];
  json?: boolean;
  html?: string;
  'min-effect'?: string;
  'min-effect-ms'?: string;
}

export function compareBuilder(y: Argv): Argv {
  return y
    .positional('files', { type: 'string', array: true, describe: 'BASE CAND: two latest.json files' })
    .option('base', { type: 'array', string: true, describe: 'base result files (several runs: the run becomes the unit)' })
    .option('candidate', { type: 'array', string: true, describe: 'candidate result files' })
    .option('json', { type: 'boolean', describe: 'print the verdict as JSON instead of the table' })
    .option('html', { coerce: lastValue, type: 'string', describe: 'also write the verdict as an HTML page with its intervals drawn' })
    .option('min-effect', { coerce: lastValue, type: 'string', describe: 'smallest latency change that counts', defaultDescription: '3%' })
    .option('min-effect-ms', { coerce: lastValue, type: 'string', describe: '…and at least this many milliseconds (0 drops the floor)', defaultDescription: '0.5' });
}

export async function compareCommand(a: CompareArgs): Promise<void> {
  const files = (a.files ?? []).map(String);
  const flagged = a.base !== undefined || a.candidate !== undefined;
  if (flagged && files.length > 0) throw usageError('give either BASE CAND or --base/--candidate, not both');
  if (!flagged && files.length !== 2) throw usageError(`compare takes two files, BASE and CAND (got ${files.length}); for several runs per side use --base FILE… --candidate FILE…`);
  const base = flagged ? (a.base ?? []).map(String) : [files[0]];
  const candidate = flagged ? (a.candidate ?? []).map(String) : [files[1]];
  const minEffect = a['min-effect'] === undefined ? undefined : parseMinEffect(a['min-effect']);
  const minEffectMs = a['min-effect-ms'] === undefined ? undefined : parseMinEffectMs(a['min-effect-ms']);
  const { verdict, exitCode } = await compareResults({ base, candidate, minEffect, minEffectMs, html: a.html });
  out(a.json ? JSON.stringify(verdict, null, 2) + '\n' : formatVerdict(verdict));
  exit(exitCode);
}
