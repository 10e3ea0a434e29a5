/** `mlop-sim baseline save`: the last run's latest.json becomes the baseline file. */
import type { Argv } from 'yargs';
import { DEFAULT_BASELINE_FILE, saveBaseline } from '../../src/index.js';
import { exit, lastValue, out } from './terminal.js';

interface SaveArgs {
  'report-dir': string;
  to: string;
  force?: boolean;
}

export function baselineBuilder(y: Argv): Argv {
  return y
    .command<SaveArgs>(
      'save',
      'copy <report-dir>/latest.json to the baseline file',
      (yy) =>
        yy
          .option('report-dir', { coerce: lastValue, type: 'string', default: 'reports', describe: 'folder holding latest.json' })
          .option('to', { coerce: lastValue, type: 'string', default: DEFAULT_BASELINE_FILE, describe: 'baseline file to write' })
          .option('force', { type: 'boolean', describe: 'save it even when that run failed or was interrupted' }),
      (a) => saveCommand(a),
    )
    .demandCommand(1, 'Name a baseline action: save.');
}

async function saveCommand(a: SaveArgs): Promise<void> {
  const saved = await saveBaseline({ reportDir: a['report-dir'], to: a.to, force: a.force === true });
  if (saved.warning) process.stderr.write(`mlop-sim: warning: ${saved.warning}\n`);
  out(`mlop-sim: saved ${saved.from} as the baseline ${saved.to}\n`);
  exit(0);
}
