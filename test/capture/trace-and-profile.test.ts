/**
 * The trace format and the profile: parsing with line numbers, secrets kept out, a profile's
 * unknown fields refused by name, and a trace → profile with known keys, steps, ranges and cadence
 * (built from the real SDK's capture in test/sdk/fixtures where it applies).
 */
import { describe, expect, it } from 'vitest';
import { SimUsageError } from '../../src/core/errors.js';
import {
  footerLine, headerLine, parseTrace, redactHeaders, scrubSecrets, secretOf, type TraceExchange,
} from '../../src/capture/trace-format.js';
import { parseLooseJson, profileOfTrace, scheduleOf, significantDigits } from '../../src/capture/profile-extract.js';
import { roundedWithin } from '../../src/load/replay/replay-scenario.js';
import { parseProfileText, validateProfile } from '../../src/capture/workload-profile.js';
import { stringify as toYaml } from 'yaml';
import { runFigures } from '../../src/capture/trace-figures.js';
import { stepsOf, timelineOf } from '../../src/load/replay/job-timeline.js';

const START = new Date('2026-01-01T00:00:00.000Z');
const T0 = START.getTime();

function ex(seq: number, t: number, method: string, route: string, body: string | null, headers: [string, string][] = []): TraceExchange {
  return { seq, t, method, route, headers, body, bodyBytes: body ? Buffer.byteLength(body) : 0, status: 200, latencyMs: 1, responseBytes: 2 };
}

const RUN: [string, string][] = [['X-Run-Id', '7'], ['X-Run-Name', 'r1'], ['X-Project-Name', 'p']];

/** A run of 10 steps 0.5 s apart: loss/acc every step, lr every 5th, one printed line every 2nd step, a system sample. */
function sampleTrace(): string {
  const lines: string[] = [headerLine('http://127.0.0.1:3003', START)];
  let seq = 0;
  lines.push(JSON.stringify(ex(++seq, 0, 'POST', '/api/runs/create', JSON.stringify({ runName: 'r1', projectName: 'p' }), [['X-Run-Id', 'None']])));
  const metrics: string[] = [];
  const logs: string[] = [];
  for (let s = 1; s <= 10; s++) {
    const time = T0 + 1000 + (s - 1) * 500;
    metrics.push(JSON.stringify({ time, step: s, data: { loss: 1 / s, acc: s / 10 } }));
    if (s % 5 === 0) metrics.push(JSON.stringify({ time, step: s, data: { lr: 0.001 * s } }));
    if (s % 2 === 0) logs.push(JSON.stringify({ time: time + 1, message: `step ${s} done`, lineNumber: s / 2, logType: s === 10 ? 'ERROR' : 'INFO' }));
  }
  logs.push(JSON.stringify({ time: T0 + 900, message: 'pluto: 🚀 00:00:00 | Started sync process (PID: 1)', lineNumber: 1, logType: 'ERROR' }));
  metrics.push('{"time": 1767225601500, "step": 1, "data": {"sys/cpu.percentage.0": NaN}}');
  lines.push(JSON.stringify(ex(++seq, 6000, 'POST', '/ingest/metrics', metrics.join('\n') + '\n', RUN)));
  lines.push(JSON.stringify(ex(++seq, 6002, 'POST', '/ingest/logs', logs.join('\n') + '\n', RUN)));
  lines.push(JSON.stringify(ex(++seq, 7000, 'POST', '/api/runs/status/update', '{"runId": 7, "status": "COMPLETED"}', RUN)));
  lines.push(footerLine(seq, 0, 0, new Date(T0 + 8000)));
  return lines.join('\n') + '\n';
}

