#!/usr/bin/env node
/**
 * npm's `prepare` step: builds the TypeScript when the compiler is installed (a clone after
 * `npm install`/`npm ci`, a git dependency, which npm installs with its devDependencies), keeps
 * the build that is already there when it is not (a packed tarball, a clone built before), and
 * otherwise says in one sentence how to get a build — instead of npm's bare "tsc: not found",
 * which is what `npm install /path/to/unbuilt/clone` printed (TypeScript is a devDependency, and
 * npm does not install a linked folder's devDependencies).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BUILT = ['dist/bin/mlop-sim.js', 'dist/src/index.js', 'src/sdk/dist/index.js'];

function compiler() {
  try {
    return createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
}

const tsc = compiler();
if (tsc) {
  const r = spawnSync(process.execPath, [tsc, '-b'], { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
if (BUILT.every((f) => existsSync(join(root, f)))) process.exit(0);
process.stderr.write(
  `mlop-sim: ${root} is not built and TypeScript (a devDependency) is not installed there, so it cannot be built here: ` +
    `run \`npm ci\` in that folder first (it installs TypeScript and builds), or install a packed build ` +
    `(\`npm pack\` in a built clone, then \`npm install ./mlop-sim-<version>.tgz\`); see README "Install".\n`,
);
process.exit(1);
