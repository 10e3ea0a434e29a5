import { describe, expect, it } from 'vitest';
import { isHttpEntry } from '../../src/core/entry-names.js';
import { distributionsOf } from '../../src/metrics/distributions.js';
import { Recorder } from '../../src/metrics/recorder.js';
import { latestJsonText, SEED_KEYS } from '../../src/output/latest-json/latest.js';
import { makeResult } from './fixture.js';

describe('latest.json with distributions', () => {
  it('keeps the seed keys first, writes distributions last with a line per window, and reads back the same', () => {
    const clock = { ms: 1_700_000_000_000 };
    const rec = new Recorder({ now: () => clock.ms });
    for (let i = 0; i < 3000; i++) { clock.ms += 10; rec.record('POST', '/ingest/metrics', 10 + (i % 13), true); }
    const distributions = distributionsOf(rec, [{ name: 'Aggregated', select: isHttpEntry }], 30);
    const result = { ...makeResult(), distributions };
    const text = latestJsonText(result);
    const back = JSON.parse(text);
    expect(Object.keys(back).slice(0, SEED_KEYS.length)).toEqual([...SEED_KEYS]);
    expect(Object.keys(back).at(-1)).toBe('distributions');
    expect(back.distributions).toEqual(JSON.parse(JSON.stringify(distributions)));
    const windows = distributions.entries.Aggregated.windows.length;
    expect(text.split('\n').filter((l) => l.trimStart().startsWith('{"t":')).length).toBe(windows);
  });
});