describe('trace format', () => {
  it('reads a complete trace', () => {
    const t = parseTrace(sampleTrace());
    expect(t.header.version).toBe(1);
    expect(t.exchanges).toHaveLength(4);
    expect(t.footer.exchanges).toBe(4);
  });

  it('refuses a cut-off trace naming the line', () => {
    const lines = sampleTrace().split('\n');
    const cut = [...lines.slice(0, 3), lines[3].slice(0, 30)].join('\n');
    expect(() => parseTrace(cut, 'x.jsonl')).toThrow(/x\.jsonl is not a usable trace: line 4 is not complete JSON \(the trace was cut off\)/);
    const noFooter = lines.slice(0, 5).join('\n') + '\n';
    expect(() => parseTrace(noFooter)).toThrow(/line 5 is the last one and the closing \{"end":true\} line is missing/);
  });

  it('refuses a file that is not a trace, with exit code 2', () => {
    const err = (() => {
      try {
        parseTrace('{"hello":1}\n');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SimUsageError);
    expect((err as SimUsageError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/line 1 does not start with \{"format":"mlop-sim-trace"\}/);
    expect(() => parseTrace('not json at all\nmore\n')).toThrow(/line 1 is not a JSON object/);
    expect(() => parseTrace('')).toThrow(/line 1 is missing/);
  });

  it('refuses a version it does not read', () => {
    expect(() => parseTrace('{"format":"mlop-sim-trace","version":9}\n{"end":true}\n')).toThrow(/version 9; this mlop-sim reads version 1/);
  });

  it('redacts secrets in headers and scrubs them from text', () => {
    const raw = ['Authorization', 'Bearer mlps_secret_123', 'X-Api-Key', 'k2k2k2', 'Content-Type', 'application/json'];
    expect(redactHeaders(raw)).toEqual([['Authorization', '[redacted]'], ['X-Api-Key', '[redacted]'], ['Content-Type', 'application/json']]);
    expect(secretOf('authorization', 'Bearer mlps_secret_123')).toBe('mlps_secret_123');
    expect(secretOf('content-type', 'application/json')).toBeUndefined();
    expect(scrubSecrets('{"key":"mlps_secret_123"}', ['mlps_secret_123'])).toBe('{"key":"[redacted]"}');
  });
});

describe('profile extraction', () => {
  const profile = profileOfTrace(parseTrace(sampleTrace()), 'sample');

  it('finds the metric groups, their steps and ranges', () => {
    expect(profile.jobs).toHaveLength(1);
    const job = profile.jobs[0];
    expect(job.project).toBe('p');
    expect(job.metrics.map((g) => g.keys)).toEqual([['loss', 'acc'], ['lr']]);
    expect(job.metrics[0].steps).toEqual({ first: 1, every: 1, count: 10 });
    expect(job.metrics[1].steps).toEqual({ first: 5, every: 5, count: 2 });
    expect(job.metrics[0].ranges.loss).toEqual([0.1, 1]);
    expect(job.metrics[1].ranges.lr[1]).toBeCloseTo(0.01);
    expect(job.steps).toBe(10);
  });

  it('measures cadence, run length and console lines (the SDK\'s own lines left out)', () => {
    const job = profile.jobs[0];
    expect(job.stepCadenceS).toBe(0.5);
    expect(job.firstStepS).toBe(1);
    expect(job.runLengthS).toBe(5.501); // last line: step 10 at 1 + 9 × 0.5 s, printed 1 ms later
    expect(job.console.lines).toBe(5);
    expect(job.console.length).toEqual([11, 12]);
    expect(job.console.stderrShare).toBe(0.2);
    expect(job.console.steps).toEqual({ first: 2, every: 2, count: 5 });
    expect(job.system.enabled).toBe(true);
  });

  it('the timeline replays the same lines at the same steps and offsets', () => {
    const tl = timelineOf(profile.jobs[0]);
    expect(tl.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(tl.steps[9]).toMatchObject({ step: 10, groups: [0, 1], lines: 1, offsetMs: 1000 + 9 * 500 });
    expect(tl.steps.reduce((n, s) => n + s.lines, 0)).toBe(5);
  });

  it('keeps the significant digits of rounded values, not of computed ones (the wire text\'s length)', () => {
    // pluto 0.0.28's real job (bench/real-sdk-record.ts): a learning rate warming up, then 0.0003
    // for most steps, was re-sampled as 0.00026410952434083 and the replay's bytes/s came out 6 % high.
    expect([0.0003, 2.5, 12000.5, 3.5999999999999994e-5, 0.07225651367144714, 1 / 3].map(significantDigits)).toEqual([1, 2, 6, 17, 16, 16]);
    const [g, lr] = profile.jobs[0].metrics;
    // loss = 1/s: 1, 0.5, 0.333…, 0.25, 0.2, 0.1666…, 0.142857…, 0.125, 0.111…, 0.1 → median of
    // digits (1,1,1,1,2,3,16,16,17,17) is 3; acc = s/10 and lr = 0.001·s have one digit each.
    expect(g.digits).toEqual({ loss: 3, acc: 1 });
    expect(lr.digits).toEqual({ lr: 1 });
    // Computed values (√(1/s + 2)) need 15–17 digits: no `digits` entry, re-sampled at full precision.
    const computed = sampleTrace().replace(/\\"loss\\":([\d.e-]+)/g, (_, v: string) => `\\"loss\\":${Math.sqrt(Number(v) + 2)}`);
    expect(computed).not.toBe(sampleTrace());
    expect(profileOfTrace(parseTrace(computed), 'computed').jobs[0].metrics[0].digits).toEqual({ acc: 1 });
  });

  it('a re-sampled value is rounded to the recorded digits and stays within the range', () => {
    expect(roundedWithin(0.00026410952434083, 1, 6e-6, 3e-4)).toBe(0.0003);
    expect(roundedWithin(0.000064, 1, 6.4e-5, 3e-4)).toBe(0.000064); // 6e-5 would fall below the range
    expect(roundedWithin(2.34567, 3, 0, 10)).toBe(2.35);
    expect(String(roundedWithin(0.123456789, 2, 0, 1))).toBe('0.12');
  });

  it('keeps irregular steps exactly', () => {
    expect(scheduleOf([1, 2, 4, 5, 9])).toEqual({ first: 1, every: 1, count: 5, at: [1, 2, 4, 5, 9] });
    expect(stepsOf(scheduleOf([3, 6, 9]))).toEqual([3, 6, 9]);
  });

  it('reads the Python SDK\'s bare NaN and Infinity tokens', () => {
    expect(parseLooseJson('{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN"}')).toEqual({ a: null, b: [null, null], c: 'NaN' });
  });

  it('counts rows per table and rates over the job\'s logging life', () => {
    const [f] = runFigures(parseTrace(sampleTrace()));
    expect(f.rows).toEqual({ mlop_metrics: 23, mlop_logs: 6, mlop_data: 0, mlop_files: 0 });
    expect(f.requests).toBe(4); // create, metrics, logs, status
    expect(f.durationS).toBe(5.501);
  });
});

describe('profile validation', () => {
  const good = () => JSON.parse(JSON.stringify(profileOfTrace(parseTrace(sampleTrace()), 'sample'))) as Record<string, any>;

  it('accepts what profile extraction writes', () => {
    expect(() => validateProfile(good())).not.toThrow();
  });

  it('names an unknown field, at any depth', () => {
    const top = good();
    top.jobz = [];
    expect(() => validateProfile(top)).toThrow(/unknown field "jobz"/);
    const deep = good();
    deep.jobs[0].metrics[0].steps.evry = 2;
    expect(() => validateProfile(deep)).toThrow(/unknown field "jobs\[0\]\.metrics\[0\]\.steps\.evry"/);
  });

  it('refuses bad values and missing fields in one sentence', () => {
    const p = good();
    p.jobs[0].metrics[0].ranges.loss = [2, 1];
    expect(() => validateProfile(p)).toThrow(/"jobs\[0\]\.metrics\[0\]\.ranges" must be an object of key → \[min, max\]/);
    const d = good();
    d.jobs[0].metrics[0].digits = { loss: 0 };
    expect(() => validateProfile(d)).toThrow(/"jobs\[0\]\.metrics\[0\]\.digits" must be an object of key → significant digits \(1–17\)/);
    const q = good();
    delete q.jobs[0].console;
    expect(() => validateProfile(q)).toThrow(/jobs\[0\] has no "console"/);
  });

  it('reads the same profile written as YAML, and names an unknown field there too', async () => {
    const p = good();
    expect(await parseProfileText(toYaml(p), 'job.yaml')).toEqual(p);
    p.jobs[0].sytem = {};
    await expect(parseProfileText(toYaml(p), 'job.yml')).rejects.toThrow(/unknown field "jobs\[0\]\.sytem"/);
    await expect(parseProfileText('{"format": ', 'job.json')).rejects.toThrow(/job\.json is not a readable profile/);
  });
});
