/**
 * A user scenario file — mlop-sim's answer to a locustfile.
 *
 *   npx mlop-sim --scenario ./examples/custom-scenario.ts --users 10 --run-time 30s
 *
 * Each virtual user gets an SDK run (login + init at start, finish() at stop) because `sdk` is
 * set, then loops over the weighted tasks, waiting 0.2–0.6 s between them. Everything a task
 * does through ctx.run, ctx.http or ctx.record lands in the stats table and the reports.
 */
import { defineScenario } from 'mlop-sim';

export default defineScenario({
  name: 'fine-tune',
  description: 'SDK users logging a fine-tuning loop, plus a raw ingest post and a health probe',
  sdk: {
    project: 'load-test-project',
    runName: (user) => `fine-tune-${user}`,
    config: { model: 'tiny-bert', lr: 3e-5, batch_size: 32 },
  },
  wait: { minS: 0.2, maxS: 0.6 },

  onStart(ctx) {
    ctx.state.loss = 2.5; // per-user state survives between tasks
  },

  tasks: [
    {
      name: 'train step',
      weight: 6,
      async run(ctx) {
        const loss = (ctx.state.loss as number) * ctx.random.uniform(0.97, 1.0);
        ctx.state.loss = loss;
        const t0 = performance.now();
        await ctx.run!.log({ 'train/loss': loss, 'train/lr': 3e-5, 'gpu/util': ctx.random.uniform(70, 99) });
        // Enqueue time of the SDK call, reported beside the SDK's own requests (never judged).
        ctx.record('SDK', 'run.log (train step)', performance.now() - t0, true);
      },
    },
    {
      name: 'eval',
      weight: 1,
      async run(ctx) {
        await ctx.run!.log({ 'eval/loss': (ctx.state.loss as number) * 1.1, 'eval/accuracy': ctx.random.uniform(0.6, 0.9) });
      },
    },
    {
      name: 'raw metrics post',
      weight: 1,
      async run(ctx) {
        // ctx.http carries Authorization, X-Run-Id, X-Project-Name and the NDJSON content type.
        const line = JSON.stringify({ time: Date.now(), step: 1, data: { 'probe/value': ctx.random.next() } });
        await ctx.http.post('/ingest/metrics', line + '\n', { name: '/ingest/metrics (raw probe)' });
      },
    },
    {
      name: 'health',
      weight: 1,
      async run(ctx) {
        await ctx.http.get('/health');
      },
    },
  ],

  onStop(ctx) {
    ctx.state.loss = undefined; // finish() of the SDK run follows automatically
  },
});
