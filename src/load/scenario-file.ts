/**
 * Loads a user's scenario file (`--scenario ./file.ts|.js`). TypeScript goes through tsx's
 * `tsImport`, so `npx mlop-sim --scenario x.ts` works from the built dist without a loader flag.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire, register } from 'node:module';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SimUsageError } from '../core/errors.js';
import { scenarioProblem, type ScenarioDefinition } from './scenario.js';

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);
const JS_EXTENSIONS = new Set(['.js', '.mjs', '.cjs']);

/** True when `--scenario` names a file rather than a built-in scenario. */
export function looksLikeScenarioFile(name: string): boolean {
  if (name.startsWith('replay:')) return false; // a workload to replay (load/replay/), not a scenario module
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
  await resolveOwnNameFromAnywhere();
  let mod: Record<string, unknown>;
  try {
    if (TS_EXTENSIONS.has(ext)) {
      const { tsImport } = await import('tsx/esm/api');
      mod = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    } else {
      mod = (await import(url)) as Record<string, unknown>;
    }
  } catch (err) {
    throw new SimUsageError(`cannot load scenario file ${file}: ${describeLoadError(err)}.`);
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

/**
 * The load error as one line that keeps where it is: esbuild's (tsx) "Transform failed with 1
 * error:" puts `file:line:column: ERROR: message` on its next line; Node's SyntaxError for a .js
 * file puts `file:line`, the source line and a caret at the top of its stack.
 */
export function describeLoadError(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const lines = msg.split('\n');
  if (/^Transform failed with \d+ errors?:/.test(lines[0] ?? '')) {
    const first = lines.slice(1).find((l) => l.trim() !== '');
    if (first) return tidy(first.replace(/: ERROR: /, ': '));
  }
  if (err instanceof SyntaxError && err.stack) {
    const [where, , caret] = err.stack.split('\n');
    const at = /^(.+):(\d+)$/.exec(where ?? '');
    if (at) {
      const column = caret && /^\s*\^/.test(caret) ? caret.indexOf('^') + 1 : undefined;
      return tidy(`${at[1].replace(/^file:\/\//, '')}:${at[2]}${column ? `:${column}` : ''}: ${msg}`);
    }
  }
  return tidy(lines[0] ?? msg);
}

function tidy(line: string): string {
  return line.trim().replace(/[.\s]+$/, '');
}

let ownNameRegistered = false;

/**
 * Makes `import … from 'mlop-sim'` (the documented way to write a scenario file) resolve to the
 * running mlop-sim wherever the file lives — also outside this project, where Node would look
 * for a node_modules/mlop-sim next to the file and not find one. A module resolve hook
 * (module.register, Node ≥ 20.6) maps the bare name to this package's entry.
 */
async function resolveOwnNameFromAnywhere(): Promise<void> {
  if (ownNameRegistered) return;
  ownNameRegistered = true;
  const entry = new URL(import.meta.url.endsWith('.ts') ? '../index.ts' : '../index.js', import.meta.url).href;
  const hook =
    `const entry = ${JSON.stringify(entry)};\n` +
    `export async function resolve(specifier, context, next) {\n` +
    `  if (specifier === 'mlop-sim') return { url: entry, shortCircuit: true };\n` +
    `  return next(specifier, context);\n` +
    `}\n`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  // A .ts file outside an ESM package is compiled to CommonJS by tsx, and require() does not ask
  // module hooks (Node 20): resolve the name there too, to a one-line CommonJS shim that hands
  // over the running mlop-sim's exports (a second copy would load undici twice, which breaks it).
  const key = Symbol.for('mlop-sim.running-exports');
  (globalThis as Record<symbol, unknown>)[key] = await import(entry);
  // One constant file per machine (and user), written once: nothing is left behind per run.
  const text = `module.exports = globalThis[Symbol.for('mlop-sim.running-exports')];\n`;
  const shim = join(tmpdir(), `mlop-sim-self-export-${process.getuid?.() ?? 'user'}.cjs`);
  if (!existsSync(shim) || readFileSync(shim, 'utf8') !== text) {
    const partial = `${shim}.${process.pid}.tmp`;
    writeFileSync(partial, text);
    renameSync(partial, shim); // atomic: a concurrent run never reads half a file
  }
  const cjs = createRequire(import.meta.url)('node:module') as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = cjs._resolveFilename;
  cjs._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    return request === 'mlop-sim' ? shim : original.call(this, request, ...rest);
  };
}
