/**
 * The workload profile (docs/workloads.md "Profile format"): what one training job does, in a
 * file a person can read and edit. `mlop-sim profile` writes it from a trace; `--scenario
 * replay:FILE` and `--profile NAME` read it. Every field is checked: an unknown one is refused by
 * name (a typo must not silently mean "default").
 */
import { readFileSync } from 'node:fs';
import { SimUsageError } from '../core/errors.js';

export const PROFILE_FORMAT = 'mlop-sim-profile';
export const PROFILE_VERSION = 1;

/** When a group or kind is logged: at `first`, then every `every` steps, `count` times. */
export interface StepSchedule {
  first: number;
  every: number;
  count: number;
  /** The exact steps, when they do not follow first/every (then first/every/count describe them). */
  at?: number[];
}

export interface MetricGroup {
  /** Keys logged together in one log() call, in call order. */
  keys: string[];
  steps: StepSchedule;
  /** [min, max] of each key's recorded values (re-sampled uniformly; integers stay integers). */
  ranges: Record<string, [number, number]>;
  /** Keys whose recorded values were all integers. */
  integers?: string[];
  /**
   * Per key (not an integer one) whose recorded values were mostly written with fewer than 15
   * significant digits: the median count. Re-sampled values are rounded to it, so the replay's
   * wire text has the recorded length (a constant learning rate `0.0003`, not `0.00026410952434083`).
   */
  digits?: Record<string, number>;
}

export interface ConsoleShape {
  /** Printed lines of the job (not the SDK's own), all runs of the job together. */
  lines: number;
  /** Line lengths in characters, [min, max]. */
  length: [number, number];
  /** Share of lines on stderr (0–1). */
  stderrShare: number;
  /** The step each line follows (of the first run); without it, lines are spread evenly over the steps. */
  steps?: StepSchedule;
}

export interface DataShape {
  logName: string;
  /** The SDK value class: DATA (a string), HISTOGRAM, TABLE, GRAPH. */
  dataType: string;
  steps: StepSchedule;
  /** Size of the line's data in bytes, [min, max]. */
  bytes: [number, number];
}

export interface FileShape {
  logName: string;
  /** File type as in the presign entry (png, txt, wav, …). */
  fileType: string;
  steps: StepSchedule;
  /** Files per logged step. */
  perStep: number;
  bytes: [number, number];
}

export interface JobProfile {
  project: string;
  /** Runs this job opens one after another. */
  runsPerJob: number;
  /** Seconds from the run's create to its first logged line (the job's set-up). */
  firstStepS?: number;
  /** Seconds from the run's create to its last logged line, when the job calls finish(). */
  runLengthS: number;
  /** Seconds between two steps of the job (from the metrics lines' own time stamps). */
  stepCadenceS: number;
  /** The last step of a run. */
  steps: number;
  metrics: MetricGroup[];
  console: ConsoleShape;
  /** The SDK's system metrics: on, and the seconds between two samples. */
  system: { enabled: boolean; intervalS: number };
  data: DataShape[];
  files: FileShape[];
}

export interface WorkloadProfile {
  format: typeof PROFILE_FORMAT;
  version: number;
  name: string;
  description?: string;
  /** Where the numbers come from (docs, limits, SDK defaults, or the trace it was made from). */
  sources?: string[];
  /** Measured per-job figures (docs only; the replay never reads them). */
  measured?: Record<string, unknown>;
  jobs: JobProfile[];
}

type Shape = Record<string, 'string' | 'number' | 'boolean' | 'strings' | 'numbers' | 'object' | 'range' | 'ranges' | ((v: unknown, at: string) => void)>;

const SCHEDULE: Shape = { first: 'number', every: 'number', count: 'number', at: 'numbers' };
const sched = (v: unknown, at: string) => check(v, SCHEDULE, at, ['first', 'every', 'count']);
const list = (shape: Shape, required: string[]) => (v: unknown, at: string) => {
  if (!Array.isArray(v)) throw new SimUsageError(`the profile's ${at} must be a list.`);
  v.forEach((x, i) => check(x, shape, `${at}[${i}]`, required));
};
const digitsOf = (v: unknown, at: string) => {
  if (!v || typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((d) => Number.isInteger(d) && d >= 1 && d <= 17)) {
    throw new SimUsageError(`the profile's field "${at}" must be an object of key → significant digits (1–17).`);
  }
};
const GROUP: Shape = { keys: 'strings', steps: sched, ranges: 'ranges', integers: 'strings', digits: digitsOf };
const CONSOLE: Shape = { lines: 'number', length: 'range', stderrShare: 'number', steps: sched };
const SYSTEM: Shape = { enabled: 'boolean', intervalS: 'number' };
const DATA: Shape = { logName: 'string', dataType: 'string', steps: sched, bytes: 'range' };
const FILE: Shape = { logName: 'string', fileType: 'string', steps: sched, perStep: 'number', bytes: 'range' };
const JOB: Shape = {
  project: 'string', runsPerJob: 'number', firstStepS: 'number', runLengthS: 'number', stepCadenceS: 'number', steps: 'number',
  metrics: list(GROUP, ['keys', 'steps', 'ranges']),
  console: (v, at) => check(v, CONSOLE, at, ['lines', 'length', 'stderrShare']),
  system: (v, at) => check(v, SYSTEM, at, ['enabled', 'intervalS']),
  data: list(DATA, ['logName', 'dataType', 'steps', 'bytes']),
  files: list(FILE, ['logName', 'fileType', 'steps', 'perStep', 'bytes']),
};
const PROFILE: Shape = {
  format: 'string', version: 'number', name: 'string', description: 'string', sources: 'strings', measured: 'object',
  jobs: list(JOB, ['project', 'runsPerJob', 'runLengthS', 'stepCadenceS', 'steps', 'metrics', 'console', 'system', 'data', 'files']),
};

