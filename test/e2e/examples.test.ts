/**
 * The scale-out recipes run as written: the Kubernetes manifests (examples/kubernetes/) and the
 * GitHub Actions workflow (examples/github-actions/) are parsed, and the exact commands of their
 * containers and steps run here against one `mlop-sim serve`, the way the platform would run
 * them: Kubernetes sets JOB_COMPLETION_INDEX per pod, expands $(VAR) from the container's env
 * and mounts volumes (here: temporary folders at the mount paths); Actions runs each `run:`
 * with bash, substitutes ${{ … }} and moves artifacts between jobs. What the test changes is
 * named: the load's size and start (ConfigMap / env values), the target (the Secret / secrets),
 * and it skips `npm ci` (the build step; the suite built the CLI once) and `uses:` actions other
 * than the artifact ones, which it emulates. The image is not built here (no container runtime).
 */
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { DEFAULT_API_KEY } from '../../src/server/index.js';
import { CLI, cleanEnv, ensureBuilt, ROOT, runCommand, tempDir } from './cli-process.js';
import { startServe } from './serve-process.js';

beforeAll(() => ensureBuilt(), 120_000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
type Env = Record<string, string | undefined>;
const readJson = (file: string): Json => JSON.parse(readFileSync(file, 'utf8')) as Json;

/** The small load every recipe runs here instead of its production size. */
const TEST_LOAD = { USERS: '8', SPAWN_RATE: '8', RUN_TIME: '3s' };

const exec = runCommand;

/** A folder with `mlop-sim` on it: what the image puts on PATH (`ln -s dist/bin/mlop-sim.js`). */
function pathWithCli(): string {
  const bin = tempDir('mlop-sim-bin-');
  const shim = join(bin, 'mlop-sim');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(shim, 0o755);
  return `${bin}:${process.env.PATH ?? ''}`;
}

describe('examples/kubernetes', () => {
  const dir = join(ROOT, 'examples/kubernetes');
  const config = parseAllDocuments(readFileSync(join(dir, 'config.yaml'), 'utf8')).map((d) => d.toJS() as Json);
  const shardsJob = parse(readFileSync(join(dir, 'shards-job.yaml'), 'utf8')) as Json;
  const mergeJob = parse(readFileSync(join(dir, 'merge-job.yaml'), 'utf8')) as Json;
  const named = (kind: string, name: string): Json => {
    const found = config.find((d) => d.kind === kind && d.metadata?.name === name);
    if (!found) throw new Error(`config.yaml has no ${kind} ${name}`);
    return found;
  };

  it('is one consistent set: an Indexed Job whose completions match --shards, volumes that exist', () => {
    const spec = shardsJob.spec;
    expect(shardsJob.kind).toBe('Job');
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.parallelism).toBe(spec.completions);
    const args: string[] = spec.template.spec.containers[0].args;
    expect(args[args.indexOf('--shards') + 1]).toBe(String(spec.completions));
    expect(mergeJob.spec.template.spec.containers[0].args[0]).toContain(`-of-${spec.completions}.json`);
    for (const job of [shardsJob, mergeJob]) {
      for (const v of job.spec.template.spec.volumes) {
        if (v.configMap) named('ConfigMap', v.configMap.name);
        if (v.persistentVolumeClaim) expect(named('PersistentVolumeClaim', v.persistentVolumeClaim.claimName).spec.accessModes).toContain('ReadWriteMany');
      }
    }
  });

  it('the shard pods and the merge Job, run as Kubernetes would, give one passing report', async () => {
    const serve = startServe([]);
    try {
      const url = await serve.url;
      const PATH = pathWithCli();
      // Volumes: a folder per volume, mounted where the container mounts it.
      const folders = new Map<string, string>();
      const folderOf = (volume: Json): string => {
        const key = JSON.stringify(volume.configMap ?? volume.persistentVolumeClaim);
        if (!folders.has(key)) {
          const f = tempDir('mlop-sim-volume-');
          if (volume.configMap) for (const [file, text] of Object.entries(named('ConfigMap', volume.configMap.name).data as Record<string, string>)) writeFileSync(join(f, file), text);
          folders.set(key, f);
        }
        return folders.get(key) as string;
      };
      const podCommand = (job: Json, extraEnv: Env): { cmd: string; args: string[]; env: Env } => {
        const pod = job.spec.template.spec;
        const c = pod.containers[0];
        const env: Env = { ...cleanEnv(), PATH, ...extraEnv };
        for (const from of c.envFrom ?? []) {
          if (from.configMapRef) Object.assign(env, named('ConfigMap', from.configMapRef.name).data, from.configMapRef.name === 'mlop-sim-load' ? load : {});
          if (from.secretRef) Object.assign(env, named('Secret', from.secretRef.name).stringData, { INGEST_URL: url, TEST_API_KEY: DEFAULT_API_KEY });
        }
        const mounts: [string, string][] = (c.volumeMounts ?? []).map((m: Json) => [m.mountPath, folderOf(pod.volumes.find((v: Json) => v.name === m.name))]);
        const expand = (s: string): string => {
          let out = String(s).replace(/\$\(([A-Z_][A-Z0-9_]*)\)/g, (_, k: string) => env[k] ?? `$(${k})`);
          for (const [path, folder] of mounts) out = out.replace(new RegExp(`(?<![\\w/])${path}(?=/|\\s|$)`, 'g'), folder);
          return out;
        };
        const argv = [...c.command, ...(c.args ?? [])].map(expand);
        return { cmd: argv[0], args: argv.slice(1), env };
      };
      const load = { ...TEST_LOAD, START_AT: new Date(Date.now() + 4_000).toISOString() };

      const completions: number = shardsJob.spec.completions;
      const pods = await Promise.all(Array.from({ length: completions }, (_, i) => {
        const p = podCommand(shardsJob, { JOB_COMPLETION_INDEX: String(i) });
        return exec(p.cmd, p.args, { env: p.env });
      }));
      // A shard is not judged alone: it names its share and leaves the verdict to the merge job.
      for (const p of pods) {
        expect(p.out).toMatch(new RegExp(`^Shard \\d of ${completions}: \\d+ of the plan's ${TEST_LOAD.USERS} users`, 'm'));
        expect(p.out).not.toMatch(/^(PASS|FAIL)$/m);
      }
      expect(pods.map((p) => p.code)).toEqual(Array(completions).fill(0));

      const m = podCommand(mergeJob, {});
      const merged = await exec(m.cmd, m.args, { env: m.env });
      expect(merged.code).toBe(0);
      const shardsFolder = [...folders.values()].find((f) => existsSync(join(f, 'report'))) as string;
      const report = join(shardsFolder, 'report');
      expect(readdirSync(report).sort()).toEqual(['junit.xml', 'latest.json', 'report.html']);
      const latest = readJson(join(report, 'latest.json'));
      expect(latest.pass).toBe(true);
      expect(latest.scenario).toBe('fine-tune');
      expect(latest.users).toBe(Number(TEST_LOAD.USERS));
      expect(latest.scaleOut.parts.map((p: Json) => p.complete)).toEqual(Array(completions).fill(true));
      expect(latest.audit.runs.map((r: Json) => r.runName).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `fine-tune-${i + 1}`).sort());
      expect(latest.audit.totals.lostRows).toBe(0);
    } finally {
      serve.server.kill('SIGINT');
      await serve.closed;
    }
  });
});

