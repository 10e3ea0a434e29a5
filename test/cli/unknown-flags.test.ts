import { describe, expect, it } from 'vitest';
import { describeUnknownArguments, editDistance, nearestFlag } from '../../bin/commands/unknown-flags.js';

const RUN = { flags: ['users', 'spawn-rate', 'run-time', 'max-error-rate', 'threshold', 'scenario', 'server-latency', 'help', 'version'], commands: ['run', 'serve', 'merge', 'baseline'] };

describe('describeUnknownArguments', () => {
  it('names a flag yargs reports in two spellings once, as typed', () => {
    const msg = 'Unknown arguments: duet-server-latency, duetServerLatency';
    expect(describeUnknownArguments(msg, ['--duet-server-latency', '5ms', '-t', '1s'], RUN)).toBe('unknown option --duet-server-latency');
    expect(describeUnknownArguments('Unknown argument: duetServerLatency', ['--duetServerLatency=5ms'], RUN)).toBe('unknown option --duetServerLatency');
  });

  it('suggests the nearest known flag for a slip', () => {
    expect(describeUnknownArguments('Unknown argument: usres', ['--usres', '3'], RUN)).toBe('unknown option --usres; did you mean --users?');
    expect(describeUnknownArguments('Unknown argument: max-eror-rate', ['--max-eror-rate=0.1'], RUN)).toBe('unknown option --max-eror-rate; did you mean --max-error-rate?');
    expect(describeUnknownArguments('Unknown argument: thresholds', ['--thresholds', 'x'], RUN)).toBe('unknown option --thresholds; did you mean --threshold?');
  });

  it('lists several, in the order typed, with a guess only where one is close', () => {
    const msg = 'Unknown arguments: usres, foo, x, frobnicate';
    expect(describeUnknownArguments(msg, ['--usres=3', '--foo', '-x', '--frobnicate'], RUN))
      .toBe('unknown options --usres (did you mean --users?), --foo, -x, --frobnicate');
  });

  it('calls a stray word an argument and guesses a command for it', () => {
    expect(describeUnknownArguments('Unknown argument: serv', ['serv'], RUN)).toBe('unknown argument serv; did you mean serve?');
    expect(describeUnknownArguments('Unknown argument: bogus', ['bogus'], RUN)).toBe('unknown argument bogus');
  });

  it('keeps a --no- prefix as typed and leaves other complaints alone', () => {
    expect(describeUnknownArguments('Unknown argument: usres', ['--no-usres'], RUN)).toBe('unknown option --no-usres; did you mean --users?');
    expect(describeUnknownArguments('Not enough non-option arguments: got 0, need at least 1', [], RUN)).toBeUndefined();
  });

  it('never shows the value typed after an unknown flag (it may be a secret)', () => {
    const text = describeUnknownArguments('Unknown argument: api-key', ['--api-key=mlps_secret_value'], RUN)!;
    expect(text).toBe('unknown option --api-key');
  });
});

describe('nearestFlag', () => {
  it('counts a swap of two neighbours as one edit', () => {
    expect(editDistance('usres', 'users')).toBe(1);
    expect(editDistance('users', 'users')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('guesses only when the name is close and long enough to judge', () => {
    expect(nearestFlag('prot', ['port', 'host'])).toBe('port');
    expect(nearestFlag('xq', ['users'])).toBeUndefined();
    expect(nearestFlag('frobnicate', RUN.flags)).toBeUndefined();
  });
});
