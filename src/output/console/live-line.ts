/**
 * The live console line during a run (issue 4, "Reports"): every 2 s, users, HTTP requests/s,
 * p50/p95 of the judged entry, errors (count and %) and elapsed time. On a TTY the line is
 * rewritten in place; otherwise a plain line is appended each interval (CI logs).
 *
 * Stable figures (issue 10): the time label counts the line's own ticks (2 s, 4 s, 6 s … however
 * late a tick fires), the rate and quantiles come from a window of complete seconds (see
 * liveSample), and a figure with no sample yet prints "–" instead of a zero.
 */
import { formatMs, formatPercent } from '../number-format.js';
import type { LiveSample } from '../output.js';

const DEFAULT_INTERVAL_MS = 2000; // issue 4: "a live line every 2 s"
const CLEAR_LINE = '\r\x1b[2K';

function formatElapsed(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

const NONE = '–';

function ms(v: number): string {
  return Number.isFinite(v) ? `${formatMs(v)} ms` : NONE;
}

/** The line for one sample, without line ending; `labelS` (default the sample's elapsed time) is the time shown. */
export function formatLiveLine(s: LiveSample, labelS = s.elapsedS): string {
  const rate = Number.isFinite(s.rps) ? s.rps.toFixed(1) : NONE;
  return `[${formatElapsed(labelS).padStart(6)}] users ${s.users} | ${rate} HTTP req/s | ` +
    `${s.judged} p50 ${ms(s.p50Ms)} p95 ${ms(s.p95Ms)} | ` +
    `errors ${s.failures} (${formatPercent(s.failRate)})` +
    (s.load ? ` | target ${s.load.target}${s.load.dropped !== undefined ? ` | dropped ${s.load.dropped}` : ''}` : '');
}

export class LiveConsole {
  private readonly out: NodeJS.WritableStream;
  private readonly tty: boolean;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private wroteInPlace = false;
  private ticks = 0;

  constructor(out: NodeJS.WritableStream, opts: { tty: boolean; intervalMs?: number }) {
    this.out = out;
    this.tty = opts.tty;
    this.intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
  }

  /** Starts printing `sample()` every interval; a second start() replaces the first. */
  start(sample: () => LiveSample): void {
    this.stopTimer();
    this.ticks = 0;
    this.timer = setInterval(() => this.print(sample(), (++this.ticks * this.intervalMs) / 1000), this.intervalMs);
    this.timer.unref(); // never keeps the process alive on its own
  }

  /** Stops the line; on a TTY ends the rewritten line so the next output starts on a fresh one. */
  stop(): void {
    this.stopTimer();
    if (this.wroteInPlace) this.out.write('\n');
    this.wroteInPlace = false;
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private print(s: LiveSample, labelS: number): void {
    const line = formatLiveLine(s, labelS);
    if (!this.tty) {
      this.out.write(line + '\n');
      return;
    }
    // Cut to the terminal width: a wrapped line cannot be rewritten with \r.
    const columns = (this.out as { columns?: unknown }).columns;
    const shown = typeof columns === 'number' && columns > 1 ? Array.from(line).slice(0, columns - 1).join('') : line;
    this.out.write(CLEAR_LINE + shown);
    this.wroteInPlace = true;
  }
}
