/**
 * The live console line during a run (issue 4, "Reports"): every 2 s, users, requests/s,
 * p50/p95 of the judged entry, errors (count and %) and elapsed time. On a TTY the line is
 * rewritten in place; otherwise a plain line is appended each interval (CI logs).
 */
import { formatMs, formatPercent } from './number-format.js';

export interface LiveSample {
  elapsedS: number;
  users: number;
  rps: number;
  p50Ms: number;
  p95Ms: number;
  failures: number;
  failRate: number;
  /** Name of the judged entry whose p50/p95 are shown, e.g. `e2e log→ack`. */
  judged: string;
  /** Stages and arrival rates: the target now (`stage 2/3 → 80 users`, `50.0 it/s`) and iterations dropped so far. */
  load?: { target: string; dropped?: number };
}

const DEFAULT_INTERVAL_MS = 2000; // issue 4: "a live line every 2 s"
const CLEAR_LINE = '\r\x1b[2K';

function formatElapsed(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** The line for one sample, without line ending. */
export function formatLiveLine(s: LiveSample): string {
  return `[${formatElapsed(s.elapsedS).padStart(6)}] users ${s.users} | ${s.rps.toFixed(1)} req/s | ` +
    `${s.judged} p50 ${formatMs(s.p50Ms)} ms p95 ${formatMs(s.p95Ms)} ms | ` +
    `errors ${s.failures} (${formatPercent(s.failRate)})` +
    (s.load ? ` | target ${s.load.target}${s.load.dropped !== undefined ? ` | dropped ${s.load.dropped}` : ''}` : '');
}

export class LiveConsole {
  private readonly out: NodeJS.WritableStream;
  private readonly tty: boolean;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private wroteInPlace = false;

  constructor(out: NodeJS.WritableStream, opts: { tty: boolean; intervalMs?: number }) {
    this.out = out;
    this.tty = opts.tty;
    this.intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
  }

  /** Starts printing `sample()` every interval; a second start() replaces the first. */
  start(sample: () => LiveSample): void {
    this.stopTimer();
    this.timer = setInterval(() => this.print(sample()), this.intervalMs);
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

  private print(s: LiveSample): void {
    const line = formatLiveLine(s);
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
