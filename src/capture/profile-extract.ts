/**
 * A trace → a workload profile. Requests are grouped into runs by their X-Project-Name and
 * X-Run-Name headers (the create call by its body's projectName / runName); runs that follow one
 * another make one job, runs that overlap are separate jobs (the nodes of a multi-node job, a
 * sweep's parallel trials). Per job, from its runs' request bodies: the metric groups (keys
 * logged together) with the steps each is logged at and each key's value range, the step
 * cadence (from the lines' own time stamps), console lines (the SDK's own lines left out: the
 * replaying SDK prints them itself), the system-metric cadence, data and file kinds.
 */
import { pathOf, type Trace, type TraceExchange } from './trace-format.js';
import { PROFILE_FORMAT, PROFILE_VERSION, type ConsoleShape, type DataShape, type FileShape, type JobProfile, type MetricGroup, type StepSchedule, type WorkloadProfile } from './workload-profile.js';

interface RunTrace {
  project: string;
  name: string;
  startT: number;
  endT: number;
  exchanges: TraceExchange[];
}

function header(ex: TraceExchange, name: string): string | undefined {
  const n = name.toLowerCase();
  for (const [k, v] of ex.headers) if (k.toLowerCase() === n) return v;
  return undefined;
}

/** Parses one NDJSON or JSON body line; the Python SDK's bare NaN / Infinity tokens become null. */
export function parseLooseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    try {
      return JSON.parse(line.replace(/([:\[,]\s*)(-?Infinity|NaN)(?=\s*[,\]}])/g, '$1null'));
    } catch {
      return undefined;
    }
  }
}

function bodyLines(ex: TraceExchange): Record<string, unknown>[] {
  if (!ex.body) return [];
  const out: Record<string, unknown>[] = [];
  for (const l of ex.body.split('\n')) {
    if (!l.trim()) continue;
    const v = parseLooseJson(l);
    if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
  }
  return out;
}

/** Splits a trace's exchanges into runs (in order of creation). */
export function splitRuns(trace: Trace): RunTrace[] {
  const runs = new Map<string, RunTrace>();
  const key = (project: string, name: string) => `${project}\u0000${name}`;
  for (const ex of trace.exchanges) {
    const path = pathOf(ex.route);
    let project = header(ex, 'x-project-name');
    let name = header(ex, 'x-run-name');
    if (path === '/api/runs/create') {
      const b = bodyLines(ex)[0];
      if (b && typeof b.runName === 'string') name = b.runName;
      if (b && typeof b.projectName === 'string') project = b.projectName;
    }
    if (!project || !name || name === 'None') continue;
    const k = key(project, name);
    let r = runs.get(k);
    if (!r) runs.set(k, (r = { project, name, startT: ex.t, endT: ex.t, exchanges: [] }));
    r.exchanges.push(ex);
    r.endT = Math.max(r.endT, ex.t + (ex.latencyMs ?? 0));
  }
  return [...runs.values()].sort((a, b) => a.startT - b.startT);
}

/** The most common gap between sorted steps; first/every/count reproduce the number of lines exactly. */
export function scheduleOf(steps: number[]): StepSchedule {
  const s = [...steps].sort((a, b) => a - b);
  if (s.length <= 1) return { first: s[0] ?? 1, every: 1, count: s.length };
  const gaps = new Map<number, number>();
  for (let i = 1; i < s.length; i++) {
    const g = s[i] - s[i - 1];
    if (g > 0) gaps.set(g, (gaps.get(g) ?? 0) + 1);
  }
  let every = 1;
  let best = -1;
  for (const [g, n] of gaps) if (n > best || (n === best && g < every)) [every, best] = [g, n];
  const regular = s.every((x, i) => x === s[0] + i * every);
  return regular ? { first: s[0], every, count: s.length } : { first: s[0], every, count: s.length, at: s.slice(0, MAX_EXPLICIT_STEPS) };
}

/** Irregular schedules keep their steps up to this many (beyond, first/every/count approximate them). */
const MAX_EXPLICIT_STEPS = 100_000;

const isSdkOwnLine = (m: string) => m.startsWith('pluto: ') || m.includes('[pluto-sync]');

/**
 * Significant digits of a value as the SDK wrote it (the shortest text that reads back as the same
 * double, as both Python's repr and JavaScript's String give): 0.0003 → 1, 2.5 → 2,
 * 0.07225651367144714 → 16. A computed double needs 15–17; fewer means the job logged a rounded
 * or constant value (a learning rate, an accuracy of counts), whose text is shorter on the wire.
 */
