/**
 * The history recipe (examples/github-actions/history.yml) runs as written: its job's steps run
 * here as Actions would run them — each `run:` with bash, ${{ … }} substituted, `if:` honoured
 * after a failed step — twelve times, one per push, against `mlop-sim serve`. actions/cache's
 * restore and save are emulated (the newest cache whose key starts with a restore key, caches
 * immutable), so the history must travel between runs the way the recipe keeps it. The first 8
 * pushes meet a 5 ms server, the last 4 a 50 ms one: the last run's check fails the job,
 * naming the first slow push's commit, and its history page is uploaded. What the test changes
 * is named: the load's size (env), the target (the secrets), and it skips `npm ci` (the suite
 * built the CLI once) and the checkout/setup-node actions.
 */
import { cpSync, existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_API_KEY } from '../../src/server/index.js';
import { cleanEnv, ensureBuilt, ROOT, runCommand, tempDir } from './cli-process.js';
import { startServe } from './serve-process.js';

beforeAll(() => ensureBuilt(), 120_000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
type Env = Record<string, string | undefined>;

function bash(script: string, env: Env, cwd: string): Promise<{ code: number | null; out: string }> {
  return runCommand('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { env, cwd });
}

describe('examples/github-actions/history.yml', () => {
  const workflow = parse(readFileSync(join(ROOT, 'examples/github-actions/history.yml'), 'utf8')) as Json;

  it('restores the history before the load and saves it under a new key every run, whatever the load did', () => {
    const steps = workflow.jobs.history.steps as Json[];
    const at = (pred: (s: Json) => boolean): number => steps.findIndex(pred);
    const restore = at((s) => String(s.uses).startsWith('actions/cache/restore'));
    const save = at((s) => String(s.uses).startsWith('actions/cache/save'));
    expect(restore).toBeGreaterThanOrEqual(0);
    expect(restore).toBeLessThan(at((s) => s.id === 'load'));
    expect(save).toBeGreaterThan(at((s) => s.id === 'add'));
    expect(save).toBeLessThan(at((s) => s.id === 'check'));
    expect(steps[save].with.key).toContain('github.run_id');
    expect(steps[save].with.path).toBe(steps[restore].with.path);
    expect(steps[restore].with['restore-keys']).toBe(steps[save].with.key.replace(/\$\{\{ github\.run_id \}\}$/, ''));
    for (const id of ['add', 'check', 'show']) expect(steps[at((s) => s.id === id)].if).toContain('!cancelled()');
  });

  it('twelve pushes: the history grows across runs through the cache, and a slowdown fails the check', async () => {
    const fast = startServe(['--latency', '5ms']);
    const slow = startServe(['--latency', '50ms']);
    try {
      const urls = { fast: await fast.url, slow: await slow.url };
      const caches = tempDir('mlop-sim-caches-');
      const artifacts = tempDir('mlop-sim-artifacts-');
      const saved: string[] = [];
      const job = workflow.jobs.history;
      const push = async (n: number, target: string): Promise<{ code: number; out: string; sha: string }> => {
        const sha = `${String(n).padStart(2, '0')}c0ffee${n}abcdef0123456789`;
        const expr = (s: string): string =>
          s.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, e: string) => {
            if (e === 'github.run_id') return String(9000 + n);
            if (e === 'github.ref_name') return 'main';
            if (e === 'secrets.INGEST_URL') return target;
            if (e === 'secrets.TEST_API_KEY') return DEFAULT_API_KEY;
            if (e === '!cancelled()') return 'true';
            throw new Error(`the test does not know the expression ${e}`);
          });
        const ws = tempDir('mlop-sim-workspace-');
        symlinkSync(join(ROOT, 'dist'), join(ws, 'dist'));
        const env: Env = { ...cleanEnv(), ...workflow.env, USERS: '4', RUN_TIME: '1s', GITHUB_SHA: sha, GITHUB_REF_NAME: 'main' };
        for (const [k, v] of Object.entries(job.env ?? {})) env[k] = expr(String(v));
        let failed = 0;
        let out = '';
        for (const step of job.steps as Json[]) {
          if (failed && !String(step.if ?? '').includes('!cancelled()')) continue;
          const uses = String(step.uses ?? '');
          if (uses.startsWith('actions/cache/restore')) {
            const key = expr(step.with.key);
            const prefix = expr(step.with['restore-keys']);
            const hit = saved.includes(key) ? key : [...saved].reverse().find((k) => k.startsWith(prefix));
            if (hit) cpSync(join(caches, hit), join(ws, step.with.path), { recursive: true });
            continue;
          }
          if (uses.startsWith('actions/cache/save')) {
            const key = expr(step.with.key);
            if (!saved.includes(key) && existsSync(join(ws, step.with.path))) {
              cpSync(join(ws, step.with.path), join(caches, key), { recursive: true });
              saved.push(key);
            }
            continue;
          }
          if (uses.startsWith('actions/upload-artifact')) {
            cpSync(join(ws, step.with.path), join(artifacts, `${step.with.name}-${n}`), { recursive: true });
            continue;
          }
          if (uses || step.id === 'build') continue;
          const r = await bash(expr(step.run), env, ws);
          out += r.out;
          if (r.code !== 0) failed = failed || (r.code ?? -1);
        }
        return { code: failed, out, sha };
      };

      const runs: Array<{ code: number; out: string; sha: string }> = [];
      for (let n = 1; n <= 12; n++) runs.push(await push(n, n <= 8 ? urls.fast : urls.slow));

      // Every push found the previous pushes' history and added its own, labelled with its commit.
      for (let n = 1; n <= 12; n++) expect(runs[n - 1].out).toContain(`(${runs[n - 1].sha.slice(0, 12)}) to history/history.jsonl: 4 entries, ${n} result${n === 1 ? '' : 's'} in all`);
      // Every push checked the history it had. (Whether the steady pushes pass is statistics: the
      // check fails 1 % of A/A histories, about 4 % of 8-push sequences — bench/RESULTS.md.)
      for (let n = 1; n <= 12; n++) expect(runs[n - 1].out).toContain(`history: ${n} result${n === 1 ? '' : 's'} in history/history.jsonl`);
      const last = runs[11];
      expect(last.code).toBe(1);
      expect(last.out).toContain(`FAIL: a regression starts within the last 5 results`);
      expect(last.out).toContain(`at result 9 (${runs[8].sha.slice(0, 12)})`);
      // The page was drawn and uploaded even though the check failed.
      const uploaded = join(artifacts, 'load-test-history-12');
      expect(readdirSync(uploaded).sort()).toEqual(['history.html', 'latest.json']);
      expect(readFileSync(join(uploaded, 'history.html'), 'utf8')).toContain('class="change-point regression"');
    } finally {
      for (const s of [fast, slow]) {
        s.server.kill('SIGINT');
        await s.closed;
      }
    }
  }, 300_000);
});
