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
  parseStartAt,
  runScaled,
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

export const RUN_FLAGS: Record<string, RunFlag> = {
  users: { ...single, alias: 'u', type: 'number', describe: 'virtual users', defaultDescription: '50', to: 'users' },
  'spawn-rate': { ...single, alias: 'r', type: 'number', describe: 'users started per second', defaultDescription: 'all users within 1 s', to: 'spawnRate' },
  'run-time': { ...single, alias: 't', type: 'string', describe: 'how long to run: 30s, 5m, 1h, or seconds', defaultDescription: '30s', to: 'runTime' },
  wait: { ...single, type: 'string', describe: "wait between a user's tasks: 0, 1s, 100ms-500ms", defaultDescription: "the scenario's (sdk/http 0.1s-0.5s)", to: 'wait' },
  host: { ...single, type: 'string', describe: 'ingest URL', defaultDescription: 'INGEST_URL, else the embedded server', to: 'host' },
  'api-url': { ...single, type: 'string', describe: 'SDK API/py URL (login, run create, heartbeat)', defaultDescription: 'the host', to: 'apiUrl' },
  key: { ...single, type: 'string', describe: 'API key (never printed)', defaultDescription: 'TEST_API_KEY, or the embedded server key', to: 'key' },
  seed: { ...single, type: 'number', describe: 'seed for task choice and payloads', defaultDescription: 'random, recorded in latest.json', to: 'seed' },
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
  workers: {
    ...single, type: 'string', describe: 'worker processes on this machine, each running its share of the users: N or auto (cores − 1)', defaultDescription: '1',
    to: (v: string, o) => void (o.scaleOut = { ...o.scaleOut, workers: /^\s*\d+\s*$/.test(v) ? Number(v) : (v as 'auto') }),
  },
  shard: {
    ...single, type: 'string', describe: 'run shard I of N (I from 0) and write reports/shard-I-of-N.json for mlop-sim merge',
    to: (v: string, o) => void (o.scaleOut = { ...o.scaleOut, shard: v }),
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
  return withFlags.option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no live line and no table; print only PASS/FAIL' });
}

export async function runCommand(a: Args): Promise<void> {
  const quiet = a.quiet === true;
  const options = runOptions(a);
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
  const { result, shardFile } = await runScaled({
    ...options,
    env: process.env,
    signal: controller.signal,
    console: quiet ? false : { out: process.stdout, tty: process.stdout.isTTY === true },
    log: quiet ? undefined : (line) => out(`mlop-sim: ${line}\n`),
  });
  if (shardFile) {
    // A shard is judged with the others by mlop-sim merge: it passes when its file is written.
    if (!quiet) out('\n' + formatFinalTable(result));
    out(`shard written: ${shardFile} (judge the shards with mlop-sim merge)\n`);
    exit(result.interrupted ? EXIT_CODES.interrupted : EXIT_CODES.pass);
  }
  if (quiet) out(`${result.pass ? 'PASS' : 'FAIL'}${result.reasons.map((r) => `\n  - ${r}`).join('')}\n`);
  else out('\n' + formatFinalTable(result));
  exit(result.exitCode);
}
