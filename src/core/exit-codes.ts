/**
 * The process exit codes of mlop-sim, said once (docs/cli.md "Exit codes"): the CLI exits with
 * them, runSimulation() returns them in `result.exitCode`, and errors a user can cause carry them.
 */
export const EXIT_CODES = {
  /** Every gate passed. */
  pass: 0,
  /** A threshold, the baseline or the delivery audit failed. */
  failed: 1,
  /** Usage or config error: bad flag, malformed scenario or baseline file. */
  usage: 2,
  /** Target unreachable, or API key rejected at start. */
  target: 3,
  /** Internal error: a bug; the message keeps its stack trace. */
  internal: 70,
  /** Interrupted (Ctrl+C, SIGINT, SIGTERM): users stopped, runs finished, reports written. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
