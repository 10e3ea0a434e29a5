/** Typed errors of the SDK. Messages are one sentence and never contain the API key. */
export class SdkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The server rejected the API key (401 after the retry policy, docs/protocol/sdk.md §2, §9). */
export class SdkAuthError extends SdkError {}

/** The server answered with a non-retryable or persistent error status. */
export class SdkRequestError extends SdkError {
  readonly status?: number;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

/** The server could not be reached (refused, reset, timed out) after the retry policy. */
export class SdkConnectionError extends SdkError {}

/** init() found an existing run for this id but resume was not requested (docs/protocol/sdk.md §3.5). */
export class SdkRunExistsError extends SdkError {}
