/** Locust's --tags / --exclude-tags over a scenario's tasks. */
import { describe, expect, it } from 'vitest';
import { filterTasksByTags } from '../../src/load/task-tags.js';
import type { ScenarioDefinition } from '../../src/load/scenario.js';

const def: ScenarioDefinition = {
  name: 's',
  tasks: [
    { name: 'a', weight: 1, tags: ['ingest', 'fast'], run: () => undefined },
    { name: 'b', weight: 1, tags: ['files'], run: () => undefined },
    { name: 'c', weight: 1, run: () => undefined },
  ],
};
const names = (d: ScenarioDefinition): string[] => d.tasks.map((t) => t.name);

describe('filterTasksByTags', () => {
  it('keeps every task without filters', () => {
    expect(filterTasksByTags(def, undefined, [])).toBe(def);
  });
  it('--tags keeps only tasks carrying one of the tags (untagged tasks left out, as in Locust)', () => {
    expect(names(filterTasksByTags(def, ['fast', 'files'], []))).toEqual(['a', 'b']);
  });
  it('--exclude-tags removes tasks carrying any of the tags; untagged tasks stay', () => {
    expect(names(filterTasksByTags(def, undefined, ['files']))).toEqual(['a', 'c']);
    expect(names(filterTasksByTags(def, ['ingest', 'files'], ['fast']))).toEqual(['b']);
  });
  it('a filter leaving no task is a usage error (exit 2)', () => {
    expect(() => filterTasksByTags(def, ['nope'], [])).toThrow(/--tags nope leaves no task of scenario s to run/);
    try {
      filterTasksByTags(def, undefined, ['ingest', 'files', 'x']);
    } catch (e) {
      expect((e as { exitCode: number }).exitCode).toBe(2);
    }
  });
});
