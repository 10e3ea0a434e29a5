/**
 * The SDK's own log lines that the real SDK's fd-level console capture uploads as the run's
 * stderr (`logType: "ERROR"`) lines (docs/protocol/sdk.md §12.1, captured in main.jsonl seq 9):
 * the `pluto` logger's "Started sync process" and "Operation: View run" lines, formatted as
 * `pluto: 🚀 HH:MM:SS | <message>`, and the sync process's own start line, formatted by
 * `logging.basicConfig` as `YYYY-MM-DD HH:MM:SS,mmm [pluto-sync] INFO: <message>`.
 * Python logs them at INFO, so a log level above 20 (x_log_level) suppresses them.
 */

/** logging.INFO */
export const INFO = 20;

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `%H:%M:%S` in local time, as logging.Formatter(datefmt='%H:%M:%S'). */
function clock(d: Date): string {
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** logging's default asctime: `%Y-%m-%d %H:%M:%S,mmm` in local time. */
function asctime(d: Date): string {
  const ms = String(d.getMilliseconds()).padStart(3, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${clock(d)},${ms}`;
}

/** A line of the `pluto` logger's stream handler (ColorFormatter, no TTY so no colours). */
export function plutoLogLine(message: string, at: Date = new Date()): string {
  return `pluto: 🚀 ${clock(at)} | ${message}`;
}

/** `Op._start_or_attach`: logged right after the sync process is spawned. */
export function startedSyncLine(pid: number, at?: Date): string {
  return plutoLogLine(`Started sync process (PID: ${pid})`, at);
}

/** `Op.start`: `Operation: View run <displayId> at <url>` (without a display id: `View run at <url>`). */
export function viewRunLine(displayId: string | null, url: string, at?: Date): string {
  return plutoLogLine(`Operation: ${displayId ? `View run ${displayId} at ${url}` : `View run at ${url}`}`, at);
}

/** `_sync_main`: the sync process's first log line, once it has started. */
export function syncProcessStartedLine(parentPid: number, at: Date = new Date()): string {
  return `${asctime(at)} [pluto-sync] INFO: Sync process started (parent PID: ${parentPid})`;
}
