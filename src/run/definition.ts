/**
 * A run's definition from its options, for the drivers that send load (this process, or a
 * --workers coordinator): the scenario loaded once, the plan resolved once with the scenario's
 * own load, the tag filter and the wait applied, and the entries the gates judge.
 */
import { resolveScenario } from '../load/scenario-resolve.js';
import { filterTasksByTags } from '../load/task-tags.js';
import { resolvePlan, scenarioLoad, type SimulationOptions } from './plan.js';
import { judgedEntries } from './judging/result-builder.js';
import type { RunDefinition } from './session.js';

export async function defineRun(options: SimulationOptions): Promise<RunDefinition> {
  const loaded = await resolveScenario(options.scenario ?? 'sdk');
  const plan = resolvePlan(options, scenarioLoad(loaded));
  const tagged = filterTasksByTags(loaded, plan.tags, plan.excludeTags);
  const scenario = plan.wait ? { ...tagged, wait: plan.wait } : tagged;
  return { plan, scenario, judged: judgedEntries(scenario) };
}
