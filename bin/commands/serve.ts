/** `mlop-sim serve`: the reference server alone, with its faults set by flags. */
import type { Argv } from 'yargs';
import {
  DEFAULT_API_KEY,
  parseDuration,
  parseLatencySpec,
  parsePort,
  ServerStartError,
  startReferenceServer,
  validateFaults,
  type ReferenceServerOptions,
} from '../../src/index.js';
import { parseStall } from './run.js';
import { exit, hideSecret, lastValue, out, usageError } from './terminal.js';

interface ServeArgs {
  port: string;
  host: string;
  key?: string[];
  'default-key'?: boolean;
  latency?: string;
  'error-rate'?: number;
  'error-status'?: number;
  'reset-rate'?: number;
  'flush-stall'?: string;
  'server-stall'?: string;
  'server-capacity'?: number;
  'flush-failing'?: boolean;
  'flush-interval'?: string;
  'dlq-path'?: string;
  faults?: string;
  'clickhouse-url'?: string;
  'clickhouse-user'?: string;
  'clickhouse-password'?: string;
  'clickhouse-database'?: string;
}

export function serveBuilder(y: Argv): Argv {
  const single = { coerce: lastValue } as const;
  return y
    .option('port', { ...single, type: 'string', default: '3003', describe: 'port to listen on (0 = any free port)' })
    .option('host', { ...single, type: 'string', default: '127.0.0.1', describe: 'address to bind (off loopback, e.g. 0.0.0.0: needs --key; /_sim/* then need it as Bearer)' })
    .option('key', { type: 'array', string: true, describe: 'also accept this API key (repeatable; env MLOP_SIM_KEYS=k1,k2)' })
    .option('default-key', { type: 'boolean', describe: 'accept the public default key (--no-default-key refuses it)', defaultDescription: 'on loopback yes, off loopback no' })
    .option('latency', { ...single, type: 'string', describe: 'fault: added latency, e.g. 200ms, uniform:10:50, lognormal:20:0.5, normal:20:5' })
    .option('error-rate', { ...single, type: 'number', describe: 'fault: share of ingest requests answered with --error-status' })
    .option('error-status', { ...single, type: 'number', describe: 'fault: 500, 503 or 429', defaultDescription: '500' })
    .option('reset-rate', { ...single, type: 'number', describe: 'fault: share of ingest requests whose connection is reset' })
    .option('flush-stall', { ...single, type: 'string', describe: 'fault: each flush takes this long (a slow ClickHouse), e.g. 3s' })
    .option('flush-failing', { type: 'boolean', describe: 'fault: every flush fails, batches go to the dead-letter queue' })
    .option('flush-interval', { ...single, type: 'string', describe: 'flush interval of the row buffers', defaultDescription: '5s' })
    .option('dlq-path', { ...single, type: 'string', describe: 'dead-letter queue folder', defaultDescription: 'a temporary folder' })
    .option('server-stall', { ...single, type: 'string', describe: 'fault: stop answering for D, starting T after the start, e.g. 3s@20s' })
    .option('server-capacity', { ...single, type: 'number', describe: 'complete at most R ingest requests/s, first come first served (docs/server.md "Capacity")' })
    .option('faults', { ...single, type: 'string', describe: 'all faults as JSON (the /_sim/faults shape)' })
    .option('clickhouse-url', { ...single, type: 'string', describe: 'store rows in this ClickHouse (HTTP URL) instead of memory', defaultDescription: 'CLICKHOUSE_URL' })
    .option('clickhouse-user', { ...single, type: 'string', describe: 'ClickHouse user', defaultDescription: 'CLICKHOUSE_USER or default' })
    .option('clickhouse-password', { ...single, type: 'string', describe: 'ClickHouse password (never printed)', defaultDescription: 'CLICKHOUSE_PASSWORD' })
    .option('clickhouse-database', { ...single, type: 'string', describe: 'ClickHouse database (created with the tables when missing)', defaultDescription: 'CLICKHOUSE_DATABASE or default' });
}

