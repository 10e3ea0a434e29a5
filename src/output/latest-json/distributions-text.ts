/**
 * The `distributions` of latest.json as text: one line per window and per digest instead of one
 * line per number. Pretty-printed the plain way, a 10-minute sdk run's distributions took 1.48 MB
 * of the file's 2.37 MB (each centroid number on its own indented line); like this, ~0.5 MB.
 */
import type { Distributions } from '../../metrics/distributions.js';

export function distributionsText(d: Distributions, indent = '  '): string {
  const i1 = indent + '  ', i2 = i1 + '  ', i3 = i2 + '  ';
  const entries = Object.entries(d.entries).map(([name, e]) => [
    `${i2}${JSON.stringify(name)}: {`,
    `${i3}"count": ${e.count},`,
    `${i3}"failures": ${e.failures},`,
    `${i3}"digest": ${JSON.stringify(e.digest)},`,
    `${i3}"windows": [`,
    e.windows.map((w) => `${i3}  ${JSON.stringify(w)}`).join(',\n'),
    `${i3}]`,
    `${i2}}`,
  ].join('\n'));
  return [
    '{',
    `${i1}"version": ${d.version},`,
    `${i1}"windowS": ${d.windowS},`,
    `${i1}"entries": {`,
    entries.join(',\n'),
    `${i1}}`,
    `${indent}}`,
  ].join('\n');
}
