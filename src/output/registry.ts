/**
 * The outputs a run asked for, built from its plan. Adding an output: its file in this folder and
 * one line here (and its flag in bin/commands/run.ts).
 */
import { liveConsoleOutput, type LiveConsoleOptions } from './console-output.js';
import type { Output } from './output.js';
import { htmlOutput, junitOutput, latestJsonOutput, locustCsvOutput } from './report-files.js';

export interface OutputPlan {
  /** The live line; false for none. */
  console: LiveConsoleOptions | false;
  /** Folder for latest.json; false writes no files at all. */
  reportDir: string | false;
  /** Locust CSV prefix. */
  csv?: string;
  html?: string;
  junit?: string;
}

export function outputsFor(plan: OutputPlan): Output[] {
  const outputs: Output[] = [];
  if (plan.console) outputs.push(liveConsoleOutput(plan.console));
  if (plan.reportDir !== false) outputs.push(latestJsonOutput(plan.reportDir));
  if (plan.csv) outputs.push(locustCsvOutput(plan.csv));
  if (plan.html) outputs.push(htmlOutput(plan.html));
  if (plan.junit) outputs.push(junitOutput(plan.junit));
  return outputs;
}
