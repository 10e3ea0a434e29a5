/**
 * `sdk` (default): the seed's SDK user (docs/protocol/load-test-suite.md §6.5, `locustfile.py`): login, init of
 * `load-test-run-<n>` in `load-test-project`, then run.log of six metrics (weight 5) and
 * run._log with an explicit step and time (weight 3), waiting 0.1–0.5 s; finish() on stop.
 * The enqueue time of each call is recorded (reported, never judged); the records' log→ack
 * delays and the SDK's HTTP requests come from the SDK observer.
 */
import { defineScenario, type ScenarioContext } from '../scenario.js';
import { SDK_EXPLICIT_LOG_ENTRY, SDK_LOG_ENTRY } from '../../core/entry-names.js';
import { nextStep } from './payloads.js';

async function timed(ctx: ScenarioContext, entry: { method: string; route: string }, call: () => void | Promise<void>) {
  const t0 = performance.now();
  try {
    await call();
    ctx.record(entry.method, entry.route, performance.now() - t0, true);
  } catch (err) {
    ctx.record(entry.method, entry.route, performance.now() - t0, false, 0, err instanceof Error ? err.message : String(err));
  }
}

export const sdkScenario = defineScenario({
  name: 'sdk',
  description: 'SDK-backed users: login, init, run.log (5) and run._log (3), finish (the seed locustfile.py)',
  wait: { minS: 0.1, maxS: 0.5 },
  sdk: { project: 'load-test-project', config: { test_type: 'load_test', target_rps: 1000 } },
  judge: 'sdk',
  tasks: [
    {
      name: 'log_metrics',
      weight: 5,
      run: (ctx) => {
        const r = ctx.random;
        const step = nextStep(ctx.state);
        const data = {
          'train/loss': r.uniform(0, 1),
          'train/accuracy': r.uniform(0.8, 1),
          'val/loss': r.uniform(0, 1),
          'val/accuracy': r.uniform(0.75, 0.95),
          learning_rate: r.uniform(0.0001, 0.001),
          epoch: step,
        };
        return timed(ctx, SDK_LOG_ENTRY, () => ctx.run!.log(data));
      },
    },
    {
      name: 'log_with_step',
      weight: 3,
      run: (ctx) => {
        const r = ctx.random;
        const step = nextStep(ctx.state);
        const data = { 'batch/loss': r.uniform(0, 1.5), 'batch/size': r.int(16, 128) };
        return timed(ctx, SDK_EXPLICIT_LOG_ENTRY, () => ctx.run!._log(data, step, Date.now() / 1000));
      },
    },
  ],
});
