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
  formatShardSummary,
  locustStatsJson,
  parseDuration,
  parseLatencySpec,
  parseMinEffect,
  parseMinEffectMs,
  parseStartAt,
  presetRef,
  PRESETS,
  withReplaySpeed,
  runScaled,
  type LatencySpec,
  type SimulationOptions,
} from '../../src/index.js';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LOG_LEVELS, REFUSED_LOCUST_FLAGS, refusedFlagMessage, scenarioFromLocustfile } from './locust-flags.js';
import { err, exit, hideSecret, lastValue, out, scrub, usageError } from './terminal.js';

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
  host: { ...single, alias: 'H', type: 'string', describe: 'ingest URL', defaultDescription: 'INGEST_URL, else the embedded server', to: 'host' },
  'api-url': { ...single, type: 'string', describe: 'SDK API/py URL (login, run create, heartbeat)', defaultDescription: 'the host', to: 'apiUrl' },
  key: { ...single, type: 'string', describe: 'API key (never printed)', defaultDescription: 'TEST_API_KEY, or the embedded server key', to: 'key' },
  seed: { ...numeric('seed', 'a whole number'), describe: 'seed for task choice and payloads', defaultDescription: 'random, recorded in latest.json', to: 'seed' },
  scenario: {
    ...single, alias: ['f', 'locustfile'], type: 'string', default: 'sdk', describe: "sdk | http | stress | ./file.ts | ./file.js (the seed's locustfile.py, locustfile_http.py, locustfile_stress.py name sdk, http, stress)",
    to: (v: string, o) => void (o.scenario = scenarioFromLocustfile(v)),
  },
  profile: {
    ...single, type: 'string', choices: [...PRESETS], describe: 'replay a preset training job (profiles/NAME.json; docs/workloads.md): same as --scenario replay:<that file>',
    to: (v: string, o) => void (o.scenario = presetRef(v)),
  },
  'replay-speed': {
    ...numeric('replay-speed', 'a number above 0'), describe: 'replay: run the recorded job N times faster (every wait divided by N)', defaultDescription: '1 (real speed)',
    to: (v: number, o) => void (o.scenario = withReplaySpeed(String(o.scenario ?? ''), v)),
  },
  'report-dir': { ...single, type: 'string', default: 'reports', describe: 'folder for latest.json', to: 'reportDir' },
  csv: { ...single, type: 'string', describe: 'write Locust CSVs with this prefix', to: 'csv' },
  'csv-full-history': { type: 'boolean', describe: 'history CSV: a row per entry per second, not only Aggregated (Locust)', to: 'csvFullHistory' },
  out: {
    type: 'array', string: true, describe: 'stream while the run goes, repeatable: json=FILE|-, csv=FILE|-, prometheus-rw=URL',
    to: (v: (string | number)[], o) => void (o.out = v.map(String)),
  },
  html: { ...single, type: 'string', describe: 'write a self-contained HTML report', to: 'html' },
  junit: { ...single, type: 'string', describe: 'write a JUnit XML report', to: 'junit' },
  web: { type: 'boolean', describe: 'serve the run live in a browser: charts, stop, change users or rate, downloads (docs/cli.md "The live page")', to: (v: boolean, o) => void (v && (o.web = { ...o.web })) },
  'web-host': { ...single, type: 'string', describe: 'with --web: address to bind (not loopback: needs --web-auth)', defaultDescription: '127.0.0.1', to: (v: string, o) => void (o.web = { ...o.web, host: v }) },
  'web-port': { ...numeric('web-port', 'a port number'), describe: 'with --web: port of the live page', defaultDescription: '8089', to: (v: number, o) => void (o.web = { ...o.web, port: v }) },
  'web-auth': { ...single, type: 'string', describe: 'with --web: USER:PASS required by the page (Basic auth; never printed)', to: (v: string, o) => void (o.web = { ...o.web, auth: v }) },
  autoquit: { ...numeric('autoquit', 'a number of seconds'), describe: 'with --web: quit this many seconds after the run ends', defaultDescription: 'serve the final report until Ctrl+C', to: (v: number, o) => void (o.web = { ...o.web, autoquitS: v }) },
  baseline: { ...single, type: 'string', describe: `compare with a saved latest.json (e.g. ${DEFAULT_BASELINE_FILE})`, to: 'baseline' },
  'baseline-rule': {
    ...single, type: 'string', describe: "how --baseline decides: verdict (intervals, docs/statistics.md) or seed (+20% p95/p99, +0.05 error rate)",
    defaultDescription: 'verdict', to: 'baselineRule',
  },
  'min-effect': {
    ...single, type: 'string', describe: 'the verdict: smallest latency change that counts (3%, 0.03)', defaultDescription: '3%; a duet 1%',
    to: (v: string, o) => void (o.minEffect = parseMinEffect(v)),
  },
  'min-effect-ms': {
    ...single, type: 'string', describe: 'the verdict: …and at least this many milliseconds (0 drops the floor)', defaultDescription: '0.5; a duet 0.1',
    to: (v: string, o) => void (o.minEffectMs = parseMinEffectMs(v)),
  },
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
  'server-capacity': {
    ...numeric('server-capacity', 'a number of requests per second above 0'), describe: 'embedded server: complete at most R ingest requests/s, first come first served (a saturated ingest of known capacity)',
    to: (v: number, o) => void (o.embeddedServer = { ...o.embeddedServer, capacityRps: v }),
  },
  workers: {
    ...single, type: 'string', describe: 'worker processes on this machine, each running its share of the users: N or auto (cores − 1)', defaultDescription: '1',
    to: (v: string, o) => void (o.scaleOut = { ...o.scaleOut, workers: /^\s*\d+\s*$/.test(v) ? Number(v) : (v as 'auto') }),
  },
  shard: {
    ...single, type: 'string', describe: 'run shard I of N (I from 0) and write reports/shard-I-of-N.json for mlop-sim merge',
    to: (v: string, o) => void (o.scaleOut = { ...o.scaleOut, shard: v }),
  },
  'duet-host': {
    ...single, type: 'string', describe: 'duet run: the candidate B, driven by the same users as the host (A) at the same moments', defaultDescription: 'DUET_INGEST_URL, else a second embedded server',
    to: (v: string, o) => void (o.duet = { ...o.duet, host: v }),
  },
  'duet-api-url': { ...single, type: 'string', describe: "duet run: B's SDK API/py URL", defaultDescription: "B's host", to: (v: string, o) => void (o.duet = { ...o.duet, apiUrl: v }) },
  'duet-key': { ...single, type: 'string', describe: "duet run: B's API key (never printed)", defaultDescription: 'DUET_TEST_API_KEY', to: (v: string, o) => void (o.duet = { ...o.duet, key: v }) },
  'duet-server-latency': {
    ...single, type: 'string', describe: 'duet run without hosts: the second embedded server (B) differs from A in this latency',
    to: (v: string, o) => void (o.duet = { ...o.duet, embeddedServer: { ...o.duet?.embeddedServer, latency: serverLatency(v, '--duet-server-latency') } }),
  },
  'duet-server-error-rate': {
    ...numeric('duet-server-error-rate', 'a number between 0 and 1'), describe: 'duet run without hosts: B answers this share of ingest requests with an error',
    to: (v: number, o) => void (o.duet = { ...o.duet, embeddedServer: { ...o.duet?.embeddedServer, errorRate: v } }),
  },
  'duet-server-stall': {
    ...single, type: 'string', describe: 'duet run without hosts: B stops answering for D, starting T after its start (3s@20s)',
    to: (v: string, o) => void (o.duet = { ...o.duet, embeddedServer: { ...o.duet?.embeddedServer, stall: parseStall(v, '--duet-server-stall') } }),
  },
  shards: {
    ...single, type: 'number', describe: 'N shards, this one\'s index from JOB_COMPLETION_INDEX (Kubernetes Indexed Job)',
    to: (v: number, o) => void (o.scaleOut = { ...o.scaleOut, shards: v }),
  },
  'start-at': {
    ...single, type: 'string', describe: 'start the load at this time (ISO 8601 or epoch seconds), so shards start together',
    to: (v: string, o) => void (o.startAt = parseStartAt(v)),
  },
  'shutdown-timeout': { ...single, type: 'string', describe: 'budget for users to finish their runs after the stop', defaultDescription: '30s', to: 'shutdownTimeout' },
  'system-metrics': {
    ...single, type: 'boolean', describe: "SDK users send system metrics every 4 s and the 60 s health line (--no-system-metrics: off)", defaultDescription: 'on',
    to: (v: boolean, o) => void (o.sdk = { ...o.sdk, systemMetrics: v }),
  },
  console: {
    ...single, type: 'boolean', describe: "SDK users capture console lines: the SDK's start-up lines and the job's prints (--no-console: off)", defaultDescription: 'on',
    to: (v: boolean, o) => void (o.sdk = { ...o.sdk, console: v }),
  },
  'explicit-log-upload': {
    ...single, type: 'boolean', describe: 'SDK users\' run._log uploads like run.log (--no-explicit-log-upload: sends nothing, like pluto 0.0.28)', defaultDescription: 'on',
    to: (v: boolean, o) => void (o.sdk = { ...o.sdk, explicitLogUpload: v }),
  },
  'stop-timeout': { ...single, type: 'string', describe: "Locust's name for --shutdown-timeout", to: 'shutdownTimeout' },
  'reset-stats': { type: 'boolean', describe: 'reset statistics once every user has started (Locust)', to: 'resetStats' },
  tags: {
    alias: 'T', type: 'array', string: true, describe: 'run only tasks with one of these tags (Locust)',
    to: (v: (string | number)[], o) => void (o.tags = v.map(String)),
  },
  'exclude-tags': {
    alias: 'E', type: 'array', string: true, describe: 'leave out tasks with one of these tags (Locust)',
    to: (v: (string | number)[], o) => void (o.excludeTags = v.map(String)),
  },
  json: { type: 'boolean', describe: "print the final stats as JSON on stdout (Locust 2.x's --json); everything else goes to stderr", to: (v: boolean, o) => void (o.fullHistory = o.fullHistory || v) },
};

