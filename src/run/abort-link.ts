/** Links a run's stop to the caller's AbortSignal and, when asked, to SIGINT/SIGTERM. */

/** Aborts `abort` on the caller's signal and, when asked, on SIGINT/SIGTERM; returns the unhook. */
export function linkAbort(abort: AbortController, signal: AbortSignal | undefined, handleSignals: boolean): () => void {
  const onAbort = (): void => abort.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) abort.abort();
  if (handleSignals) {
    process.on('SIGINT', onAbort);
    process.on('SIGTERM', onAbort);
  }
  return () => {
    signal?.removeEventListener('abort', onAbort);
    if (handleSignals) {
      process.off('SIGINT', onAbort);
      process.off('SIGTERM', onAbort);
    }
  };
}
