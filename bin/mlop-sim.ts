#!/usr/bin/env node
/**
 * The mlop-sim CLI: parses flags (Locust's spellings), calls the library, prints, sets the exit
 * code. Every behaviour lives in src/; see docs/cli.md for flags, env vars and exit codes.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import {
  DEFAULT_API_KEY,
  DEFAULT_BASELINE_FILE,
  EXIT_CODES,
  formatFinalTable,
  parseDuration,
  runSimulation,
  saveBaseline,
  parseLatencySpec,
  startReferenceServer,
  validateFaults,
  type FaultOptions,
  type LatencySpec,
  type ReferenceServerOptions,
  type SimulationOptions,
} from '../src/index.js';

const EPILOGUE = `Exit codes:
  0    pass
  1    thresholds, baseline or delivery audit failed
  2    usage or config error (bad flag, malformed scenario or baseline file)
  3    target unreachable or API key rejected at start
  130  interrupted (Ctrl+C, SIGINT, SIGTERM): users stopped, runs finished, reports written
  70   internal error (a bug: the message keeps its stack trace)

Env: INGEST_URL, TEST_API_KEY, P95_THRESHOLD_MS (500), P99_THRESHOLD_MS (1000), MAX_ERROR_RATE (0.01).
No --host and no INGEST_URL: an embedded reference server is started on loopback.`;

/** Everything printed passes through here so the key can never reach the terminal. */
let secret: string | undefined;
function scrub(text: string): string {
  // Very short "keys" (typos, placeholders) would shred ordinary words; real keys are long.
  return secret && secret.length >= 6 ? text.split(secret).join('***') : text;
}
function out(text: string): void {
  process.stdout.write(scrub(text));
}
function fail(message: string, code: number): never {
  process.stderr.write(scrub(`mlop-sim: ${message.replace(/\s+$/, '')}\n`));
  exit(code);
}
function exit(code: number): never {
  process.exitCode = code;
  // Let stdout/stderr drain, then leave even if a stray handle lingers.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
  return undefined as never;
}

/** A flag given twice keeps its last value, as in Locust (yargs would make an array of it). */
function lastValue<T>(v: T | T[]): T {
  return Array.isArray(v) ? v[v.length - 1] : v;
}

interface RunArgs {
  users?: number;
  'spawn-rate'?: number;
  'run-time'?: string;
  wait?: string;
  host?: string;
  'api-url'?: string;
  key?: string;
  seed?: number;
  scenario: string;
  'report-dir': string;
  csv?: string;
  html?: string;
  junit?: string;
  baseline?: string;
  threshold?: (string | number)[];
  p95?: number;
  p99?: number;
  'max-error-rate'?: number;
  quiet: boolean;
  'server-latency'?: string;
  'server-error-rate'?: number;
  'shutdown-timeout'?: string;
}

/** `--server-latency`: a duration (`200ms`) or a distribution (`lognormal:20:0.5`); bad → exit 2. */
function serverLatency(text: string): LatencySpec {
  if (/^[a-z]+:/i.test(text.trim())) {
    try {
      return parseLatencySpec(text);
    } catch (err) {
      throw Object.assign(new Error(`--server-latency: ${(err as Error).message}.`), { exitCode: EXIT_CODES.usage });
    }
  }
  return { kind: 'fixed', ms: parseDuration(text, '--server-latency') * 1000 };
}

