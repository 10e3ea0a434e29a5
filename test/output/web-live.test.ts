/**
 * The live page's pieces that need no browser: an update's recent history (Recorder.recentHistory)
 * is the full history's tail, chart for chart; a connecting page's update carries the whole
 * history as chart points without building the whole result; a run without --web makes no web
 * output and loads none of its code (registry.ts names src/output/web/ only in a type import and
 * a dynamic import); the flags' checks say one sentence.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../src/metrics/recorder.js';
import { outputsFor, type LiveRun } from '../../src/output/index.js';
import { updateEvent, webBind } from '../../src/output/web/index.js';
import { defineRun } from '../../src/run/definition.js';
import { thresholdSpecs } from '../../src/run/judging/gates.js';
import { attachLive } from '../../src/run/live-result.js';

describe('Recorder.recentHistory', () => {
  it('gives the chart figures of the whole history from that second on (what the page merges), and only those', () => {
    let now = 1_800_000_000_000;
    const r = new Recorder({ now: () => now });
    for (let s = 0; s < 20; s++) {
      now = 1_800_000_000_000 + s * 1000 + 10;
      for (let i = 0; i < 50; i++) r.record('POST', `/r${i % 3}`, 1 + ((i * 37 + s) % 23), i % 17 !== 0);
    }
    const all = r.history('Aggregated', () => true);
    const from = 1_800_000_000 + 15;
    const tail = r.recentHistory(() => true, from);
    expect(tail.map((p) => p.t)).toEqual(all.filter((p) => p.t >= from).map((p) => p.t));
    for (const p of tail) {
      const q = all.find((x) => x.t === p.t)!;
      expect([p.requests, p.failures, p.p50Ms, p.p95Ms, p.p99Ms, p.users]).toEqual([q.requests, q.failures, q.p50Ms, q.p95Ms, q.p99Ms, q.users]);
      expect(Object.keys(p).sort()).toEqual(['failures', 'p50Ms', 'p95Ms', 'p99Ms', 'requests', 't', 'users']);
    }
  });
});

describe('updateEvent', () => {
  it("gives a connecting page every second so far as chart points, and never builds the whole result's history", async () => {
    const t0 = 1_800_000_000_000;
    let now = t0;
    const recorder = new Recorder({ now: () => now, startMs: t0 });
    const def = await defineRun({ scenario: 'http', arrivalRate: '100', runTime: '30s', reportDir: false });
    let run: LiveRun | undefined;
    attachLive([{ name: 'test', attach: (live) => (run = live), stop: async () => [] }], {
      stats: () => recorder, activeUsers: () => 5, startedAt: new Date(t0), t0: performance.now(), loadDescription: '100 iterations/s', resettable: recorder,
    }, {
      scenario: def.scenario, judged: def.judged, plan: def.plan, dlq: {},
      specs: thresholdSpecs({ expressions: def.plan.thresholds, env: {}, overrides: {} }, def.judged),
      target: { ingestUrl: 'http://127.0.0.1:1', apiUrl: 'http://127.0.0.1:1', embedded: false },
    }, new AbortController(), () => undefined);
    for (let s = 0; s < 25; s++) {
      now = t0 + s * 1000 + 5;
      for (let i = 0; i < 40; i++) recorder.record('POST', `/ingest/r${i % 2}`, 1 + ((i * 31 + s) % 17), i % 13 !== 0, 200);
    }
    now = t0 + 25_030;
    // The whole result (every quantile and running total per point) is what made a late page cost a second.
    const guarded: LiveRun = { ...run!, result: () => { throw new Error('the whole result was built'); } };
    for (const full of [true, false]) {
      const u = JSON.parse(updateEvent(guarded, 'running', full, now));
      const data = JSON.parse(u.data);
      expect(u.full).toBe(full);
      expect(u.main).toContain('<h2>Statistics</h2>');
      const points: Record<string, number>[] = data.history.Aggregated;
      expect(points.map((p) => p.t)).toEqual(full ? Array.from({ length: 25 }, (_, s) => t0 / 1000 + s) : [22, 23, 24].map((s) => t0 / 1000 + s));
      for (const p of points) expect(Object.keys(p).every((k) => ['t', 'spanS', 'users', 'target', 'requests', 'failures', 'p50Ms', 'p95Ms', 'p99Ms'].includes(k))).toBe(true);
      expect(points.reduce((n, p) => n + p.requests, 0)).toBe(full ? 1000 : 120);
      expect(Object.keys(data).sort()).toEqual(['history', 'judged', 'load']);
    }
  });
});

describe('without --web', () => {
  it('no web output is made and registry.ts never imports the web code statically', () => {
    const outputs = outputsFor({ console: false, reportDir: false });
    expect(outputs.map((o) => o.name)).not.toContain('web');
    const registry = readFileSync(new URL('../../src/output/registry.ts', import.meta.url), 'utf8');
    const webImports = registry.split('\n').filter((l) => l.includes("'./web/"));
    expect(webImports.length).toBe(2);
    for (const line of webImports) expect(line).toMatch(/^import type |await import\('\.\/web\/index\.js'\)/);
    expect(outputsFor({ console: false, reportDir: false, web: { host: '127.0.0.1', port: 0 } }).map((o) => o.name)).toEqual(['web']);
  });
});

describe('webBind', () => {
  it('refuses a non-loopback bind without auth, a bad port, a malformed USER:PASS, with one sentence', () => {
    expect(() => webBind({ host: '0.0.0.0', port: 8089 })).toThrow(/--web-host 0\.0\.0\.0 .*--web-auth USER:PASS/);
    expect(() => webBind({ host: '127.0.0.1', port: 70000 })).toThrow(/--web-port must be a port number/);
    expect(() => webBind({ host: '127.0.0.1', port: 8089, auth: 'alice' })).toThrow(/USER:PASS/);
    expect(() => webBind({ host: '127.0.0.1', port: 8089, auth: ':pw' })).toThrow(/USER:PASS/);
    expect(webBind({ host: '0.0.0.0', port: 8089, auth: 'alice:pa:ss' }).auth).toEqual({ user: 'alice', pass: 'pa:ss' });
    expect(webBind({ host: 'localhost', port: 0 }).auth).toBeUndefined();
  });
});