function isRange(v: unknown): boolean {
  return Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x)) && v[0] <= v[1];
}

function check(v: unknown, shape: Shape, at: string, required: string[]): void {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new SimUsageError(`the profile's ${at || 'top level'} must be an object.`);
  const o = v as Record<string, unknown>;
  for (const [k, x] of Object.entries(o)) {
    const where = at ? `${at}.${k}` : k;
    const want = shape[k];
    if (!want) throw new SimUsageError(`the profile has an unknown field "${where}" (known here: ${Object.keys(shape).join(', ')}).`);
    const bad = (what: string) => new SimUsageError(`the profile's field "${where}" must be ${what}.`);
    if (typeof want === 'function') want(x, where);
    else if (want === 'strings') {
      if (!Array.isArray(x) || !x.every((s) => typeof s === 'string')) throw bad('a list of strings');
    } else if (want === 'numbers') {
      if (!Array.isArray(x) || !x.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0)) throw bad('a list of numbers ≥ 0');
    } else if (want === 'range') {
      if (!isRange(x)) throw bad('[min, max] with min ≤ max');
    } else if (want === 'ranges') {
      if (!x || typeof x !== 'object' || !Object.values(x).every(isRange)) throw bad('an object of key → [min, max]');
    } else if (want === 'object') {
      if (!x || typeof x !== 'object') throw bad('an object');
    } else if (want === 'number') {
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw bad('a number ≥ 0');
    } else if (typeof x !== want) throw bad(`a ${want}`);
  }
  for (const r of required) if (!(r in o)) throw new SimUsageError(`the profile's ${at || 'top level'} has no "${r}".`);
}

/** Checks a parsed profile; throws SimUsageError naming the first unknown or bad field. */
export function validateProfile(v: unknown): WorkloadProfile {
  check(v, PROFILE, '', ['format', 'version', 'name', 'jobs']);
  const p = v as WorkloadProfile;
  if (p.format !== PROFILE_FORMAT) throw new SimUsageError(`the profile's format must be "${PROFILE_FORMAT}".`);
  if (p.version !== PROFILE_VERSION) throw new SimUsageError(`the profile has version ${p.version}; this mlop-sim reads version ${PROFILE_VERSION}.`);
  if (p.jobs.length === 0) throw new SimUsageError('the profile has no jobs.');
  p.jobs.forEach((j, i) => {
    for (const g of j.metrics) {
      if (g.steps.every < 1) throw new SimUsageError(`the profile's jobs[${i}] has a metric group logged every ${g.steps.every} steps (needs ≥ 1).`);
      for (const k of g.keys) if (!g.ranges[k]) throw new SimUsageError(`the profile's jobs[${i}] metric "${k}" has no range.`);
    }
    if (j.runsPerJob < 1) throw new SimUsageError(`the profile's jobs[${i}].runsPerJob must be at least 1.`);
  });
  return p;
}

/** Parses profile text (JSON, or YAML for .yaml/.yml files) and checks it. */
export async function parseProfileText(text: string, name: string): Promise<WorkloadProfile> {
  let v: unknown;
  try {
    if (/\.ya?ml$/i.test(name)) {
      const yaml = await import('yaml').catch(() => {
        throw new SimUsageError(`reading ${name} needs the "yaml" package (npm install yaml), or write the profile as JSON.`);
      });
      v = yaml.parse(text);
    } else {
      v = JSON.parse(text);
    }
  } catch (err) {
    if (err instanceof SimUsageError) throw err;
    throw new SimUsageError(`${name} is not a readable profile: ${(err as Error).message.split('\n')[0]}.`);
  }
  return validateProfile(v);
}

export async function readProfile(path: string): Promise<WorkloadProfile> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SimUsageError(`cannot read the profile ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  return parseProfileText(text, path);
}
