/** The JUnit report as an output (`--junit FILE`): the path is checked before the load, the XML written once at the end. */
import type { Output } from '../output.js';
import { prepareFile } from '../output-paths.js';
import { writeJunit } from './xml.js';

export function junitOutput(file: string): Output {
  return { name: 'junit', prepare: () => prepareFile(file, 'the JUnit report (--junit)'), stop: async (result) => [await writeJunit(result, file)] };
}
