/**
 * The outputs a run asked for, built from its plan. Adding an output: its folder here (index.ts
 * makes the Output) and its line in this file. A streaming output needs nothing more: its line in
 * STREAM_OUTPUTS, and `--out NAME=ARG` reaches it. A file output also gets its OutputPlan field
 * here, its option in run/plan.ts and its flag in bin/commands/run.ts.
 */
import { liveConsoleOutput, type LiveConsoleOptions } from './console/index.js';
import { csvStreamOutput } from './csv-stream/index.js';
import { htmlOutput } from './html/index.js';
import { jsonStreamOutput } from './json-stream/index.js';
import { junitOutput } from './junit/index.js';
import { latestJsonOutput } from './latest-json/index.js';
import { locustCsvOutput } from './locust/index.js';
import type { Output } from './output.js';
import type { WebPlan } from './web/index.js';
import { prometheusRwOutput } from './prometheus-rw/index.js';

/** One `--out NAME=ARG`. */
export interface StreamSpec {
  name: string;
  arg: string;
}

export interface OutputContext {
  /** The run's progress lines (warnings of outputs go here). */
  log?: (line: string) => void;
}

/** Streaming outputs by `--out` name: what ARG means, and how to make one. */
export const STREAM_OUTPUTS: Record<string, { arg: string; create: (arg: string, ctx: OutputContext) => Output }> = {
  json: { arg: 'FILE or -', create: (arg) => jsonStreamOutput(arg) },
  csv: { arg: 'FILE or -', create: (arg) => csvStreamOutput(arg) },
  'prometheus-rw': { arg: 'URL', create: (arg, ctx) => prometheusRwOutput(arg, { log: ctx.log }) },
};

export interface OutputPlan {
  /** The live line; false for none. */
  console: LiveConsoleOptions | false;
  /** Folder for latest.json; false writes no files at all. */
  reportDir: string | false;
  /** Locust CSV prefix. */
  csv?: string;
  /** Locust's --csv-full-history: a history row per entry per second, not only Aggregated. */
  csvFullHistory?: boolean;
  html?: string;
  junit?: string;
  /** `--out NAME=ARG` streams, in the order given. */
  streams?: StreamSpec[];
  /** `--web`: the live page (host, port, auth, autoquit); absent: no server, no web code loaded. */
  web?: WebPlan;
}

export function outputsFor(plan: OutputPlan, ctx: OutputContext = {}): Output[] {
  const outputs: Output[] = [];
  if (plan.console) outputs.push(liveConsoleOutput(plan.console));
  if (plan.reportDir !== false) outputs.push(latestJsonOutput(plan.reportDir));
  if (plan.csv) outputs.push(locustCsvOutput(plan.csv, plan.csvFullHistory === true));
  if (plan.html) outputs.push(htmlOutput(plan.html));
  if (plan.junit) outputs.push(junitOutput(plan.junit));
  for (const s of plan.streams ?? []) outputs.push(STREAM_OUTPUTS[s.name].create(s.arg, ctx));
  // Last: its stop serves the final page once every file is written.
  if (plan.web) outputs.push(lazyWebOutput(plan.web, ctx));
  return outputs;
}

/** The live page (--web), its code imported only when asked for (a run without --web loads none of it). */
function lazyWebOutput(web: WebPlan, ctx: OutputContext): Output {
  let real: Output | undefined;
  return {
    name: 'web',
    async prepare() {
      const { webOutput } = await import('./web/index.js');
      real = webOutput(web, ctx);
      await real.prepare?.();
    },
    attach: (run) => real?.attach?.(run),
    end: () => real?.end?.(),
    stop: async (result) => (real ? real.stop(result) : []),
    linger: async (signal) => real?.linger?.(signal),
  };
}

/** `NAME=ARG` → a StreamSpec, or a sentence saying what is wrong. */
export function parseStreamSpec(text: string): StreamSpec | string {
  const eq = text.indexOf('=');
  const name = (eq < 0 ? text : text.slice(0, eq)).trim();
  const arg = eq < 0 ? '' : text.slice(eq + 1).trim();
  const known = Object.keys(STREAM_OUTPUTS);
  if (!Object.hasOwn(STREAM_OUTPUTS, name)) return `--out: unknown output "${name}"; use one of ${known.map((k) => `${k}=${STREAM_OUTPUTS[k].arg}`).join(', ')}`;
  if (arg === '') return `--out ${name} needs an argument: ${name}=${STREAM_OUTPUTS[name].arg}`;
  return { name, arg };
}
