#!/usr/bin/env node
/**
 * The mlop-sim CLI: its commands (run, serve, merge, baseline, history), help and exit codes. Each command turns
 * flags into library options (bin/commands/); every behaviour lives in src/. See docs/cli.md.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { baselineBuilder } from './commands/baseline.js';
import { capacityBuilder, capacityCommand } from './commands/capacity.js';
import { historyBuilder } from './commands/history.js';
import { compareBuilder, compareCommand } from './commands/compare.js';
import { mergeBuilder, mergeCommand } from './commands/merge.js';
import { profileBuilder, profileCommand } from './commands/profile.js';
import { recordBuilder, recordCommand } from './commands/record.js';
import { runBuilder, runCommand } from './commands/run.js';
import { serveBuilder, serveCommand } from './commands/serve.js';
import { handleError, handleUsage } from './commands/terminal.js';
import { describeUnknownArguments, type KnownArguments } from './commands/unknown-flags.js';

const COMMANDS = ['run', 'serve', 'merge', 'baseline', 'history', 'compare', 'capacity'];

const EPILOGUE = `Exit codes:
  0    pass
  1    thresholds, baseline (a regression) or delivery audit failed; compare: a regression; history check: a regression in the window
  2    usage or config error (bad flag, malformed scenario, baseline or history file)
  3    target unreachable or API key rejected at start; ClickHouse unreachable
  130  interrupted (Ctrl+C, SIGINT, SIGTERM): users stopped, runs finished, reports written
  70   internal error (a bug: the message keeps its stack trace)

Env: INGEST_URL, TEST_API_KEY, P95_THRESHOLD_MS (500), P99_THRESHOLD_MS (1000), MAX_ERROR_RATE (0.01).
No --host and no INGEST_URL: an embedded reference server is started on loopback.`;

const cli = yargs(hideBin(process.argv))
  .scriptName('mlop-sim')
  .usage('$0 [run] [options]\n\nSDK-faithful load simulator for the mlop/pluto ingestion pipeline.')
  .command(['run', '$0'], 'run a load test (the default command)', runBuilder, (a) => runCommand(a))
  .command('serve', 'run the reference server standalone (ingest + API + heartbeat on one port)', serveBuilder, (a) => serveCommand(a as never))
  .command('merge <files..>', 'merge shard files (run --shard I/N) into one report, verdict and exit code', mergeBuilder, (a) => mergeCommand(a))
  .command('capacity', 'find the highest load the target sustains within the SLOs (a ramp, then a bisection)', capacityBuilder, (a) => capacityCommand(a))
  .command('baseline <action>', 'manage the baseline', baselineBuilder)
  .command('history <action>', 'a results history across runs and its change points (add, check, show)', historyBuilder)
  .command('record', 'record a training job\'s requests through a proxy into a trace', recordBuilder, (a) => recordCommand(a as never))
  .command('profile <trace>', 'turn a trace into a workload profile (for --scenario replay:FILE)', profileBuilder, (a) => profileCommand(a as never))
  .command('compare [files..]', 'regression verdict between saved results: BASE CAND, or --base FILE… --candidate FILE… (exit 1 on a regression)', compareBuilder, (a) => compareCommand(a as never))
  .epilogue(EPILOGUE)
  .strict()
  .help()
  .alias('help', 'h')
  .version()
  .wrap(Math.min(110, process.stdout.columns || 100))
  .fail((msg, err) => {
    // A flag's coerce() that throws reaches here as yargs' YError: still the user's mistake.
    if (err && err.name !== 'YError') handleError(err);
    else handleUsage(describeUnknownArguments(msg ?? '', hideBin(process.argv), knownArguments()) ?? err?.message ?? msg);
  });

/**
 * The flags of the command being parsed and the command names. yargs keeps the running command's
 * options on the instance; getOptions() is missing from its type declarations, hence the narrow cast.
 */
function knownArguments(): KnownArguments {
  const parser = cli as unknown as { getOptions?: () => { key: Record<string, unknown>; alias: Record<string, string[]> } };
  const options = parser.getOptions?.() ?? { key: {}, alias: {} };
  const names = [...Object.keys(options.key), ...Object.values(options.alias).flat()];
  return { flags: names.filter((n) => n.length > 1 && n === n.toLowerCase()), commands: COMMANDS };
}

cli.parseAsync().catch(handleError);
