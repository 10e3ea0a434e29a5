/**
 * Wall-clock milliseconds from a performance.now() reading, so log() reads one clock, not two.
 * The offset starts at performance.timeOrigin (sub-ms precise) and is re-anchored to Date.now()
 * whenever the two disagree by more than 2 ms (clock steps, long-run drift); runs call
 * `checkWallClock` on their ticks.
 */
let offset = performance.timeOrigin;

export function wallMs(perfNow: number): number {
  return Math.floor(offset + perfNow);
}

let lastCheck = -Infinity;

export function checkWallClock(): void {
  const now = performance.now();
  if (now - lastCheck < 50) return; // every run ticks; once per 50 ms is enough for the process
  lastCheck = now;
  const wall = Date.now(); // floor of the true time: the true time is in [wall, wall + 1)
  if (Math.abs(offset + now - (wall + 0.5)) > 2) offset = wall + 0.5 - now;
}
