/**
 * `http`: the seed's IngestHTTPUser (docs/protocol/load-test-suite.md §6.4): one-line NDJSON posts to
 * /ingest/metrics, /ingest/logs and /ingest/data with weights 5/3/2, waiting 0.1–0.5 s;
 * 200/201/202 succeed. Runs are never created: the run id is invented per user.
 */
import { defineScenario } from '../scenario.js';
import { logConsoleTask, logDataTask } from './ingest-tasks.js';
import { metricsLine, nextStep } from './payloads.js';

export const httpScenario = defineScenario({
  name: 'http',
  description: 'raw NDJSON posts to the ingest routes, weights 5/3/2 (the seed locustfile_http.py)',
  wait: { minS: 0.1, maxS: 0.5 },
  tasks: [
    {
      name: 'log_metrics',
      weight: 5,
      run: async (ctx) => {
        await ctx.http.post('/ingest/metrics', metricsLine(ctx.random, nextStep(ctx.state), Date.now()));
      },
    },
    logConsoleTask(),
    logDataTask,
  ],
});
