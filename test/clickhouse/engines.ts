/**
 * Real ClickHouse engines for the tests, installed on first use (never by `npm install`):
 *
 * - Debian's `clickhouse-server` package (18.16), started per test file from its own config on
 *   loopback ports: the real HTTP path of @clickhouse/client, with a password-protected user.
 *   It lacks DateTime64, CODECs, async inserts and server-side query parameters.
 * - chdb (ClickHouse 26.7 in-process, npm package `chdb`, ~550 MB) installed into
 *   `.cache/chdb/` outside the project's dependencies, plugged into @clickhouse/client through
 *   its `connection` option: the pluto schema of §4.1 exactly, async inserts and server-side
 *   parameters, but no HTTP.
 *
 * `npm test` installs both first (test/setup/ensure-engines.mjs); here a missing one is installed too (apt-get / npm, as root), for a test file run on its own.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLICKHOUSE_SERVER = '/usr/sbin/clickhouse-server';
export const CHDB_VERSION = '3.4.0';
export const CHDB_PREFIX = join(ROOT, '.cache/chdb');

/** The password-protected user of the test server. */
export const TEST_USER = 'mlop';
export const TEST_PASSWORD = 'ch-test-secret-7d2f';

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${String(r.stderr).slice(-500)}`);
}

/** apt-get install clickhouse-server when it is missing (the tests run as root, as CI does). */
export function ensureDebianClickHouse(): void {
  if (existsSync(CLICKHOUSE_SERVER)) return;
  const install = ['install', '-y', '-qq', '--no-install-recommends', 'clickhouse-server'];
  const first = spawnSync('apt-get', install, { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (first.status !== 0) {
    run('apt-get', ['update', '-qq']);
    run('apt-get', install);
  }
  if (!existsSync(CLICKHOUSE_SERVER)) throw new Error(`apt-get installed clickhouse-server but ${CLICKHOUSE_SERVER} is missing`);
}

/** npm install chdb into .cache/chdb when it is missing (not a dependency of the project). */
export function ensureChdb(): string {
  const entry = join(CHDB_PREFIX, 'node_modules/chdb/dist/connection/index.js');
  if (existsSync(entry)) return entry;
  mkdirSync(CHDB_PREFIX, { recursive: true });
  run('npm', ['install', '--prefix', CHDB_PREFIX, '--no-audit', '--no-fund', '--no-save', `chdb@${CHDB_VERSION}`]);
  if (!existsSync(entry)) throw new Error(`npm installed chdb but ${entry} is missing`);
  return entry;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolvePort(port));
    });
  });
}

export interface DebianClickHouse {
  /** http://127.0.0.1:<port> */
  url: string;
  httpPort: number;
  user: string;
  password: string;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
  /** Kills the server (SIGKILL: ClickHouse goes away mid-run); its data stays for restart(). */
  crash(): Promise<void>;
  /** Starts it again on the same ports and data folder. */
  restart(): Promise<void>;
}

/** Starts Debian's clickhouse-server on free loopback ports with a fresh data folder. */
export async function startDebianClickHouse(): Promise<DebianClickHouse> {
  ensureDebianClickHouse();
  const dir = mkdtempSync(join(tmpdir(), 'mlop-sim-ch-'));
  const httpPort = await freePort();
  const tcpPort = await freePort();
  writeFileSync(join(dir, 'config.xml'), `<?xml version="1.0"?>
<yandex>
  <logger><level>error</level><console>1</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/data/tmp/</tmp_path>
  <user_files_path>${dir}/data/user_files/</user_files_path>
  <mark_cache_size>268435456</mark_cache_size>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
</yandex>
`);
  const user = (name: string, password: string): string =>
    `<${name}><password>${password}</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></${name}>`;
  writeFileSync(join(dir, 'users.xml'), `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>1000000000</max_memory_usage></default></profiles>
  <users>${user('default', '')}${user(TEST_USER, TEST_PASSWORD)}</users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`);
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const c = spawn(CLICKHOUSE_SERVER, [`--config-file=${join(dir, 'config.xml')}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child = c;
    // A test process that dies must not leave its ClickHouse running.
    const reap = (): void => void c.kill('SIGKILL');
    process.once('exit', reap);
    c.once('exit', () => process.off('exit', reap));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (c.exitCode !== null) throw new Error(`clickhouse-server exited (${c.exitCode}): ${stderr}`);
      try {
        const res = await fetch(`${url}/ping`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`clickhouse-server did not answer /ping within 20 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    url,
    httpPort,
    user: TEST_USER,
    password: TEST_PASSWORD,
    stop: async () => {
      await stop('SIGKILL'); // its data is removed next: no need to wait for a clean shutdown
      rmSync(dir, { recursive: true, force: true });
    },
    crash: () => stop('SIGKILL'),
    restart: async () => {
      await stop();
      await start();
    },
  };
}

/** A @clickhouse/client Connection to a fresh in-memory chdb session (ClickHouse 26.7). */
export async function chdbConnection(): Promise<{ connection: unknown; close(): Promise<void> }> {
  const entry = ensureChdb();
  const mod = (await import(pathToFileURL(entry).href)) as {
    createChdbConnection?: (o: { path: string }) => { close(): Promise<void> };
    default?: { createChdbConnection?: (o: { path: string }) => { close(): Promise<void> } };
  };
  const create = mod.createChdbConnection ?? mod.default?.createChdbConnection;
  if (!create) throw new Error('chdb/connection has no createChdbConnection');
  const connection = create({ path: ':memory:' });
  return { connection, close: () => connection.close() };
}
