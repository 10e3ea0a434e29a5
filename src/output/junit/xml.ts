/**
 * JUnit XML for CI systems (`--junit FILE`): one testsuite "mlop-sim" with one testcase per
 * threshold verdict, per baseline check and one for the delivery audit. A failed gate is a
 * <failure> whose message is the gate's sentence.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SimulationResult } from '../../metrics/result.js';

interface GateCase {
  classname: string;
  name: string;
  pass: boolean;
  sentence: string;
}

/** Escapes text for XML attributes and content; drops characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function gateCases(result: SimulationResult): GateCase[] {
  const cases: GateCase[] = result.thresholds.map((v) => ({
    classname: 'mlop-sim.thresholds',
    name: `${v.expression} [${v.entry} ${v.metric}]`,
    pass: v.pass,
    sentence: v.sentence ?? '',
  }));
  for (const c of result.baseline?.checks ?? []) {
    cases.push({
      classname: 'mlop-sim.baseline',
      name: `baseline ${c.metric} (${result.baseline?.file ?? ''})`,
      pass: c.pass,
      sentence: c.sentence ?? '',
    });
  }
  if (result.audit) {
    cases.push({ classname: 'mlop-sim.audit', name: 'delivery audit', pass: result.audit.pass, sentence: result.audit.sentence ?? '' });
  }
  if (result.storage) {
    cases.push({ classname: 'mlop-sim.storage', name: 'storage audit (ClickHouse)', pass: result.storage.pass, sentence: result.storage.sentence ?? '' });
  }
  return cases;
}

function testcaseXml(c: GateCase): string {
  const head = `    <testcase classname="${escapeXml(c.classname)}" name="${escapeXml(c.name)}" time="0"`;
  if (c.pass) return `${head}>\n      <system-out>${escapeXml(c.sentence)}</system-out>\n    </testcase>`;
  const failure = `<failure message="${escapeXml(c.sentence)}" type="${escapeXml(c.classname.split('.')[1] ?? 'gate')}">${escapeXml(c.sentence)}</failure>`;
  return `${head}>\n      ${failure}\n    </testcase>`;
}

function propertiesXml(result: SimulationResult): string {
  const props: [string, string | number | boolean][] = [
    ['scenario', result.scenario], ['users', result.users], ['spawnRate', result.spawnRate], ['seed', result.seed],
    ['judged', result.judged.join(', ')], ['p50_ms', result.p50_ms], ['p95_ms', result.p95_ms], ['p99_ms', result.p99_ms],
    ['error_rate', result.error_rate], ['total_requests', result.total_requests], ['rps', result.rps],
    ['interrupted', result.interrupted], ['exitCode', result.exitCode],
  ];
  const lines = props.map(([k, v]) => `      <property name="${escapeXml(k)}" value="${escapeXml(String(v))}"/>`);
  return `    <properties>\n${lines.join('\n')}\n    </properties>`;
}

export function junitXml(result: SimulationResult): string {
  const cases = gateCases(result);
  const failures = cases.filter((c) => !c.pass).length;
  const counts = `tests="${cases.length}" failures="${failures}" errors="0" skipped="0" time="${result.durationS}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mlop-sim" ${counts}>`,
    `  <testsuite name="mlop-sim" ${counts} timestamp="${escapeXml(result.startedAt)}">`,
    propertiesXml(result),
    ...cases.map(testcaseXml),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** Writes the JUnit XML file (creating its folder), returns its path. */
export async function writeJunit(result: SimulationResult, file: string): Promise<string> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, junitXml(result), 'utf8');
  return file;
}
