/**
 * A job profile as a timeline of steps, built once and shared by every user replaying the job:
 * for each step (in order) its offset from the run's first step and what the job logs at it —
 * metric groups, data values, files, printed lines. A user only keeps its place in the list.
 */
import type { JobProfile, StepSchedule } from '../../capture/workload-profile.js';

export interface StepActions {
  step: number;
  /** Milliseconds after the run's start (at speed 1): its first step comes at firstStepS. */
  offsetMs: number;
  /** Indexes into job.metrics logged at this step (one log() call each). */
  groups: number[];
  /** Indexes into job.data. */
  data: number[];
  /** Indexes into job.files. */
  files: number[];
  /** Printed lines at this step. */
  lines: number;
}

export interface JobTimeline {
  job: JobProfile;
  steps: StepActions[];
  /** Milliseconds from the run's start to its finish (at speed 1). */
  runLengthMs: number;
}

/** The steps a schedule names (an explicit `at` list wins). */
export function stepsOf(s: StepSchedule): number[] {
  if (s.at) return s.at;
  const out: number[] = [];
  for (let i = 0; i < s.count; i++) out.push(s.first + i * s.every);
  return out;
}

export function timelineOf(job: JobProfile): JobTimeline {
  const byStep = new Map<number, StepActions>();
  const at = (step: number): StepActions => {
    let a = byStep.get(step);
    if (!a) byStep.set(step, (a = { step, offsetMs: 0, groups: [], data: [], files: [], lines: 0 }));
    return a;
  };
  job.metrics.forEach((g, i) => stepsOf(g.steps).forEach((s) => at(s).groups.push(i)));
  job.data.forEach((d, i) => stepsOf(d.steps).forEach((s) => at(s).data.push(i)));
  job.files.forEach((f, i) => stepsOf(f.steps).forEach((s) => at(s).files.push(i)));
  // Printed lines at the steps they followed, else spread evenly over the run's steps.
  if (job.console.steps) stepsOf(job.console.steps).forEach((s) => at(s).lines++);
  const steps = [...byStep.values()].sort((a, b) => a.step - b.step);
  const lines = job.console.steps ? 0 : Math.round(job.console.lines);
  if (steps.length === 0 && lines > 0) steps.push({ step: 1, offsetMs: 0, groups: [], data: [], files: [], lines: 0 });
  for (let i = 0; i < lines; i++) steps[Math.min(steps.length - 1, Math.floor((i * steps.length) / lines))].lines++;
  const first = steps[0]?.step ?? 0;
  const lead = (job.firstStepS ?? 0) * 1000;
  for (const a of steps) a.offsetMs = lead + Math.max(0, a.step - first) * job.stepCadenceS * 1000;
  return { job, steps, runLengthMs: job.runLengthS * 1000 };
}
