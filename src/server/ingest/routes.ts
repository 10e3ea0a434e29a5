/** `POST /ingest/{metrics,logs,data}` and `POST /step` (server-protocol.md §1.3, §1.5). */
import type { ServerContext } from '../context.js';
import { IngestError, type IngestKind } from '../errors.js';
import { collectBody, fixedReply, jsonReply, type BodyConsumer, type RequestHead } from '../http/types.js';
import { ingestRunId, readEnrichment } from './enrichment.js';
import { IngestStream, ingestFailure } from './stream.js';

export function ingestRoute(ctx: ServerContext, kind: IngestKind): (head: RequestHead) => BodyConsumer {
  const sink = ctx.pipeline.push.bind(ctx.pipeline);
  return (head) => {
    // Auth first, then the enrichment headers, then the body (§1.3 step 1).
    const auth = ctx.keys.checkIngest(head.headers.get('authorization'));
    if (!auth.ok) return fixedReply(ingestFailure(kind, auth.error));
    let enrichment;
    try {
      enrichment = readEnrichment(head.headers);
    } catch (err) {
      if (err instanceof IngestError) return fixedReply(ingestFailure(kind, err));
      throw err;
    }
    const rowContext = { tenantId: auth.organization.id, projectName: enrichment.projectName, runId: ingestRunId(enrichment.runIdText) };
    return new IngestStream(kind, rowContext, sink, ctx.maxLineBytes);
  };
}

/** `POST /step`: errors unwrapped (401/400); `{"step": max(step)}` of the run's metrics. */
export function stepRoute(ctx: ServerContext): (head: RequestHead) => BodyConsumer {
  return (head) =>
    collectBody(0, () => {
      const auth = ctx.keys.checkIngest(head.headers.get('authorization'));
      if (!auth.ok) return jsonReply(auth.error.status, auth.error.body());
      let enrichment;
      try {
        enrichment = readEnrichment(head.headers);
      } catch (err) {
        if (err instanceof IngestError) return jsonReply(err.status, err.body());
        throw err;
      }
      const step = ctx.storage.maxMetricStep(auth.organization.id, enrichment.projectName, ingestRunId(enrichment.runIdText));
      return jsonReply(200, { step });
    });
}
