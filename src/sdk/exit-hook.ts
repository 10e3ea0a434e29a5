/**
 * The Python SDK registers finish() with atexit (docs/protocol/sdk.md §10.2). Here one process-wide
 * 'beforeExit' listener finishes the runs still open when the event loop runs dry (the runs'
 * timers are unref'd, so an unfinished run alone does not keep the process alive).
 */
interface Finishable {
  finish(): Promise<void>;
}

const open = new Set<Finishable>();
let installed = false;

function onBeforeExit(): void {
  const runs = [...open];
  open.clear();
  for (const r of runs) void r.finish();
}

export function trackOpenRun(run: Finishable): void {
  if (!installed) {
    installed = true;
    process.on('beforeExit', onBeforeExit);
  }
  open.add(run);
}

export function untrackRun(run: Finishable): void {
  open.delete(run);
}
