/** The backend's runs (Postgres `Runs` stand-in): ids, display ids, status, tags, config, log names. */
import type { Organization } from '../auth.js';

export type RunStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'TERMINATED' | 'CANCELLED';
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'COMPLETED', 'FAILED', 'TERMINATED', 'CANCELLED'];

export interface RunRecord {
  id: number;
  number: number;
  displayId: string;
  name: string;
  projectName: string;
  organization: Organization;
  externalId: string | null;
  status: RunStatus;
  tags: string[];
  config: Record<string, unknown>;
  loggerSettings: Record<string, unknown>;
  logNames: Map<string, string>;
  forkedFromRunId: number | null;
  forkStep: number | null;
  createdAt: number;
  heartbeats: number;
  lastHeartbeat: number | null;
}

/** A project's display-id prefix: the upper-cased initials of its words ("load-test-project" → "LTP"). */
export function displayPrefix(projectName: string): string {
  const initials = projectName
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w[0].toUpperCase())
    .join('');
  return initials.length > 0 ? initials.slice(0, 6) : 'RUN';
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deep merge used for config and loggerSettings updates. */
export function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

export class RunRegistry {
  private nextId = 1;
  private readonly byId = new Map<number, RunRecord>();
  private readonly byExternal = new Map<string, number>();
  private readonly projectCounters = new Map<string, number>();

  create(organization: Organization, init: {
    name: string;
    projectName: string;
    externalId: string | null;
    tags: string[];
    config: Record<string, unknown>;
    loggerSettings: Record<string, unknown>;
    forkedFromRunId: number | null;
    forkStep: number | null;
    createdAt: number;
  }): RunRecord {
    const projectKey = `${organization.id}\u0000${init.projectName}`;
    const number = (this.projectCounters.get(projectKey) ?? 0) + 1;
    this.projectCounters.set(projectKey, number);
    const run: RunRecord = {
      id: this.nextId++,
      number,
      displayId: `${displayPrefix(init.projectName)}-${number}`,
      organization,
      status: 'RUNNING',
      logNames: new Map(),
      heartbeats: 0,
      lastHeartbeat: null,
      ...init,
    };
    this.byId.set(run.id, run);
    if (run.externalId !== null) this.byExternal.set(`${projectKey}\u0000${run.externalId}`, run.id);
    return run;
  }

  /** A run of this organization, or undefined. */
  get(organization: Organization, id: unknown): RunRecord | undefined {
    if (typeof id !== 'number') return undefined;
    const run = this.byId.get(id);
    return run && run.organization.id === organization.id ? run : undefined;
  }

  /** Any organization's run (control routes). */
  getAny(id: number): RunRecord | undefined {
    return this.byId.get(id);
  }

  byExternalId(organization: Organization, projectName: string, externalId: string): RunRecord | undefined {
    const id = this.byExternal.get(`${organization.id}\u0000${projectName}\u0000${externalId}`);
    return id === undefined ? undefined : this.byId.get(id);
  }

  byDisplayId(organization: Organization, displayId: string, projectName?: string): RunRecord[] {
    const out: RunRecord[] = [];
    for (const run of this.byId.values()) {
      if (run.organization.id !== organization.id || run.displayId !== displayId) continue;
      if (projectName !== undefined && run.projectName !== projectName) continue;
      out.push(run);
    }
    return out;
  }

  inProject(organization: Organization, projectName: string, id: number): RunRecord | undefined {
    const run = this.get(organization, id);
    return run && run.projectName === projectName ? run : undefined;
  }

  list(): RunRecord[] {
    return [...this.byId.values()];
  }
}
