/** The Locust CSVs as an output (`--csv PREFIX`): the prefix's folder is checked before the load, the files written once at the end. */
import type { Output } from '../output.js';
import { prepareFile } from '../output-paths.js';
import { writeCsv } from './csv.js';

export function locustCsvOutput(prefix: string, fullHistory = false): Output {
  return {
    name: 'csv',
    prepare: () => prepareFile(`${prefix}_stats.csv`, 'the Locust CSVs (--csv)'),
    stop: (result) => writeCsv(result, prefix, fullHistory),
  };
}
