/**
 * End-to-end scale-out with the real CLI: `--workers 2` against the embedded server (one report,
 * one verdict, a killed worker reported with its partial results, Ctrl+C still writes the
 * report), `--shard`/`--shards` + `merge` against one `mlop-sim serve` (exact totals, order-
 * independent, a retried shard counted once, other plans refused, a missing shard failing), and
 * `--seed` giving a user the same draws in a single run, in workers and in shards.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY } from '../../src/server/index.js';
import { cleanEnv, ensureBuilt, runCli, tempDir } from './cli-process.js';
import { startServe } from './serve-process.js';

beforeAll(() => ensureBuilt(), 120_000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
const readJson = (file: string): Json => JSON.parse(readFileSync(file, 'utf8')) as Json;
const count = (latest: Json, name: string): number => latest.entries.find((e: Json) => e.name === name)?.count ?? 0;

/** Runs the CLI and SIGKILLs worker 1 once its stdout so far satisfies `when`. */
async function runKillingWorker1(args: string[], when: (stdout: string) => boolean): Promise<{ r: Awaited<ReturnType<typeof runCli>>; killed: boolean }> {
  let killed = false;
  const r = await runCli(args, {
    onStdout: (all) => {
      const pid = /worker 1 of 2 started \(pid (\d+)\)/.exec(all)?.[1];
      if (!killed && pid && when(all)) {
        killed = true;
        process.kill(Number(pid), 'SIGKILL');
      }
    },
  });
  return { r, killed };
}

