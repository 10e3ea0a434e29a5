/**
 * The regression verdict of a candidate against a base (issue 20; docs/statistics.md): every
 * judged entry and every route both sides have, p50/p95/p99 and the error rate, intervals from
 * metrics/statistics, one overall outcome and one sentence. The seed's rule is computed on the
 * same files and kept beside it.
 */
import { isRouteEntry } from '../../core/entry-names.js';
import { Digest } from '../../metrics/digest.js';
import { compareBaseline } from '../../metrics/baseline.js';
import type { Distributions, SavedDistribution } from '../../metrics/distributions.js';
import {
  compareEntries, DEFAULT_SETTINGS, minimumEffect, VERDICT_QUANTILES, type EntrySides, type VerdictSettings, type VerdictTest,
} from '../../metrics/statistics/compare-entries.js';
import type { RunSample } from '../../metrics/statistics/window-sample.js';
import type { RegressionVerdict } from '../../metrics/verdict.js';
import type { ResultFile } from './compare-files.js';
import { describeBaselineCheck } from './gate-text.js';

const pct = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} %`;

export function describeTest(t: VerdictTest): string {
  if (t.metric === 'error_rate') return `${t.entry} error rate ${t.base.toFixed(4)} → ${t.cand.toFixed(4)} (${signed(t.change)} [${signed(t.lo)}, ${signed(t.hi)}])`;
  return `${t.entry} ${t.metric} ${t.base.toFixed(1)} → ${t.cand.toFixed(1)} ms (${pct(t.change)} [${pct(t.lo)}, ${pct(t.hi)}])`;
}
const signed = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(4)}`;

/**
 * A file's entries as the bootstrap reads them, each window placed in time: `at` counts windows
 * from the run's first (over all its entries), so a run's routes and two runs line up.
 */
function placedSamples(all: Distributions | undefined): (name: string) => RunSample {
  if (!all) return () => [];
  const start = Math.min(...Object.values(all.entries).flatMap((e) => e.windows.map((w) => w.t)));
  return (name) => (all.entries[name]?.windows ?? []).map((w) => ({ count: w.count, failures: w.failures, points: w.c, at: Math.floor((w.t - start) / all.windowS) }));
}

/** Point estimates from the whole-run digests: one run's digest, or all runs' merged. */
function wholeQuantiles(ds: readonly (SavedDistribution | undefined)[]): number[] | undefined {
  const present = ds.filter((d): d is SavedDistribution => d !== undefined);
  if (present.length === 0) return undefined;
  const merged = new Digest();
  for (const d of present) merged.merge(Digest.fromJSON(d.digest));
  return merged.count > 0 ? VERDICT_QUANTILES.map((q) => merged.quantile(q)) : undefined;
}

