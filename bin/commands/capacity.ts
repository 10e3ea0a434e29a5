/**
 * `mlop-sim capacity`: the highest load the target sustains within the SLOs, found by a ramp and
 * a bisection (docs/cli.md "`capacity`"). The run flags apply (target, key, scenario,
 * ClickHouse, embedded-server faults such as --server-capacity); the load flags do not: the
 * search sets the load of each step.
 */
import type { Argv, Options } from 'yargs';
import { DEFAULT_API_KEY, EXIT_CODES, formatCapacityTable, runCapacity, type CapacityOptions } from '../../src/index.js';
import { RUN_FLAGS, runOptions } from './run.js';
import { exit, hideSecret, lastValue, out, usageError } from './terminal.js';

type Args = Record<string, unknown>;
const single = { coerce: lastValue } as const;

/** The run flags the search sets itself (each step's load and length) or that write run reports. */
const NOT_HERE = [
  'users', 'spawn-rate', 'run-time', 'stage', 'arrival-rate', 'baseline', 'csv', 'csv-full-history', 'junit', 'out', 'reset-stats', 'json',
  'threshold', 'start-at', 'shard', 'shards',
  // A live page or a second target per step would be another search: not here.
  'web', 'web-host', 'web-port', 'web-auth', 'autoquit', 'duet-host', 'duet-api-url', 'duet-key', 'duet-server-latency', 'duet-server-error-rate', 'duet-server-stall',
];

const positive = (flag: string): Options => ({
  type: 'string',
  coerce: (v: unknown) => {
    const text = String(lastValue(v)).trim();
    const n = text === '' ? NaN : Number(text);
    if (!Number.isFinite(n) || n <= 0) throw usageError(`--${flag} must be a number above 0, got ${JSON.stringify(text)}`);
    return n;
  },
});

const CAPACITY_FLAGS: Record<string, Options> = {
  slo: { type: 'array', string: true, describe: "an SLO each step must meet, repeatable, threshold syntax: 'e2e:p95<1500', 'error_rate<0.01', 'visible:p95<8000'", defaultDescription: 'the seed limits (p95 500, p99 1000, errors 1 %) on the judged entries' },
  'max-time': { ...single, type: 'string', describe: 'time budget of the whole search', defaultDescription: '5m' },
  'start-load': { ...positive('start-load'), describe: 'the first step: requests/s (http, stress) or concurrent runs (sdk)', defaultDescription: '20 (sdk: 2)' },
  'max-load': { ...positive('max-load'), describe: 'never offer more than this' },
  resolution: { ...positive('resolution'), describe: 'stop bisecting when the bracket is narrower than this share of the figure', defaultDescription: '0.03' },
  'expect-capacity': { ...positive('expect-capacity'), describe: 'exit 1 when the capacity found is below N' },
  quiet: { alias: 'q', type: 'boolean', default: false, describe: 'print only the answer' },
};

export function capacityBuilder(y: Argv): Argv {
  const run = Object.entries(RUN_FLAGS).filter(([flag]) => !NOT_HERE.includes(flag));
  const withRun = run.reduce((acc, [flag, { to: _to, ...def }]) => acc.option(flag, def), y);
  const hidden = NOT_HERE.reduce((acc, flag) => acc.option(flag, { hidden: true }), withRun);
  return Object.entries(CAPACITY_FLAGS).reduce((acc, [flag, def]) => acc.option(flag, def), hidden);
}

export async function capacityCommand(a: Args): Promise<void> {
  const given = NOT_HERE.find((flag) => a[flag] !== undefined && a[flag] !== false);
  if (given) throw usageError(`--${given} does not apply to mlop-sim capacity: each step is one run of one target, its load and length set by the search (docs/cli.md "\`capacity\`")`);
  const quiet = a.quiet === true;
  const options: CapacityOptions = {
    ...runOptions(a),
    env: process.env,
    slos: (a.slo as unknown[] | undefined)?.map(String),
    maxTime: a['max-time'] as string | undefined,
    startLoad: a['start-load'] as number | undefined,
    maxLoad: a['max-load'] as number | undefined,
    resolution: a.resolution as number | undefined,
    expectCapacity: a['expect-capacity'] as number | undefined,
  };
  hideSecret(options.key ?? process.env.TEST_API_KEY ?? DEFAULT_API_KEY);
  hideSecret(options.clickhouse?.password ?? process.env.CLICKHOUSE_PASSWORD);
  const controller = new AbortController();
  const onSignal = (): void => {
    process.stderr.write('\nmlop-sim: stopping the search after this step\n');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const outcome = await runCapacity({ ...options, signal: controller.signal, log: quiet ? undefined : (line) => out(`mlop-sim: ${line}\n`) });
  if (quiet) out(`Capacity: ${outcome.report.summary}\n`);
  else {
    out('\n' + formatCapacityTable(outcome.report));
    for (const f of outcome.files) out(`written: ${f}\n`);
  }
  for (const r of outcome.reasons) if (r !== outcome.report.summary) out(`FAIL: ${r}\n`);
  exit(outcome.exitCode === EXIT_CODES.pass ? EXIT_CODES.pass : outcome.exitCode);
}
