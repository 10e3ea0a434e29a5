/**
 * What web-toggle's windows hold besides the pages' steady work: the CLI's `--web` run of
 * web-toggle (the http scenario at --rate against the plain target on core 0, the generator on
 * core 1), started with V8's `--trace-gc --trace-opt`, and the same toggle of --window seconds
 * without pages and with --clients event streams. Each line V8 prints is counted in the window it
 * arrives in: garbage collections (mark-compacts and scavenges, their pause in ms) and the
 * functions TurboFan optimised (how many, and their compile time: the three phases V8 prints, the
 * middle one on a helper thread). Then, for the windows after the first pair, the compile time by
 * second into the window, with pages and without.
 *
 * It measures no CPU per request (tracing costs a little); it says where a window's extra
 * milliseconds may come from. `--prewarm S` opens the pages for S seconds once before the
 * windows (the page's code compiled first); `--node-flags "…"` passes V8 flags to the CLI.
 *
 * Usage: node --import tsx bench/lib/toggle-jit-trace.ts [--seconds 170] [--window 10] [--rate 10000] [--clients 50] [--prewarm 0] [--node-flags "--no-flush-bytecode"]
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { numberArg, textArg } from './args.js';
import { HAS_TASKSET } from './proc.js';
import { startPlainTarget } from './target-process.js';
import { freePort, openPages, pageUp, TOGGLE_TAIL_S as TAIL_S, TOGGLE_WARM_S as WARM_S, webRunArgs, type Pages } from './web-pages.js';

const SECONDS = numberArg('--seconds', 170);
const WINDOW_S = numberArg('--window', 10);
const RATE = numberArg('--rate', 10_000);
const CLIENTS = numberArg('--clients', 50);
const PREWARM_S = numberArg('--prewarm', 0);
const NODE_FLAGS = (textArg('--node-flags') ?? '').split(' ').filter(Boolean);
if (!HAS_TASKSET) throw new Error('toggle-jit-trace pins the generator to core 1, as web-toggle: it needs taskset (util-linux)');
spawnSync('taskset', ['-pc', '0', String(process.pid)], { stdio: 'ignore' });

interface Tally { pages: boolean; markCompacts: number; markCompactMs: number; scavenges: number; scavengeMs: number; optimised: number; compileMs: number; names: Set<string> }
const tally = (pages: boolean): Tally => ({ pages, markCompacts: 0, markCompactMs: 0, scavenges: 0, scavengeMs: 0, optimised: 0, compileMs: 0, names: new Set() });

/** The window V8's lines are counted in: undefined before the first and after the last. */
let current: { tally: Tally; startedAt: number; index: number } | undefined;
const windows: Tally[] = [];
/** Compile ms by whole second into a window, for windows after the first pair: [with pages, without]. */
const bySecond: [number[], number[]] = [Array(WINDOW_S).fill(0), Array(WINDOW_S).fill(0)];

/** One line of V8's trace, counted in the current window. */
function count(line: string): void {
  if (!current) return;
  const t = current.tally;
  let m: RegExpExecArray | null;
  if ((m = /Mark-Compact .*?, ([\d.]+) \/ [\d.]+ ms/.exec(line))) {
    t.markCompacts++;
    t.markCompactMs += Number(m[1]);
  } else if ((m = /Scavenge .*?, ([\d.]+) \/ [\d.]+ ms/.exec(line))) {
    t.scavenges++;
    t.scavengeMs += Number(m[1]);
  } else if ((m = /completed (?:optimizing|compiling) .*?<JSFunction ([^ >]+).*?took ([\d.]+), ([\d.]+), ([\d.]+) ms/.exec(line))) {
    const ms = Number(m[2]) + Number(m[3]) + Number(m[4]);
    t.optimised++;
    t.compileMs += ms;
    t.names.add(m[1]!);
    const second = Math.floor((performance.now() - current.startedAt) / 1000);
    if (current.index >= 2 && second < WINDOW_S) bySecond[t.pages ? 0 : 1][second]! += ms;
  }
}

const target = await startPlainTarget('none');
const port = await freePort();
const url = `http://127.0.0.1:${port}/`;
const cli = path.join(import.meta.dirname, '../../dist/bin/mlop-sim.js');
const child = spawn('taskset', ['-c', '1', process.execPath, ...NODE_FLAGS, '--trace-gc', '--trace-opt', cli, ...webRunArgs(target.url, port, RATE, SECONDS)],
  { stdio: ['ignore', 'pipe', 'inherit'] });
const exited = new Promise((resolve) => child.once('exit', resolve));
let pending = '';
child.stdout.on('data', (d: Buffer) => {
  pending += d.toString();
  const lines = pending.split('\n');
  pending = lines.pop()!;
  for (const line of lines) count(line);
});
try {
  await pageUp(url);
  while ((await target.report()).requests === 0) await sleep(25);
  const startedAt = performance.now();
  await sleep(WARM_S * 1000);
  if (PREWARM_S > 0) {
    const pages = openPages(url, CLIENTS);
    await sleep(PREWARM_S * 1000);
    await pages.close();
    await sleep(WINDOW_S * 1000);
  }
  for (let i = 0; (performance.now() - startedAt) / 1000 + WINDOW_S + TAIL_S < SECONDS; i++) {
    const withPages = i % 2 === 1;
    current = { tally: tally(withPages), startedAt: performance.now(), index: i };
    windows.push(current.tally);
    const pages: Pages | undefined = withPages ? openPages(url, CLIENTS) : undefined;
    await sleep(WINDOW_S * 1000);
    await pages?.close();
  }
  current = undefined;
  await exited;
} finally {
  await target.stop();
}

const ms = (x: number): string => x.toFixed(0);
process.stdout.write([
  '### toggle-jit-trace',
  '',
  `The CLI's \`--web\` run of web-toggle at ${RATE.toLocaleString('en')} requests/s for ${SECONDS} s with \`${[...NODE_FLAGS, '--trace-gc', '--trace-opt'].join(' ')}\`; ${WINDOW_S} s windows from ${WARM_S} s after the first request${PREWARM_S > 0 ? `, after ${PREWARM_S} s with the pages open and ${WINDOW_S} s without` : ''}, alternating between no page and ${CLIENTS} event streams.`,
  '',
  '| window | pages | mark-compacts (ms) | scavenges (ms) | functions optimised (compile ms) | the first of them |',
  '|---|---|---|---|---|---|',
  ...windows.map((w, i) => `| ${i + 1} | ${w.pages ? 'yes' : 'no'} | ${w.markCompacts} (${ms(w.markCompactMs)}) | ${w.scavenges} (${ms(w.scavengeMs)}) | ${w.optimised} (${ms(w.compileMs)}) | ${[...w.names].slice(0, 8).join(', ')} |`),
  '',
  `Compile ms by second into the window, windows 3 on, summed: with pages ${bySecond[0].map(ms).join(' ')}; without ${bySecond[1].map(ms).join(' ')}.`,
].join('\n') + '\n');