export function regressionVerdict(base: readonly ResultFile[], cand: readonly ResultFile[], settings: VerdictSettings = DEFAULT_SETTINGS): RegressionVerdict {
  const judged = cand[0].figures.judged ?? base[0].figures.judged ?? [];
  const names = (side: readonly ResultFile[]): Set<string> => new Set(side.flatMap((r) => Object.keys(r.distributions?.entries ?? {})));
  const inBase = names(base), inCand = names(cand);
  const notes: string[] = [];
  const only = (a: Set<string>, b: Set<string>): string[] => [...a].filter((n) => !b.has(n) && !judged.includes(n));
  const onlyBase = only(inBase, inCand), onlyCand = only(inCand, inBase);
  if (onlyBase.length > 0) notes.push(`only the base has ${onlyBase.join(', ')}: not compared.`);
  if (onlyCand.length > 0) notes.push(`only the candidate has ${onlyCand.join(', ')}: not compared.`);
  // A run whose generator was saturated or late measured some of its own delay: say so beside the verdict.
  for (const r of [...base, ...cand]) if (r.generatorWarning) notes.push(`${r.file}: ${r.generatorWarning.replace(/\.$/, '')}; its latencies include some of the generator's own delay.`);
  const baseSamples = base.map((r) => placedSamples(r.distributions)), candSamples = cand.map((r) => placedSamples(r.distributions));
  const sides = (name: string) => ({ name, base: baseSamples.map((of) => of(name)), cand: candSamples.map((of) => of(name)) });
  const entries: EntrySides[] = [...judged, ...[...inCand].filter((n) => inBase.has(n) && !judged.includes(n)).sort()].map((name) => {
    const bq = wholeQuantiles(base.map((r) => r.distributions?.entries[name]));
    const cq = wholeQuantiles(cand.map((r) => r.distributions?.entries[name]));
    return { ...sides(name), judged: judged.includes(name), ...(bq ? { baseQuantiles: bq } : {}), ...(cq ? { candQuantiles: cq } : {}) };
  });
  // The primary test's strata: every HTTP route both sides have (typical-shift.ts).
  const routes = [...inCand].filter((n) => inBase.has(n) && isRouteEntry(n)).sort().map(sides);
  const result = compareEntries(entries, settings, routes);
  const seedRule = base.length === 1 && cand.length === 1 ? compareBaseline(base[0].figures, cand[0].figures, base[0].file) : undefined;
  for (const c of seedRule?.checks ?? []) c.sentence = describeBaselineCheck(c);
  if (!seedRule) notes.push("the seed's rule compares one file per side: not applied to several runs.");
  const { outcome, statement } = conclude(result.tests, settings);
  return {
    outcome, statement,
    scenario: cand[0].figures.scenario ?? 'unnamed',
    base: { files: base.map((r) => r.file), runs: base.length },
    candidate: { files: cand.map((r) => r.file), runs: cand.length },
    settings, tested: result.tested, z: result.z, tests: result.tests,
    ...(seedRule ? { seedRule } : {}),
    notes,
  };
}

function conclude(tests: readonly VerdictTest[], s: VerdictSettings): Pick<RegressionVerdict, 'outcome' | 'statement'> {
  // The clearest first: the interval whose lower end lies farthest beyond its minimum effect.
  const beyond = (t: VerdictTest): number => t.lo / minimumEffect(t, s);
  const regressions = tests.filter((t) => t.outcome === 'regression').sort((a, b) => beyond(b) - beyond(a));
  if (regressions.length > 0) {
    const listed = regressions.slice(0, 3).map(describeTest).join('; ');
    const more = regressions.length > 3 ? ` and ${regressions.length - 3} more` : '';
    return { outcome: 'regression', statement: `regression beyond the ${pct(s.minEffect)} minimum effect: ${listed}${more}.` };
  }
  // Too few data for a judged test: the comparison cannot vouch for anything (docs/statistics.md "Deciding").
  const starved = tests.find((t) => t.judged && t.outcome === 'inconclusive' && t.reason);
  if (starved) return { outcome: 'inconclusive', statement: `inconclusive: ${starved.entry} ${starved.metric}: ${starved.reason}.` };
  const judgedLatency = tests.filter((t) => t.judged && t.metric !== 'error_rate');
  const seen = judgedLatency.filter((t) => t.outcome === 'no-change' || t.outcome === 'improvement');
  const wide = judgedLatency.filter((t) => t.outcome === 'inconclusive');
  const wideText = wide.map((t) => `${t.entry} ${t.metric} (±${(t.bound * 100).toFixed(0)} %)`).join(', ');
  if (seen.length === 0) {
    return { outcome: 'inconclusive', statement: `inconclusive: every judged interval is wider than ±${(s.resolution * 100).toFixed(0)} %: ${wideText}.` };
  }
  const x = Math.max(0, ...seen.map((t) => t.bound));
  const improved = tests.filter((t) => t.outcome === 'improvement');
  const also = improved.length > 0 ? ` (improved: ${improved.slice(0, 2).map(describeTest).join('; ')})` : '';
  const names = [...new Set(seen.map((t) => t.entry))].join(', ');
  const rest = wide.length > 0 ? `; too noisy to judge: ${wideText}` : '';
  return { outcome: 'pass', statement: `no change beyond ±${(x * 100).toFixed(1)} % (95 %) in ${names}${rest}${also}.` };
}
