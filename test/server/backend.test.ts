/** Backend and heartbeat routes the SDK calls (docs/protocol/backend.md §5, docs/protocol/sdk.md §10): 200/401/400/404 shapes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../src/server/index.js';
import { postJson, send } from './client.js';

const EXPIRED = 'mlps_expired_backend_key_00000000';
const REVOKED = 'mlpi_revoked_backend_key';
let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer({ keys: [{ key: EXPIRED, expiresAt: 1 }, { key: REVOKED, revokedAt: 1 }] });
});
afterAll(() => server.stop());

interface Created {
  runId: number;
  number: number;
  displayId: string;
  projectName: string;
  organizationSlug: string;
  url: string;
  resumed: boolean;
  forkedFromRunId: number | null;
  forkStep: number | null;
}

const create = async (body: Record<string, unknown>) => (await postJson(server.url, '/api/runs/create', body)).json<Created>();

describe('auth (withApiKey)', () => {
  it.each([
    [undefined, { error: 'Unauthorized' }],
    ['Bearer', { error: 'Unauthorized' }],
    ['Bearer nope_123', { error: 'Unauthorized', message: 'Invalid API key' }],
    ['Bearer mlps_not_a_known_key_000000', { error: 'Unauthorized', message: 'Key not found' }],
    [`Bearer ${EXPIRED}`, { error: 'Unauthorized', message: 'API key has expired' }],
    [`Bearer ${REVOKED}`, { error: 'Unauthorized', message: 'API key has been revoked' }],
  ])('Authorization %s → 401 %j', async (authorization, body) => {
    const a = await send(server.url, 'POST', '/api/slug', '', authorization ? { authorization } : {});
    expect([a.status, a.json()]).toEqual([401, body]);
  });

  it('auth runs before body validation: a bad body without a key is 401', async () => {
    const a = await send(server.url, 'POST', '/api/runs/create', '{"nope":1}', { 'content-type': 'application/json' });
    expect(a.status).toBe(401);
  });
});

describe('runs', () => {
  it('POST /api/slug answers the organization slug', async () => {
    expect((await send(server.url, 'POST', '/api/slug', '', { authorization: `Bearer ${server.key}` })).json()).toEqual({ organization: { slug: 'loadtest-org' } });
  });

  it('create answers numeric runId, displayId, url and resumed:false; externalId resumes the same run', async () => {
    const a = await create({ runName: 'r1', projectName: 'load-test-project', config: '{"lr":0.1}', tags: ['x'], externalId: null, createdAt: null });
    expect(a).toMatchObject({ number: 1, displayId: 'LTP-1', projectName: 'load-test-project', organizationSlug: 'loadtest-org', resumed: false, forkedFromRunId: null, forkStep: null });
    expect(typeof a.runId).toBe('number');
    expect(a.url).toBe(`${server.url}/o/loadtest-org/projects/load-test-project/${a.runId}`);
    const b = await create({ runName: 'r2', projectName: 'load-test-project', externalId: 'ext-1' });
    const again = await create({ runName: 'r2-again', projectName: 'load-test-project', externalId: 'ext-1' });
    expect(again).toMatchObject({ runId: b.runId, resumed: true, displayId: 'LTP-2' });
  });

  it('create rejects bad bodies: Zod 400 for missing fields, 400 for bad JSON strings, fork rules', async () => {
    const missing = await postJson(server.url, '/api/runs/create', { projectName: 'p' });
    expect(missing.status).toBe(400);
    expect(missing.json()).toMatchObject({ success: false, error: { name: 'ZodError', issues: [{ path: ['runName'], message: 'Required' }] } });
    const badConfig = await postJson(server.url, '/api/runs/create', { runName: 'r', projectName: 'p', config: '{nope' });
    expect([badConfig.status, badConfig.json()]).toEqual([400, { error: 'Invalid JSON format in request body' }]);
    const groups = await postJson(server.url, '/api/runs/create', { runName: 'r', projectName: 'p', tags: ['group:a', 'group:b'] });
    expect(groups.json()).toEqual({ error: 'A run can have at most one group:* tag.' });
    const fork = await postJson(server.url, '/api/runs/create', { runName: 'r', projectName: 'p', forkRunId: 1 });
    expect(fork.json()).toEqual({ error: 'forkStep is required when forkRunId is provided' });
    const malformed = await send(server.url, 'POST', '/api/runs/create', '{', { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' });
    expect(malformed.status).toBe(400);
  });

  it('resume by runId, displayId and externalId; 404 when unknown; 400 without exactly one selector', async () => {
    const run = await create({ runName: 'res', projectName: 'resume-p', externalId: 'e-9' });
    for (const sel of [{ runId: run.runId }, { displayId: run.displayId, projectName: 'resume-p' }, { externalId: 'e-9', projectName: 'resume-p' }]) {
      const a = await postJson(server.url, '/api/runs/resume', sel);
      expect([a.status, a.json<Created>().runId, a.json<Created>().resumed]).toEqual([200, run.runId, true]);
    }
    expect((await postJson(server.url, '/api/runs/resume', { runId: 999_999 })).status).toBe(404);
    expect((await postJson(server.url, '/api/runs/resume', {})).status).toBe(400);
  });

  it('status/update, logName/add, tags/update, config/update: 200 {"success":true}, 404 unknown run, 400 bad input', async () => {
    const { runId } = await create({ runName: 'upd', projectName: 'upd-p' });
    const ok = { success: true };
    expect((await postJson(server.url, '/api/runs/logName/add', { runId, logName: ['train/loss'], logType: 'METRIC' })).json()).toEqual(ok);
    expect((await postJson(server.url, '/api/runs/tags/update', { runId, tags: ['a', 'b'] })).json()).toEqual(ok);
    expect((await postJson(server.url, '/api/runs/config/update', { runId, config: '{"a":{"b":1}}' })).json()).toEqual(ok);
    expect((await postJson(server.url, '/api/runs/status/update', { runId, status: 'COMPLETED', statusMetadata: null, statusUpdated: null })).json()).toEqual(ok);
    const runs = (await send(server.url, 'GET', '/_sim/api-runs')).json<{ runs: Array<{ runId: number; status: string; tags: string[]; config: object; logNames: object }> }>().runs;
    expect(runs.find((r) => r.runId === runId)).toMatchObject({ status: 'COMPLETED', tags: ['a', 'b'], config: { a: { b: 1 } }, logNames: { 'train/loss': 'METRIC' } });

    for (const [path, body] of [
      ['/api/runs/logName/add', { runId: 424242, logName: ['x'], logType: 'METRIC' }],
      ['/api/runs/tags/update', { runId: 424242, tags: [] }],
      ['/api/runs/config/update', { runId: 424242, config: '{}' }],
      ['/api/runs/status/update', { runId: 424242, status: 'FAILED' }],
    ] as const) {
      const a = await postJson(server.url, path, body);
      expect([path, a.status, a.json()]).toEqual([path, 404, { error: 'Run not found' }]);
    }
    expect((await postJson(server.url, '/api/runs/status/update', { runId, status: 'DONE' })).status).toBe(400);
    expect((await postJson(server.url, '/api/runs/logName/add', { runId, logName: ['x'], logType: 'GRAPH' })).status).toBe(400);
    expect((await postJson(server.url, '/api/runs/config/update', { runId, config: '[1]' })).json()).toEqual({ error: 'Invalid config JSON: expected an object' });
    expect((await postJson(server.url, '/api/runs/config/update', { runId, config: '{' })).json()).toEqual({ error: 'Invalid config JSON' });
    expect((await postJson(server.url, '/api/runs/status/update', { runId, status: 'FAILED', statusMetadata: '{' })).json()).toEqual({ error: 'Invalid statusMetadata JSON' });
  });

  it('heartbeat /api/runs/trigger answers the run status; CANCELLED after a cancel (control route and library)', async () => {
    const a = await create({ runName: 'hb', projectName: 'hb-p' });
    expect((await postJson(server.url, '/api/runs/trigger', { runId: a.runId })).json()).toEqual({ status: 'RUNNING', triggers: null });
    const cancel = await send(server.url, 'POST', `/_sim/runs/${a.runId}/cancel`);
    expect(cancel.json()).toEqual({ runId: a.runId, status: 'CANCELLED' });
    expect((await postJson(server.url, '/api/runs/trigger', { runId: a.runId })).json()).toEqual({ status: 'CANCELLED', triggers: null });
    const b = await create({ runName: 'hb2', projectName: 'hb-p' });
    server.cancelRun(b.runId);
    expect((await postJson(server.url, '/api/runs/trigger', { runId: b.runId })).json<{ status: string }>().status).toBe('CANCELLED');
    expect((await postJson(server.url, '/api/runs/trigger', { runId: 31337 })).status).toBe(404);
    expect((await send(server.url, 'POST', '/_sim/runs/31337/cancel')).status).toBe(404);
  });
});
