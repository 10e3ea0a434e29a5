/**
 * Errors a user can cause. Each carries the documented exit code and a one-sentence message
 * (docs/cli.md "Exit codes"); the CLI prints `mlop-sim: <message>` and never a stack trace.
 */
import { EXIT_CODES } from './exit-codes.js';

/** Bad flag, bad option value, malformed scenario or baseline file → exit 2. */
export class SimUsageError extends Error {
  readonly exitCode = EXIT_CODES.usage;
  constructor(message: string) {
    super(message);
    this.name = 'SimUsageError';
  }
}

/** Target unreachable or API key rejected at start → exit 3. */
export class SimTargetError extends Error {
  readonly exitCode = EXIT_CODES.target;
  constructor(message: string) {
    super(message);
    this.name = 'SimTargetError';
  }
}

/** Describes a network error in a few words, e.g. `connection refused`, never with secrets. */
export function describeNetworkError(err: unknown): string {
  const e = err as { code?: string; cause?: { code?: string }; message?: string };
  const code = e?.code ?? e?.cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return code ? code : (e?.message ?? String(err));
  }
}
