/** The built-in scenarios by name. */
import type { ScenarioDefinition } from '../scenario.js';
import { httpScenario } from './http.js';
import { sdkScenario } from './sdk.js';
import { stressScenario } from './stress.js';

export const BUILTIN_SCENARIOS: Readonly<Record<string, ScenarioDefinition>> = {
  sdk: sdkScenario,
  http: httpScenario,
  stress: stressScenario,
};

export { httpScenario, sdkScenario, stressScenario };
