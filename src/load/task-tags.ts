/**
 * Locust's --tags / --exclude-tags over a scenario's tasks: with `tags`, only tasks carrying one
 * of them run (untagged tasks are left out, as in Locust); `excludeTags` then removes tasks
 * carrying any of those. A filter that leaves no task is a usage error (exit 2).
 */
import { SimUsageError } from '../core/errors.js';
import type { ScenarioDefinition } from './scenario.js';

export function filterTasksByTags(def: ScenarioDefinition, tags: readonly string[] | undefined, excludeTags: readonly string[]): ScenarioDefinition {
  if (tags === undefined && excludeTags.length === 0) return def;
  const tasks = def.tasks.filter((t) => {
    const own = t.tags ?? [];
    if (tags !== undefined && !own.some((x) => tags.includes(x))) return false;
    return !own.some((x) => excludeTags.includes(x));
  });
  if (tasks.length === 0) {
    const asked = [tags ? `--tags ${tags.join(' ')}` : '', excludeTags.length > 0 ? `--exclude-tags ${excludeTags.join(' ')}` : ''].filter(Boolean).join(' and ');
    throw new SimUsageError(`${asked} leaves no task of scenario ${def.name} to run.`);
  }
  return { ...def, tasks };
}