export function significantDigits(v: number): number {
  if (!Number.isFinite(v) || v === 0) return 1;
  const mantissa = Math.abs(v).toExponential().split('e')[0].replace('.', '');
  return mantissa.length;
}

/** Medians of significantDigits at or above this are plain computed doubles: no `digits` entry. */
const FULL_PRECISION_DIGITS = 15;

function range(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return values.length ? [lo, hi] : [0, 0];
}

interface RunShape {
  run: RunTrace;
  groups: Map<string, { keys: string[]; steps: number[]; values: Map<string, number[]> }>;
  stepTimes: Map<number, number>;
  consoleLengths: number[];
  consoleTimes: number[];
  stderr: number;
  systemTimes: number[];
  /** Epoch ms of the first and last line the job itself logged (metrics, data, console, files). */
  firstLineAt: number;
  lastLineAt: number;
  data: Map<string, { dataType: string; steps: number[]; bytes: number[] }>;
  files: Map<string, { fileType: string; steps: Set<number>; n: number; bytes: number[] }>;
}

function shapeOf(run: RunTrace): RunShape {
  const sh: RunShape = { run, groups: new Map(), stepTimes: new Map(), consoleLengths: [], consoleTimes: [], stderr: 0, systemTimes: [], firstLineAt: Infinity, lastLineAt: -Infinity, data: new Map(), files: new Map() };
  const seen = (time: unknown) => {
    const t = Number(time);
    if (!Number.isFinite(t)) return;
    if (t < sh.firstLineAt) sh.firstLineAt = t;
    if (t > sh.lastLineAt) sh.lastLineAt = t;
  };
  for (const ex of run.exchanges) {
    const path = pathOf(ex.route);
    if (ex.method !== 'POST') continue;
    if (path === '/ingest/metrics') {
      for (const line of bodyLines(ex)) {
        const data = line.data as Record<string, unknown> | undefined;
        if (!data || typeof data !== 'object') continue;
        const keys = Object.keys(data);
        const step = Number(line.step ?? 0);
        if (keys.length && keys.every((k) => k.startsWith('sys/'))) {
          if (step !== 0 || !keys.every((k) => k.startsWith('sys/pluto.'))) sh.systemTimes.push(Number(line.time));
          continue;
        }
        seen(line.time);
        const gk = keys.join('\u0000');
        let g = sh.groups.get(gk);
        if (!g) sh.groups.set(gk, (g = { keys, steps: [], values: new Map(keys.map((k) => [k, []])) }));
        g.steps.push(step);
        for (const k of keys) if (typeof data[k] === 'number') g.values.get(k)!.push(data[k] as number);
        const t = Number(line.time);
        if (Number.isFinite(t) && !(sh.stepTimes.get(step)! <= t)) sh.stepTimes.set(step, t);
      }
    } else if (path === '/ingest/logs') {
      for (const line of bodyLines(ex)) {
        const m = String(line.message ?? '');
        if (isSdkOwnLine(m)) continue;
        seen(line.time);
        sh.consoleLengths.push(m.length);
        sh.consoleTimes.push(Number(line.time));
        if (line.logType === 'ERROR') sh.stderr++;
      }
    } else if (path === '/ingest/data') {
      for (const line of bodyLines(ex)) {
        const name = String(line.logName ?? '');
        let d = sh.data.get(name);
        if (!d) sh.data.set(name, (d = { dataType: String(line.dataType ?? 'DATA'), steps: [], bytes: [] }));
        seen(line.time);
        d.steps.push(Number(line.step ?? 0));
        d.bytes.push(Buffer.byteLength(typeof line.data === 'string' ? line.data : JSON.stringify(line.data ?? '')));
      }
    } else if (path === '/files') {
      const files = (bodyLines(ex)[0]?.files ?? []) as Record<string, unknown>[];
      for (const f of Array.isArray(files) ? files : []) {
        const name = String(f.logName ?? '');
        let e = sh.files.get(name);
        if (!e) sh.files.set(name, (e = { fileType: String(f.fileType ?? ''), steps: new Set(), n: 0, bytes: [] }));
        seen(f.time);
        e.steps.add(Number(f.step ?? 0));
        e.n++;
        e.bytes.push(Number(f.fileSize ?? 0));
      }
    }
  }
  return sh;
}

function cadenceS(stepTimes: Map<number, number>): number {
  const steps = [...stepTimes.keys()].sort((a, b) => a - b);
  if (steps.length < 2) return 1;
  const first = steps[0];
  const last = steps[steps.length - 1];
  return Math.max(0, (stepTimes.get(last)! - stepTimes.get(first)!) / 1000 / (last - first));
}

