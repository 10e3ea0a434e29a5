/**
 * Loads a user's scenario file (`--scenario ./file.ts|.js`). TypeScript goes through tsx's
 * `tsImport`, so `npx mlop-sim --scenario x.ts` works from the built dist without a loader flag.
 */
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SimUsageError } from '../core/errors.js';
import { scenarioProblem, type ScenarioDefinition } from './scenario.js';

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);
const JS_EXTENSIONS = new Set(['.js', '.mjs', '.cjs']);

/** True when `--scenario` names a file rather than a built-in scenario. */
export function looksLikeScenarioFile(name: string): boolean {
  const ext = extname(name);
  return TS_EXTENSIONS.has(ext) || JS_EXTENSIONS.has(ext) || name.includes('/') || name.includes('\\');
}

export async function loadScenarioFile(file: string): Promise<ScenarioDefinition> {
  const abs = resolve(file);
  if (!existsSync(abs)) throw new SimUsageError(`scenario file ${file} does not exist.`);
  const ext = extname(abs);
  if (!TS_EXTENSIONS.has(ext) && !JS_EXTENSIONS.has(ext)) {
    throw new SimUsageError(`scenario file ${file} must be a .ts or .js file.`);
  }
  const url = pathToFileURL(abs).href;
  let mod: Record<string, unknown>;
  try {
    if (TS_EXTENSIONS.has(ext)) {
      const { tsImport } = await import('tsx/esm/api');
      mod = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    } else {
      mod = (await import(url)) as Record<string, unknown>;
    }
  } catch (err) {
    throw new SimUsageError(`cannot load scenario file ${file}: ${firstLine(err)}.`);
  }
  const picked = pickExport(mod);
  // `export const stages = [...]` and `export function shape(...)` beside the definition (docs/cli.md "Load models").
  const def = picked && typeof picked === 'object' ? withLoadExports(picked as ScenarioDefinition, mod) : picked;
  const problem = scenarioProblem(def);
  if (problem) throw new SimUsageError(`scenario file ${file} is not usable: ${problem}.`);
  return def as ScenarioDefinition;
}

/**
 * `export default defineScenario(...)`, or a named `scenario` export. tsx may hand a file it
 * treats as CommonJS back as `{ default: module.exports }`, so look one level deeper too.
 */
function pickExport(mod: Record<string, unknown>): unknown {
  const inner = (v: unknown, key: string): unknown => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined);
  const candidates = [mod.default, mod.scenario, inner(mod.default, 'default'), inner(mod.default, 'scenario')];
  return candidates.find((c) => c && typeof c === 'object' && ('tasks' in c || 'name' in c));
}

function withLoadExports(def: ScenarioDefinition, mod: Record<string, unknown>): ScenarioDefinition {
  const inner = mod.default && typeof mod.default === 'object' ? (mod.default as Record<string, unknown>) : {};
  const stages = def.stages ?? mod.stages ?? inner.stages;
  const shape = def.shape ?? mod.shape ?? inner.shape;
  return stages === undefined && shape === undefined ? def : { ...def, stages: stages as ScenarioDefinition['stages'], shape: shape as ScenarioDefinition['shape'] };
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split('\n')[0] ?? msg).replace(/[.\s]+$/, '');
}
