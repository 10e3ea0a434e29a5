/**
 * Property-based fuzzing (fast-check) of the CLI's flag and duration parsing. In process, 6,000
 * generated values through the same code the CLI runs (each run flag's coerce, then
 * resolvePlan): each is accepted or refused with a usage error (exit 2) whose message is one
 * sentence quoting nothing as NaN — never another error. Then 40 generated command lines through
 * the real built CLI: exit 0, 1, 2 or 3 only, and on 2/3 one sentence on stderr, no stack trace.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { RUN_FLAGS, runOptions } from '../../bin/commands/run.js';
import { parseDuration } from '../../src/core/duration.js';
import { resolvePlan } from '../../src/run/plan.js';
import { parsePort } from '../../src/server/index.js';
import { ensureBuilt, runCli, tempDir } from './cli-process.js';

beforeAll(() => ensureBuilt(), 120_000);

/** Text a user might type: durations, numbers, near misses and noise. */
const typed = fc.oneof(
  fc.constantFrom('0', '1', '30s', '5m', '1h', '1h30m', '250ms', '1.5s', '-1', '1e3', 'NaN', 'Infinity', '', ' ', '0x10', '10-20', '100ms-500ms', '1s-', '-', '5m5', 'abc', '٣', '1_000'),
  fc.stringMatching(/^-?\d{0,4}(\.\d{0,3})?(ms|s|m|h|d)?(-\d{0,3}(ms|s)?)?$/),
  fc.string({ maxLength: 12 }),
  fc.double().map(String),
  fc.integer().map(String),
);

/** Runs `fn`; returns undefined when it accepted `typed`, else the usage sentence (checked). */
function usageMessage(typedText: string, fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    const code = (err as { exitCode?: number }).exitCode;
    expect(err, String(err)).toBeInstanceOf(Error);
    expect(code, `not a usage error: ${(err as Error).stack}`).toBe(2);
    const message = (err as Error).message;
    expect(message).not.toMatch(/\n/);
    expect(message).not.toMatch(/undefined|\[object/);
    // NaN only when the user typed it: a refusal quotes what was typed, not what it parsed to.
    if (!typedText.includes('NaN')) expect(message).not.toMatch(/\bNaN\b/);
    return message;
  }
}

describe('flag and duration parsing, in process', () => {
  it('parseDuration: 2,000 inputs give a non-negative number or one usage sentence', () => {
    fc.assert(
      fc.property(typed, (text) => {
        let value: number | undefined;
        const message = usageMessage(text, () => (value = parseDuration(text, '--run-time')));
        if (message === undefined) expect(value! >= 0 && Number.isFinite(value!)).toBe(true);
        else expect(message).toMatch(/^--run-time /);
      }),
      { numRuns: 2000, seed: 1 },
    );
  });

  const numericOrText = Object.keys(RUN_FLAGS).filter((f) => !['threshold', 'stage', 'scenario', 'host', 'api-url', 'key', 'baseline', 'csv', 'html', 'junit', 'report-dir', 'server-latency'].includes(f));

  it('every run flag (as the CLI reads it, then resolvePlan): 3,000 values accepted or refused in one sentence', () => {
    fc.assert(
      fc.property(fc.constantFrom(...numericOrText), typed, (flag, text) => {
        const def = RUN_FLAGS[flag];
        const message = usageMessage(text, () => {
          // yargs hands an array flag (--threshold, --stage) its values as an array
          const value = def.type === 'array' ? [text] : def.coerce ? (def.coerce as (v: unknown) => unknown)(text) : text;
          resolvePlan({ ...runOptions({ [flag]: value }), reportDir: false });
        });
        // an alias (Locust's --stop-timeout) may be named by the flag it stands for
        const names = flag === 'stop-timeout' ? ['--stop-timeout', '--shutdown-timeout'] : [`--${flag}`];
        if (message !== undefined) expect(names.some((n) => message.includes(n)), message).toBe(true);
      }),
      { numRuns: 3000, seed: 2 },
    );
  });

  it('serve --port: 1,000 values give a port or one sentence that quotes what was typed', () => {
    fc.assert(
      fc.property(typed, (text) => {
        try {
          const port = parsePort(text);
          expect(Number.isInteger(port) && port >= 0 && port <= 65535).toBe(true);
        } catch (err) {
          expect((err as Error).name).toBe('ServerStartError');
          expect((err as Error).message).toContain(JSON.stringify(text));
        }
      }),
      { numRuns: 1000, seed: 3 },
    );
  });
});

describe('the real CLI', () => {
  const flagValue = fc.oneof(
    fc.tuple(fc.constantFrom('-u', '--users'), fc.constantFrom('0', '1', '2', 'x', '-3', '1.5', '')),
    fc.tuple(fc.constantFrom('-t', '--run-time'), fc.constantFrom('0', '1s', '500ms', 'soon', '-1s', '1x')),
    fc.tuple(fc.constant('--wait'), fc.constantFrom('0', '10ms-50ms', '50ms-10ms', 'a-b', '1s-2s-3s')),
    fc.tuple(fc.constantFrom('--seed', '--p95', '--p99', '--max-error-rate', '-r'), fc.constantFrom('1', '0', 'abc', '-1', '2', '1e400')),
    fc.tuple(fc.constant('--threshold'), fc.constantFrom('agg:p95<10000', 'p95<', 'x:y<1', 'error_rate<2')),
    fc.tuple(fc.constant('--host'), fc.constantFrom('http://127.0.0.1:1', 'ftp://x', 'not a url')),
    fc.tuple(fc.constant('--bogus-flag'), fc.constant('1')),
  );

  it('40 generated command lines: exit 0/1/2/3 only; 2 and 3 with one sentence, never a stack trace', async () => {
    const codes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(flagValue, { minLength: 1, maxLength: 3 }), async (pairs) => {
        const args = ['--scenario', 'http', '-u', '1', '-t', '1s', '--report-dir', tempDir(), ...pairs.flat()];
        const r = await runCli(args, { timeoutMs: 40_000 });
        codes.set(r.code ?? -1, (codes.get(r.code ?? -1) ?? 0) + 1);
        expect([0, 1, 2, 3], `${args.join(' ')} → ${r.code}: ${r.stderr}`).toContain(r.code);
        expect(r.stderr).not.toMatch(/\n\s+at |internal error|NaN/);
        if (r.code === 2 || r.code === 3) {
          expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
          expect(r.stderr).toMatch(/^mlop-sim: /);
        }
      }),
      { numRuns: 40, seed: 4 },
    );
    expect(codes.get(2) ?? 0).toBeGreaterThan(0);
  }, 300_000);
});
