/**
 * The backend (:3001) and heartbeat (:3004) routes the SDK calls (docs/protocol/backend.md §5;
 * docs/protocol/sdk.md §10–§11), with their 401/400/404 shapes.
 */
import type { Organization } from '../auth.js';
import type { ServerContext } from '../context.js';
import { collectBody, jsonReply, textReply, type BodyConsumer, type Reply, type RequestHead } from '../http/types.js';
import { RUN_STATUSES, deepMerge, isPlainObject, type RunRecord } from './runs.js';
import { validate, zodErrorBody, type FieldSpec } from './validation.js';

const API_BODY_LIMIT = 16 * 1024 * 1024;
const LOG_TYPES = ['METRIC', 'IMAGE', 'VIDEO', 'AUDIO', 'FILE', 'TEXT', 'ARTIFACT', 'HISTOGRAM', 'TABLE', 'DATA'] as const;
const RUN_NOT_FOUND = { error: 'Run not found' };

type Body = Record<string, unknown>;
type ApiHandler = (org: Organization, body: Body) => Reply;
export type RouteHandler = (head: RequestHead) => BodyConsumer;

/** `withApiKey`, then the JSON body, then the route's schema (auth is registered first, §5). */
function apiRoute(ctx: ServerContext, schema: Record<string, FieldSpec> | null, handle: ApiHandler): RouteHandler {
  return (head) => {
    const auth = ctx.keys.checkBackend(head.headers.get('authorization'));
    const isJson = (head.headers.get('content-type') ?? '').toLowerCase().includes('json');
    return collectBody(API_BODY_LIMIT, (buf, overflow) => {
      if (!auth.ok) return jsonReply(401, auth.body);
      if (overflow) return jsonReply(413, { error: 'Payload Too Large' });
      let body: unknown = {};
      if (schema !== null && isJson) {
        try {
          body = JSON.parse(buf.toString('utf8'));
        } catch {
          return jsonReply(400, { error: 'Malformed JSON in request body' });
        }
      }
      if (schema !== null) {
        const issues = validate(body, schema);
        if (issues.length > 0) return jsonReply(400, zodErrorBody(issues));
      }
      return handle(auth.organization, body as Body);
    });
  };
}

/** Parses a JSON-encoded string field; undefined/null → {}; returns null when it is not valid JSON. */
function jsonField(v: unknown): Record<string, unknown> | null {
  if (v === undefined || v === null) return {};
  try {
    const parsed: unknown = JSON.parse(v as string);
    return isPlainObject(parsed) ? parsed : {};
  } catch {
    return null;
  }
}

export function runResponse(ctx: ServerContext, run: RunRecord, resumed: boolean): object {
  return {
    runId: run.id,
    number: run.number,
    displayId: run.displayId,
    projectName: run.projectName,
    organizationSlug: run.organization.slug,
    // The real url ends in sqid(runId); this server uses the id itself.
    url: `${ctx.baseUrl()}/o/${run.organization.slug}/projects/${encodeURIComponent(run.projectName)}/${run.id}`,
    resumed,
    forkedFromRunId: run.forkedFromRunId,
    forkStep: run.forkStep,
  };
}

const opt = (type: FieldSpec['type']): FieldSpec => ({ type, optional: true, nullable: true });
const req = (type: FieldSpec['type']): FieldSpec => ({ type });

