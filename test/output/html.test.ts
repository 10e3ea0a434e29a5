/**
 * The HTML report in a real headless browser (Debian's chromium driven by playwright-core):
 * it must open offline, draw every chart, show the tables and log no errors.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulationResult } from '../../src/metrics/result.js';
import { writeHtml } from '../../src/output/index.js';
import { makeResult } from './fixture.js';
import { launchChromium } from './chromium.js';

const SCREENSHOT = '/tmp/mlop-sim-report-test.png';

let browser: Browser | undefined;
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlop-sim-html-'));
  browser = await launchChromium('the HTML report test');
});

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Opened { page: Page; errors: string[]; network: string[] }

/** Opens the report with every non-file request blocked and recorded, and console errors collected. */
async function open(result: SimulationResult, name: string): Promise<Opened> {
  const file = await writeHtml(result, join(dir, name));
  const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
  const network: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    network.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('request', (req) => { if (!req.url().startsWith('file:')) network.push(req.url()); });
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, errors, network };
}

/** Pixels of a canvas within a small distance of a series colour (lines, not just the legend swatch). */
async function colouredPixels(page: Page, id: string, rgb: [number, number, number]): Promise<number> {
  return page.evaluate(([canvasId, [r, g, b]]) => {
    const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (Math.abs(pixels[i]! - r) + Math.abs(pixels[i + 1]! - g) + Math.abs(pixels[i + 2]! - b) < 60) n++;
    }
    return n;
  }, [id, rgb] as const);
}

describe('writeHtml', () => {
  it('is one self-contained file: inline style and script, the data as escaped JSON, no external resource', async () => {
    const file = await writeHtml(makeResult(), join(dir, 'static', 'report.html'));
    const html = await readFile(file, 'utf8');
    expect(html).not.toMatch(/<link\b|<img\b|<iframe\b|\bsrc\s*=|@import|url\(/i);
    expect(html).toContain('<script type="application/json" id="mlop-sim-data">');
    const json = /<script type="application\/json" id="mlop-sim-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(json).not.toContain('</'); // a failure message holding </script> cannot end the block
    expect((JSON.parse(json) as SimulationResult).failures).toEqual(makeResult().failures);
  });

  it('draws the four charts offline, lists every entry and logs no errors', async () => {
    const result = makeResult();
    const { page, errors, network } = await open(result, 'report.html');

    const blue: [number, number, number] = [0x1f, 0x5f, 0xbf];
    expect(await colouredPixels(page, 'chart-rps', blue)).toBeGreaterThan(200);
    expect(await colouredPixels(page, 'chart-latency', blue)).toBeGreaterThan(200); // p50
    expect(await colouredPixels(page, 'chart-latency', [0xc2, 0x41, 0x0c])).toBeGreaterThan(200); // p95
    expect(await colouredPixels(page, 'chart-latency', [0x7c, 0x3a, 0xed])).toBeGreaterThan(200); // p99
    expect(await colouredPixels(page, 'chart-errors', [0xb9, 0x1c, 0x1c])).toBeGreaterThan(200);
    expect(await colouredPixels(page, 'chart-users', [0x15, 0x80, 0x3d])).toBeGreaterThan(200);
    expect(await page.locator('#latency-entry').inputValue()).toBe('e2e log→ack'); // the first judged entry

    // HTTP requests in #stats (SDK HTTP (all) and Aggregated in its footer), records and SDK calls apart
    const http = await page.locator('#stats tbody tr td:nth-child(2)').allTextContents();
    const groups = await page.locator('#stats tfoot tr td:nth-child(2)').allTextContents();
    const records = await page.locator('#stats-records tbody tr td:nth-child(2)').allTextContents();
    const calls = await page.locator('#stats-calls tbody tr td:nth-child(2)').allTextContents();
    expect(groups).toEqual(['SDK HTTP (all)', 'Aggregated']);
    expect(records).toEqual(['log→ack']);
    expect(calls.sort()).toEqual(['run._log (explicit step)', 'run.log (metrics)']);
    expect([...http, ...groups, ...records, ...calls].sort()).toEqual([...result.entries.map((e) => e.route), 'Aggregated'].sort());
    const percentileRows = (await page.locator('#percentiles tbody tr').count()) + (await page.locator('#percentiles-other tbody tr').count());
    expect(percentileRows).toBe(result.entries.length - 1); // every entry but the SDK HTTP (all) group, which sits in the footer
    expect(await page.locator('#verdict').textContent()).toContain('FAIL');
    expect(await page.locator('#verdict li').allTextContents()).toEqual(result.reasons);
    expect(await page.locator('#thresholds tbody tr').count()).toBe(3);
    expect(await page.locator('#baseline tbody tr').count()).toBe(3);
    expect(await page.locator('#audit tfoot').textContent()).toContain('13185');
    expect(await page.locator('#dlq tbody tr').count()).toBe(2);
    const failureTexts = await page.locator('#failures tbody td:nth-child(3)').allTextContents();
    expect(failureTexts).toContain(result.failures[1]!.error); // shown as text, not run as markup
    expect(await page.evaluate(() => (window as { __injected?: number }).__injected)).toBeUndefined();

    await page.locator('#latency-entry').selectOption('Aggregated');
    expect(await colouredPixels(page, 'chart-latency', [0xc2, 0x41, 0x0c])).toBeGreaterThan(200);

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(network).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("names the run table's counts in their unit: records for an sdk run, requests for an http one", async () => {
    const rows = async (result: SimulationResult, name: string): Promise<Record<string, string>> => {
      const { page } = await open(result, name);
      const cells = await page.locator('#summary tbody tr').evaluateAll((trs) =>
        trs.map((tr) => [tr.children[0]!.textContent ?? '', tr.children[1]!.textContent ?? ''] as const));
      await page.context().close();
      return Object.fromEntries(cells);
    };
    const sdk = await rows(makeResult(), 'sdk-summary.html'); // judges e2e log→ack: 4500 records, HTTP counted apart
    expect(sdk).toMatchObject({ Records: '4500', 'Records/s': '150.00', 'HTTP requests': '2100' });
    expect(sdk).not.toHaveProperty('Requests');

    const http = makeResult();
    http.scenario = 'http';
    http.judged = ['Aggregated'];
    const plain = await rows(http, 'http-summary.html');
    expect(plain).toMatchObject({ Requests: '4500', 'Requests/s': '150.00' });
    expect(plain).not.toHaveProperty('Records');
  });

  it('still renders, without errors, a run that recorded nothing', async () => {
    const result = makeResult();
    result.history = {};
    result.entries = [];
    result.failures = [];
    result.thresholds = [];
    delete result.baseline;
    delete result.audit;
    result.dlq = {};
    result.pass = true;
    result.reasons = [];
    const { page, errors, network } = await open(result, 'empty.html');
    for (const id of ['chart-rps', 'chart-latency', 'chart-errors', 'chart-users']) {
      expect(await page.locator(`#${id}`).getAttribute('data-drawn')).not.toBeNull();
    }
    expect(await page.locator('#verdict').textContent()).toContain('PASS');
    expect(network).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
