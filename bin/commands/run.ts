/**
 * `mlop-sim [run]`: the flags (Locust's spellings) and how each becomes a runSimulation()
 * option; then the run, the final table and the exit code. Behaviour lives in src/.
 */
import type { Argv, Options } from 'yargs';
import {
  DEFAULT_API_KEY,
  DEFAULT_BASELINE_FILE,
  EXIT_CODES,
  formatFinalTable,
  parseDuration,
  parseLatencySpec,
  runSimulation,
  type LatencySpec,
  type SimulationOptions,
} from '../../src/index.js';
import { exit, hideSecret, lastValue, out, usageError } from './terminal.js';

type Args = Record<string, unknown>;

/** A flag: its yargs definition and where its value goes in the options. */
interface RunFlag extends Options {
  /** The runSimulation() option it sets as is, or a function that sets it. */
  to: keyof SimulationOptions | ((value: never, options: SimulationOptions) => void);
}

const single = { coerce: lastValue } as const;

/**
 * A numeric flag read as text, so a typo is quoted back as typed ("abc", not NaN). Range checks
 * stay in src/run/plan.ts (the library's options get the same ones).
 */
function numeric(flag: string, what: string): Pick<Options, 'coerce' | 'type'> {
  return {
    type: 'string',
    coerce: (v: unknown) => {
      const raw = lastValue(v);
      const text = String(raw).trim();
      const n = text === '' ? NaN : Number(text);
      if (!Number.isFinite(n)) throw usageError(`--${flag} must be ${what}, got ${JSON.stringify(String(raw))}`);
      return n;
    },
  };
}

