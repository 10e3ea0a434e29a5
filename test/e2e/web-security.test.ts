/**
 * The live page's safety (--web), on the real CLI: a non-loopback bind without --web-auth and a
 * busy port are refused before the run (exit 2, one sentence); with --web-auth a missing or wrong
 * password gets 401 and no detail; a control request without the page's token gets 403 and
 * changes nothing; a request addressed by another name (DNS rebinding) gets 403; the API key
 * appears nowhere the page can read.
 */
import { createServer, type Server } from 'node:net';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, ensureBuilt, runCli, tempDir } from './cli-process.js';
import { startServe } from './serve-process.js';
import { freePort } from './web-helpers.js';

let dir = '';
beforeAll(() => {
  ensureBuilt();
  dir = tempDir('mlop-sim-web-sec-');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function until(f: () => boolean, limitMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > limitMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('--web refuses to start', () => {
  it('on a non-loopback address without --web-auth: exit 2, one sentence, before any load', async () => {
    const r = await runCli(['-u', '1', '-t', '2s', '--scenario', 'http', '--web', '--web-host', '0.0.0.0', '--report-dir', join(dir, 'a')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--web-host 0\.0\.0\.0 would serve the live page .* add --web-auth USER:PASS/);
    expect(r.stdout).not.toContain('scenario,');
  });

  it('on a busy port: exit 2 naming it', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const r = await runCli(['-u', '1', '-t', '2s', '--scenario', 'http', '--web', '--web-port', String(port), '--report-dir', join(dir, 'b')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--web-port ${port} is in use on 127.0.0.1`);
    } finally {
      blocker.close();
    }
  });

  it('a malformed --web-auth: exit 2', async () => {
    const r = await runCli(['-u', '1', '-t', '2s', '--scenario', 'http', '--web-auth', 'nopassword', '--report-dir', join(dir, 'c')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--web-auth must be USER:PASS');
  });
});

describe('a running live page', () => {
  it('401 without or with a wrong password (no detail), 403 without the token, and never the API key', async () => {
    const key = 'mlop_secret_key_for_web_test_1234';
    const target = startServe(['--key', key, '--no-default-key'], cleanEnv(), 'Press Ctrl+C');
    try {
      await checkPage(key, await target.url);
    } finally {
      target.server.kill('SIGINT');
      await target.closed;
    }
  });
});

/** Runs the CLI with --web-auth against `host` and checks what the page answers. */
async function checkPage(key: string, host: string): Promise<void> {
  {
    const port = await freePort();
    let stdout = '';
    const cli = runCli(
      ['-u', '2', '-t', '8s', '--scenario', 'http', '--host', host, '--key', key, '--web', '--web-port', String(port), '--web-auth', 'alice:s3cret', '--autoquit', '0', '--report-dir', join(dir, 'd')],
      { onStdout: (all) => (stdout = all), env: cleanEnv() },
    );
    await until(() => stdout.includes('scenario,'));
    const url = `http://127.0.0.1:${port}/`;
    const basic = (cred: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(cred).toString('base64')}` });

    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic/);
    const wrong = await fetch(url, { headers: basic('alice:wrong') });
    expect(wrong.status).toBe(401);
    const wrongBody = await wrong.text();
    expect(wrongBody).toBe(await (await fetch(url, { headers: basic('mallory:s3cret') })).text()); // the same answer for a wrong user or password
    expect(wrongBody).not.toMatch(/alice|password|user/i);

    const ok = await fetch(url, { headers: basic('alice:s3cret') });
    expect(ok.status).toBe(200);
    const page = await ok.text();
    const token = /data-token="([0-9a-f]+)"/.exec(page)![1]!;

    // Control without the token, or with a wrong one: 403, the run goes on.
    const noToken = await fetch(`${url}api/stop`, { method: 'POST', headers: { ...basic('alice:s3cret'), 'content-type': 'application/json' }, body: '{}' });
    expect(noToken.status).toBe(403);
    const badToken = await fetch(`${url}api/users`, { method: 'POST', headers: { ...basic('alice:s3cret'), 'x-mlop-sim-token': token.replace(/.$/, (c) => (c === '0' ? '1' : '0')) }, body: '{"users":1}' });
    expect(badToken.status).toBe(403);
    // A GET cannot act.
    expect((await fetch(`${url}api/stop`, { headers: basic('alice:s3cret') })).status).toBe(405);

    // The key is nowhere the page can read: the page, an update, the downloads.
    const events = await fetch(`${url}events`, { headers: basic('alice:s3cret') });
    const reader = events.body!.getReader();
    let streamed = '';
    while (!streamed.includes('event: update')) streamed += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const downloads = await Promise.all(['latest.json', 'stats.csv', 'report.html'].map(async (f) => (await fetch(`${url}download/${f}`, { headers: basic('alice:s3cret') })).text()));
    for (const text of [page, streamed, ...downloads]) expect(text).not.toContain(key);

    const r = await cli;
    expect(r.code).toBe(0); // the 403s stopped nothing
    expect(r.stdout).not.toContain('s3cret');
  }
}

describe('a live page on loopback', () => {

  it('on loopback without auth: a request addressed by another host name (DNS rebinding) gets 403', async () => {
    const port = await freePort();
    let stdout = '';
    const cli = runCli(['-u', '1', '-t', '3s', '--scenario', 'http', '--web', '--web-port', String(port), '--autoquit', '0', '--report-dir', join(dir, 'e')], { onStdout: (all) => (stdout = all) });
    await until(() => stdout.includes('scenario,'));
    const { request } = await import('node:http');
    const status = (host: string): Promise<number> => new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/', headers: { host } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject).end();
    });
    expect(await status(`evil.example:${port}`)).toBe(403);
    expect(await status(`localhost:${port}`)).toBe(200);
    expect(await status(`127.0.0.1:${port}`)).toBe(200);
    expect((await cli).code).toBe(0);
  });
});
