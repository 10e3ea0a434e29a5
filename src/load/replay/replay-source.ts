/**
 * What `replay:` names: `replay:FILE` (a trace of mlop-sim record, or a profile in JSON or
 * YAML), optionally `#speed=N` (what `--replay-speed N` appends), and `--profile NAME` (a preset:
 * profiles/NAME.json in this package). The reference is a string so --workers and shards can load
 * the same scenario from it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimUsageError } from '../../core/errors.js';
import { parseTrace, TRACE_FORMAT } from '../../capture/trace-format.js';
import { profileOfTrace } from '../../capture/profile-extract.js';
import { parseProfileText, type WorkloadProfile } from '../../capture/workload-profile.js';
import type { ScenarioDefinition } from '../scenario.js';
import { replayScenario } from './replay-scenario.js';

export const REPLAY_PREFIX = 'replay:';
export const PRESETS = ['seed', 'llm-pretrain', 'vision-media', 'sweep', 'multi-node'] as const;

/** The folder of the preset profiles (profiles/ at the package root, from src/ or dist/src/). */
export function presetFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'profiles', 'seed.json')) && existsSync(join(dir, 'package.json'))) return join(dir, 'profiles');
    dir = dirname(dir);
  }
  throw new Error('the preset profiles folder (profiles/) is missing from this install');
}

/** `--profile NAME` → the scenario reference `replay:<path>`. */
export function presetRef(name: string): string {
  if (!(PRESETS as readonly string[]).includes(name)) throw new SimUsageError(`--profile "${name}" is not a preset: use ${PRESETS.join(', ')}, or --scenario replay:FILE.`);
  return `${REPLAY_PREFIX}${join(presetFolder(), `${name}.json`)}`;
}

/** `replay:FILE` plus `#speed=N` when the speed is not 1. */
export function withReplaySpeed(ref: string, speed: number): string {
  if (!ref.startsWith(REPLAY_PREFIX)) throw new SimUsageError('--replay-speed needs --scenario replay:FILE or --profile NAME.');
  if (!(speed > 0) || !Number.isFinite(speed)) throw new SimUsageError('--replay-speed must be a number above 0.');
  return `${ref.replace(/#speed=.*$/, '')}#speed=${speed}`;
}

export function isReplayRef(ref: string): boolean {
  return ref.startsWith(REPLAY_PREFIX);
}

/** Reads a trace or a profile file; a trace is turned into its profile on the way. */
export async function readWorkload(path: string): Promise<WorkloadProfile> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new SimUsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  const head = text.slice(0, 200);
  if (head.includes(`"${TRACE_FORMAT}"`)) {
    const profile = profileOfTrace(parseTrace(text, path), path.split(/[\\/]/).pop()!.replace(/\.[^.]*$/, ''));
    if (profile.jobs.length === 0) throw new SimUsageError(`${path} holds no SDK run to replay (no request carried X-Run-Name).`);
    return profile;
  }
  return parseProfileText(text, path);
}

/** The scenario of a `replay:` reference. */
export async function loadReplayScenario(ref: string): Promise<ScenarioDefinition> {
  const m = /^replay:(.+?)(?:#speed=([^#]*))?$/.exec(ref);
  if (!m) throw new SimUsageError('--scenario replay: needs a file, e.g. replay:./job.trace.jsonl.');
  const speed = m[2] === undefined ? 1 : Number(m[2]);
  if (!(speed > 0)) throw new SimUsageError(`the replay speed "${m[2]}" must be a number above 0.`);
  const profile = await readWorkload(resolve(m[1]));
  return replayScenario(profile, { speed });
}
