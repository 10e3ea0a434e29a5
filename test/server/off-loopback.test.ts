/**
 * The reference server bound off loopback (0.0.0.0, as in a shared CI network), reached here
 * through 127.0.0.1 only: it reports the address it really bound, its control routes answer 401
 * without an accepted key as Bearer, the public default key is off, and it will not start without
 * a key of its own. On loopback everything stays open, as before.
 */
import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../src/server/control-auth.js';
import { DEFAULT_API_KEY, ServerStartError, startReferenceServer } from '../../src/server/index.js';
import { ingestHeaders, metricLine, send, serversStoppedAfterEach } from './client.js';

const start = serversStoppedAfterEach();
const KEY = 'mlps_off_loopback_test_key_0123456789';
const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.3.4.5', 'localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])('%s is loopback', (h) => {
    expect(isLoopbackHost(h)).toBe(true);
  });
  it.each(['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', '::ffff:10.0.0.1', 'fe80::1', 'ci-runner.internal', '128.0.0.1'])('%s is not', (h) => {
    expect(isLoopbackHost(h)).toBe(false);
  });
});

describe('bound to 0.0.0.0', () => {
  it('refuses to start with only the public default key, even when asked for it explicitly', async () => {
    for (const opts of [{}, { defaultKey: DEFAULT_API_KEY }, { defaultKey: false as const }, { keys: [DEFAULT_API_KEY] }]) {
      const err = await startReferenceServer({ host: '0.0.0.0', port: 0, ...opts }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServerStartError);
      expect((err as ServerStartError).problem).toBe('public-key');
      expect((err as Error).message).toMatch(/^Listening on 0\.0\.0\.0 lets other machines reach the reference server and its control routes, and the default API key is public: give it a key of your own \(the keys option\)\.$/);
    }
  });

  it('says where it listens, and where this machine reaches it', async () => {
    const s = await start({ host: '0.0.0.0', port: 0, keys: [KEY] });
    expect(s.listening).toBe(`http://0.0.0.0:${s.port}`);
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
    expect(s.controlAuth).toBe(true);
    expect(s.key).toBe(''); // the public default key is off
  });

  it('answers a control request without an accepted key with 401, and leaves the faults alone', async () => {
    const s = await start({ host: '0.0.0.0', port: 0, keys: [KEY] });
    for (const headers of [{ 'content-type': 'application/json' }, bearer('mlps_wrong_key_000000000000'), bearer(DEFAULT_API_KEY), { authorization: KEY }]) {
      const refused = await send(s.url, 'POST', '/_sim/faults', JSON.stringify({ errorRate: 1 }), headers);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer realm="mlop-sim control"');
      expect(refused.json<{ error: string }>().error).toContain('need Authorization: Bearer <an API key it accepts>');
      expect(refused.text).not.toContain(KEY);
    }
    for (const [method, path] of [['GET', '/_sim/stats'], ['POST', '/_sim/flush'], ['GET', '/_sim/runs'], ['GET', '/_sim/api-runs'], ['POST', '/_sim/dlq/replay'], ['POST', '/_sim/runs/1/cancel']] as const) {
      expect((await send(s.url, method, path)).status, `${method} ${path}`).toBe(401);
    }
    expect(s.stats().faults).toEqual({});

    const allowed = await send(s.url, 'POST', '/_sim/faults', JSON.stringify({ errorRate: 1 }), bearer(KEY));
    expect(allowed.status).toBe(200);
    expect(s.stats().faults).toMatchObject({ errorRate: 1 });
    expect((await send(s.url, 'GET', '/_sim/stats', undefined, bearer(KEY))).json<{ server: string }>().server).toBe('mlop-sim-reference');
  });

  it('takes its own key on the ingest and refuses the public default one', async () => {
    const s = await start({ host: '0.0.0.0', port: 0, keys: [KEY] });
    expect((await send(s.url, 'POST', '/ingest/metrics', metricLine(1), ingestHeaders('1', 'p', KEY))).status).toBe(200);
    expect((await send(s.url, 'POST', '/ingest/metrics', metricLine(1), ingestHeaders('1', 'p', DEFAULT_API_KEY))).status).toBe(422);
  });

  it('keeps the upload target open (the SDK PUTs to presigned-style URLs without a key)', async () => {
    const s = await start({ host: '0.0.0.0', port: 0, keys: [KEY] });
    const put = await send(s.url, 'PUT', '/_sim/storage/mlop/org/p/1/file/a.txt', 'hello');
    expect(put.status).not.toBe(401);
    expect(put.status).toBeLessThan(300);
  });
});

describe('on loopback', () => {
  it('stays as easy as before: control routes open, the default key accepted', async () => {
    const s = await start({ port: 0 });
    expect(s.controlAuth).toBe(false);
    expect(s.listening).toBe(s.url);
    expect(s.key).toBe(DEFAULT_API_KEY);
    expect((await send(s.url, 'POST', '/_sim/faults', JSON.stringify({ errorRate: 1 }), { 'content-type': 'application/json' })).status).toBe(200);
  });
});
