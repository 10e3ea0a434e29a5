/**
 * Installing mlop-sim as a dependency, as a newcomer does: the packed tarball (what `npm pack`
 * of a built clone, a git dependency or a registry would give) installs into an empty project and
 * its `mlop-sim` runs; and the `prepare` step of a linked, unbuilt clone — which has no
 * TypeScript, a devDependency — says how to get a build instead of "tsc: not found".
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, ensureBuilt, ROOT, tempDir } from './cli-process.js';

beforeAll(() => ensureBuilt(), 120_000);

/** A folder holding only scripts/prepare.mjs and a package.json: an unbuilt clone without node_modules. */
function bareClone(): string {
  const dir = tempDir('mlop-sim-clone-');
  mkdirSync(join(dir, 'scripts'));
  copyFileSync(join(ROOT, 'scripts/prepare.mjs'), join(dir, 'scripts/prepare.mjs'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'mlop-sim', type: 'module' }));
  return dir;
}

describe('prepare (npm install of a clone)', () => {
  it('explains in one sentence, exit 1, when the clone is unbuilt and TypeScript is absent', () => {
    const dir = bareClone();
    const r = spawnSync(process.execPath, [join(dir, 'scripts/prepare.mjs')], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`mlop-sim: ${dir} is not built and TypeScript (a devDependency) is not installed there`);
    expect(r.stderr).toContain('run `npm ci` in that folder first');
  });

  it('keeps a build that is already there (a packed tarball) when TypeScript is absent', () => {
    const dir = bareClone();
    for (const f of ['dist/bin/mlop-sim.js', 'dist/src/index.js', 'src/sdk/dist/index.js']) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), '');
    }
    const r = spawnSync(process.execPath, [join(dir, 'scripts/prepare.mjs')], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('the packed tarball', () => {
  it('installs into an empty project and its mlop-sim runs a load test', async () => {
    const packs = tempDir('mlop-sim-pack-');
    const npm = (args: string[], cwd: string): string =>
      execFileSync('npm', args, { cwd, encoding: 'utf8', env: cleanEnv({ npm_config_audit: 'false', npm_config_fund: 'false' }), stdio: ['ignore', 'pipe', 'pipe'] });
    const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', packs], ROOT)) as { filename: string; files: { path: string }[] }[];
    const paths = packed!.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['dist/bin/mlop-sim.js', 'dist/src/index.d.ts', 'src/sdk/package.json', 'src/sdk/dist/index.js', 'scripts/prepare.mjs']));
    expect(paths.filter((p) => p.startsWith('test/') || p.startsWith('bench/') || p.endsWith('.tsbuildinfo'))).toEqual([]);

    const project = tempDir('mlop-sim-consumer-');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    npm(['install', '--prefer-offline', join(packs, packed!.filename)], project);
    const run = spawnSync(join(project, 'node_modules/.bin/mlop-sim'), ['--scenario', 'http', '-u', '2', '-t', '2s', '-q', '--report-dir', join(project, 'reports')],
      { cwd: project, encoding: 'utf8', env: cleanEnv(), timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^PASS$/m);
  }, 240_000);
});
