/**
 * End-to-end, the real built CLI against the real reference server: verdicts that can be
 * believed and bad input that ends cleanly (issue 9). Each test here failed before its fix.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_API_KEY } from '../../src/server/index.js';
import { CLI, cleanEnv, ensureBuilt, ROOT, runCli, tempDir, type CliOutcome } from './cli-process.js';

beforeAll(() => ensureBuilt(), 120_000);

function expectOneSentence(r: CliOutcome): string {
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^mlop-sim: .+[.)]$/);
  expect(r.stderr).not.toMatch(/\n\s+at |NaN/);
  return lines[0];
}

/** `mlop-sim serve --port 0 …`, resolved with its URL; stop() sends SIGINT. */
async function serve(args: string[]): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL: ${out}`)), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m && out.includes('Press Ctrl+C')) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('close', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

describe('the delivery audit never passes on rows it could not find (defect 1)', () => {
  it('a reference server whose flusher fails: exit 1, the audit names the DLQ, never "storage not checked"', async () => {
    const s = await serve(['--flush-failing', '--flush-interval', '1s']);
    try {
      const dir = tempDir();
      const t0 = Date.now();
      const r = await runCli(['--host', s.url, '--key', DEFAULT_API_KEY, '-u', '2', '-t', '2s', '--report-dir', dir], { timeoutMs: 90_000 });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/Delivery audit failed/);
      expect(r.stdout).not.toMatch(/storage not checked/);
      const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
      expect(latest.pass).toBe(false);
      expect(latest.audit.pass).toBe(false);
      expect(latest.reasons.join(' ')).toMatch(/delivery audit: .*(dead-letter queue|storage could not be read)/);
      expect(Date.now() - t0).toBeLessThan(60_000);
    } finally {
      await s.stop();
    }
  }, 120_000);

  it('rows stored twice (--faults duplicateRate) fail the audit with the count (exit 1)', async () => {
    const s = await serve(['--faults', '{"duplicateRate":0.5,"seed":3}', '--flush-interval', '1s']);
    try {
      const r = await runCli(['--host', s.url, '--key', DEFAULT_API_KEY, '-u', '2', '-t', '2s', '--report-dir', tempDir()], { timeoutMs: 90_000 });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/- delivery audit: \d+ rows were stored more than once/);
    } finally {
      await s.stop();
    }
  }, 120_000);

  it('rows dropped after the ack (--faults dropRate) fail the audit with the count (exit 1)', async () => {
    const s = await serve(['--faults', '{"dropRate":0.1,"seed":3}', '--flush-interval', '1s']);
    try {
      const r = await runCli(['--host', s.url, '--key', DEFAULT_API_KEY, '-u', '2', '-t', '2s', '--report-dir', tempDir()], { timeoutMs: 90_000 });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/- delivery audit: \d+ acknowledged rows are missing from the target's storage/);
    } finally {
      await s.stop();
    }
  }, 120_000);
});

describe('every output path is checked before the first user starts (defect 2)', () => {
  it.each([
    [['--report-dir', '/proc/x']],
    [['--report-dir', '/etc/passwd/x']],
    [['--html', '/etc/passwd/x.html']],
    [['--junit', '/proc/nope/junit.xml']],
    [['--csv', '/etc/passwd/results']],
  ])('%j: exit 2 with one sentence within seconds, no user started', async (args) => {
    const t0 = Date.now();
    const r = await runCli(['-u', '2', '-t', '30s', ...args], { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(expectOneSentence(r)).toMatch(/cannot write/);
    expect(r.stdout).not.toMatch(/users \d+ \|/);
  }, 30_000);
});

describe('serve --port (defect 3)', () => {
  it.each(['abc', '70000', '-1'])('--port %s: exit 2, one sentence', async (port) => {
    const r = await runCli(['serve', '--port', port], { timeoutMs: 15_000 });
    expect(r.code).toBe(2);
    expect(expectOneSentence(r)).toMatch(/^mlop-sim: The port must be a whole number from 0 to 65535/);
  });

  it('a busy port: exit 2, one sentence', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runCli(['serve', '--port', String(port)], { timeoutMs: 15_000 });
      expect(r.code).toBe(2);
      expect(expectOneSentence(r)).toBe(`mlop-sim: Port ${port} on 127.0.0.1 is already in use.`);
    } finally {
      blocker.close();
    }
  });
});

describe('usage errors say what was typed (defects 4, 6)', () => {
  it.each([
    [['-t', '0'], /--run-time must be above 0/],
    [['-t', '0s'], /--run-time must be above 0/],
    [['--seed', 'abc'], /--seed must be a whole number, got "abc"/],
    [['--p95', 'abc'], /--p95 must be a number of milliseconds, got "abc"/],
    [['-u', 'many'], /--users must be a whole number of at least 1, got "many"/],
    [['--wait', 'soon'], /--wait must be .*100ms-500ms/],
  ])('%j', async (args, message) => {
    const r = await runCli(['--scenario', 'http', '-u', '1', '-t', '1s', ...args], { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    expect(expectOneSentence(r)).toMatch(message);
  });
});

describe('scenario files (defect 5)', () => {
  it('a syntax error keeps file:line:column and the message', async () => {
    const dir = tempDir();
    const file = join(dir, 'typo.ts');
    writeFileSync(file, "import { defineScenario } from 'mlop-sim';\n\nexport default defineScenario({\n  name: 'x',,\n});\n");
    const r = await runCli(['--scenario', file, '-t', '1s'], { timeoutMs: 20_000 });
    expect(r.code).toBe(2);
    const line = expectOneSentence(r);
    expect(line).toContain(`${file}:4:`);
    expect(line).not.toMatch(/with 1 error:\.$/);
  });

  it("a scenario file outside the project imports 'mlop-sim' and runs", async () => {
    const dir = tempDir();
    const file = join(dir, 'elsewhere.ts');
    writeFileSync(
      file,
      "import { defineScenario } from 'mlop-sim';\n" +
        "export default defineScenario({ name: 'elsewhere', wait: { minS: 0.05, maxS: 0.1 }, tasks: [{ name: 'health', weight: 1, run: async (ctx) => { await ctx.http.get('/health'); } }] });\n",
    );
    const r = await runCli(['--scenario', file, '-u', '1', '-t', '1s', '--report-dir', join(dir, 'r')], { cwd: dir, timeoutMs: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('elsewhere scenario');
  }, 40_000);
});

describe('Ctrl+C twice (defect 6)', () => {
  it('the second Ctrl+C quits at once with 130; the "again" line is printed once', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [CLI, '-u', '3', '-t', '60s', '--report-dir', dir, '--shutdown-timeout', '30s'], {
      cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => ((out += d.toString()), out.includes('] users 3 |') && resolve())));
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    const t1 = Date.now();
    child.kill('SIGINT');
    const code = await closed;
    expect(code).toBe(130);
    expect(Date.now() - t1).toBeLessThan(3000);
    expect(err.match(/press Ctrl\+C again/g)).toHaveLength(1);
  }, 60_000);
});

describe('baselines (defect 6)', () => {
  it('a baseline of another scenario is refused as not comparable (exit 2)', async () => {
    const dir = tempDir();
    const first = await runCli(['--scenario', 'http', '-u', '2', '-t', '1s', '--report-dir', dir], { timeoutMs: 30_000 });
    expect(first.code).toBe(0);
    const r = await runCli(['-u', '2', '-t', '1s', '--baseline', join(dir, 'latest.json'), '--report-dir', tempDir()], { timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(expectOneSentence(r)).toMatch(/not comparable/);
  }, 60_000);

  it('baseline save of a failed run needs --force', async () => {
    const dir = tempDir();
    const failed = await runCli(['--scenario', 'http', '-u', '2', '-t', '1s', '--p95', '0.001', '--report-dir', dir], { timeoutMs: 30_000 });
    expect(failed.code).toBe(1);
    const to = join(dir, 'base.json');
    const refused = await runCli(['baseline', 'save', '--report-dir', dir, '--to', to]);
    expect(refused.code).toBe(2);
    expect(expectOneSentence(refused)).toMatch(/failed run.*--force/);
    expect(existsSync(to)).toBe(false);
    const forced = await runCli(['baseline', 'save', '--report-dir', dir, '--to', to, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/warning: .*failed run/);
    expect(existsSync(to)).toBe(true);
  }, 60_000);
});

describe('exit 70 (an internal bug) keeps its stack (defect 8)', () => {
  it('a TypeError inside the run: exit 70, "internal error" and the stack on stderr', async () => {
    const dir = tempDir();
    const bug = join(dir, 'bug.mjs');
    // A bug planted where every run passes: building the result's timestamps.
    writeFileSync(bug, "Date.prototype.toISOString = function () { throw new TypeError('planted bug'); };\n");
    const r = await new Promise<CliOutcome>((resolve) => {
      const child = spawn(process.execPath, ['--import', bug, CLI, '--scenario', 'http', '-u', '1', '-t', '1s', '--report-dir', join(dir, 'r')], {
        cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
    expect(r.code).toBe(70);
    expect(r.stderr).toMatch(/^mlop-sim: internal error: TypeError: planted bug\n\s+at /);
  }, 30_000);
});

