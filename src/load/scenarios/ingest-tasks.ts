/**
 * The one-line logs and data tasks the seed's raw-HTTP users share (docs/protocol/load-test-suite.md
 * §6.4, §6.6: locustfile_http.py and locustfile_stress.py both post them with weights 3 and 2; they
 * stamp the current step and do not move it).
 */
import type { TaskDefinition } from '../scenario.js';
import { currentStep, dataLine, logLine } from './payloads.js';

/** The logs task; the stress test words its message differently (§6.6). */
export function logConsoleTask(stress = false): TaskDefinition {
  return {
    name: 'log_console',
    weight: 3,
    run: async (ctx) => {
      await ctx.http.post('/ingest/logs', logLine(ctx.random, currentStep(ctx.state), Date.now(), stress));
    },
  };
}

export const logDataTask: TaskDefinition = {
  name: 'log_data',
  weight: 2,
  run: async (ctx) => {
    await ctx.http.post('/ingest/data', dataLine(ctx.random, currentStep(ctx.state), Date.now()));
  },
};
