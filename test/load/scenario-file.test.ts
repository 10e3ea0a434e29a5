/** Loading a user's scenario file: TypeScript through tsx, plain JS, and one-sentence errors. */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimUsageError } from '../../src/core/errors.js';
import { loadScenarioFile } from '../../src/load/scenario-file.js';

const dir = mkdtempSync(join(tmpdir(), 'mlop-sim-scenario-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function usageError(p: string): Promise<string> {
  const err = await loadScenarioFile(p).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(SimUsageError);
  const msg = (err as Error).message;
  expect(msg.split('\n')).toHaveLength(1);
  return msg;
}

describe('--scenario <file>', () => {
  it('loads a TypeScript file with types (tsx) and its default export', async () => {
    const p = file('typed.ts', `
      interface Step { n: number }
      const first: Step = { n: 1 };
      export default {
        name: 'typed',
        wait: { minS: 0, maxS: 0 },
        tasks: [{ name: 'noop', weight: 2, run: (): void => { void first.n; } }],
      };
    `);
    const def = await loadScenarioFile(p);
    expect(def.name).toBe('typed');
    expect(def.tasks[0].weight).toBe(2);
  });

  it('loads a JavaScript module exporting `scenario`', async () => {
    const p = file('plain.mjs', `export const scenario = { name: 'plain', tasks: [{ name: 't', weight: 1, run() {} }] };`);
    expect((await loadScenarioFile(p)).name).toBe('plain');
  });

  it('rejects a missing file, a syntax error, a missing export and a bad weight in one sentence each', async () => {
    expect(await usageError(join(dir, 'absent.ts'))).toMatch(/does not exist/);
    expect(await usageError(file('syntax.ts', 'export default { name: "x", tasks: [ };'))).toMatch(/^cannot load scenario file .*syntax\.ts: /);
    expect(await usageError(file('noexport.ts', 'export const other = 1;'))).toMatch(/does not export a scenario/);
    expect(await usageError(file('weight.ts', 'export default { name: "w", tasks: [{ name: "t", weight: 0, run() {} }] };'))).toMatch(/task "t" needs a weight above 0/);
    expect(await usageError(file('notes.txt', 'hello'))).toMatch(/must be a \.ts or \.js file/);
  });
});
