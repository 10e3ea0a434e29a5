/**
 * Locust-style durations: `30s`, `5m`, `1h`, `1h30m`, `90` (plain seconds), `1.5s`, `250ms`.
 */
import { SimUsageError } from './errors.js';

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Parses a duration into seconds; throws SimUsageError naming the flag on a bad value. */
export function parseDuration(text: string | number, flag = '--run-time'): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text) && text >= 0) return text;
    throw new SimUsageError(`${flag} must be a non-negative duration, got ${text}.`);
  }
  const s = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(part)) {
    if (m.index !== consumed) break;
    total += Number(m[1]) * UNIT_SECONDS[m[2]];
    consumed += m[0].length;
  }
  if (consumed === 0 || consumed !== s.length) {
    throw new SimUsageError(`${flag} must look like 30s, 5m, 1h or a number of seconds, got "${text}".`);
  }
  return total;
}
