/**
 * `stress`: the seed's StressTestUser (docs/protocol/load-test-suite.md §6.6): 5-line metrics posts (weight 10),
 * logs (3) and data (2), waiting 0.01–0.1 s. Adds the capacity assessment and never fails the
 * build.
 */
import { defineScenario } from '../scenario.js';
import { logConsoleTask, logDataTask } from './ingest-tasks.js';
import { nextStep, stressMetricsLine } from './payloads.js';

/** Lines per metrics request in the stress test. */
export const STRESS_METRICS_LINES = 5;
/** The seed names the batch request apart from a one-line post (§6.6). */
const BATCH = { name: '/ingest/metrics (batch)' } as const;

export const stressScenario = defineScenario({
  name: 'stress',
  description: '5-line metrics posts (10), logs (3), data (2), short waits; reports capacity, never fails the build',
  wait: { minS: 0.01, maxS: 0.1 },
  failsBuild: false,
  capacityAssessment: true,
  tasks: [
    {
      name: 'log_metrics_batch',
      weight: 10,
      run: async (ctx) => {
        // One step for the whole batch: five lines of the same step, 20 rows (§6.6).
        const step = nextStep(ctx.state);
        const now = Date.now();
        let body = '';
        for (let i = 0; i < STRESS_METRICS_LINES; i++) body += stressMetricsLine(ctx.random, step, now);
        await ctx.http.post('/ingest/metrics', body, BATCH);
      },
    },
    logConsoleTask(true),
    logDataTask,
  ],
});
