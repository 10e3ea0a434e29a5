/**
 * The direction of imports (docs/architecture.md "Which way the imports go"), checked on the
 * sources: every relative import and re-export of src/ and bin/ must point where its folder may;
 * only src/load/sdk-session.ts imports the SDK (@mlop/sdk-ts); src/index.ts only re-exports.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Which folders each folder may import from (itself always). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  metrics: ['core'],
  transport: ['core', 'metrics'],
  load: ['core', 'metrics', 'transport', 'capture'],
  executor: ['core', 'metrics', 'load'],
  output: ['core', 'metrics'],
  run: ['core', 'metrics', 'load', 'executor', 'transport', 'output', 'server'],
  server: ['core'],
  history: ['core', 'metrics'],
  sdk: [],
  capture: ['core', 'metrics'],
};
/** run may reach the server only to start the embedded target. */
const SERVER_FROM_RUN = new Set(['src/run/embedded-target.ts']);
/** The one file outside src/sdk that may import the SDK: the simulator meets the SDK in one place. */
const SDK_PACKAGE = '@mlop/sdk-ts';
const SDK_GATEWAY = 'src/load/sdk-session.ts';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : sources(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** Relative specifiers of static imports, re-exports and dynamic imports. */
function relativeImports(text: string): string[] {
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const m of text.matchAll(pattern)) found.push(m[1]);
  return found;
}

/** Every specifier of static imports, re-exports and dynamic imports, packages included. */
function allImports(text: string): string[] {
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(pattern)) found.push(m[1]);
  return found;
}

/** Does this specifier (in `file`) reach the SDK: the package, a path inside it, or src/sdk by a relative path? */
function reachesSdk(file: string, spec: string): boolean {
  if (spec === SDK_PACKAGE || spec.startsWith(`${SDK_PACKAGE}/`)) return true;
  if (!spec.startsWith('.')) return false;
  const target = relative(ROOT, resolve(dirname(file), spec)).split('\\').join('/');
  return target === 'src/sdk' || target.startsWith('src/sdk/');
}

/** Files outside src/sdk (other than the gateway) that import the SDK, with the specifier. */
function sdkImportViolations(files: { rel: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { rel, text } of files) {
    if (rel.startsWith('src/sdk/') || rel === SDK_GATEWAY) continue;
    for (const spec of allImports(text)) {
      if (reachesSdk(join(ROOT, rel), spec)) found.push(`${rel} imports ${spec} (only ${SDK_GATEWAY} may)`);
    }
  }
  return found;
}

/**
 * What in a module is not a re-export (`export … from '…'`), after comments are taken out: each
 * leftover statement, trimmed to one line. Empty for a file that only re-exports.
 */
function nonReexports(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const reexport = /\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})\s*from\s*['"][^'"]+['"]\s*;?/g;
  return code
    .replace(reexport, '\n')
    .split(/[;\n]/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** `src/<folder>/…` → folder; `src/index.ts` → 'index'; `bin/…` → 'bin'. */
function area(file: string): string {
  const rel = relative(ROOT, file).split('\\').join('/');
  if (rel.startsWith('bin/')) return 'bin';
  const parts = rel.split('/');
  return parts.length === 2 ? parts[1].replace(/\.ts$/, '') : parts[1];
}

function violations(): string[] {
  const found: string[] = [];
  const files = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'bin'))];
  for (const file of files) {
    const from = area(file);
    const rel = relative(ROOT, file).split('\\').join('/');
    for (const spec of relativeImports(readFileSync(file, 'utf8'))) {
      const target = resolve(dirname(file), spec);
      const to = area(target);
      if (from === to) continue;
      const targetRel = relative(ROOT, target).split('\\').join('/');
      let ok: boolean;
      if (from === 'bin') ok = targetRel === 'src/index.js' || targetRel === 'src/index.ts';
      else if (from === 'index') ok = to !== 'bin';
      else if (from === 'run' && to === 'server') ok = SERVER_FROM_RUN.has(rel);
      else ok = (ALLOWED[from] ?? []).includes(to);
      if (!ok) found.push(`${rel} imports ${spec} (${from} → ${to})`);
    }
  }
  return found;
}

describe('import directions', () => {
  it('every folder imports only the folders docs/architecture.md allows', () => {
    expect(violations()).toEqual([]);
  });

  it(`only ${SDK_GATEWAY} imports the SDK`, () => {
    const files = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'bin'))].map((file) => ({
      rel: relative(ROOT, file).split('\\').join('/'),
      text: readFileSync(file, 'utf8'),
    }));
    expect(sdkImportViolations(files)).toEqual([]);
    // The gateway itself does import it (else the rule would be checking nothing).
    expect(allImports(readFileSync(join(ROOT, SDK_GATEWAY), 'utf8'))).toContain(SDK_PACKAGE);
  });

  it('src/index.ts only re-exports', () => {
    expect(nonReexports(readFileSync(join(ROOT, 'src/index.ts'), 'utf8'))).toEqual([]);
  });

  it('the SDK and re-export checks catch a violation', () => {
    const sample = [
      { rel: 'src/run/runner.ts', text: "import { init } from '@mlop/sdk-ts';" },
      { rel: 'src/load/virtual-user.ts', text: "const sdk = await import('../sdk/index.js');" },
      { rel: SDK_GATEWAY, text: "import { init } from '@mlop/sdk-ts';" },
      { rel: 'src/sdk/run.ts', text: "import { x } from './sync/retry.js';" },
    ];
    expect(sdkImportViolations(sample)).toEqual([
      `src/run/runner.ts imports @mlop/sdk-ts (only ${SDK_GATEWAY} may)`,
      `src/load/virtual-user.ts imports ../sdk/index.js (only ${SDK_GATEWAY} may)`,
    ]);
    const index = "/** doc */\nexport { a, type B } from './a.js';\nexport type * from './t.js';\nexport {\n  c,\n  d,\n} from './c.js';\n";
    expect(nonReexports(index)).toEqual([]);
    expect(nonReexports(index + "import { e } from './e.js';\nexport const f = e + 1;\n")).toEqual([
      "import { e } from './e.js'",
      'export const f = e + 1',
    ]);
  });

  it('the check sees real imports (it would catch an edge that is not allowed)', () => {
    const sample = "import { x } from '../run/runner.js';\nexport * from './y.js';\nconst m = await import('../server/index.js');";
    expect(relativeImports(sample)).toEqual(['../run/runner.js', './y.js', '../server/index.js']);
    expect(ALLOWED.metrics).not.toContain('run');
  });
});
