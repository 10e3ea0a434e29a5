/** `mlop-sim profile TRACE [--out FILE]`: a trace → a workload profile (JSON, or YAML for .yaml). */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Argv } from 'yargs';
import { profileOfTrace, readTrace, runFigures, SimUsageError } from '../../src/index.js';
import { lastValue, out } from './terminal.js';

interface ProfileArgs {
  trace: string;
  out?: string;
  name?: string;
  figures?: boolean;
}

export function profileBuilder(y: Argv): Argv {
  const single = { coerce: lastValue } as const;
  return y
    .positional('trace', { type: 'string', describe: 'a trace written by mlop-sim record' })
    .option('out', { ...single, type: 'string', describe: 'profile file to write (.json, or .yaml/.yml)', defaultDescription: 'stdout' })
    .option('figures', { type: 'boolean', describe: 'print each run\'s rows, requests and bytes (totals and per second) as JSON instead' })
    .option('name', { ...single, type: 'string', describe: 'the profile\'s name', defaultDescription: 'the trace file name' });
}

export async function profileCommand(a: ProfileArgs): Promise<void> {
  const trace = readTrace(a.trace);
  if (a.figures) return void out(`${JSON.stringify(runFigures(trace), null, 2)}\n`);
  const profile = profileOfTrace(trace, a.name ?? basename(a.trace).replace(/\.[^.]*$/, ''));
  if (profile.jobs.length === 0) throw new SimUsageError(`${a.trace} holds no SDK run (no request carried X-Run-Name): nothing to profile.`);
  let text = `${JSON.stringify(profile, null, 2)}\n`;
  if (a.out && /\.ya?ml$/i.test(a.out)) {
    const yaml = await import('yaml').catch(() => {
      throw new SimUsageError('writing YAML needs the "yaml" package (npm install yaml); use a .json file.');
    });
    text = yaml.stringify(profile);
  }
  if (!a.out) return void out(text);
  try {
    writeFileSync(a.out, text);
  } catch (err) {
    throw new SimUsageError(`cannot write ${a.out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  const jobs = profile.jobs.length;
  out(`mlop-sim: profile of ${trace.exchanges.length} request(s), ${jobs} job(s) written to ${a.out}\n`);
}
