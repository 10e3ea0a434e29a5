/**
 * Latency distributions, said once: the reference server's latency fault and the run's
 * `--server-latency` flag both read them. A spec is in milliseconds.
 */

export type LatencySpec =
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'lognormal'; medianMs: number; sigma: number }
  | { kind: 'normal'; meanMs: number; stdMs: number };

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000 };

/**
 * Latency from a command-line spelling: `200` or `200ms` or `0.2s` (fixed), `uniform:10:50`,
 * `lognormal:20:0.5` (median, sigma), `normal:20:5` (mean, std). Throws an Error whose message
 * is one sentence without a final period.
 */
export function parseLatencySpec(text: string): LatencySpec {
  const [kind, a, b] = text.trim().toLowerCase().split(':');
  const num = (x: string | undefined): number => (x === undefined || x === '' ? NaN : Number(x));
  const fixed = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(kind ?? '');
  if (fixed && a === undefined) return { kind: 'fixed', ms: Number(fixed[1]) * UNIT_MS[fixed[2] ?? 'ms'] };
  try {
    if (kind === 'uniform') return validateLatency({ kind, minMs: num(a), maxMs: num(b) });
    if (kind === 'lognormal') return validateLatency({ kind, medianMs: num(a), sigma: num(b) });
    if (kind === 'normal') return validateLatency({ kind, meanMs: num(a), stdMs: num(b) });
  } catch (err) {
    throw new Error(`latency "${text}": ${(err as Error).message}`);
  }
  throw new Error(`latency "${text}" must look like 200ms, uniform:10:50, lognormal:20:0.5 or normal:20:5`);
}

function nonNegative(v: unknown, name: string): number {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new Error(`${name} must be a non-negative number`);
  return v;
}

/** Checks a LatencySpec from an untrusted source (JSON of a control route or a flag). */
export function validateLatency(v: unknown): LatencySpec {
  if (v === null || typeof v !== 'object') throw new Error('latency must be an object with a "kind"');
  const l = v as Record<string, unknown>;
  switch (l.kind) {
    case 'fixed':
      return { kind: 'fixed', ms: nonNegative(l.ms, 'latency.ms') };
    case 'uniform': {
      const minMs = nonNegative(l.minMs, 'latency.minMs');
      const maxMs = nonNegative(l.maxMs, 'latency.maxMs');
      if (maxMs < minMs) throw new Error('latency.maxMs must not be below latency.minMs');
      return { kind: 'uniform', minMs, maxMs };
    }
    case 'lognormal':
      return { kind: 'lognormal', medianMs: nonNegative(l.medianMs, 'latency.medianMs'), sigma: nonNegative(l.sigma, 'latency.sigma') };
    case 'normal':
      return { kind: 'normal', meanMs: nonNegative(l.meanMs, 'latency.meanMs'), stdMs: nonNegative(l.stdMs, 'latency.stdMs') };
    default:
      throw new Error('latency.kind must be fixed, uniform, lognormal or normal');
  }
}
