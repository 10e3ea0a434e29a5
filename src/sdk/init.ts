import { randomInt } from 'node:crypto';
import { SdkAuthError, SdkConnectionError, SdkRequestError, SdkRunExistsError } from './errors.js';
import { loginResolved } from './login.js';
import { pyDumps } from './values/python-json.js';
import { apiPolicy, sendWithRetry, serverReason } from './sync/retry.js';
import { Run } from './run.js';
import { loggerSettingsSnapshot, resolveSettings, type Settings } from './settings.js';
import { systemMetadata } from './system-info.js';
import { defaultDispatcher, targetOf } from './sync/transport.js';
import { printable, standardHeaders } from './sync/wire-headers.js';

export interface InitOptions {
  project?: string;
  name?: string;
  config?: Record<string, unknown>;
  tags?: string[];
  /** Resume by numeric id, display id (`ABC-12`) or an external id (§1.3 _classify_run_id). */
  runId?: number | string;
  resume?: boolean;
  settings?: Settings;
}

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Default run name: 8 random chars of [a-zA-Z0-9] (§3.1 util.gen_id). */
function genId(n = 8): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ID_CHARS[randomInt(ID_CHARS.length)];
  return s;
}

type RunRef = { kind: 'id'; id: number } | { kind: 'display'; id: string } | { kind: 'external'; id: string } | null;

function classifyRunId(v: number | string | null | undefined): RunRef {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'number' || /^\d+$/.test(v)) return { kind: 'id', id: Number(v) };
  if (/^[A-Z0-9]{1,4}-\d+$/.test(v)) return { kind: 'display', id: v };
  return { kind: 'external', id: v };
}

/**
 * init() (§3.2): login, then POST /api/runs/create (or /resume for a numeric or display id)
 * with X-Run-Id: None, then start the run (system metric names, monitor, sync loop).
 * Errors after the §9 retry policy: SdkAuthError, SdkRequestError, SdkConnectionError.
 */
export async function init(opts: InitOptions = {}): Promise<Run> {
  const s = resolveSettings(opts.settings);
  // init() logs in itself: /api/slug appears twice (docs/protocol/sdk.md §15.1). With a key given,
  // v2 only reports a failed login and goes on (§2 step 5); a rejected key is our typed error.
  try {
    await loginResolved(s);
  } catch (err) {
    if (err instanceof SdkAuthError) throw err;
  }
  const project = printable(opts.project ?? s.project);
  const name = printable(opts.name ?? genId());
  const fromEnv = opts.runId === undefined && s.envRunId !== null;
  const ref = classifyRunId(opts.runId ?? s.envRunId);
  const dispatcher = s.dispatcher ?? defaultDispatcher();
  const headers = standardHeaders(s._auth, 'application/json', s.tag, 'None', name, project);
  let url: string;
  let body: string;
  if (ref?.kind === 'id') {
    url = s.endpoints.resume;
    body = pyDumps({ runId: ref.id });
  } else if (ref?.kind === 'display') {
    url = s.endpoints.resume;
    body = pyDumps({ displayId: ref.id });
  } else {
    url = s.endpoints.start;
    // §3.3 create body, keys in the captured order (captured, main.jsonl seq 3).
    body = pyDumps({
      runName: name,
      projectName: project,
      externalId: ref?.kind === 'external' ? ref.id : null,
      config: opts.config ? pyDumps(opts.config) : null,
      loggerSettings: pyDumps({ ...loggerSettingsSnapshot(s), project }),
      systemMetadata: pyDumps(s.disable_system_metrics ? {} : systemMetadata(s._auth ?? undefined)),
      tags: opts.tags ?? null,
      createdAt: null,
      updatedAt: null,
    });
  }
  const out = await sendWithRetry(dispatcher, s.observer, apiPolicy(s), { method: 'POST', target: targetOf('POST', url), headers, body });
  if (!out.ok) {
    if (out.status === 401) throw new SdkAuthError('The server rejected the API key (expired, revoked or unknown).');
    if (out.status === null) throw new SdkConnectionError(`Failed to create or resume run: cannot reach ${s.url_api} (${out.failure ?? 'network error'}).`);
    throw new SdkRequestError(`Failed to create run: HTTP ${out.status}: ${serverReason(out.body)}.`, out.status);
  }
  let res: { runId?: unknown; url?: unknown; displayId?: unknown; resumed?: unknown; projectName?: unknown };
  try {
    res = JSON.parse(out.body) as typeof res;
  } catch {
    throw new SdkRequestError('Failed to create run: the server answered with invalid JSON.', out.status);
  }
  const runId = Number(res.runId);
  if (!Number.isSafeInteger(runId)) throw new SdkRequestError('Failed to create run: the answer has no runId.', out.status);
  const resumed = res.resumed === true;
  // §3.5 collision rule.
  if (resumed && !opts.resume && ref?.kind !== 'id' && ref?.kind !== 'display' && !fromEnv) {
    throw new SdkRunExistsError(`A run with this id already exists (run ${runId}); pass resume: true to continue it.`);
  }
  const run = new Run(
    {
      id: runId,
      name,
      project,
      url: typeof res.url === 'string' ? res.url : '',
      displayId: typeof res.displayId === 'string' ? res.displayId : null,
      resumed,
    },
    s,
    dispatcher,
    opts.tags ?? [],
  );
  await run.start();
  return run;
}
