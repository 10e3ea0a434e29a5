/**
 * What a load source needs from the recorder to record one sample. The Recorder satisfies it;
 * an entry's name is `${method} ${route}` (Locust's Type + Name).
 */
export interface StatsSink {
  record(method: string, route: string, durationMs: number, ok: boolean, bytes?: number, error?: string): void;
  /** An error thrown by scenario code (besides its failure sample); optional for other sinks. */
  exception?(err: unknown): void;
}
