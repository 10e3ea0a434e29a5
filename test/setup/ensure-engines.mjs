#!/usr/bin/env node
/**
 * Run first by `npm test`: the engines some tests drive are not npm dependencies (a user's
 * `npm install` stays lean) and cannot be downloaded by their own installers on this network, so
 * on a fresh Debian machine this installs what is missing, once:
 *   - Debian's chromium (/usr/bin/chromium): the HTML report test drives it with playwright-core;
 *   - Debian's clickhouse-server (/usr/sbin/clickhouse-server): the ClickHouse store, audit and
 *     time-to-visible tests (test/clickhouse) start it on loopback ports;
 *   - Debian's prometheus (/usr/bin/prometheus): the `--out prometheus-rw` test runs it on loopback;
 *   - chdb (ClickHouse in-process, npm package, ~550 MB) into .cache/chdb, outside the project's
 *     dependencies: the schema-fidelity tests (docs/protocol/clickhouse.md).
 * Everything present: does nothing. Cannot install: one sentence, exit 1.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The chdb version the tests were written against (test/clickhouse/engines.ts reads the same folder). */
const CHDB = 'chdb@3.4.0';
const CHDB_DIR = '.cache/chdb';
const DEBIAN = [
  { pkg: 'chromium', path: '/usr/bin/chromium', for: 'the HTML report test' },
  { pkg: 'clickhouse-server', path: '/usr/sbin/clickhouse-server', for: 'the ClickHouse tests' },
  { pkg: 'prometheus', path: '/usr/bin/prometheus', for: 'the Prometheus remote-write test' },
];

const say = (line) => process.stderr.write(`mlop-sim tests: ${line}\n`);
const fail = (line) => {
  say(line);
  process.exit(1);
};

const missing = DEBIAN.filter((e) => !existsSync(e.path));
if (missing.length > 0) {
  const names = missing.map((e) => e.pkg).join(' ');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    fail(`${names} ${missing.length > 1 ? 'are' : 'is'} missing and cannot be installed from here (${!hasApt ? 'no apt-get' : 'not root'}): run "sudo apt-get install -y ${names}", then npm test again.`);
  }
  say(`installing Debian's ${names} for ${missing.map((e) => e.for).join(', ')} (apt-get, once; a minute or two)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((e) => e.pkg)]]) {
    const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) fail(`"apt-get ${args.join(' ')}" failed (exit ${r.status}): install ${names} by hand, then npm test again.`);
  }
  const still = missing.filter((e) => !existsSync(e.path));
  if (still.length > 0) fail(`apt-get ran but ${still.map((e) => e.path).join(', ')} ${still.length > 1 ? 'are' : 'is'} still missing: install by hand, then npm test again.`);
}

if (!existsSync(`${CHDB_DIR}/node_modules/chdb/package.json`)) {
  say(`installing ${CHDB} into ${CHDB_DIR} for the ClickHouse schema tests (npm, once; about 550 MB)…`);
  const r = spawnSync('npm', ['install', '--prefix', CHDB_DIR, '--no-audit', '--no-fund', '--no-save', CHDB], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) fail(`"npm install --prefix ${CHDB_DIR} ${CHDB}" failed (exit ${r.status}): run it by hand, then npm test again.`);
}
