/**
 * A real Prometheus (Debian's `prometheus` package) on loopback for the remote-write test: a
 * random port, a temporary storage path, the remote-write receiver on. On a fresh machine where
 * the binary is missing and we are root, it is apt-installed first (`npm test` does the same in test/setup/ensure-engines.mjs).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';

/** Installs Debian's prometheus when missing (root only); returns why it cannot, or undefined. */
export function ensurePrometheus(): string | undefined {
  if (existsSync(PROMETHEUS_BIN)) return undefined;
  if (process.getuid?.() !== 0) return `${PROMETHEUS_BIN} is missing and we are not root: apt-get install prometheus`;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore', timeout: 300_000 });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'prometheus'], { env, stdio: 'ignore', timeout: 600_000 });
  return existsSync(PROMETHEUS_BIN) ? undefined : `apt-get install prometheus failed (exit ${r.status})`;
}

export interface RunningPrometheus {
  url: string;
  writeUrl: string;
  stop(): Promise<void>;
  /** Instant query through the HTTP API; the vector's samples. */
  query(expr: string, timeS?: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The `--web.enable-remote-write-receiver` flag exists from 2.33 (Debian 12 ships 2.42). */
export async function startPrometheus(): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'mlop-sim-prom-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, 'global:\n  scrape_interval: 15s\n');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(PROMETHEUS_BIN, [
    `--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-remote-write-receiver', '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr.slice(-500)}`);
    try {
      const r = await fetch(`${url}/-/ready`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`prometheus not ready in 30 s: ${stderr.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    writeUrl: `${url}/api/v1/write`,
    async query(expr, timeS) {
      const q = new URLSearchParams({ query: expr });
      if (timeS !== undefined) q.set('time', String(timeS));
      const r = await fetch(`${url}/api/v1/query?${q}`);
      const body = (await r.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.status !== 'success') throw new Error(`query ${expr} failed: ${JSON.stringify(body)}`);
      return body.data.result;
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