/** Flags of the CLI only (how it prints and exits), not runSimulation() options. */
const TERMINAL_FLAGS: Record<string, Options> = {
  headless: { type: 'boolean', describe: 'accepted for Locust habits: without --web mlop-sim runs headless' },
  autostart: { type: 'boolean', describe: 'accepted for Locust habits: with --web the load starts at once' },
  'only-summary': { type: 'boolean', describe: 'no live line, only the final summary (Locust)' },
  'exit-code-on-error': { ...single, type: 'number', describe: 'exit with this code when a request failed or a task threw but the gates passed (Locust)' },
  loglevel: { ...single, alias: 'L', type: 'string', describe: 'DEBUG | INFO | WARNING | ERROR | CRITICAL; progress lines are INFO', defaultDescription: 'INFO' },
  logfile: { ...single, type: 'string', describe: 'write progress lines to this file instead of the terminal' },
};

/** `--server-latency`: a duration (`200ms`) or a distribution (`lognormal:20:0.5`); bad → exit 2. */
function serverLatency(text: string, flag = '--server-latency'): LatencySpec {
  if (!/^[a-z]+:/i.test(text.trim())) return { kind: 'fixed', ms: parseDuration(text, flag) * 1000 };
  try {
    return parseLatencySpec(text);
  } catch (err) {
    throw usageError(`${flag}: ${(err as Error).message}`);
  }
}

