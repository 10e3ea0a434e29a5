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
  locustStatsJson,
  parseDuration,
  parseLatencySpec,
  runSimulation,
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

export const RUN_FLAGS: Record<string, RunFlag> = {
  users: { ...single, alias: 'u', type: 'number', describe: 'virtual users', defaultDescription: '50', to: 'users' },
  'spawn-rate': { ...single, alias: 'r', type: 'number', describe: 'users started per second', defaultDescription: 'all users within 1 s', to: 'spawnRate' },
  'run-time': { ...single, alias: 't', type: 'string', describe: 'how long to run: 30s, 5m, 1h, or seconds', defaultDescription: '30s', to: 'runTime' },
  wait: { ...single, type: 'string', describe: "wait between a user's tasks: 0, 1s, 100ms-500ms", defaultDescription: "the scenario's (sdk/http 0.1s-0.5s)", to: 'wait' },
  host: { ...single, alias: 'H', type: 'string', describe: 'ingest URL', defaultDescription: 'INGEST_URL, else the embedded server', to: 'host' },
  'api-url': { ...single, type: 'string', describe: 'SDK API/py URL (login, run create, heartbeat)', defaultDescription: 'the host', to: 'apiUrl' },
  key: { ...single, type: 'string', describe: 'API key (never printed)', defaultDescription: 'TEST_API_KEY, or the embedded server key', to: 'key' },
  seed: { ...single, type: 'number', describe: 'seed for task choice and payloads', defaultDescription: 'random, recorded in latest.json', to: 'seed' },
  scenario: {
    ...single, alias: ['f', 'locustfile'], type: 'string', default: 'sdk', describe: "sdk | http | stress | ./file.ts | ./file.js (the seed's locustfile.py, locustfile_http.py, locustfile_stress.py name sdk, http, stress)",
    to: (v: string, o) => void (o.scenario = scenarioFromLocustfile(v)),
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
  baseline: { ...single, type: 'string', describe: `compare with a saved latest.json (e.g. ${DEFAULT_BASELINE_FILE})`, to: 'baseline' },
  threshold: {
    type: 'array', string: true, describe: "k6-like gate, repeatable: 'e2e:p95<800', 'p99<1000', 'error_rate<0.01'",
    to: (v: (string | number)[], o) => void (o.thresholds = v.map(String)),
  },
  p95: { type: 'number', describe: 'p95 limit in ms', defaultDescription: 'P95_THRESHOLD_MS or 500', to: 'p95Ms' },
  p99: { type: 'number', describe: 'p99 limit in ms', defaultDescription: 'P99_THRESHOLD_MS or 1000', to: 'p99Ms' },
  'max-error-rate': { ...single, type: 'number', describe: 'error-rate limit (0–1)', defaultDescription: 'MAX_ERROR_RATE or 0.01', to: 'maxErrorRate' },
  'server-latency': {
    ...single, type: 'string', describe: 'embedded server: add this latency to ingest responses (200ms, uniform:10:50, lognormal:20:0.5)',
    to: (v: string, o) => void (o.embeddedServer = { ...o.embeddedServer, latency: serverLatency(v) }),
  },
  'server-error-rate': {
    ...single, type: 'number', describe: 'embedded server: answer this share of ingest requests with an error',
    to: (v: number, o) => void (o.embeddedServer = { ...o.embeddedServer, errorRate: v }),
  },
  'shutdown-timeout': { ...single, type: 'string', describe: 'budget for users to finish their runs after the stop', defaultDescription: '30s', to: 'shutdownTimeout' },
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
  headless: { type: 'boolean', describe: 'accepted for Locust habits: mlop-sim always runs headless' },
  'only-summary': { type: 'boolean', describe: 'no live line, only the final summary (Locust)' },
  'exit-code-on-error': { ...single, type: 'number', describe: 'exit with this code when a request failed or a task threw but the gates passed (Locust)' },
  loglevel: { ...single, alias: 'L', type: 'string', describe: 'DEBUG | INFO | WARNING | ERROR | CRITICAL; progress lines are INFO', defaultDescription: 'INFO' },
  logfile: { ...single, type: 'string', describe: 'write progress lines to this file instead of the terminal' },
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
  const liveLine = !quiet && !json && a['only-summary'] !== true;
  const result = await runSimulation({
    ...options,
    env: process.env,
    signal: controller.signal,
    console: liveLine ? { out: process.stdout, tty: process.stdout.isTTY === true } : false,
    log: quiet ? undefined : log,
  });
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