export const RUN_FLAGS: Record<string, RunFlag> = {
  users: { ...numeric('users', 'a whole number of at least 1'), alias: 'u', describe: 'virtual users', defaultDescription: '50', to: 'users' },
  'spawn-rate': { ...numeric('spawn-rate', 'a number of users per second above 0'), alias: 'r', describe: 'users started per second', defaultDescription: 'all users within 1 s', to: 'spawnRate' },
  'run-time': { ...single, alias: 't', type: 'string', describe: 'how long to run: 30s, 5m, 1h, or seconds', defaultDescription: '30s', to: 'runTime' },
  wait: { ...single, type: 'string', describe: "wait between a user's tasks: 0, 1s, 100ms-500ms", defaultDescription: "the scenario's (sdk/http 0.1s-0.5s)", to: 'wait' },
  host: { ...single, type: 'string', describe: 'ingest URL', defaultDescription: 'INGEST_URL, else the embedded server', to: 'host' },
  'api-url': { ...single, type: 'string', describe: 'SDK API/py URL (login, run create, heartbeat)', defaultDescription: 'the host', to: 'apiUrl' },
  key: { ...single, type: 'string', describe: 'API key (never printed)', defaultDescription: 'TEST_API_KEY, or the embedded server key', to: 'key' },
  seed: { ...numeric('seed', 'a whole number'), describe: 'seed for task choice and payloads', defaultDescription: 'random, recorded in latest.json', to: 'seed' },
  scenario: { ...single, alias: 'f', type: 'string', default: 'sdk', describe: 'sdk | http | stress | ./file.ts | ./file.js', to: 'scenario' },
  'report-dir': { ...single, type: 'string', default: 'reports', describe: 'folder for latest.json', to: 'reportDir' },
  csv: { ...single, type: 'string', describe: 'write Locust CSVs with this prefix', to: 'csv' },
  html: { ...single, type: 'string', describe: 'write a self-contained HTML report', to: 'html' },
  junit: { ...single, type: 'string', describe: 'write a JUnit XML report', to: 'junit' },
  baseline: { ...single, type: 'string', describe: `compare with a saved latest.json (e.g. ${DEFAULT_BASELINE_FILE})`, to: 'baseline' },
  threshold: {
    type: 'array', string: true, describe: "k6-like gate, repeatable: 'e2e:p95<800', 'p99<1000', 'error_rate<0.01'",
    to: (v: (string | number)[], o) => void (o.thresholds = v.map(String)),
  },
  p95: { ...numeric('p95', 'a number of milliseconds'), describe: 'p95 limit in ms', defaultDescription: 'P95_THRESHOLD_MS or 500', to: 'p95Ms' },
  p99: { ...numeric('p99', 'a number of milliseconds'), describe: 'p99 limit in ms', defaultDescription: 'P99_THRESHOLD_MS or 1000', to: 'p99Ms' },
  'max-error-rate': { ...numeric('max-error-rate', 'a number between 0 and 1'), describe: 'error-rate limit (0–1)', defaultDescription: 'MAX_ERROR_RATE or 0.01', to: 'maxErrorRate' },
  'server-latency': {
    ...single, type: 'string', describe: 'embedded server: add this latency to ingest responses (200ms, uniform:10:50, lognormal:20:0.5)',
    to: (v: string, o) => void (o.embeddedServer = { ...o.embeddedServer, latency: serverLatency(v) }),
  },
  'server-error-rate': {
    ...numeric('server-error-rate', 'a number between 0 and 1'), describe: 'embedded server: answer this share of ingest requests with an error',
    to: (v: number, o) => void (o.embeddedServer = { ...o.embeddedServer, errorRate: v }),
  },
  'clickhouse-url': {
    ...single, type: 'string', describe: 'audit stored rows and measure time to visible in this ClickHouse (HTTP URL); the embedded server writes there too',
    defaultDescription: 'CLICKHOUSE_URL', to: (v: string, o) => void (o.clickhouse = { ...o.clickhouse, url: v }),
  },
  'clickhouse-user': { ...single, type: 'string', describe: 'ClickHouse user', defaultDescription: 'CLICKHOUSE_USER or default', to: (v: string, o) => void (o.clickhouse = { ...o.clickhouse, user: v }) },
  'clickhouse-password': {
    ...single, type: 'string', describe: 'ClickHouse password (never printed)', defaultDescription: 'CLICKHOUSE_PASSWORD',
    to: (v: string, o) => void (o.clickhouse = { ...o.clickhouse, password: v }),
  },
  'clickhouse-database': {
    ...single, type: 'string', describe: 'ClickHouse database of the mlop_* tables', defaultDescription: 'CLICKHOUSE_DATABASE or default',
    to: (v: string, o) => void (o.clickhouse = { ...o.clickhouse, database: v }),
  },
  'clickhouse-settle-timeout': {
    ...single, type: 'string', describe: 'longest wait after the load for stored counts to stop changing', defaultDescription: '30s',
    to: (v: string, o) => void (o.clickhouse = { ...o.clickhouse, settleTimeout: v }),
  },
  'clickhouse-probe-rate': {
    ...single, type: 'number', describe: 'time-to-visible samples per second', defaultDescription: '5',
    to: (v: number, o) => void (o.clickhouse = { ...o.clickhouse, probeRate: v }),
  },
  'clickhouse-probe-budget': {
    ...single, type: 'number', describe: "time-to-visible queries as a share of the run's requests, at most", defaultDescription: '0.01',
    to: (v: number, o) => void (o.clickhouse = { ...o.clickhouse, probeBudget: v }),
  },
  stage: {
    type: 'array', string: true, describe: 'a load stage DURATION:TARGET, repeatable (30s:100 users; 1m:50/s with --arrival-rate)',
    to: (v: (string | number)[], o) => void (o.stages = v.map(String)),
  },
  'arrival-rate': { ...single, type: 'string', describe: 'open model: iterations per second (50, 50/s, 300/m); with --stage, the start rate', to: 'arrivalRate' },
  'max-users': { ...single, type: 'number', describe: 'arrival rate: most users at once', defaultDescription: '--pre-allocated-users', to: 'maxUsers' },
  'pre-allocated-users': { ...single, type: 'number', describe: 'arrival rate: users started before the first iteration', defaultDescription: 'peak rate × 1 s (SDK: × (run length + 5 s))', to: 'preAllocatedUsers' },
  arrivals: { ...single, type: 'string', choices: ['uniform', 'poisson'], describe: 'arrival rate: evenly spaced or Poisson arrivals', defaultDescription: 'uniform', to: 'arrivals' },
  'on-saturation': { ...single, type: 'string', choices: ['drop', 'queue'], describe: 'arrival rate, no free user: drop and count the iteration, or queue it', defaultDescription: 'drop', to: 'onSaturation' },
  'run-length': { ...single, type: 'string', describe: 'arrival rate, SDK scenario: how long each arriving training run logs', defaultDescription: '60s', to: 'runLength' },
  'server-stall': {
    ...single, type: 'string', describe: 'embedded server: stop answering for D, starting T after its start (3s@20s)',
    to: (v: string, o) => void (o.embeddedServer = { ...o.embeddedServer, stall: parseStall(v) }),
  },
  'shutdown-timeout': { ...single, type: 'string', describe: 'budget for users to finish their runs after the stop', defaultDescription: '30s', to: 'shutdownTimeout' },
};

