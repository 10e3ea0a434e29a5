/**
 * A raw-HTTP scenario whose generator side is deliberately expensive: each iteration spins the
 * CPU for 0.5 ms before one single-line metrics post, so one generator process tops out near
 * 2,000 iterations/s on a core while the reference server takes far more. bench/capacity.ts part C
 * uses it as "a target faster than the generator".
 */
import { defineScenario } from 'mlop-sim';

const SPIN_MS = 0.5;

export default defineScenario({
  name: 'cpu-bound-generator',
  description: 'one metrics post per iteration after 0.5 ms of generator CPU',
  wait: { minS: 0, maxS: 0 },
  tasks: [
    {
      name: 'spin then post',
      weight: 1,
      async run(ctx) {
        const until = performance.now() + SPIN_MS;
        while (performance.now() < until) {
          /* the generator's own work */
        }
        const line = JSON.stringify({ time: Date.now(), step: 1, data: { 'bench/value': ctx.random.next() } });
        await ctx.http.post('/ingest/metrics', line + '\n');
      },
    },
  ],
});
