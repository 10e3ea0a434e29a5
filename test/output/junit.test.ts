import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulationResult } from '../../src/metrics/result.js';
import { writeJunit } from '../../src/output/index.js';
import { makeResult } from './fixture.js';
import { findAll, parseXml, type XmlElement } from './xml-parse.js';
import { wordVerdicts } from '../../src/run/judging/gate-text.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlop-sim-junit-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function junitOf(result: SimulationResult, name: string): Promise<XmlElement> {
  const file = await writeJunit(result, join(dir, 'ci', name));
  expect(file).toBe(join(dir, 'ci', name));
  return parseXml(await readFile(file, 'utf8'));
}

describe('writeJunit', () => {
  it('writes one well-formed testsuite with a testcase per threshold, baseline check and the audit', async () => {
    const root = await junitOf(makeResult(), 'junit.xml');
    const suites = root.name === 'testsuite' ? [root] : findAll(root, 'testsuite');
    expect(suites).toHaveLength(1);
    const suite = suites[0]!;
    expect(suite.attrs['name']).toBe('mlop-sim');
    const cases = findAll(suite, 'testcase');
    expect(cases).toHaveLength(3 + 3 + 1); // 3 thresholds, 3 baseline checks, 1 audit
    expect(suite.attrs['tests']).toBe('7');
    const failed = cases.filter((c) => c.children.some((ch) => ch.name === 'failure'));
    expect(failed).toHaveLength(1);
    expect(suite.attrs['failures']).toBe('1');
    expect(failed[0]!.attrs['name']).toContain('P95_THRESHOLD_MS=500');
    const failure = failed[0]!.children.find((ch) => ch.name === 'failure')!;
    expect(failure.attrs['message']).toMatch(/^e2e log→ack p95 was 1613 ms, which breaks P95_THRESHOLD_MS=500 \(<= 500 ms\)\.$/);
    expect(failure.text).toBe(failure.attrs['message']);
  });

  it('fails the audit and baseline cases when they fail, and escapes XML in names and messages', async () => {
    const result = makeResult();
    result.thresholds[0]!.expression = 'e2e:p95<800 & "quoted" \'x\'';
    result.baseline!.checks[0] = { metric: 'p95_ms', baseline: 0, current: 4, change: Infinity, limit: 0.2, pass: false };
    result.audit!.pass = false;
    result.audit!.totals.lostRows = 7;
    result.thresholds[2]!.note = 'no samples were recorded';
    const root = await junitOf(wordVerdicts(result), 'escaped.xml');
    const cases = findAll(root, 'testcase');
    expect(cases.map((c) => c.attrs['name'])).toContain('e2e:p95<800 & "quoted" \'x\' [e2e log→ack p95]');
    const failing = cases.filter((c) => c.children.some((ch) => ch.name === 'failure'));
    expect(failing.map((c) => c.attrs['classname'])).toEqual(['mlop-sim.thresholds', 'mlop-sim.baseline', 'mlop-sim.audit']);
    const audit = failing[2]!.children[0]!;
    expect(audit.attrs['message']).toContain('Delivery audit failed');
    expect(audit.attrs['message']).toContain('7 lost');
    expect(failing[1]!.children[0]!.attrs['message']).toContain('zero baseline');
    const noted = cases.find((c) => c.attrs['name']!.startsWith('MAX_ERROR_RATE'))!;
    expect(noted.children[0]!.text).toMatch(/\(no samples were recorded\)\.$/);
  });

  it('has no audit or baseline cases when the run had none', async () => {
    const result = makeResult();
    delete result.audit;
    delete result.baseline;
    result.thresholds = result.thresholds.filter((t) => t.pass);
    const root = await junitOf(result, 'plain.xml');
    expect(findAll(root, 'testcase')).toHaveLength(2);
    expect(findAll(root, 'failure')).toHaveLength(0);
  });
});
