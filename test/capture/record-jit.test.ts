/**
 * The recorder's own V8 flags (src/capture/record-warmup.ts): set at run time by the `record`
 * command, they must take effect in that process — a function first called afterwards runs as
 * Sparkplug baseline code, not in the interpreter. Checked in a child process with V8's natives
 * syntax, and against a process that did not set them (so the check can fail).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MODULE = join(import.meta.dirname, '../../src/capture/record-warmup.ts');

function tierOfNewFunction(tune: boolean): string {
  const script = `
    const { tuneRecorderProcess } = await import(${JSON.stringify(MODULE)});
    ${tune ? 'tuneRecorderProcess();' : ''}
    const forwardLike = new Function('a', 'return a.length + 1');
    forwardLike('x');
    console.log(%ActiveTierIsSparkplug(forwardLike) ? 'sparkplug' : 'other');`;
  return execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 }).trim();
}

describe('the recorder process tunes its JIT', () => {
  it('gets it: functions first called after tuning run as Sparkplug code, and not without it', () => {
    expect(tierOfNewFunction(true)).toBe('sparkplug');
    expect(tierOfNewFunction(false)).toBe('other');
  });
});
