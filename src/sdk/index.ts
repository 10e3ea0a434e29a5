/**
 * @mlop/sdk-ts: a TypeScript port of the mlop/pluto Python SDK (v2, pluto 0.0.28 on the wire).
 * Imports nothing but undici and Node builtins.
 */
export { login } from './login.js';
export { init, type InitOptions } from './init.js';
export { Run, type RunStatus, type RunInfo } from './run.js';
export { resolveSettings, type Settings, type ResolvedSettings, type Endpoints } from './settings.js';
export type { SdkObserver, RequestExchange, RecordSettled, RecordKind } from './observer.js';
export type { DeliveryCounts } from './record-queue.js';
export { Histogram, Table, DataValue } from './data-types.js';
export { File, Image, mimeOf } from './file-values.js';
export { SdkError, SdkAuthError, SdkRequestError, SdkConnectionError, SdkRunExistsError } from './errors.js';
export { defaultDispatcher, closeDefaultDispatcher, DEFAULT_CONNECTIONS_PER_ORIGIN } from './transport.js';
