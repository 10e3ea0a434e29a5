/**
 * toggle-coverage: does bench/web-toggle.ts's interval (the median rise, runs resampled) hold a
 * rise that is known? A take is built from real runs, so that the noise is the machine's: the
 * windows without pages of the takes' logs (--logs, web-toggle's stderr), in their order, every
 * other one called a window with pages and raised by a rise r % of its two neighbours' mean. Its
 * rises are then the no-page rises plus r exactly, so the median rise of all the logs' runs is
 * known; r is chosen to make it --median. Each take draws --runs runs with replacement from the
 * logs' runs and asks web-toggle's own `brackets` and `runBootstrap`, and two other intervals
 * (the sign test's over all windows; a t interval over the runs' mean rises, against the known
 * mean). The share of takes whose interval holds what it estimates is its coverage (0.95 claimed),
 * and the share whose upper end is at or below 2 % is how often such a take would say "met" (at
 * --median 2 that is a false "met", which a 95 % interval's upper end gives in 2.5 % of takes).
 *
 * These windows are 20 s apart where web-toggle's are 10 s (every other window of a run), so the
 * drift between neighbours is larger than in a real take: if anything the noise is harder.
 *
 * Usage: node --import tsx bench/lib/toggle-coverage.ts --logs LOG,LOG [--runs 12] [--takes 400] [--median 2]
 */
import { mulberry32 } from '../../src/core/random.js';
import { numberArg, textArg } from './args.js';
import { fmt, spread } from './proc.js';
import { brackets, mean, readRuns, runBootstrap, runMeansT, signTestInterval, type Window } from './toggle-windows.js';

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
const nullRises = source.flatMap((ws) => laterRises(nullRun(ws, 0)));
/** The no-page rises' own median: the rise added is what moves it to --median. */
const RISE = MEDIAN - spread(nullRises).median;
/** The intervals checked, each against what it estimates: the median rise, or the mean rise (of all the logs' runs, the rise added). */
const methods = [
  { name: 'median, runs resampled (web-toggle\'s interval)', truth: MEDIAN, interval: (take: number[][]) => runBootstrap(take, RESAMPLES) },
  { name: 'median, the sign test (windows taken as independent)', truth: MEDIAN, interval: (take: number[][]) => signTestInterval(take.flat()) },
  { name: 'mean, t over the runs\' means', truth: mean(nullRises) + RISE, interval: runMeansT },
].map((m) => ({ ...m, covered: 0, met: 0, widths: [] as number[] }));

const rng = mulberry32(7);
for (let t = 0; t < TAKES; t++) {
  const take: number[][] = [];
  for (let r = 0; r < RUNS; r++) take.push(laterRises(nullRun(source[Math.floor(rng() * source.length)], RISE)));
  for (const m of methods) {
    const [lo, hi] = m.interval(take);
    if (lo <= m.truth && m.truth <= hi) m.covered++;
    if (hi <= 2) m.met++;
    m.widths.push(hi - lo);
  }
}
const later = laterRises(nullRun(source[0], 0)).length;
process.stdout.write([
  `${source.length} runs in the logs; takes of ${RUNS} runs with ${later} later windows each; rise added ${fmt(RISE, 2)} %, so the median rise is ${fmt(MEDIAN, 2)} %; ${TAKES} takes.`,
  '',
  '| interval | what it should hold | holds it | upper end ≤ 2 % ("met") | width, median |',
  '|---|---|---|---|---|',
  ...methods.map((m) => `| ${m.name} | ${fmt(m.truth, 2)} % | ${fmt((m.covered / TAKES) * 100, 1)} % | ${fmt((m.met / TAKES) * 100, 1)} % | ${fmt(spread(m.widths).median, 2)} % |`),
].join('\n') + '\n');
