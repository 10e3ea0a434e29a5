import type { Dispatcher } from 'undici';
import type { NewNames } from './values/log-values.js';
import { pyDumps } from './values/python-json.js';
import { apiPolicy, sendWithRetry, singlePolicy } from './sync/retry.js';
import type { ResolvedSettings } from './settings.js';
import { targetOf, type Target } from './sync/transport.js';

/** Heartbeat (trigger) timeout: one attempt, 5 s (docs/protocol/sdk.md §9). */
const HEARTBEAT_TIMEOUT_MS = 5_000;

interface ApiTargets { meta: Target; trigger: Target; stop: Target }
/** Targets shared by runs with the same endpoints. */
const targetCache = new Map<string, ApiTargets>();

/** The backend calls a run makes besides the sync loop: names, heartbeat, final status. */
export class RunApi {
  private readonly targets: ApiTargets;

  constructor(
    private readonly s: ResolvedSettings,
    private readonly dispatcher: Dispatcher,
    private readonly headers: string[],
    private readonly runId: number,
  ) {
    const e = s.endpoints;
    const key = `${e.meta} ${e.trigger} ${e.stop}`;
    let t = targetCache.get(key);
    if (!t) {
      t = { meta: targetOf('POST', e.meta), trigger: targetOf('POST', e.trigger), stop: targetOf('POST', e.stop) };
      if (targetCache.size < 1000) targetCache.set(key, t);
    }
    this.targets = t;
  }

  /**
   * POST logName/add (`_update_meta`): the METRIC names first, then one request per other type in
   * the order met, one after the other, each with the API retries; never rejects.
   */
  async registerNames(fresh: NewNames): Promise<void> {
    const order = [...fresh.keys()].sort((a, b) => (a === 'METRIC' ? -1 : b === 'METRIC' ? 1 : 0));
    for (const logType of order) {
      await sendWithRetry(this.dispatcher, this.s.observer, apiPolicy(this.s), {
        method: 'POST', target: this.targets.meta, headers: this.headers,
        body: pyDumps({ runId: this.runId, logType, logName: fresh.get(logType) }),
      });
    }
  }

  /** POST {py}/api/runs/trigger {"runId"} (§10.1), one attempt; true when the run was CANCELLED. */
  async heartbeat(): Promise<boolean> {
    const out = await sendWithRetry(this.dispatcher, this.s.observer, singlePolicy(HEARTBEAT_TIMEOUT_MS), {
      method: 'POST', target: this.targets.trigger, headers: this.headers, body: pyDumps({ runId: this.runId }),
    });
    if (!out.ok) return false;
    try {
      return (JSON.parse(out.body) as { status?: unknown }).status === 'CANCELLED';
    } catch {
      return false; // not JSON: like a failed heartbeat
    }
  }

  /** §10.3 status update, retried including connection resets; returns the error, if any. */
  async updateStatus(status: string): Promise<string | null> {
    const out = await sendWithRetry(this.dispatcher, this.s.observer, apiPolicy(this.s, { retryResets: true }), {
      method: 'POST', target: this.targets.stop, headers: this.headers,
      body: pyDumps({ runId: this.runId, status, statusMetadata: null, statusUpdated: null }),
    });
    return out.ok ? null : out.error;
  }
}
