/**
 * Control routes under `/_sim/` (open on loopback, key-guarded off it: control-auth.ts; never
 * faulted, cannot clash with the real API): stats,
 * flush, per-run counts and rows for delivery audits, run cancellation, faults, DLQ replay.
 */
import type { ServerContext } from './context.js';
import { validateFaults } from './faults.js';
import { objectPutRoute, STORAGE_PREFIX } from './files/object-store.js';
import { collectBody, emptyReply, fixedReply, jsonReply, type BodyConsumer, type Reply, type RequestHead } from './http/types.js';
import { TABLES, type TableName } from './store/rows.js';

function queryParam(query: string, name: string): string | undefined {
  if (!query) return undefined;
  const v = new URLSearchParams(query).get(name);
  return v === null ? undefined : v;
}

/** How long `POST /_sim/flush` waits by default before it answers that the flush is stuck. */
export const FLUSH_WAIT_MS = 5_000;
const MAX_FLUSH_WAIT_MS = 60_000;

/**
 * `POST /_sim/flush[?waitMs=N]`: drains every queue, but answers within `waitMs` (default 5 s)
 * either way, so a caller can tell "stored" from "the storage cannot be read now" promptly.
 * 200 `{ok:true, …}` when every queue was drained (rows are stored, or in the DLQ / lost as the
 * counters say); 503 `{ok:false, error, …}` when the flush had not finished in time — a failing
 * flusher retries for seconds, a stalled one waits — with the same counters.
 */
async function boundedFlush(ctx: ServerContext, waitParam: string | undefined): Promise<Reply> {
  const asked = waitParam === undefined ? FLUSH_WAIT_MS : Number(waitParam);
  if (!Number.isFinite(asked) || asked < 0) return jsonReply(400, { error: 'waitMs must be a non-negative number of milliseconds' });
  const waitMs = Math.min(asked, MAX_FLUSH_WAIT_MS);
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([
    ctx.pipeline.flushAll().then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), waitMs))),
  ]);
  clearTimeout(timer);
  const c = ctx.pipeline.counters;
  const summary = {
    rowsQueued: Object.values(ctx.pipeline.queued()).reduce((s, n) => s + n, 0),
    flushFailures: c.flushFailures,
    batchesToDlq: c.batchesToDlq,
    rowsToDlq: c.rowsToDlq,
    rowsLost: c.rowsLost,
    dlqBatchesPending: ctx.dlq.statsSync().batches_pending,
  };
  if (finished) return jsonReply(200, { ok: true, ...summary });
  const why = ctx.faults.flushFailing
    ? `inserts are failing and being retried (${c.flushFailures} failed so far)`
    : ctx.faults.flushStallMs > 0
      ? `each insert is stalled for ${ctx.faults.flushStallMs} ms`
      : 'an insert is still running';
  return jsonReply(503, { ok: false, error: `the flush did not finish within ${waitMs} ms: ${why}`, ...summary });
}

export function controlDispatch(ctx: ServerContext, head: RequestHead): BodyConsumer {
  const { method, path } = head;
  if (path.startsWith(STORAGE_PREFIX)) {
    return method === 'PUT' ? objectPutRoute(ctx, head) : fixedReply(emptyReply(405, { allow: 'PUT' }));
  }
  const allow = (methods: string): BodyConsumer => fixedReply(emptyReply(405, { allow: methods }));

  switch (path) {
    case '/_sim/stats':
      return method === 'GET' ? fixedReply(() => jsonReply(200, ctx.stats())) : allow('GET');
    case '/_sim/flush':
      if (method !== 'POST') return allow('POST');
      return fixedReply(() => boundedFlush(ctx, queryParam(head.query, 'waitMs')));
    case '/_sim/runs':
      if (method !== 'GET') return allow('GET');
      return fixedReply(async () => jsonReply(200, { runs: await ctx.storage.countRuns(queryParam(head.query, 'project')) }));
    case '/_sim/api-runs':
      if (method !== 'GET') return allow('GET');
      return fixedReply(() =>
        jsonReply(200, {
          runs: ctx.runs.list().map((r) => ({
            runId: r.id, displayId: r.displayId, name: r.name, projectName: r.projectName, organizationSlug: r.organization.slug,
            externalId: r.externalId, status: r.status, tags: r.tags, config: r.config, logNames: Object.fromEntries(r.logNames),
            heartbeats: r.heartbeats, lastHeartbeat: r.lastHeartbeat,
          })),
        }),
      );
    case '/_sim/faults':
      if (method === 'GET') return fixedReply(() => jsonReply(200, ctx.faults.current));
      if (method !== 'POST') return allow('GET,POST');
      return collectBody(1024 * 1024, (buf) => {
        try {
          const faults = validateFaults(JSON.parse(buf.toString('utf8') || '{}'));
          ctx.faults.set(faults);
          return jsonReply(200, faults);
        } catch (err) {
          return jsonReply(400, { error: err instanceof SyntaxError ? 'faults must be JSON' : (err as Error).message });
        }
      });
    case '/_sim/dlq/replay':
      return method === 'POST' ? fixedReply(async () => jsonReply(200, { replayed: await ctx.replayDlq() })) : allow('POST');
  }

  const rows = /^\/_sim\/runs\/(\d+)\/rows$/.exec(path);
  if (rows) {
    if (method !== 'GET') return allow('GET');
    const table = queryParam(head.query, 'table') ?? 'mlop_metrics';
    if (!TABLES.includes(table as TableName)) return fixedReply(jsonReply(400, { error: `table must be one of ${TABLES.join(', ')}` }));
    return fixedReply(async () =>
      jsonReply(200, { rows: await ctx.storage.readRows(Number(rows[1]), table as TableName, queryParam(head.query, 'project')) }),
    );
  }
  const cancel = /^\/_sim\/runs\/(\d+)\/cancel$/.exec(path);
  if (cancel) {
    if (method !== 'POST') return allow('POST');
    return fixedReply(() => {
      const run = ctx.runs.getAny(Number(cancel[1]));
      if (!run) return jsonReply(404, { error: 'Run not found' });
      run.status = 'CANCELLED';
      return jsonReply(200, { runId: run.id, status: run.status });
    });
  }
  return fixedReply(emptyReply(404));
}
