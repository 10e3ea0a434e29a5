/**
 * The live page (--web) of the real CLI in a real browser (Debian's chromium driven by
 * playwright-core, launched as the HTML report test does): it updates every second, change users
 * and stop from the page take effect within 1 s, and at the end the page is the final report —
 * the same bytes --html wrote, with the totals of latest.json.
 * WEB_SCREENSHOT=1 also writes docs/img/live-page.png (the screenshot docs/cli.md shows).
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT, runCli, tempDir } from './cli-process.js';
import { freePort } from './web-helpers.js';
import { launchChromium } from '../output/chromium.js';

let browser: Browser | undefined;
let dir = '';

beforeAll(async () => {
  ensureBuilt();
  dir = tempDir('mlop-sim-web-');
  browser = await launchChromium('the live page test');
});

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Polls `f` every 25 ms until it is true; returns the ms it took, or throws after `limitMs`. */
async function within(limitMs: number, f: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await f()) return Date.now() - t0;
    if (Date.now() - t0 > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('--web in a browser', () => {
  it('updates every second, takes "set users" and "stop" within 1 s, and ends as the --html page with latest.json totals', async () => {
    const port = await freePort();
    const reports = join(dir, 'reports');
    const html = join(dir, 'report.html');
    let stdout = '';
    const cli = runCli(
      ['-u', '6', '-r', '20', '-t', '60s', '--scenario', 'http', '--wait', '0.1s-0.3s', '--web', '--web-port', String(port), '--autoquit', '5',
        '--report-dir', reports, '--html', html, '--csv', join(dir, 'run')],
      { timeoutMs: 90_000, onStdout: (all) => (stdout = all) },
    );
    await within(20_000, async () => stdout.includes('http scenario'));
    const url = `http://127.0.0.1:${port}/`;
    expect(stdout).toContain(`live page at ${url}`);

    const context = await browser!.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
    await page.goto(url, { waitUntil: 'load' });
    const updates = async (): Promise<number> => Number(await page.getAttribute('#live-bar', 'data-updates'));
    const users = async (): Promise<number> => Number(await page.getAttribute('#live-bar', 'data-users'));

    // At least one update a second: count them over 4 s, and the history grows with them.
    await within(3_000, async () => (await updates()) >= 1);
    const before = await updates();
    const pointsBefore = await page.evaluate(() => JSON.parse(document.getElementById('mlop-sim-data')!.textContent!).history.Aggregated.length as number);
    await page.waitForTimeout(4_000);
    expect((await updates()) - before).toBeGreaterThanOrEqual(4);
    const pointsAfter = await page.evaluate(() => JSON.parse(document.getElementById('mlop-sim-data')!.textContent!).history.Aggregated.length as number);
    // One point a second; the seconds at either end of the wait may still be in flight when an
    // update is built, and a loaded machine can hold one update back a second.
    expect(pointsAfter).toBeGreaterThanOrEqual(pointsBefore + 2);
    // One point a second, in order: the merges lose none (an update sends a point's epoch second exactly).
    const seconds = await page.evaluate(() => JSON.parse(document.getElementById('mlop-sim-data')!.textContent!).history.Aggregated.map((p: { t: number }) => p.t) as number[]);
    expect(seconds.filter((t, i) => i > 0 && t !== seconds[i - 1] + 1)).toEqual([]);
    expect(await page.getAttribute('#chart-rps', 'data-drawn')).not.toBeNull();
    expect(await page.textContent('#verdict')).toContain('RUNNING');
    expect(await users()).toBe(6);
    if (process.env.WEB_SCREENSHOT === '1') await page.screenshot({ path: join(ROOT, 'docs/img/live-page.png'), fullPage: false });

    // A page opened late gets the whole history so far.
    const late = await context.newPage();
    await late.goto(url, { waitUntil: 'load' });
    const latePoints = await late.evaluate(() => JSON.parse(document.getElementById('mlop-sim-data')!.textContent!).history.Aggregated.length as number);
    expect(latePoints).toBeGreaterThanOrEqual(pointsAfter);
    await late.close();

    // Change users: 6 → 2, seen on the page within 1 s.
    await page.fill('#live-users', '2');
    await page.click('#live-set-users');
    const usersMs = await within(1_000, async () => (await users()) === 2);
    expect(await page.textContent('#live-answer')).toBe('applied');
    expect(usersMs).toBeLessThanOrEqual(1_000);
    console.log(`set users → 2 users on the page in ${usersMs} ms`);

    // The arrival-rate control says why not (this is constant-users).
    expect(await page.getAttribute('#live-set-rate', 'disabled')).not.toBeNull();

    // Stop: the load ends within 1 s (the status says so, or the page already reloaded into the final report).
    const reloaded = page.waitForEvent('load', { timeout: 20_000 });
    const stopAt = Date.now();
    await page.click('#live-stop');
    let ended = false;
    page.on('framenavigated', () => (ended = true));
    const status = (): Promise<string> => page.evaluate(() => document.getElementById('live-status')?.textContent ?? 'no live bar').catch(() => 'navigating');
    const endedMs = await within(1_000, async () => ended || /ended|no live bar|navigating/.test(await status()));
    expect(endedMs).toBeLessThanOrEqual(1_000);
    await reloaded;
    console.log(`stop → final page in ${Date.now() - stopAt} ms`);
    expect(await page.$('#live-bar')).toBeNull();
    // The final page as served (before --autoquit 5 ends the server).
    const served = await (await fetch(url)).text();
    const download = await (await fetch(`${url}download/latest.json`)).text();
    const outcome = await cli;
    expect(outcome.code).toBe(130); // as Ctrl+C
    expect(outcome.stdout).toMatch(/Changed by hand \(live page\): at [\d.]+ s users → 2 \(web\); at [\d.]+ s stop \(web\)/);
    expect(errors).toEqual([]);

    const latest = JSON.parse(await readFile(join(reports, 'latest.json'), 'utf8'));
    expect(latest.interrupted).toBe(true);
    expect(latest.control.map((c: { action: string; value?: number; applied: boolean }) => [c.action, c.value, c.applied])).toEqual([['set-users', 2, true], ['stop', undefined, true]]);
    const shown = await page.evaluate(() => JSON.parse(document.getElementById('mlop-sim-data')!.textContent!));
    expect(shown.aggregated.count).toBe(latest.aggregated.count);
    expect(shown.total_requests).toBe(latest.total_requests);
    expect(latest.aggregated.count).toBeGreaterThan(0);
    const aggregatedRow = await page.textContent('#stats tfoot');
    expect(aggregatedRow).toContain(String(latest.aggregated.count));
    expect(await page.textContent('#summary')).toContain('Changed by hand');
    // The final page is the file --html wrote, byte for byte; the download is latest.json.
    expect(served).toBe(await readFile(html, 'utf8'));
    expect(download).toBe(await readFile(join(reports, 'latest.json'), 'utf8'));
    await context.close();
  }, 120_000);
});
