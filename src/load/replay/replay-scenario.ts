/**
 * `--scenario replay:FILE` (a trace or a profile) and `--profile NAME`: each virtual user is one
 * training job of the profile's shape, driven through @mlop/sdk-ts, so the SDK's own queue,
 * batching, retries and timing shape the requests. The user's run gets a fresh name (the server
 * gives it a fresh id); it logs the recorded keys at the recorded steps, at the recorded step
 * cadence divided by the replay speed, with values drawn uniformly within the recorded ranges
 * (integers stay integers, keys recorded with few significant digits are rounded to them); prints its lines, logs its data values and uploads its files at
 * their steps; finishes its run at the recorded run length, then idles until the load stops it.
 * Users take the profile's jobs in turn (user 1 job 1, user 2 job 2, …).
 */
import type { WorkloadProfile } from '../../capture/workload-profile.js';
import { defineScenario, type ScenarioContext, type ScenarioDefinition } from '../scenario.js';
import { loadSdkSession } from '../virtual-user.js';
import { timelineOf, type JobTimeline } from './job-timeline.js';

interface JobState {
  timeline: JobTimeline;
  /** performance.now() of the run's first step. */
  startedAt: number;
  next: number;
  finished: boolean;
  lineNumber: number;
}

/** How long one idle task call of a finished job lasts. */
const IDLE_MS = 1000;
let session: Awaited<ReturnType<typeof loadSdkSession>> | undefined;

/** One zero-filled buffer the file uploads take slices of (its size: the largest file). */
let filler = new Uint8Array(0);

function fillerOf(bytes: number): Uint8Array {
  if (filler.byteLength < bytes) filler = new Uint8Array(bytes);
  return filler.subarray(0, bytes);
}

/** Resolves after `ms`, or at once when the user is told to stop. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** A re-sampled value rounded to the recorded significant digits (profile `digits`), kept within the range. */
export function roundedWithin(v: number, digits: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Number(v.toPrecision(digits))));
}

const TEXT = 'abcdefghijklmnopqrstuvwxyz0123456789 ';

function textOf(length: number, ctx: ScenarioContext): string {
  const start = ctx.random.int(0, TEXT.length - 1);
  let s = '';
  while (s.length < length) s += TEXT.slice(start) + TEXT.slice(0, start);
  return s.slice(0, length);
}

/** Runs the user's job one step per task call: waits for the step's time, then logs what it logs. */
async function playStep(ctx: ScenarioContext, timelines: JobTimeline[], speed: number): Promise<void> {
  let st = ctx.state.replay as JobState | undefined;
  if (!st) {
    const timeline = timelines[(ctx.userIndex - 1) % timelines.length];
    st = { timeline, startedAt: performance.now(), next: 0, finished: false, lineNumber: 0 };
    ctx.state.replay = st;
  }
  const run = ctx.run;
  // Done (or no run): idle a second at a time, so an executor that ends the user's life at a
  // moment of its clock (an arrival rate's --run-length) sees the task return.
  if (!run || st.finished) return sleep(IDLE_MS, ctx.signal);
  const { job, steps, runLengthMs } = st.timeline;
  if (st.next >= steps.length) {
    // The recorded run length, then finish() (the SDK drains and sends the status).
    await sleep(st.startedAt + runLengthMs / speed - performance.now(), ctx.signal);
    st.finished = true;
    if (!ctx.signal.aborted) await run.finish();
    return;
  }
  const a = steps[st.next++];
  await sleep(st.startedAt + a.offsetMs / speed - performance.now(), ctx.signal);
  if (ctx.signal.aborted) return;
  const r = ctx.random;
  for (const gi of a.groups) {
    const g = job.metrics[gi];
    const data: Record<string, number> = {};
    for (const k of g.keys) {
      const [lo, hi] = g.ranges[k];
      const d = g.digits?.[k];
      data[k] = g.integers?.includes(k) ? r.int(Math.ceil(lo), Math.floor(hi)) : d ? roundedWithin(r.uniform(lo, hi), d, lo, hi) : r.uniform(lo, hi);
    }
    await run.log(data, { step: a.step });
  }
  const sdk = a.data.length || a.files.length ? (session ??= await loadSdkSession()) : undefined;
  for (const di of a.data) {
    const d = job.data[di];
    // A string series stays a string (≤ 200 characters, pluto's limit); other kinds a Data value of that size.
    const text = textOf(r.int(d.bytes[0], d.bytes[1]), ctx);
    await run.log({ [d.logName]: d.dataType === 'string-series' ? text.slice(0, sdk!.STRING_SERIES_MAX_LEN) : sdk!.sdkDataValue(text) }, { step: a.step });
  }
  if (a.files.length) {
    const { sdkFileValue } = sdk!;
    for (const fi of a.files) {
      const f = job.files[fi];
      for (let i = 0; i < f.perStep; i++) {
        const bytes = fillerOf(r.int(f.bytes[0], f.bytes[1]));
        const name = `${f.logName.replace(/[^\w.-]/g, '_')}-${a.step}-${i}`;
        await run.log({ [f.logName]: sdkFileValue(bytes, name, f.fileType) }, { step: a.step });
      }
    }
  }
  for (let i = 0; i < a.lines; i++) {
    const stream = r.next() < job.console.stderrShare ? 'stderr' : 'stdout';
    run.console.write(stream, `${textOf(r.int(job.console.length[0], job.console.length[1]), ctx)}\n`);
  }
}

export interface ReplayOptions {
  /** Divides every wait of the job (2 = twice as fast). Default 1. */
  speed?: number;
}

/** The scenario replaying a profile's jobs. */
export function replayScenario(profile: WorkloadProfile, o: ReplayOptions = {}): ScenarioDefinition {
  const speed = o.speed ?? 1;
  const timelines = profile.jobs.map(timelineOf);
  const stamp = Date.now().toString(36);
  const first = profile.jobs[0];
  return defineScenario({
    name: `replay:${profile.name}`,
    description: `replay of the workload profile "${profile.name}" (${profile.jobs.length} job shape(s)) at speed ${speed}`,
    wait: { minS: 0, maxS: 0 },
    sdk: {
      project: first.project,
      runName: (i) => `replay-${profile.name}-${stamp}-${i}`,
      config: { replay: profile.name, speed },
    },
    judge: 'sdk',
    tasks: [{ name: 'replay_step', weight: 1, run: (ctx) => playStep(ctx, timelines, speed) }],
  });
}
