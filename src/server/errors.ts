/**
 * The ingest service's error envelope and code table (docs/protocol/ingest.md §1.6).
 * Display string: `<CodeName> (<number> - <category>): <message>`.
 */

interface CodeInfo {
  /** Rust enum variant name, used in Display strings. */
  variant: string;
  number: number;
  status: number;
}

export const ERROR_CODES = {
  AUTHENTICATION_FAILED: { variant: 'AuthenticationFailed', number: 1001, status: 401 },
  INVALID_TOKEN: { variant: 'InvalidToken', number: 1002, status: 401 },
  MISSING_TOKEN: { variant: 'MissingToken', number: 1003, status: 401 },
  INVALID_TOKEN_FORMAT: { variant: 'InvalidTokenFormat', number: 1006, status: 401 },
  INVALID_BEARER_FORMAT: { variant: 'InvalidBearerFormat', number: 1007, status: 401 },
  INVALID_HEADER_FORMAT: { variant: 'InvalidHeaderFormat', number: 2004, status: 400 },
  INVALID_METRIC_FORMAT: { variant: 'InvalidMetricFormat', number: 2005, status: 400 },
  INVALID_LOG_FORMAT: { variant: 'InvalidLogFormat', number: 2006, status: 400 },
  PROCESSING_FAILED: { variant: 'ProcessingFailed', number: 3001, status: 422 },
  STREAM_PROCESSING_ERROR: { variant: 'StreamProcessingError', number: 3002, status: 422 },
  STREAM_DECODING_ERROR: { variant: 'StreamDecodingError', number: 3004, status: 422 },
  DATABASE_ERROR: { variant: 'DatabaseError', number: 4001, status: 503 },
  INTERNAL_ERROR: { variant: 'InternalError', number: 5001, status: 500 },
  SERVICE_UNAVAILABLE: { variant: 'ServiceUnavailable', number: 5002, status: 503 },
  RATE_LIMIT_EXCEEDED: { variant: 'RateLimitExceeded', number: 5005, status: 429 },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

function category(n: number): string {
  if (n < 2000) return 'Authentication Error';
  if (n < 3000) return 'Validation Error';
  if (n < 4000) return 'Processing Error';
  if (n < 5000) return 'Database Error';
  return 'System Error';
}

export class IngestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  /** The Rust Display form, e.g. `MissingToken (1003 - Authentication Error): Missing Authorization header`. */
  display(): string {
    const info = ERROR_CODES[this.code];
    return `${info.variant} (${info.number} - ${category(info.number)}): ${this.message}`;
  }

  /** The unwrapped JSON body used by /files and /step. */
  body(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}

export type IngestKind = 'metrics' | 'logs' | 'data';

/** The 422 body every /ingest/* error is re-wrapped into (docs/protocol/ingest.md §1.3). */
export function processingFailedBody(kind: IngestKind, err: IngestError): string {
  return JSON.stringify({
    code: 'PROCESSING_FAILED',
    message: `Failed to process ${kind} stream: ${err.display()}`,
  });
}
