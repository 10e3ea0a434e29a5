/**
 * The direction of imports (docs/architecture.md "Which way the imports go"), checked on the
 * sources: every relative import and re-export of src/ and bin/ must point where its folder may.
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
  load: ['core', 'metrics', 'transport'],
  executor: ['core', 'metrics', 'load'],
  output: ['core', 'metrics'],
  run: ['core', 'metrics', 'load', 'executor', 'transport', 'output', 'server'],
  server: ['core'],
  sdk: [],
};
/** run may reach the server only to start the embedded target. */
const SERVER_FROM_RUN = new Set(['src/run/embedded-target.ts']);

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

  it('the check sees real imports (it would catch an edge that is not allowed)', () => {
    const sample = "import { x } from '../run/runner.js';\nexport * from './y.js';\nconst m = await import('../server/index.js');";
    expect(relativeImports(sample)).toEqual(['../run/runner.js', './y.js', '../server/index.js']);
    expect(ALLOWED.metrics).not.toContain('run');
  });
});
