/**
 * latest.json in the report folder (`--report-dir`, default reports/) as an output, plus the stress
 * test's stress_test_results.json when the run searched for capacity. The folder is checked before
 * the load; the files are written once, at the end.
 */
import type { Output } from '../output.js';
import { prepareFolder } from '../output-paths.js';
import { writeLatestJson } from './latest.js';
import { writeStressResults } from './stress-results.js';

export function latestJsonOutput(dir: string): Output {
  return {
    name: 'latest.json',
    prepare: () => prepareFolder(dir, 'latest.json (--report-dir)'),
    async stop(result) {
      const files = [await writeLatestJson(result, dir)];
      if (result.capacity) files.push(await writeStressResults(result, dir));
      return files;
    },
  };
}
