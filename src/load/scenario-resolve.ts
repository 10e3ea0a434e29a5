/** `--scenario`: a built-in name, a scenario file path, or a definition object. */
import { SimUsageError } from '../core/errors.js';
import { scenarioProblem, type ScenarioDefinition } from './scenario.js';
import { loadScenarioFile, looksLikeScenarioFile } from './scenario-file.js';
import { BUILTIN_SCENARIOS } from './scenarios/index.js';

export async function resolveScenario(ref: string | ScenarioDefinition): Promise<ScenarioDefinition> {
  if (typeof ref !== 'string') {
    const problem = scenarioProblem(ref);
    if (problem) throw new SimUsageError(`the scenario is not usable: ${problem}.`);
    return ref;
  }
  const builtin = BUILTIN_SCENARIOS[ref];
  if (builtin) return builtin;
  if (ref.startsWith('replay:')) return (await import('./replay/index.js')).loadReplayScenario(ref);
  if (looksLikeScenarioFile(ref)) return loadScenarioFile(ref);
  throw new SimUsageError(`unknown scenario "${ref}": use sdk, http, stress, replay:FILE or a path to a .ts or .js file.`);
}
