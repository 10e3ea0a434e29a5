/**
 * toggle-coverage: does bench/web-toggle.ts's interval (the median rise, runs resampled) hold a
 * rise that is known? A take is built from real runs, so that the noise is the machine's: the
 * windows without pages of the takes' logs (--logs, web-toggle's stderr), in their order, every
 * other one called a window with pages and raised by a rise r % of its two neighbours' mean. Its
 * rises are then the no-page rises plus r exactly, so the median rise of all the logs' runs is
 * known; r is chosen to make it --median. Each take draws --runs runs with replacement from the
 * logs' runs and asks web-toggle's own `brackets` and `runBootstrap`; the share of takes whose
 * interval holds the known median is the coverage (0.95 claimed), and the share whose upper end
 * is at or below 2 % is how often such a take would say "met" (at --median 2 that is a false
 * "met", which a 95 % interval's upper end gives in 2.5 % of takes).
 *
 * These windows are 20 s apart where web-toggle's are 10 s (every other window of a run), so the
 * drift between neighbours is larger than in a real take: if anything the noise is harder.
 *
 * Usage: node --import tsx bench/lib/toggle-coverage.ts --logs LOG,LOG [--runs 12] [--takes 400] [--median 2]
 */
import { mulberry32 } from '../../src/core/random.js';
import { numberArg, textArg } from './args.js';
import { fmt, spread } from './proc.js';
import { brackets, readRuns, runBootstrap, type Window } from './toggle-windows.js';

const LOGS = textArg('--logs');
if (LOGS === undefined) throw new Error('toggle-coverage needs --logs LOG,LOG: web-toggle stderr of earlier takes');
const RUNS = numberArg('--runs', 12);
const TAKES = numberArg('--takes', 400);
const MEDIAN = numberArg('--median', 2);
/** The bench's interval resamples 10,000 times; 2,000 here keeps 400 takes within minutes and moves an end by less than 0.05 %. */
const RESAMPLES = 2_000;

/** A run's windows without pages, every other one relabelled as with pages and raised by `risePct` % of its neighbours' mean. */
function nullRun(ws: Window[], risePct: number): Window[] {
  const off = ws.filter((w) => !w.pages);
  return off.map((w, i) => {
    if (i % 2 === 0) return w;
    const base = i + 1 < off.length ? (off[i - 1].cpuUs + off[i + 1].cpuUs) / 2 : w.cpuUs;
    return { ...w, pages: true, cpuUs: w.cpuUs + (risePct / 100) * base };
  });
}

/** A run's later rises, as web-toggle reads them: its first window with pages left out. */
const laterRises = (ws: Window[]): number[] => brackets(ws, 'cpuUs').slice(1).map((x) => x.risePct);

const source = readRuns(LOGS.split(','));
/** The no-page rises' own median: the rise added is what moves it to --median. */
const RISE = MEDIAN - spread(source.flatMap((ws) => laterRises(nullRun(ws, 0)))).median;
const rng = mulberry32(7);
let covered = 0, met = 0;
const widths: number[] = [];
for (let t = 0; t < TAKES; t++) {
  const take: number[][] = [];
  for (let r = 0; r < RUNS; r++) take.push(laterRises(nullRun(source[Math.floor(rng() * source.length)], RISE)));
  const [lo, hi] = runBootstrap(take, RESAMPLES);
  if (lo <= MEDIAN && MEDIAN <= hi) covered++;
  if (hi <= 2) met++;
  widths.push(hi - lo);
}
const later = laterRises(nullRun(source[0], 0)).length;
process.stdout.write([
  `| runs in the logs | runs per take, later windows each | rise added | the median to find | takes | interval holds it | upper end ≤ 2 % ("met") | interval width, median |`,
  '|---|---|---|---|---|---|---|---|',
  `| ${source.length} | ${RUNS}, ${later} | ${fmt(RISE, 2)} % | ${fmt(MEDIAN, 2)} % | ${TAKES} | ${fmt((covered / TAKES) * 100, 1)} % | ${fmt((met / TAKES) * 100, 1)} % | ${fmt(spread(widths).median, 2)} % |`,
].join('\n') + '\n');
