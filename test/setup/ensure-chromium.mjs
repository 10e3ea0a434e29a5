#!/usr/bin/env node
/**
 * Run first by `npm test`: the HTML report test drives Debian's chromium (/usr/bin/chromium) with
 * playwright-core, and no browser download is possible, so on a fresh Debian machine this installs
 * the apt package (as root), once. Already there: does nothing. Cannot install: one sentence, exit 1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
if (existsSync(CHROMIUM)) process.exit(0);

const say = (line) => process.stderr.write(`mlop-sim tests: ${line}\n`);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasApt) {
  say(`${CHROMIUM} is missing and cannot be installed from here (${!hasApt ? 'no apt-get' : 'not root'}): run "sudo apt-get install -y chromium" (the HTML report test needs it), then npm test again.`);
  process.exit(1);
}

say(`installing Debian's chromium for the HTML report test (apt-get, once; about a minute)…`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'chromium']]) {
  const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) {
    say(`"apt-get ${args.join(' ')}" failed (exit ${r.status}): install chromium by hand, then npm test again.`);
    process.exit(1);
  }
}
if (!existsSync(CHROMIUM)) {
  say(`apt-get installed chromium but ${CHROMIUM} is still missing: install it by hand, then npm test again.`);
  process.exit(1);
}
say(`chromium installed.`);