/** `--server-latency`: a duration (`200ms`) or a distribution (`lognormal:20:0.5`); bad → exit 2. */
function serverLatency(text: string): LatencySpec {
  if (!/^[a-z]+:/i.test(text.trim())) return { kind: 'fixed', ms: parseDuration(text, '--server-latency') * 1000 };
  try {
    return parseLatencySpec(text);
  } catch (err) {
    throw usageError(`--server-latency: ${(err as Error).message}`);
  }
}

/** `--server-stall D@T` → seconds; bad → exit 2. */
export function parseStall(text: string): { durationS: number; atS: number } {
  const [d, t, extra] = String(text).split('@');
  if (d === undefined || t === undefined || extra !== undefined || d.trim() === '' || t.trim() === '') {
    throw usageError(`--server-stall must look like 3s@20s (stall for 3 s, 20 s after the start), got "${text}"`);
  }
  return { durationS: parseDuration(d, '--server-stall'), atS: parseDuration(t, '--server-stall') };
}

/** The parsed flags as runSimulation() options (only the flags that were given). */
export function runOptions(a: Args): SimulationOptions {
  const options: SimulationOptions = {};
  for (const [flag, def] of Object.entries(RUN_FLAGS)) {
    const value = a[flag];
    if (value === undefined) continue;
    if (typeof def.to === 'function') def.to(value as never, options);
    else (options as Record<string, unknown>)[def.to] = value;
  }
  return options;
}

export function runBuilder(y: Argv): Argv {
  const withFlags = Object.entries(RUN_FLAGS).reduce((acc, [flag, { to: _to, ...def }]) => acc.option(flag, def), y);
  return withFlags.option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no live line and no table; print only PASS/FAIL' });
}

export async function runCommand(a: Args): Promise<void> {
  const quiet = a.quiet === true;
  const options = runOptions(a);
  hideSecret(options.key ?? process.env.TEST_API_KEY ?? DEFAULT_API_KEY);
  hideSecret(options.clickhouse?.password ?? process.env.CLICKHOUSE_PASSWORD);
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    if (signals > 1) {
      // Quit now: exit() lets the streams drain; a blocked stdout must not keep us past a second.
      setTimeout(() => process.exit(EXIT_CODES.interrupted), 1000).unref();
      return exit(EXIT_CODES.interrupted);
    }
    process.stderr.write('\nmlop-sim: stopping users and finishing their runs (press Ctrl+C again to quit now)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const result = await runSimulation({
    ...options,
    env: process.env,
    signal: controller.signal,
    console: quiet ? false : { out: process.stdout, tty: process.stdout.isTTY === true },
    log: quiet ? undefined : (line) => out(`mlop-sim: ${line}\n`),
  });
  if (quiet) out(`${result.pass ? 'PASS' : 'FAIL'}${result.reasons.map((r) => `\n  - ${r}`).join('')}\n`);
  else out('\n' + formatFinalTable(result));
  exit(result.exitCode);
}