/** `--server-stall D@T` → seconds; bad → exit 2. */
export function parseStall(text: string, flag = '--server-stall'): { durationS: number; atS: number } {
  const [d, t, extra] = String(text).split('@');
  if (d === undefined || t === undefined || extra !== undefined || d.trim() === '' || t.trim() === '') {
    throw usageError(`${flag} must look like 3s@20s (stall for 3 s, 20 s after the start), got "${text}"`);
  }
  return { durationS: parseDuration(d, flag), atS: parseDuration(t, flag) };
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
  const withTerminal = Object.entries(TERMINAL_FLAGS).reduce((acc, [flag, def]) => acc.option(flag, def), withFlags);
  const withRefused = Object.entries(REFUSED_LOCUST_FLAGS).reduce((acc, [flag, [type]]) => acc.option(flag, { type, hidden: true }), withTerminal);
  return withRefused.option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no live line and no table; print only PASS/FAIL' });
}

export async function runCommand(a: Args): Promise<void> {
  const refused = refusedFlagMessage(a);
  if (refused) throw usageError(refused);
  const quiet = a.quiet === true;
  const json = a.json === true;
  const options = runOptions(a);
  const exitOnError = exitCodeOnError(a['exit-code-on-error']);
  const log = progressLog(a, json);
  hideSecret(options.key ?? process.env.TEST_API_KEY ?? DEFAULT_API_KEY);
  hideSecret(options.duet?.key ?? process.env.DUET_TEST_API_KEY);
  hideSecret(options.clickhouse?.password ?? process.env.CLICKHOUSE_PASSWORD);
  if (options.web?.auth?.includes(':')) hideSecret(options.web.auth.slice(options.web.auth.indexOf(':') + 1));
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
  const liveLine = !quiet && !json && a['only-summary'] !== true;
  const { result, shard } = await runScaled({
    ...options,
    env: process.env,
    signal: controller.signal,
    console: liveLine ? { out: process.stdout, tty: process.stdout.isTTY === true } : false,
    log: quiet ? undefined : log,
  });
  if (shard) {
    // A shard is judged with the others by mlop-sim merge: no verdict of its own; it exits 0 once its file is written.
    (json ? err : out)((quiet ? '' : '\n') + formatShardSummary(result, shard));
    return exit(result.interrupted ? EXIT_CODES.interrupted : EXIT_CODES.pass);
  }
  const summary = quiet ? `${result.pass ? 'PASS' : 'FAIL'}${result.reasons.map((r) => `\n  - ${r}`).join('')}\n` : '\n' + formatFinalTable(result);
  if (json) {
    err(summary);
    out(JSON.stringify(locustStatsJson(result), null, 4) + '\n');
  } else out(summary);
  const anyError = result.aggregated.failures > 0 || result.exceptions.length > 0;
  exit(exitOnError !== undefined && result.exitCode === EXIT_CODES.pass && anyError ? exitOnError : result.exitCode);
}

/** `--exit-code-on-error N`: a whole number 0–255, else exit 2. */
function exitCodeOnError(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) throw usageError(`--exit-code-on-error must be a whole number from 0 to 255, got ${String(v)}`);
  return v;
}

/** Progress lines (INFO): to --logfile, or the terminal (stderr with --json); none above INFO. */
function progressLog(a: Args, json: boolean): (line: string) => void {
  const level = a.loglevel === undefined ? 'INFO' : String(a.loglevel).toUpperCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw usageError(`--loglevel must be one of ${LOG_LEVELS.join(', ')}, got "${String(a.loglevel)}"`);
  if (level !== 'DEBUG' && level !== 'INFO') return () => undefined;
  const file = a.logfile;
  if (typeof file === 'string' && file !== '') {
    try {
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, '');
    } catch (e) {
      throw usageError(`--logfile: cannot write ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    return (line) => appendFileSync(file, scrub(`[${new Date().toISOString()}] INFO/mlop-sim: ${line}\n`));
  }
  return json ? (line) => err(`mlop-sim: ${line}\n`) : (line) => out(`mlop-sim: ${line}\n`);
}
