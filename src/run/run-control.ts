/**
 * The session's RunControl (the port in src/output/output.ts): what the live page may do to a
 * running load — stop it as Ctrl+C does, change the users or the rate of an executor that can,
 * reset the statistics — each answered (applied, or why not) and recorded with its time, so the
 * result says the load was changed by hand. Outputs get this object, never the executor.
 */
import type { Executor } from '../executor/executor.js';
import type { Recorder } from '../metrics/recorder.js';
import type { ControlAction } from '../metrics/result.js';
import type { ControlAnswer, RunControl } from '../output/index.js';

export interface RunControlParts {
  executor: Pick<Executor, 'name' | 'setUsers' | 'setRate'>;
  /** Absent (the --workers coordinator, whose statistics live in the workers): reset and changes are refused with `refusal`. */
  recorder?: Pick<Recorder, 'reset' | 'setTarget'>;
  /** Why nothing but stop is possible here (instead of the executor's own reason). */
  refusal?: string;
  /** Aborting it stops the load as Ctrl+C does. */
  abort: AbortController;
  /** performance.now() at the start of the load (undefined before). */
  t0: () => number | undefined;
  log: (line: string) => void;
}

const FOLLOWS_PLAN: Record<string, string> = {
  'ramping-users': 'the users follow the stages of ramping-users',
  'ramping-arrival-rate': 'the rate follows the stages of ramping-arrival-rate',
  'load-shape': "the load follows the scenario's shape",
};

export function createRunControl(p: RunControlParts): RunControl {
  const done: ControlAction[] = [];
  const { executor } = p;
  const users = executor.setUsers !== undefined;
  const rate = executor.setRate !== undefined;
  const notHere = p.refusal ?? FOLLOWS_PLAN[executor.name] ?? `${executor.name} cannot change its load while it runs`;

  const record = (action: ControlAction['action'], by: string, value: number | undefined, why: string | undefined): ControlAnswer => {
    const t0 = p.t0();
    const entry: ControlAction = {
      at: new Date().toISOString(),
      elapsedS: t0 === undefined ? 0 : Math.round((performance.now() - t0) / 100) / 10,
      action,
      ...(value !== undefined ? { value } : {}),
      applied: why === undefined,
      ...(why !== undefined ? { reason: why } : {}),
      by,
    };
    done.push(entry);
    p.log(`${by}: ${action}${value !== undefined ? ` ${value}` : ''}${why === undefined ? '' : ` refused: ${why}`}`);
    return why === undefined ? { applied: true } : { applied: false, reason: why };
  };

  return {
    capabilities: { users, rate, ...(users || rate ? {} : { reason: notHere }) },
    stop(by) {
      if (p.abort.signal.aborted) return record('stop', by, undefined, 'the run is already stopping');
      const answer = record('stop', by, undefined, undefined);
      p.abort.abort();
      return answer;
    },
    setUsers(n, by) {
      if (p.abort.signal.aborted) return record('set-users', by, n, 'the run is stopping');
      const why = executor.setUsers ? executor.setUsers(n) : rate ? `${executor.name} runs an arrival rate: change the rate instead` : notHere;
      if (why === undefined) p.recorder?.setTarget(n);
      return record('set-users', by, n, why);
    },
    setRate(r, by) {
      if (p.abort.signal.aborted) return record('set-rate', by, r, 'the run is stopping');
      const why = executor.setRate ? executor.setRate(r) : users ? `${executor.name} runs a number of users: change the users instead` : notHere;
      if (why === undefined) p.recorder?.setTarget(r);
      return record('set-rate', by, r, why);
    },
    resetStats(by) {
      if (!p.recorder) return record('reset-stats', by, undefined, notHere);
      p.recorder.reset();
      return record('reset-stats', by, undefined, undefined);
    },
    actions: () => done,
  };
}