/** The serve flags as server options; a bad value is a usage error (exit 2). */
function serveOptions(a: ServeArgs): ReferenceServerOptions {
  try {
    const faults: Record<string, unknown> = a.faults ? (JSON.parse(a.faults) as Record<string, unknown>) : {};
    if (a.latency !== undefined) faults.latency = parseLatencySpec(a.latency);
    if (a['error-rate'] !== undefined) faults.errorRate = a['error-rate'];
    if (a['error-status'] !== undefined) faults.errorStatus = a['error-status'];
    if (a['reset-rate'] !== undefined) faults.resetRate = a['reset-rate'];
    if (a['flush-stall'] !== undefined) faults.flushStallMs = parseDuration(a['flush-stall'], '--flush-stall') * 1000;
    if (a['flush-failing']) faults.flushFailing = true;
    if (a['server-stall'] !== undefined) {
      const { durationS, atS } = parseStall(a['server-stall']);
      faults.stall = { durationMs: durationS * 1000, atMs: atS * 1000 };
    }
    if (a['server-capacity'] !== undefined) faults.capacityRps = a['server-capacity'];
    const envKeys = (process.env.MLOP_SIM_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
    return {
      port: parsePort(a.port),
      host: a.host,
      keys: [...(a.key ?? []).map(String), ...envKeys],
      // Unsaid, the server decides by the address: the public default key only on loopback.
      defaultKey: a['default-key'] === false ? false : a['default-key'] === true ? DEFAULT_API_KEY : undefined,
      faults: validateFaults(faults),
      flushIntervalMs: a['flush-interval'] !== undefined ? parseDuration(a['flush-interval'], '--flush-interval') * 1000 : undefined,
      dlq: a['dlq-path'] ? { path: a['dlq-path'] } : undefined,
      clickhouse: clickhouseOptions(a),
    };
  } catch (err) {
    throw usageError(err);
  }
}

/** `--clickhouse-*` (else CLICKHOUSE_URL / _USER / _PASSWORD / _DATABASE); none without a URL. */
function clickhouseOptions(a: ServeArgs): ReferenceServerOptions['clickhouse'] {
  const env = process.env;
  const url = a['clickhouse-url'] ?? (env.CLICKHOUSE_URL || undefined);
  if (!url) return undefined;
  return {
    url,
    username: a['clickhouse-user'] ?? (env.CLICKHOUSE_USER || undefined),
    password: a['clickhouse-password'] ?? env.CLICKHOUSE_PASSWORD,
    database: a['clickhouse-database'] ?? (env.CLICKHOUSE_DATABASE || undefined),
  };
}

export async function serveCommand(a: ServeArgs): Promise<void> {
  const options = serveOptions(a);
  for (const k of options.keys ?? []) hideSecret(typeof k === 'string' ? k : k.key);
  hideSecret(options.clickhouse?.password);
  const server = await startReferenceServer(options).catch((err: unknown) => {
    // A bad, busy or forbidden port or address is the user's to fix: one sentence, exit 2.
    if (err instanceof ServerStartError && err.problem === 'public-key') {
      throw usageError(`--host ${a.host} lets other machines reach this server and its control routes, and the default API key is public: give a key of your own with --key K (or MLOP_SIM_KEYS)`);
    }
    throw err instanceof ServerStartError ? usageError(err) : err;
  });
  const everywhere = /^http:\/\/(0\.0\.0\.0|\[::\]):/.test(server.listening);
  const reach = server.listening === server.url ? '' : everywhere ? ` (every interface; from this machine: ${server.url})` : ` (--host ${a.host})`;
  out(`mlop-sim reference server listening on ${server.listening}${reach}\n`);
  if (options.clickhouse) out(`Rows go to ClickHouse at ${server.stats().store}, database ${options.clickhouse.database ?? 'default'}.\n`);
  if (server.key) out(`API key: ${server.key}\n`);
  if (options.keys?.length) out(`${server.key ? 'Also accepting' : 'Accepting'} ${options.keys.length} key(s) given with --key / MLOP_SIM_KEYS (not shown).\n`);
  if (server.controlAuth) {
    out(`Off loopback: the control routes (/_sim/*) answer only "Authorization: Bearer <an accepted key>"; ` +
      `mlop-sim run sends its --key${server.key ? '' : ', and the public default key is not accepted (--default-key to accept it)'}.\n`);
  }
  const faults = Object.keys(options.faults ?? {});
  if (faults.length) out(`Faults on: ${faults.join(', ')}\n`);
  out('Press Ctrl+C to stop.\n');
  const stop = async (): Promise<void> => {
    await server.stop();
    out('mlop-sim: reference server stopped\n');
    exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
