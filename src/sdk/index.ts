/**
 * @mlop/sdk-ts: a TypeScript port of the mlop/pluto Python SDK (v2, pluto 0.0.28 on the wire).
 * Imports nothing but undici and Node builtins.
 */
export { login } from './login.js';
export { init, type InitOptions } from './init.js';
export { Run, type RunStatus, type RunInfo } from './run.js';
export { resolveSettings, type Settings, type ResolvedSettings, type Endpoints } from './settings.js';
export type { SdkObserver, RequestExchange, RecordSettled, RecordKind } from './observer.js';
export type { DeliveryCounts, DeliveryKind, KindCounts } from './sync/record-queue.js';
export { Data, DataValue, Graph, Histogram, Table } from './values/data-types.js';
export { STRING_SERIES_MAX_LEN } from './values/log-values.js';
export { Artifact, Audio, File, Text, Video, mimeOf } from './values/file-values.js';
export { Image, type BoxLayer, type ImageOptions, type MaskLayer, type Pixels } from './values/image-value.js';
export { SdkError, SdkAuthError, SdkRequestError, SdkConnectionError, SdkRunExistsError } from './errors.js';
export { defaultDispatcher, closeDefaultDispatcher, DEFAULT_CONNECTIONS_PER_ORIGIN } from './sync/transport.js';