describe('examples/github-actions', () => {
  const workflow = parse(readFileSync(join(ROOT, 'examples/github-actions/load-test.yml'), 'utf8')) as Json;

  it('has a matrix over every shard and a merge job that runs after it, also when a shard failed', () => {
    const { shard, merge } = workflow.jobs;
    expect(shard.strategy.matrix.shard).toEqual(Array.from({ length: Number(workflow.env.SHARDS) }, (_, i) => i));
    expect(shard.strategy['fail-fast']).toBe(false);
    expect(merge.needs).toBe('shard');
    expect(merge.if).toContain('!cancelled()');
  });

  it('the plan, shard and merge jobs, run step by step as Actions would, gate on the merged verdict', async () => {
    const serve = startServe([]);
    try {
      const url = await serve.url;
      const artifacts = tempDir('mlop-sim-artifacts-');
      const baseEnv: Env = { ...cleanEnv(), ...workflow.env, ...TEST_LOAD, START_DELAY: '4 seconds' };
      const outputs: Record<string, string> = {};
      const expr = (s: string, matrix: Json): string =>
        s.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, e: string) => {
          if (e === 'matrix.shard') return String(matrix.shard);
          if (e === 'github.run_id') return '4242';
          if (e === 'secrets.INGEST_URL') return url;
          if (e === 'secrets.TEST_API_KEY') return DEFAULT_API_KEY;
          if (e === '!cancelled()') return 'true';
          const need = /^needs\.(\w+)\.outputs\.(\w+)$/.exec(e);
          if (need && outputs[need[2]] !== undefined) return outputs[need[2]];
          throw new Error(`the test does not know the expression ${e}`);
        });
      /** Runs a job's steps in a fresh workspace (the checkout: the built repository); returns the failing step's code. */
      const runJob = async (name: string, matrix: Json = {}): Promise<{ code: number; out: string }> => {
        const job = workflow.jobs[name];
        const ws = tempDir('mlop-sim-workspace-');
        symlinkSync(join(ROOT, 'dist'), join(ws, 'dist'));
        const env: Env = { ...baseEnv };
        for (const [k, v] of Object.entries(job.env ?? {})) env[k] = expr(String(v), matrix);
        let all = '';
        for (const step of job.steps as Json[]) {
          if (step.uses?.startsWith('actions/upload-artifact')) {
            const named = expr(step.with.name, matrix);
            if (existsSync(join(ws, step.with.path))) cpSync(join(ws, step.with.path), join(artifacts, named), { recursive: true });
            continue;
          }
          if (step.uses?.startsWith('actions/download-artifact')) {
            const prefix = String(step.with.pattern).replace(/\*$/, '');
            mkdirSync(join(ws, step.with.path), { recursive: true });
            for (const a of readdirSync(artifacts).filter((n) => n.startsWith(prefix))) cpSync(join(artifacts, a), join(ws, step.with.path), { recursive: true });
            continue;
          }
          if (step.uses || step.id === 'build') continue;
          const ghOutput = join(ws, '.github_output');
          writeFileSync(ghOutput, '');
          const r = await exec('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', expr(step.run, matrix)], { env: { ...env, GITHUB_OUTPUT: ghOutput }, cwd: ws });
          all += r.out;
          for (const line of readFileSync(ghOutput, 'utf8').split('\n')) {
            const eq = line.indexOf('=');
            if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
          }
          if (r.code !== 0) return { code: r.code ?? -1, out: all };
        }
        return { code: 0, out: all };
      };

      expect((await runJob('plan')).code).toBe(0);
      expect(Date.parse(outputs.start_at)).toBeGreaterThan(Date.now() - 10_000);
      const shards = await Promise.all((workflow.jobs.shard.strategy.matrix.shard as number[]).map((s) => runJob('shard', { shard: s })));
      expect(shards.map((s) => s.code)).toEqual([0, 0, 0, 0]);
      const merge = await runJob('merge');
      expect(merge.code).toBe(0);
      expect(merge.out).toContain('PASS');

      // A shard whose artifact never arrived: the merge job fails, and with it the workflow.
      rmSync(join(artifacts, 'shard-2'), { recursive: true });
      const gated = await runJob('merge');
      expect(gated.code).toBe(1);
      expect(gated.out).toContain('shard 2 of 4 is incomplete: no shard file for it.');
    } finally {
      serve.server.kill('SIGINT');
      await serve.closed;
    }
  });
});



