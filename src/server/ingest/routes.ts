/** `POST /ingest/{metrics,logs,data}` and `POST /step` (docs/protocol/ingest.md §1.3, §1.5). */
import type { ServerContext } from '../context.js';
import type { IngestKind } from '../errors.js';
import { collectBody, fixedReply, jsonReply, type BodyConsumer, type RequestHead } from '../http/types.js';
import { identifyCaller, ingestRunId } from './enrichment.js';
import { IngestStream, ingestFailure } from './stream.js';

export function ingestRoute(ctx: ServerContext, kind: IngestKind): (head: RequestHead) => BodyConsumer {
  const sink = ctx.pipeline.push.bind(ctx.pipeline);
  return (head) => {
    // Auth first, then the enrichment headers, then the body (§1.3 step 1).
    const caller = identifyCaller(ctx.keys, head.headers);
    if (!caller.ok) return fixedReply(ingestFailure(kind, caller.error));
    const { tenantId, enrichment } = caller;
    const rowContext = { tenantId, projectName: enrichment.projectName, runId: ingestRunId(enrichment.runIdText) };
    return new IngestStream(kind, rowContext, sink, ctx.maxLineBytes);
  };
}

/** `POST /step`: errors unwrapped (401/400); `{"step": max(step)}` of the run's metrics. */
export function stepRoute(ctx: ServerContext): (head: RequestHead) => BodyConsumer {
  return (head) =>
    collectBody(0, async () => {
      const caller = identifyCaller(ctx.keys, head.headers);
      if (!caller.ok) return jsonReply(caller.error.status, caller.error.body());
      const { tenantId, enrichment } = caller;
      const step = await ctx.storage.maxMetricStep(tenantId, enrichment.projectName, ingestRunId(enrichment.runIdText));
      return jsonReply(200, { step });
    });
}
