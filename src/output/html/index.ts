/** The HTML report as an output (`--html FILE`): the path is checked before the load, the page written once at the end. */
import type { Output } from '../output.js';
import { prepareFile } from '../output-paths.js';
import { writeHtml } from './page.js';

export function htmlOutput(file: string): Output {
  return { name: 'html', prepare: () => prepareFile(file, 'the HTML report (--html)'), stop: async (result) => [await writeHtml(result, file)] };
}
