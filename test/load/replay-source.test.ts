/** `replay:` references, presets and the replay scenario built from a profile. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SimUsageError } from '../../src/core/errors.js';
import { loadReplayScenario, presetRef, PRESETS, withReplaySpeed } from '../../src/load/replay/index.js';
import { resolveScenario } from '../../src/load/scenario-resolve.js';
import { looksLikeScenarioFile } from '../../src/load/scenario-file.js';
import { validateProfile } from '../../src/capture/workload-profile.js';
import { timelineOf, stepsOf } from '../../src/load/replay/job-timeline.js';

describe('presets', () => {
  it.each(PRESETS)('%s is a valid profile with its sources', (name) => {
    const path = presetRef(name).slice('replay:'.length);
    const p = validateProfile(JSON.parse(readFileSync(path, 'utf8')));
    expect(p.name).toBe(name);
    expect(p.sources?.length).toBeGreaterThan(0);
    expect(p.description).toBeTruthy();
  });

  it('llm-pretrain logs 200 keys a step, one step a second: 12,000 values a minute (Comet\'s ceiling)', async () => {
    const p = validateProfile(JSON.parse(readFileSync(presetRef('llm-pretrain').slice(7), 'utf8')));
    const job = p.jobs[0];
    expect(job.metrics[0].keys).toHaveLength(200);
    expect(new Set(job.metrics[0].keys).size).toBe(200);
    expect(job.metrics[0].keys.length * (60 / job.stepCadenceS)).toBe(12_000);
  });

  it('multi-node is 8 overlapping jobs, one per rank', () => {
    const p = validateProfile(JSON.parse(readFileSync(presetRef('multi-node').slice(7), 'utf8')));
    expect(p.jobs).toHaveLength(8);
  });

  it('an unknown preset is a usage error naming the known ones', () => {
    expect(() => presetRef('llm')).toThrow(SimUsageError);
    expect(() => presetRef('llm')).toThrow(/--profile "llm" is not a preset: use seed, llm-pretrain, vision-media, sweep, multi-node/);
  });
});

describe('replay: references', () => {
  it('--replay-speed appends #speed=N, once', () => {
    expect(withReplaySpeed('replay:/x/p.json', 4)).toBe('replay:/x/p.json#speed=4');
    expect(withReplaySpeed('replay:/x/p.json#speed=2', 4)).toBe('replay:/x/p.json#speed=4');
    expect(() => withReplaySpeed('sdk', 2)).toThrow(/--replay-speed needs --scenario replay:FILE or --profile NAME/);
    expect(() => withReplaySpeed('replay:/x', 0)).toThrow(/above 0/);
  });

  it('is not mistaken for a scenario file (workers and shard fingerprints read it by name)', () => {
    expect(looksLikeScenarioFile('replay:./a/b.json')).toBe(false);
  });

  it('resolves to a scenario whose users each play one job through the SDK', async () => {
    const def = await resolveScenario(`${presetRef('sweep')}#speed=2`);
    expect(def.name).toBe('replay:sweep');
    expect(def.sdk).toMatchObject({ project: 'sweep', config: { replay: 'sweep', speed: 2 } });
    expect(def.tasks).toHaveLength(1);
    expect(def.wait).toEqual({ minS: 0, maxS: 0 });
  });

  it('a missing file is one sentence, exit 2', async () => {
    await expect(loadReplayScenario('replay:/nonexistent/x.json')).rejects.toThrow(/cannot read \/nonexistent\/x\.json: ENOENT/);
  });
});

describe('the timeline of a preset', () => {
  it('vision-media uploads its files at their steps, 8 per step', () => {
    const p = validateProfile(JSON.parse(readFileSync(presetRef('vision-media').slice(7), 'utf8')));
    const tl = timelineOf(p.jobs[0]);
    const withFiles = tl.steps.filter((s) => s.files.length);
    expect(withFiles.map((s) => s.step)).toEqual([40, 80, 120, 160, 200, 240]);
    expect(stepsOf(p.jobs[0].files[1].steps)).toEqual([80, 160, 240]);
    expect(tl.steps.at(-1)!.offsetMs).toBe((2 + 239 * 0.5) * 1000);
  });
});