describe('--workers 2', () => {
  it('runs the users in two processes against one embedded server and writes one report with one verdict', async () => {
    const dir = tempDir();
    const r = await runCli(['--workers', '2', '-u', '6', '-t', '3s', '--seed', '5', '--shutdown-timeout', '10s', '--report-dir', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.match(/started the embedded reference server/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/worker 0 of 2 started \(pid \d+\)/);
    expect(r.stdout).toMatch(/worker 1 of 2 started \(pid \d+\)/);
    expect(r.stdout).toContain('Workers: 2, all complete (coordinator CPU');
    expect(readdirSync(dir)).toEqual(['latest.json']);
    const latest = readJson(join(dir, 'latest.json'));
    expect(latest.pass).toBe(true);
    expect(latest.users).toBe(6);
    expect(latest.scaleOut.parts.map((p: Json) => [p.index, p.complete, p.exitCode])).toEqual([[0, true, 0], [1, true, 0]]);
    // Both workers' runs, audited against the one server's stored rows.
    expect(latest.audit.runs.map((a: Json) => a.runName).sort()).toEqual([1, 2, 3, 4, 5, 6].map((i) => `load-test-run-${i}`));
    expect(latest.audit.storageChecked).toBe(true);
    expect(latest.audit.totals.lostRows).toBe(0);
    // every record settled once: the job's log() records (before and after the sync start), console lines, system samples
    const records = ['E2E log→ack', 'E2E log→ack (sync start-up)', 'E2E console→ack', 'E2E system→ack'].reduce((n, e) => n + count(latest, e), 0);
    expect(latest.audit.totals.logged).toBe(records);
    expect(latest.history.Aggregated.some((p: Json) => p.users === 6)).toBe(true);
  });

  it('streams --out json and csv from the merged workers every second, as a single run does; the last totals equal latest.json', async () => {
    const dir = tempDir();
    let firstPointAt = 0;
    const r = await runCli(['--workers', '2', '-u', '4', '-t', '4s', '--seed', '3', '--shutdown-timeout', '5s', '-q', '--report-dir', dir,
      '--out', 'json=-', '--out', `csv=${join(dir, 'samples.csv')}`], {
      onStdout: (all) => { if (firstPointAt === 0 && all.includes('{"type":"Point"')) firstPointAt = Date.now(); },
    });
    const endedAt = Date.now();
    expect(r.code, r.stderr).toBe(0);
    // Streamed by the coordinator while the workers ran (4 s of load), not only at the end.
    expect(firstPointAt).toBeGreaterThan(0);
    expect(endedAt - firstPointAt).toBeGreaterThan(2000);
    const lines: Json[] = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    const latest = readJson(join(dir, 'latest.json'));
    const points = (metric: string, entry?: string): Json[] =>
      lines.filter((l) => l.type === 'Point' && l.metric === metric && (entry === undefined || l.data.tags.entry === entry));
    const totals = points('mlop_sim_requests_total', 'Aggregated');
    expect(totals.length).toBeGreaterThanOrEqual(4);
    // one row per second (never one per worker), seconds in order, running totals never going back
    const seconds = totals.map((p) => Date.parse(p.data.time));
    expect(new Set(seconds).size).toBe(seconds.length);
    expect([...seconds].sort((a, b) => a - b)).toEqual(seconds);
    for (let i = 1; i < totals.length; i++) expect(totals[i].data.value).toBeGreaterThanOrEqual(totals[i - 1].data.value);
    expect(totals.at(-1)!.data.value).toBe(latest.aggregated.count);
    // the per-second rates add up to the total, as in a single run
    expect(points('mlop_sim_requests_per_second', 'Aggregated').reduce((n, p) => n + p.data.value, 0)).toBe(latest.aggregated.count);
    const e2e = points('mlop_sim_requests_total', 'E2E log→ack');
    expect(e2e.at(-1)!.data.value).toBe(latest.entries.find((e: Json) => e.name === 'E2E log→ack').count);
    // the users of both workers
    expect(Math.max(...points('mlop_sim_users').map((p) => p.data.value))).toBe(4);
    expect(lines.filter((l) => l.type === 'Audit')).toHaveLength(1);
    expect(lines.at(-1)).toMatchObject({ type: 'Result', data: { pass: true, exitCode: 0 } });
    const csv = readFileSync(join(dir, 'samples.csv'), 'utf8').trimEnd().split('\r\n');
    const csvAgg = csv.filter((l) => l.startsWith('mlop_sim_requests_total,') && l.includes(',Aggregated,'));
    expect(csvAgg).toHaveLength(totals.length);
    expect(Number(csvAgg.at(-1)!.split(',')[2])).toBe(latest.aggregated.count);
  });

  it('reports a worker killed mid-run (signal, reason), keeps what it sent and fails the run', async () => {
    const dir = tempDir();
    const { r, killed } = await runKillingWorker1(['--workers', '2', '--scenario', 'http', '-u', '4', '-t', '6s', '--report-dir', dir],
      (all) => /\[\s+\d+s\] users/.test(all) && all.includes('req/s'));
    expect(killed).toBe(true);
    expect(r.code).toBe(1);
    const latest = readJson(join(dir, 'latest.json'));
    const dead = latest.scaleOut.parts[1];
    expect(dead).toMatchObject({ index: 1, complete: false, signal: 'SIGKILL' });
    expect(dead.reason).toContain('killed by SIGKILL before it sent its result');
    expect(latest.scaleOut.parts[0].complete).toBe(true);
    expect(latest.reasons).toContain(`worker 1 of 2 is incomplete: ${dead.reason}.`);
    expect(r.stdout).toContain('Workers: 2, worker 1 incomplete');
    // Worker 0 ran its whole 6 s; the dead worker's requests up to its last report are in too.
    expect(latest.total_requests).toBeGreaterThan(0);
  });

  it("keeps the SDK runs of a worker killed mid-run as it last reported them: audited, and its unaccounted records named in the verdict", async () => {
    const dir = tempDir();
    // after a few of its once-a-second reports, with its users' runs under way
    const { r, killed } = await runKillingWorker1(['--workers', '2', '-u', '4', '-t', '8s', '--seed', '4', '--shutdown-timeout', '5s', '--report-dir', dir],
      (all) => /\[\s+4s\] users 4/.test(all));
    expect(killed).toBe(true);
    expect(r.code).toBe(1);
    const latest = readJson(join(dir, 'latest.json'));
    const dead = latest.scaleOut.parts[1];
    expect(dead).toMatchObject({ index: 1, complete: false, signal: 'SIGKILL', sdkRuns: 2 });
    // Both workers' runs are in the audit, the dead worker's with its last reported counts.
    expect(latest.audit.runs.map((a: Json) => a.runName).sort()).toEqual([1, 2, 3, 4].map((i) => `load-test-run-${i}`));
    expect(latest.audit.storageChecked).toBe(true);
    const deadRuns = latest.audit.runs.filter((a: Json) => a.runName === 'load-test-run-2' || a.runName === 'load-test-run-4');
    expect(deadRuns.every((a: Json) => a.logged > 0 && a.acked > 0)).toBe(true);
    // what the dead worker's runs had acked by its last report is stored: none of it lost
    expect(deadRuns.reduce((n: number, a: Json) => n + a.lostRows, 0)).toBe(0);
    expect(dead.unaccountedRecords).toBe(deadRuns.reduce((n: number, a: Json) => n + a.pending, 0));
    expect(latest.reasons).toContain(`worker 1 of 2 (killed by SIGKILL): ${dead.unaccountedRecords} records of its 2 SDK runs are unaccounted for (logged but neither acked nor failed at its last report).`);
    expect(r.stdout).toContain(`worker 1 of 2 (killed by SIGKILL): ${dead.unaccountedRecords} records of its 2 SDK runs are unaccounted for`);
  });

  it('Ctrl+C stops every worker and still writes the merged report (exit 130)', async () => {
    const dir = tempDir();
    const r = await runCli(['--workers', '2', '--scenario', 'http', '-u', '4', '-t', '60s', '--report-dir', dir], {
      interrupt: { signal: 'SIGINT', afterText: 'req/s' },
    });
    expect(r.code).toBe(130);
    const latest = readJson(join(dir, 'latest.json'));
    expect(latest.interrupted).toBe(true);
    expect(latest.durationS).toBeLessThan(30);
    expect(latest.scaleOut.parts.every((p: Json) => p.complete)).toBe(true);
    expect(latest.total_requests).toBeGreaterThan(0);
  });

  it('refuses a bad --workers value with one sentence (exit 2)', async () => {
    const r = await runCli(['--workers', 'lots', '-u', '2', '-t', '1s']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('mlop-sim: --workers must be a whole number of at least 1 or "auto", got lots.');
  });
});

describe('--shard / --shards and merge', () => {
  it('shards against one server merge into one report: exact totals, any file order, a retried shard once', async () => {
    const serve = startServe([]);
    try {
      const url = await serve.url;
      const dir = tempDir();
      const env = (i: number): Record<string, string | undefined> => cleanEnv({ JOB_COMPLETION_INDEX: String(i), INGEST_URL: url, TEST_API_KEY: DEFAULT_API_KEY });
      const shards = await Promise.all([0, 1, 2].map((i) =>
        runCli(['--shards', '3', '-u', '6', '-t', '3s', '--seed', '9', '--shutdown-timeout', '10s', '--report-dir', dir, '-q'], { env: env(i) })));
      for (const s of shards) {
        expect(s.stderr).toBe('');
        expect(s.code).toBe(0);
      }
      const files = [0, 1, 2].map((i) => join(dir, `shard-${i}-of-3.json`));
      const parts = files.map(readJson);
      expect(new Set(parts.map((p) => p.fingerprint)).size).toBe(1);
      expect(JSON.stringify(parts)).not.toContain(DEFAULT_API_KEY);

      const a = tempDir(), b = tempDir();
      const m1 = await runCli(['merge', ...files, '--report-dir', a, '--junit', join(a, 'junit.xml')]);
      const m2 = await runCli(['merge', files[2], files[0], files[1], files[1], '--report-dir', b, '--junit', join(b, 'junit.xml')]);
      expect(m1.stderr).toBe('');
      expect(m1.code).toBe(0);
      expect(m2.code).toBe(0);
      const l1 = readJson(join(a, 'latest.json')), l2 = readJson(join(b, 'latest.json'));
      // Totals are the sums of the shards' own counts.
      const shardSum = (name: string): number => parts.reduce((n, p) => n + (p.result.stats.entries.find((e: Json) => `${e.method} ${e.route}` === name)?.count ?? 0), 0);
      expect(count(l1, 'E2E log→ack')).toBe(shardSum('E2E log→ack'));
      expect(l1.audit.totals.logged).toBe(parts.reduce((n, p) => n + p.result.runs.reduce((k: number, r: Json) => k + r.logged, 0), 0));
      expect(l1.audit.runs).toHaveLength(6);
      expect(l1.audit.totals.lostRows).toBe(0);
      expect(l1.users).toBe(6);
      // The same report whatever the order, and the shard given twice counts once.
      const { scaleOut: s1, ...rest1 } = l1;
      const { scaleOut: s2, ...rest2 } = l2;
      expect(rest2).toEqual(rest1);
      expect(s2.parts[1].duplicates).toBe(1);
      expect(s1.parts.every((p: Json) => p.complete)).toBe(true);
      expect(readFileSync(join(a, 'junit.xml'), 'utf8')).toContain('testsuite');

      // A shard of another plan (another seed) is refused; a missing shard fails the run.
      const other = tempDir();
      const odd = await runCli(['--shard', '1/3', '-u', '6', '-t', '3s', '--seed', '10', '--shutdown-timeout', '10s', '--report-dir', other, '-q'], { env: env(1) });
      expect(odd.code).toBe(0);
      const refused = await runCli(['merge', files[0], join(other, 'shard-1-of-3.json'), files[2]]);
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim()).toBe('mlop-sim: shard-0-of-3.json and shard-1-of-3.json come from different plans (seed differs): merge only the shards of one run.');
      // A shard whose reference server's storage could not be read (what it writes then: storage
      // `unreadable`, storageChecked false) fails the merge, naming the shard; never `acked-only`.
      const doctored = tempDir();
      const shard = (i: number, storage: Json): string => {
        const file = join(doctored, `shard-${i}-of-3.json`);
        writeFileSync(file, JSON.stringify({ ...parts[i], result: { ...parts[i].result, ...storage } }));
        return file;
      };
      const unreadable = shard(1, { storageChecked: false, storage: 'unreadable', storageProblem: 'POST /_sim/flush failed: ECONNREFUSED' });
      const u = await runCli(['merge', files[0], unreadable, files[2], '--report-dir', doctored, '-q']);
      expect(u.code).toBe(1);
      const ul = readJson(join(doctored, 'latest.json'));
      expect(ul.audit).toMatchObject({ storage: 'unreadable', storageChecked: false, pass: false, storageProblem: 'shard 1 of 3: POST /_sim/flush failed: ECONNREFUSED' });
      expect(ul.reasons).toContain(`delivery audit: the reference server's storage could not be read (shard 1 of 3: POST /_sim/flush failed: ECONNREFUSED), so ${ul.audit.totals.expectedRows} acked rows are not confirmed stored.`);
      // A shard audited on acks only (another target) makes the whole audit acked-only, and says so.
      const ackedOnly = shard(2, { storageChecked: false, storage: 'acked-only' });
      const a2 = await runCli(['merge', files[0], files[1], ackedOnly, '--report-dir', doctored]);
      expect(a2.code).toBe(0);
      expect(readJson(join(doctored, 'latest.json')).audit).toMatchObject({ storage: 'acked-only', storageChecked: false, pass: true });
      expect(a2.stdout).toContain('acked only, storage not checked');
      expect(parts.map((p) => p.result.storage)).toEqual(['checked', 'checked', 'checked']);

      const missing = await runCli(['merge', files[0], files[2], '--report-dir', tempDir(), '-q']);
      expect(missing.code).toBe(1);
      expect(missing.stdout).toContain('shard 1 of 3 is incomplete: no shard file for it.');
    } finally {
      serve.server.kill('SIGINT');
      await serve.closed;
    }
  });

  it('a shard names its share and its file, leaves the verdict to merge, and exits 0 even when the merge fails', async () => {
    const dir = tempDir(), merged = tempDir();
    // A threshold no run can meet: the shards must not call themselves FAIL (or PASS); the merge does.
    const args = ['--scenario', 'http', '-u', '5', '-t', '1s', '--seed', '3', '--threshold', 'agg:p50<0.000001', '--report-dir', dir];
    const first = await runCli([...args, '--shard', '0/2']);
    const second = await runCli([...args, '--shard', '1/2', '-q']);
    for (const [r, index, users] of [[first, 0, 3], [second, 1, 2]] as const) {
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(/^(PASS|FAIL)$/m);
      expect(r.stdout).not.toMatch(/\bok\b.*P95_THRESHOLD_MS|breaks/);
      expect(r.stdout).toMatch(new RegExp(`^Shard ${index} of 2: ${users} of the plan's 5 users for \\d+\\.\\d s; \\d+ requests, \\d+ failed`, 'm'));
      expect(r.stdout).toContain(`Wrote ${join(dir, `shard-${index}-of-2.json`)}. A shard is not judged alone: the report, the verdict and the exit code come from \`mlop-sim merge\` of all 2 shard files.`);
    }
    const m = await runCli(['merge', join(dir, 'shard-0-of-2.json'), join(dir, 'shard-1-of-2.json'), '--report-dir', merged]);
    expect(m.code).toBe(1);
    expect(m.stdout).toMatch(/^FAIL$/m);
    expect(m.stdout).toMatch(/http scenario, 5 users/);
  });

  it('refuses a shard without --seed, report files on a shard, and --shards without an index', async () => {
    const noSeed = await runCli(['--shard', '0/2', '-u', '2', '-t', '1s']);
    expect(noSeed.code).toBe(2);
    expect(noSeed.stderr).toContain('--shard needs --seed');
    const html = await runCli(['--shard', '0/2', '--seed', '1', '--html', 'x.html', '-u', '2', '-t', '1s']);
    expect(html.code).toBe(2);
    expect(html.stderr.trim()).toBe('mlop-sim: --html goes to mlop-sim merge: a shard writes only its shard file.');
    const noIndex = await runCli(['--shards', '2', '--seed', '1', '-u', '2', '-t', '1s']);
    expect(noIndex.code).toBe(2);
    expect(noIndex.stderr).toContain('JOB_COMPLETION_INDEX');
    const bad = await runCli(['--shard', '2/2', '--seed', '1', '-u', '2', '-t', '1s']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('mlop-sim: the shard index must be a whole number from 0 to 1, got 2.');
  });
});

describe('--seed across a split', () => {
  it("gives user i the same task choices and draws alone, in workers, in shards and in a shard's workers", async () => {
    const dir = tempDir();
    const scenario = join(dir, 'draws.mjs');
    // Each user records its first three task choices and random draws as entry names.
    writeFileSync(scenario, `
      const task = (name) => ({ name, weight: name === 'a' ? 1 : 2, run(ctx) {
        const n = (ctx.state.n ?? 0); ctx.state.n = n + 1;
        if (n < 3) ctx.record('DRAW', 'u' + ctx.userIndex + ' #' + n + ' ' + name + ' ' + ctx.random.next().toFixed(8), 1, true);
      } });
      export default { name: 'draws', wait: { minS: 0.05, maxS: 0.05 }, tasks: [task('a'), task('b')] };
    `);
    const draws = (latest: Json): string[] => latest.entries.filter((e: Json) => e.method === 'DRAW').map((e: Json) => e.route).sort();
    const args = ['--scenario', scenario, '-u', '5', '-t', '2s', '--seed', '77', '-q'];
    const single = tempDir(), workers = tempDir(), shards = tempDir(), merged = tempDir();
    expect((await runCli([...args, '--report-dir', single])).code).toBe(0);
    expect((await runCli([...args, '--workers', '2', '--report-dir', workers])).code).toBe(0);
    for (const shard of ['0/2', '1/2']) expect((await runCli([...args, '--shard', shard, '--report-dir', shards])).code).toBe(0);
    expect((await runCli(['merge', join(shards, 'shard-0-of-2.json'), join(shards, 'shard-1-of-2.json'), '--report-dir', merged, '-q'])).code).toBe(0);
    // Shard 1 of 2 over two workers of its own (worker w runs segment 1 + 2w of 4).
    const mixed = tempDir(), mixedMerged = tempDir();
    expect((await runCli([...args, '--shard', '0/2', '--report-dir', mixed])).code).toBe(0);
    expect((await runCli([...args, '--shard', '1/2', '--workers', '2', '--report-dir', mixed])).code).toBe(0);
    expect((await runCli(['merge', join(mixed, 'shard-1-of-2.json'), join(mixed, 'shard-0-of-2.json'), '--report-dir', mixedMerged, '-q'])).code).toBe(0);
    const expected = draws(readJson(join(single, 'latest.json')));
    expect(expected).toHaveLength(15);
    expect(draws(readJson(join(workers, 'latest.json')))).toEqual(expected);
    expect(draws(readJson(join(merged, 'latest.json')))).toEqual(expected);
    expect(draws(readJson(join(mixedMerged, 'latest.json')))).toEqual(expected);
  });
});