/** For each printed line of a run, the last step logged at or before it (lines before any step: the first step). */
function stepsOfLines(sh: RunShape): number[] {
  const steps = [...sh.stepTimes.entries()].sort((a, b) => a[1] - b[1]);
  if (!steps.length) return [];
  return sh.consoleTimes.map((t) => {
    let lo = 0;
    let hi = steps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (steps[mid][1] <= t) lo = mid;
      else hi = mid - 1;
    }
    return steps[lo][0];
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : 0;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

function jobOf(runs: RunShape[], t0: number): JobProfile {
  // Seconds from the run's create request (wall clock: the trace's start + its t) to a line's time.
  const since = (r: RunShape, at: number) => (Number.isFinite(at) ? Math.max(0, (at - (t0 + r.run.startT)) / 1000) : 0);
  const first = runs[0];
  const metrics: MetricGroup[] = [...first.groups.values()].map((g) => {
    const ranges: Record<string, [number, number]> = {};
    const integers: string[] = [];
    const digits: Record<string, number> = {};
    for (const k of g.keys) {
      const vs = runs.flatMap((r) => r.groups.get(g.keys.join('\u0000'))?.values.get(k) ?? []);
      ranges[k] = range(vs);
      if (vs.length && vs.every(Number.isInteger)) integers.push(k);
      else if (vs.length) {
        const d = median(vs.map(significantDigits));
        if (d < FULL_PRECISION_DIGITS) digits[k] = d;
      }
    }
    return { keys: g.keys, steps: scheduleOf(g.steps), ranges, ...(integers.length ? { integers } : {}), ...(Object.keys(digits).length ? { digits } : {}) };
  });
  const lengths = runs.flatMap((r) => r.consoleLengths);
  const consoleShape: ConsoleShape = {
    lines: round(lengths.length / runs.length, 2),
    length: range(lengths),
    stderrShare: lengths.length ? round(runs.reduce((n, r) => n + r.stderr, 0) / lengths.length) : 0,
  };
  const lineSteps = stepsOfLines(first);
  if (lineSteps.length) consoleShape.steps = scheduleOf(lineSteps);
  const sysGaps = runs.flatMap((r) => r.systemTimes.slice(1).map((t, i) => (t - r.systemTimes[i]) / 1000));
  const data: DataShape[] = [...first.data.entries()].map(([logName, d]) => ({ logName, dataType: d.dataType, steps: scheduleOf(d.steps), bytes: range(d.bytes) }));
  const files: FileShape[] = [...first.files.entries()].map(([logName, f]) => ({
    logName, fileType: f.fileType, steps: scheduleOf([...f.steps]), perStep: Math.max(1, Math.round(f.n / Math.max(1, f.steps.size))), bytes: range(f.bytes),
  }));
  const allSteps = [...first.stepTimes.keys()];
  return {
    project: first.run.project,
    runsPerJob: runs.length,
    firstStepS: round(median(runs.map((r) => since(r, r.firstLineAt)))),
    runLengthS: round(median(runs.map((r) => (Number.isFinite(r.lastLineAt) ? since(r, r.lastLineAt) : (r.run.endT - r.run.startT) / 1000)))),
    stepCadenceS: round(cadenceS(first.stepTimes), 4),
    steps: allSteps.length ? Math.max(...allSteps) : 0,
    metrics,
    console: consoleShape,
    system: { enabled: runs.some((r) => r.systemTimes.length > 0), intervalS: sysGaps.length ? round(median(sysGaps), 2) : 0 },
    data,
    files,
  };
}

/** The profile of a trace: one job per chain of runs that do not overlap in time. */
export function profileOfTrace(trace: Trace, name: string): WorkloadProfile {
  const runs = splitRuns(trace);
  const chains: RunTrace[][] = [];
  for (const r of runs) {
    const chain = chains.find((c) => c[c.length - 1].endT <= r.startT);
    if (chain) chain.push(r);
    else chains.push([r]);
  }
  return {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    name,
    description: `Made by mlop-sim profile from a trace of ${trace.header.upstream} recorded ${trace.header.startedAt}.`,
    sources: [`trace recorded ${trace.header.startedAt}: ${trace.exchanges.length} requests, ${runs.length} run(s)`],
    jobs: chains.map((c) => jobOf(c.map(shapeOf), Date.parse(trace.header.startedAt))),
  };
}
