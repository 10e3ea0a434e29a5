/**
 * Work a response triggers, kept off the turn that times responses. The event loop hands every
 * socket that became readable to its read callback one after another in the same poll phase;
 * if the first response's callback also recorded it, resolved its caller's promise and ran the
 * user's next steps (task code, the next request, the wait), every later response of that phase
 * would be timed that much late. So a read callback only takes the time and queues the exchange;
 * the queue is settled once per turn, in the check phase right after the poll (setImmediate).
 */

export interface Settleable {
  /** Records the exchange and hands its result to the caller; must not throw. */
  settle(): void;
}

let pending: Settleable[] = [];
let spare: Settleable[] = [];
let scheduled = false;

/** Settle `x` after the current poll phase (in arrival order). */
export function settleSoon(x: Settleable): void {
  pending.push(x);
  if (!scheduled) {
    scheduled = true;
    setImmediate(drain);
  }
}

function drain(): void {
  scheduled = false;
  const batch = pending;
  pending = spare;
  for (let i = 0; i < batch.length; i++) batch[i].settle();
  batch.length = 0;
  spare = batch;
}