export function backendRoutes(ctx: ServerContext): Record<string, Record<string, RouteHandler>> {
  const runs = ctx.runs;
  const slug = apiRoute(ctx, null, (org) => jsonReply(200, { organization: { slug: org.slug } }));

  const create = apiRoute(
    ctx,
    {
      runName: req('string'), projectName: req('string'), externalId: opt('nonEmptyString'), tags: opt('string[]'),
      loggerSettings: opt('string'), systemMetadata: opt('string'), config: opt('string'), createdAt: opt('number'),
      updatedAt: opt('number'), forkRunId: opt('number'), forkStep: opt('number'), inheritConfig: opt('boolean'), inheritTags: opt('boolean'),
    },
    (org, b) => {
      const projectName = b.projectName as string;
      const externalId = (b.externalId as string | null | undefined) ?? null;
      if (externalId !== null) {
        const existing = runs.byExternalId(org, projectName, externalId);
        if (existing) return jsonReply(200, runResponse(ctx, existing, true));
      }
      const tags = (b.tags as string[] | null | undefined) ?? [];
      if (tags.filter((t) => t.startsWith('group:')).length > 1) return jsonReply(400, { error: 'A run can have at most one group:* tag.' });
      const config = jsonField(b.config);
      const loggerSettings = jsonField(b.loggerSettings);
      if (config === null || loggerSettings === null || jsonField(b.systemMetadata) === null) {
        return jsonReply(400, { error: 'Invalid JSON format in request body' });
      }
      const forkRunId = (b.forkRunId as number | null | undefined) ?? null;
      const forkStep = (b.forkStep as number | null | undefined) ?? null;
      if (forkRunId !== null) {
        if (forkStep === null) return jsonReply(400, { error: 'forkStep is required when forkRunId is provided' });
        if (!runs.inProject(org, projectName, forkRunId)) return jsonReply(400, { error: 'Fork parent run not found in this project' });
      }
      const run = runs.create(org, {
        name: b.runName as string, projectName, externalId, tags, config, loggerSettings,
        forkedFromRunId: forkRunId, forkStep: forkRunId === null ? null : forkStep, createdAt: (b.createdAt as number | undefined) ?? Date.now(),
      });
      return jsonReply(200, runResponse(ctx, run, false));
    },
  );

  const resume = apiRoute(
    ctx,
    { runId: opt('number'), displayId: opt('string'), externalId: opt('string'), projectName: opt('string') },
    (org, b) => {
      const given = ['runId', 'displayId', 'externalId'].filter((k) => b[k] !== undefined && b[k] !== null);
      if (given.length !== 1) return jsonReply(400, { error: 'Exactly one of runId, displayId or externalId is required' });
      let run: RunRecord | undefined;
      if (given[0] === 'runId') run = runs.get(org, b.runId);
      else if (given[0] === 'externalId') {
        if (typeof b.projectName !== 'string') return jsonReply(400, { error: 'projectName is required with externalId' });
        run = runs.byExternalId(org, b.projectName, b.externalId as string);
      } else {
        const matches = runs.byDisplayId(org, b.displayId as string, b.projectName as string | undefined);
        if (matches.length > 1) return jsonReply(409, { error: 'displayId is ambiguous; give projectName' });
        run = matches[0];
      }
      if (!run) return jsonReply(404, RUN_NOT_FOUND);
      run.status = 'RUNNING';
      return jsonReply(200, runResponse(ctx, run, true));
    },
  );

  const statusUpdate = apiRoute(
    ctx,
    { runId: req('number'), status: req({ enum: RUN_STATUSES }), statusMetadata: opt('string'), loggerSettings: opt('string'), statusUpdated: opt('number') },
    (org, b) => {
      const run = runs.get(org, b.runId);
      if (!run) return jsonReply(404, RUN_NOT_FOUND);
      const loggerSettings = jsonField(b.loggerSettings);
      if (loggerSettings === null) return jsonReply(400, { error: 'Invalid loggerSettings JSON' });
      if (jsonField(b.statusMetadata) === null) return jsonReply(400, { error: 'Invalid statusMetadata JSON' });
      run.status = b.status as RunRecord['status'];
      run.loggerSettings = deepMerge(run.loggerSettings, loggerSettings);
      return jsonReply(200, { success: true });
    },
  );

  const logNameAdd = apiRoute(ctx, { runId: req('number'), logName: req('string[]'), logType: req({ enum: LOG_TYPES }) }, (org, b) => {
    const run = runs.get(org, b.runId);
    if (!run) return jsonReply(404, RUN_NOT_FOUND);
    for (const name of b.logName as string[]) run.logNames.set(name, b.logType as string);
    return jsonReply(200, { success: true });
  });

  const tagsUpdate = apiRoute(ctx, { runId: req('number'), tags: req('string[]') }, (org, b) => {
    const run = runs.get(org, b.runId);
    if (!run) return jsonReply(404, RUN_NOT_FOUND);
    const tags = b.tags as string[];
    if (tags.filter((t) => t.startsWith('group:')).length > 1) return jsonReply(400, { error: 'A run can have at most one group:* tag.' });
    run.tags = tags;
    return jsonReply(200, { success: true });
  });

  const configUpdate = apiRoute(ctx, { runId: req('number'), config: req('string') }, (org, b) => {
    const run = runs.get(org, b.runId);
    if (!run) return jsonReply(404, RUN_NOT_FOUND);
    let parsed: unknown;
    try {
      parsed = JSON.parse(b.config as string);
    } catch {
      return jsonReply(400, { error: 'Invalid config JSON' });
    }
    if (!isPlainObject(parsed)) return jsonReply(400, { error: 'Invalid config JSON: expected an object' });
    run.config = deepMerge(run.config, parsed);
    return jsonReply(200, { success: true });
  });

  const modelGraph = apiRoute(ctx, { runId: req('number'), graph: req('object') }, (org, b) =>
    runs.get(org, b.runId) ? jsonReply(200, { success: true }) : jsonReply(404, RUN_NOT_FOUND),
  );

  // Heartbeat (py server, docs/protocol/backend.md §5.3, docs/protocol/sdk.md §10.1): records liveness, answers the run's status.
  const trigger = apiRoute(ctx, { runId: req('number') }, (org, b) => {
    const run = runs.get(org, b.runId);
    if (!run) return jsonReply(404, { detail: 'Run not found' });
    run.heartbeats++;
    run.lastHeartbeat = Date.now();
    return jsonReply(200, { status: run.status, triggers: null });
  });

  const alert = apiRoute(ctx, { runId: req('number'), alert: req('object') }, (org, b) =>
    runs.get(org, b.runId) ? jsonReply(200, { success: true }) : jsonReply(404, { detail: 'Run not found' }),
  );

  const validateKey = apiRoute(ctx, null, (org) =>
    jsonReply(200, { valid: true, organization: { id: org.id, slug: org.slug }, user: { id: 'user-loadtest' } }),
  );

  const health = (): BodyConsumer => collectBody(0, () => textReply(200, 'OK'));

  return {
    '/api/slug': { POST: slug },
    '/api/runs/create': { POST: create },
    '/api/runs/resume': { POST: resume },
    '/api/runs/status/update': { POST: statusUpdate },
    '/api/runs/logName/add': { POST: logNameAdd },
    '/api/runs/tags/update': { POST: tagsUpdate },
    '/api/runs/config/update': { POST: configUpdate },
    '/api/runs/modelGraph/create': { POST: modelGraph },
    '/api/runs/trigger': { POST: trigger },
    '/api/runs/alert': { POST: alert },
    '/api/runs/auth/validate': { GET: validateKey },
    '/api/health': { GET: health },
  };
}