describe('examples/github-actions/duet.yml', () => {
  const workflow = parse(readFileSync(join(ROOT, 'examples/github-actions/duet.yml'), 'utf8')) as Json;

  it("runs on pull requests, checks out main and the PR side by side, and one run gates on B against A", () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    const steps = workflow.jobs.duet.steps as Json[];
    const checkouts = steps.filter((s) => s.uses?.startsWith('actions/checkout'));
    expect(checkouts.map((c) => c.with.path)).toEqual(['stack-main', 'stack-pr']);
    expect(checkouts[0].with.ref).toContain('pull_request.base.sha');
    const verdict = steps.find((s) => s.id === 'verdict');
    expect(verdict.run).toContain('--duet-host $B_INGEST');
  });

  it('the verdict step, run as Actions would against two stacks (two `mlop-sim serve`), passes on equal stacks and fails on a slower PR', async () => {
    const run = async (bLatency: string): Promise<{ code: number | null; out: string }> => {
      const a = startServe(['--latency', '10ms']);
      const b = startServe(['--latency', bLatency]);
      try {
        const [aUrl, bUrl] = await Promise.all([a.url, b.url]);
        const ws = tempDir('mlop-sim-workspace-');
        mkdirSync(join(ws, 'node_modules'));
        symlinkSync(ROOT, join(ws, 'node_modules', 'mlop-sim'));
        const step = (workflow.jobs.duet.steps as Json[]).find((s) => s.id === 'verdict');
        const cmd = String(step.run).replace(/\$\{\{\s*github\.run_id\s*\}\}/g, '4242');
        const env: Env = {
          ...cleanEnv(), ...workflow.env, USERS: '10', RUN_TIME: '8s', TEST_API_KEY: DEFAULT_API_KEY,
          A_INGEST: aUrl, A_API: aUrl, B_INGEST: bUrl, B_API: bUrl,
        };
        return await exec('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', cmd], { env, cwd: ws });
      } finally {
        for (const s of [a, b]) s.server.kill('SIGINT');
        await Promise.all([a.closed, b.closed]);
      }
    };
    const equal = await run('10ms');
    expect(equal.code, equal.out).toBe(0);
    const slower = await run('30ms');
    expect(slower.code, slower.out).toBe(1);
    expect(slower.out).toContain('duet: side B against side A: regression');
  }, 120_000);
});
