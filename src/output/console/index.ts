/** The live console line as an output: prints a snapshot every interval while the load runs. */
import { LiveConsole } from './live-line.js';
import type { Output } from '../output.js';

export interface LiveConsoleOptions {
  out: NodeJS.WritableStream;
  /** Rewrite one line in place (default: `out.isTTY`). */
  tty?: boolean;
  /** Default 2000 ms. */
  intervalMs?: number;
}

export function liveConsoleOutput(o: LiveConsoleOptions): Output {
  const tty = o.tty ?? (o.out as { isTTY?: boolean }).isTTY === true;
  const live = new LiveConsole(o.out, { tty, intervalMs: o.intervalMs });
  return {
    name: 'console',
    start: (feed) => live.start(feed),
    end: () => live.stop(),
    stop: async () => {
      live.stop();
      return [];
    },
  };
}
