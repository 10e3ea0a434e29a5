/** The hand-made changes of a run (result.control, from the live page) in words, for the reports. */
import type { ControlAction } from '../metrics/result.js';

const VERB: Record<ControlAction['action'], string> = {
  stop: 'stop',
  'set-users': 'users →',
  'set-rate': 'rate →',
  'reset-stats': 'statistics reset',
};

/** e.g. `at 12.3 s users → 40 (web)`, `at 20.1 s rate → 5 refused: …`. */
export function describeControl(a: ControlAction): string {
  const value = a.value === undefined ? '' : ` ${a.value}${a.action === 'set-rate' ? '/s' : ''}`;
  return `at ${a.elapsedS} s ${VERB[a.action]}${value} (${a.by})${a.applied ? '' : ` refused: ${a.reason ?? ''}`}`;
}

/** The summary line: every action, in order; empty when there was none. */
export function describeControls(actions: readonly ControlAction[] | undefined): string {
  return (actions ?? []).map(describeControl).join('; ');
}
