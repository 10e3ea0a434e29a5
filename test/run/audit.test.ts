/**
 * The delivery audit against the real reference server on 127.0.0.1: rows the SDK says were
 * acked against rows stored, per run and in total — lost rows fail the run, duplicates are
 * counted, other projects are ignored, and a target without control routes is not storage-checked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDelivery } from '../../src/run/judging/audit.js';
import { TargetControl } from '../../src/run/target-control.js';
import type { SdkRun } from '../../src/load/sdk-session.js';
import { startReferenceServer, type ReferenceServer } from '../../src/server/index.js';

type Counts = ReturnType<SdkRun['delivery']>;

function fakeRun(id: number, counts: Counts): SdkRun {
  return { id, name: `run-${id}`, delivery: () => counts } as unknown as SdkRun;
}

/** Counts of a run whose records are all user metrics (the kinds the SDK reports, byKind). */
const counts = (ackedRows: number, extra: Partial<Omit<Counts, 'byKind'>> = {}): Counts => {
  const c = { logged: ackedRows, acked: ackedRows, failed: 0, pending: 0, ackedRows, ...extra };
  const none = { logged: 0, acked: 0, failed: 0, pending: 0, ackedRows: 0 };
  return { ...c, byKind: { metric: { ...c }, system: none, data: none, console: none, file: none, other: none } };
};

let server: ReferenceServer;
let control: TargetControl;

async function ingest(runId: number, project: string, steps: number[], keys = ['a', 'b']): Promise<void> {
  const lines = steps.map((step) => JSON.stringify({ time: 1_700_000_000_000 + step, step, data: Object.fromEntries(keys.map((k) => [k, step])) }));
  const res = await request(`${server.url}/ingest/metrics`, {
    method: 'POST',
    body: lines.join('\n') + '\n',
    headers: { authorization: `Bearer ${server.key}`, 'x-run-id': String(runId), 'x-project-name': project, 'content-type': 'application/x-ndjson' },
  });
  expect(res.statusCode).toBe(200);
  await res.body.text();
}

beforeAll(async () => {
  server = await startReferenceServer();
  control = new TargetControl();
  await ingest(101, 'audit', [1, 2, 3]); // 6 rows
  await ingest(101, 'audit', [2]); // the same 2 rows again: duplicates
  await ingest(102, 'audit', [1, 2, 3], ['a']); // 3 rows
  await ingest(103, 'elsewhere', [1, 2, 3, 4, 5]); // another project, same run id space
  await ingest(101, 'elsewhere', [9]); // run 101 of another project must not count
  // no server.flush(): the audit itself must flush the ingest buffers before it reads
});

afterAll(async () => {
  await control.close();
  await server.stop();
});

describe('auditDelivery on the reference server', () => {
  it('counts duplicates exactly, and a duplicated row fails the audit even when none is lost', async () => {
    const audit = await auditDelivery([fakeRun(101, counts(6))], 'audit', control, server.url, true);
    expect(audit.storageChecked).toBe(true);
    expect(audit.pass).toBe(false);
    expect(audit.runs).toMatchObject([
      { runId: 101, runName: 'run-101', logged: 6, acked: 6, failed: 0, pending: 0, expectedRows: 6, storedRows: 6, lostRows: 0, duplicatedRows: 2 },
    ]);
    // the same per table: every row here is a metrics row
    expect(audit.runs[0]!.tables?.mlop_metrics).toEqual({ expectedRows: 6, storedRows: 6, lostRows: 0, duplicatedRows: 2 });
    expect(audit.runs[0]!.kinds.metric).toEqual({ logged: 6, acked: 6, failed: 0, pending: 0, expectedRows: 6 });
  });

  it('fails when rows the SDK saw acked are missing, per run and in total', async () => {
    const runs = [fakeRun(101, counts(6)), fakeRun(102, counts(5, { logged: 7, failed: 1, pending: 1 })), fakeRun(104, counts(4))];
    const audit = await auditDelivery(runs, 'audit', control, server.url, true);
    expect(audit.pass).toBe(false);
    expect(audit.runs.map((r) => [r.runId, r.expectedRows, r.storedRows, r.lostRows, r.duplicatedRows])).toEqual([
      [101, 6, 6, 0, 2],
      [102, 5, 3, 2, 0],
      [104, 4, 0, 4, 0],
    ]);
    expect(audit.totals).toMatchObject({ logged: 17, acked: 15, failed: 1, pending: 1, expectedRows: 15, storedRows: 9, lostRows: 6, duplicatedRows: 2 });
    expect(audit.totals.tables?.mlop_metrics).toEqual({ expectedRows: 15, storedRows: 9, lostRows: 6, duplicatedRows: 2 });
  });

  it('never counts more stored rows than expected as lost', async () => {
    const audit = await auditDelivery([fakeRun(103, counts(2))], 'elsewhere', control, server.url, true);
    expect(audit.runs[0]).toMatchObject({ expectedRows: 2, storedRows: 10, lostRows: 0 });
    expect(audit.pass).toBe(true);
  });

  it('with storageCheck false reads nothing and judges the SDK counts only', async () => {
    const audit = await auditDelivery([fakeRun(104, counts(4, { failed: 3 }))], 'audit', control, server.url, false);
    expect(audit.storageChecked).toBe(false);
    expect(audit.pass).toBe(true);
    expect(audit.runs[0]).toMatchObject({ runId: 104, runName: 'run-104', logged: 4, acked: 4, failed: 3, pending: 0, expectedRows: 4 });
    expect(audit.runs[0]).not.toHaveProperty('storedRows');
    expect(audit.runs[0]).not.toHaveProperty('tables');
    expect(audit.totals).toMatchObject({ logged: 4, acked: 4, failed: 3, pending: 0, expectedRows: 4 });
  });
});

describe('auditDelivery on a target without control routes', () => {
  let other: Server;
  let url: string;
  beforeAll(async () => {
    other = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    other.closeAllConnections();
    await new Promise<void>((r) => other.close(() => r()));
  });

  it('calls the storage unreadable (a failed audit with the reason), never "every row lost" and never a pass', async () => {
    const audit = await auditDelivery([fakeRun(1, counts(10))], 'audit', control, url, true);
    expect(audit.storageChecked).toBe(false);
    expect(audit.storage).toBe('unreadable');
    expect(audit.storageProblem).toMatch(/POST \/_sim\/flush answered 404/);
    expect(audit.pass).toBe(false);
    expect(audit.totals.lostRows).toBeUndefined();
  });
});
