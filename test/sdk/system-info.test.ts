/**
 * The create body's systemMetadata carries the process's command line, as pluto's does. A host
 * that took the API key on its command line (`mlop-sim --key K`) sent K to the server in every
 * run's metadata — seen in bench/real-sdk-record.ts, where the recorder had to scrub it from the
 * replay's trace. The key is now redacted there; the rest of the command line is kept.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemMetadata } from '../../src/sdk/system-info.js';

const KEY = 'mlps_system_info_test_secret_key_0123456789';
const argv = [...process.argv];

describe('systemMetadata', () => {
  afterEach(() => {
    process.argv.splice(0, process.argv.length, ...argv);
  });

  it('redacts the API key in the command line, as its own argument and inside one', () => {
    process.argv.push('--key', KEY, `--key=${KEY}`, '--scenario', 'sdk');
    const meta = systemMetadata(KEY) as { process: { cmdline: string[] } };
    expect(JSON.stringify(meta)).not.toContain(KEY);
    expect(meta.process.cmdline.slice(-5)).toEqual(['--key', '[redacted]', '--key=[redacted]', '--scenario', 'sdk']);
  });

  it('keeps the command line as it is when the key is not on it', () => {
    process.argv.push('--scenario', 'sdk');
    const meta = systemMetadata(KEY) as { process: { cmdline: string[] } };
    expect(meta.process.cmdline).toEqual(process.argv);
  });
});
