/**
 * One process-wide timer for every run: each run owns an Alarm (the next time it has something
 * to do); alarms sit in a binary min-heap and a single Node timer is armed for the earliest.
 * 10,000 runs cost one timer, not 10,000. The timer keeps the process alive only while some
 * alarm asks for it (a run inside finish()), as the runs' own timers did.
 */
export class Alarm {
  /** When to fire (performance.now() ms); Infinity when not set. */
  at = Infinity;
  /** Position in the heap, -1 when not scheduled. */
  index = -1;
  /** Keep the process alive while this alarm is set. */
  ref = false;
  constructor(readonly fire: () => void) {}
}

const heap: Alarm[] = [];
let timer: NodeJS.Timeout | undefined;
let armedAt = Infinity;
let refCount = 0;
let firing = false;

function swap(i: number, j: number): void {
  const a = heap[i];
  const b = heap[j];
  heap[i] = b;
  heap[j] = a;
  a.index = j;
  b.index = i;
}

function up(i: number): void {
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (heap[p].at <= heap[i].at) break;
    swap(i, p);
    i = p;
  }
}

function down(i: number): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && heap[l].at < heap[m].at) m = l;
    if (r < heap.length && heap[r].at < heap[m].at) m = r;
    if (m === i) return;
    swap(i, m);
    i = m;
  }
}

function remove(a: Alarm): void {
  const i = a.index;
  const last = heap.pop()!;
  if (a.ref) refCount--;
  a.index = -1;
  if (last !== a) {
    heap[i] = last;
    last.index = i;
    down(i);
    up(last.index);
  }
}

function arm(): void {
  if (firing) return; // re-armed once the due alarms have run
  const top = heap[0];
  const at = top ? top.at : Infinity;
  if (at === Infinity) {
    if (timer) clearTimeout(timer);
    timer = undefined;
    armedAt = Infinity;
    return;
  }
  if (!timer || at < armedAt || at > armedAt + 1) {
    if (timer) clearTimeout(timer);
    armedAt = at;
    timer = setTimeout(onTimer, Math.max(0, at - performance.now()));
  }
  if (refCount > 0) timer.ref();
  else timer.unref();
}

function onTimer(): void {
  timer = undefined;
  armedAt = Infinity;
  firing = true;
  try {
    const now = performance.now() + 1; // setTimeout has ms granularity
    // Take every due alarm first: one set again during its tick waits for the next turn.
    const due: Alarm[] = [];
    while (heap.length && heap[0].at <= now) {
      const a = heap[0];
      remove(a);
      a.at = Infinity;
      due.push(a);
    }
    for (const a of due) {
      try {
        a.fire();
      } catch {
        // a run's tick must not stop the others
      }
    }
  } finally {
    firing = false;
    arm();
  }
}

/** Set (or move) the alarm to `at`; Infinity clears it. */
export function setAlarm(a: Alarm, at: number): void {
  if (a.index >= 0) {
    if (at === Infinity) {
      remove(a);
      a.at = Infinity;
    } else {
      const before = a.at;
      a.at = at;
      if (at < before) up(a.index);
      else down(a.index);
    }
  } else if (at !== Infinity) {
    a.at = at;
    a.index = heap.length;
    heap.push(a);
    if (a.ref) refCount++;
    up(a.index);
  }
  arm();
}

/** Whether this alarm keeps the process alive while set. */
export function setAlarmRef(a: Alarm, ref: boolean): void {
  if (a.ref === ref) return;
  a.ref = ref;
  if (a.index >= 0) refCount += ref ? 1 : -1;
  arm();
}

/** Alarms set (tests). */
export function alarmsSet(): number {
  return heap.length;
}