async function run(a: RunArgs): Promise<void> {
  secret = a.key ?? process.env.TEST_API_KEY ?? DEFAULT_API_KEY;
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    if (signals > 1) exit(EXIT_CODES.interrupted);
    process.stderr.write('\nmlop-sim: stopping users and finishing their runs (press Ctrl+C again to quit now)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const latency = a['server-latency'] !== undefined ? serverLatency(a['server-latency']) : undefined;
  const options: SimulationOptions = {
    scenario: a.scenario,
    users: a.users,
    spawnRate: a['spawn-rate'],
    runTime: a['run-time'],
    wait: a.wait,
    host: a.host,
    apiUrl: a['api-url'],
    key: a.key,
    seed: a.seed,
    reportDir: a['report-dir'],
    csv: a.csv,
    html: a.html,
    junit: a.junit,
    baseline: a.baseline,
    thresholds: (a.threshold ?? []).map(String),
    p95Ms: a.p95,
    p99Ms: a.p99,
    maxErrorRate: a['max-error-rate'],
    env: process.env,
    embeddedServer: { latency, errorRate: a['server-error-rate'] },
    shutdownTimeout: a['shutdown-timeout'],
    signal: controller.signal,
    console: a.quiet ? false : { out: process.stdout, tty: process.stdout.isTTY === true },
    log: a.quiet ? undefined : (line) => out(`mlop-sim: ${line}\n`),
  };
  const result = await runSimulation(options);
  if (a.quiet) out(`${result.pass ? 'PASS' : 'FAIL'}${result.reasons.map((r) => `\n  - ${r}`).join('')}\n`);
  else out('\n' + formatFinalTable(result));
  exit(result.exitCode);
}

interface ServeArgs {
  port: number;
  host: string;
  key?: string[];
  'default-key': boolean;
  latency?: string;
  'error-rate'?: number;
  'error-status'?: number;
  'reset-rate'?: number;
  'flush-stall'?: string;
  'flush-failing'?: boolean;
  'flush-interval'?: string;
  'dlq-path'?: string;
  faults?: string;
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
    const envKeys = (process.env.MLOP_SIM_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
    return {
      port: a.port,
      host: a.host,
      keys: [...(a.key ?? []).map(String), ...envKeys],
      defaultKey: a['default-key'] === false ? false : undefined,
      faults: validateFaults(faults) as FaultOptions,
      flushIntervalMs: a['flush-interval'] !== undefined ? parseDuration(a['flush-interval'], '--flush-interval') * 1000 : undefined,
      dlq: a['dlq-path'] ? { path: a['dlq-path'] } : undefined,
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw Object.assign(new Error(`${message.replace(/\.$/, '')}.`), { exitCode: EXIT_CODES.usage });
  }
}

async function serve(a: ServeArgs): Promise<void> {
  const options = serveOptions(a);
  secret = options.keys?.length ? String(options.keys[0]) : undefined;
  const server = await startReferenceServer(options);
  out(`mlop-sim reference server listening on ${server.url}\n`);
  if (options.defaultKey !== false) out(`API key: ${DEFAULT_API_KEY}\n`);
  if (options.keys?.length) out(`Also accepting ${options.keys.length} key(s) given with --key / MLOP_SIM_KEYS (not shown).\n`);
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

async function baselineSave(a: { 'report-dir': string; to: string }): Promise<void> {
  const saved = await saveBaseline({ reportDir: a['report-dir'], to: a.to });
  out(`mlop-sim: saved ${saved.from} as the baseline ${saved.to}\n`);
  exit(0);
}

/** A user-causable error carries its exit code; anything else is a bug and keeps its stack. */
let handled = false;
function handleError(err: unknown): void {
  if (handled) return;
  handled = true;
  const code = (err as { exitCode?: unknown })?.exitCode;
  if (err instanceof Error && typeof code === 'number') {
    fail(err.message, code);
    return;
  }
  process.stderr.write(scrub(`mlop-sim: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`));
  exit(EXIT_CODES.internal);
}

const cli = yargs(hideBin(process.argv))
  .scriptName('mlop-sim')
  .usage('$0 [run] [options]\n\nSDK-faithful load simulator for the mlop/pluto ingestion pipeline.')
  .command<RunArgs>(
    ['run', '$0'],
    'run a load test (the default command)',
    (y) =>
      y
        .option('users', { coerce: lastValue, alias: 'u', type: 'number', describe: 'virtual users', defaultDescription: '50' })
        .option('spawn-rate', { coerce: lastValue, alias: 'r', type: 'number', describe: 'users started per second', defaultDescription: 'all users within 1 s' })
        .option('run-time', { coerce: lastValue, alias: 't', type: 'string', describe: 'how long to run: 30s, 5m, 1h, or seconds', defaultDescription: '30s' })
        .option('wait', { coerce: lastValue, type: 'string', describe: "wait between a user's tasks: 0, 1s, 100ms-500ms", defaultDescription: "the scenario's (sdk/http 0.1s-0.5s)" })
        .option('host', { coerce: lastValue, type: 'string', describe: 'ingest URL', defaultDescription: 'INGEST_URL, else the embedded server' })
        .option('api-url', { coerce: lastValue, type: 'string', describe: 'SDK API/py URL (login, run create, heartbeat)', defaultDescription: 'the host' })
        .option('key', { coerce: lastValue, type: 'string', describe: 'API key (never printed)', defaultDescription: 'TEST_API_KEY, or the embedded server key' })
        .option('seed', { coerce: lastValue, type: 'number', describe: 'seed for task choice and payloads', defaultDescription: 'random, recorded in latest.json' })
        .option('scenario', { coerce: lastValue, alias: 'f', type: 'string', default: 'sdk', describe: 'sdk | http | stress | ./file.ts | ./file.js' })
        .option('report-dir', { coerce: lastValue, type: 'string', default: 'reports', describe: 'folder for latest.json' })
        .option('csv', { coerce: lastValue, type: 'string', describe: 'write Locust CSVs with this prefix' })
        .option('html', { coerce: lastValue, type: 'string', describe: 'write a self-contained HTML report' })
        .option('junit', { coerce: lastValue, type: 'string', describe: 'write a JUnit XML report' })
        .option('baseline', { coerce: lastValue, type: 'string', describe: `compare with a saved latest.json (e.g. ${DEFAULT_BASELINE_FILE})` })
        .option('threshold', { type: 'array', string: true, describe: "k6-like gate, repeatable: 'e2e:p95<800', 'p99<1000', 'error_rate<0.01'" })
        .option('p95', { type: 'number', describe: 'p95 limit in ms', defaultDescription: 'P95_THRESHOLD_MS or 500' })
        .option('p99', { type: 'number', describe: 'p99 limit in ms', defaultDescription: 'P99_THRESHOLD_MS or 1000' })
        .option('max-error-rate', { coerce: lastValue, type: 'number', describe: 'error-rate limit (0–1)', defaultDescription: 'MAX_ERROR_RATE or 0.01' })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no live line and no table; print only PASS/FAIL' })
        .option('server-latency', { coerce: lastValue, type: 'string', describe: 'embedded server: add this latency to ingest responses (200ms, uniform:10:50, lognormal:20:0.5)' })
        .option('server-error-rate', { coerce: lastValue, type: 'number', describe: 'embedded server: answer this share of ingest requests with an error' })
        .option('shutdown-timeout', { coerce: lastValue, type: 'string', describe: 'budget for users to finish their runs after the stop', defaultDescription: '30s' }),
    (a) => run(a),
  )
  .command<ServeArgs>(
    'serve',
    'run the reference server standalone (ingest + API + heartbeat on one port)',
    (y) =>
      y
        .option('port', { coerce: lastValue, type: 'number', default: 3003, describe: 'port to listen on' })
        .option('host', { coerce: lastValue, type: 'string', default: '127.0.0.1', describe: 'address to bind' })
        .option('key', { type: 'array', string: true, describe: 'also accept this API key (repeatable; env MLOP_SIM_KEYS=k1,k2)' })
        .option('default-key', { type: 'boolean', default: true, describe: 'accept the default key (--no-default-key refuses it)' })
        .option('latency', { coerce: lastValue, type: 'string', describe: 'fault: added latency, e.g. 200ms, uniform:10:50, lognormal:20:0.5, normal:20:5' })
        .option('error-rate', { coerce: lastValue, type: 'number', describe: 'fault: share of ingest requests answered with --error-status' })
        .option('error-status', { coerce: lastValue, type: 'number', describe: 'fault: 500, 503 or 429', defaultDescription: '500' })
        .option('reset-rate', { coerce: lastValue, type: 'number', describe: 'fault: share of ingest requests whose connection is reset' })
        .option('flush-stall', { coerce: lastValue, type: 'string', describe: 'fault: each flush takes this long (a slow ClickHouse), e.g. 3s' })
        .option('flush-failing', { type: 'boolean', describe: 'fault: every flush fails, batches go to the dead-letter queue' })
        .option('flush-interval', { coerce: lastValue, type: 'string', describe: 'flush interval of the row buffers', defaultDescription: '5s' })
        .option('dlq-path', { coerce: lastValue, type: 'string', describe: 'dead-letter queue folder', defaultDescription: 'a temporary folder' })
        .option('faults', { coerce: lastValue, type: 'string', describe: 'all faults as JSON (the /_sim/faults shape)' }),
    (a) => serve(a),
  )
  .command('baseline <action>', 'manage the baseline', (y) =>
    y.command<{ 'report-dir': string; to: string }>(
      'save',
      'copy <report-dir>/latest.json to the baseline file',
      (yy) =>
        yy
          .option('report-dir', { coerce: lastValue, type: 'string', default: 'reports', describe: 'folder holding latest.json' })
          .option('to', { coerce: lastValue, type: 'string', default: DEFAULT_BASELINE_FILE, describe: 'baseline file to write' }),
      (a) => baselineSave(a),
    ).demandCommand(1, 'Name a baseline action: save.'),
  )
  .epilogue(EPILOGUE)
  .strict()
  .help()
  .alias('help', 'h')
  .version()
  .wrap(Math.min(110, process.stdout.columns || 100))
  .fail((msg, err) => {
    if (err) handleError(err);
    else if (!handled) {
      handled = true;
      fail(`${msg ?? 'invalid arguments'} (see mlop-sim --help)`, EXIT_CODES.usage);
    }
  });

cli.parseAsync().catch(handleError);
