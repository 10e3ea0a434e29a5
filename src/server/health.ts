/** `GET /health`, `/health/dlq`, `/health/ready`, `/version` (docs/protocol/ingest.md §3.5). */
import type { ServerContext } from './context.js';
import { collectBody, jsonReply, textReply, type BodyConsumer, type RequestHead } from './http/types.js';

type Route = (head: RequestHead) => BodyConsumer;

export function healthRoutes(ctx: ServerContext): Record<string, Record<string, Route>> {
  const health: Route = () => collectBody(0, () => textReply(200, 'OK'));
  const dlq: Route = () => collectBody(0, async () => jsonReply(200, await ctx.dlq.stats()));
  // The store's own check (a real `SELECT 1` with a ClickHouse store); a failing flusher
  // stands for ClickHouse being down too. Either reports it (503).
  const ready: Route = () =>
    collectBody(0, async () => {
      const check = await ctx.storage.health();
      const clickhouseUp = check.up && !ctx.faults.flushFailing;
      const body = {
        status: clickhouseUp ? 'healthy' : 'unhealthy',
        checks: {
          clickhouse: clickhouseUp
            ? { status: 'up', latency_ms: check.latencyMs }
            : { status: 'down', latency_ms: check.latencyMs, error: 'ClickHouse health check failed' },
          postgres: { status: 'up', latency_ms: 0 },
        },
      };
      return jsonReply(clickhouseUp ? 200 : 503, body);
    });
  const version: Route = () =>
    collectBody(0, () =>
      jsonReply(200, { service: 'ingest', version: 'mlop-sim-reference', gitCommit: 'unknown', gitBranch: 'unknown', buildTime: 'unknown' }),
    );
  return {
    '/health': { GET: health },
    '/health/dlq': { GET: dlq },
    '/health/ready': { GET: ready },
    '/version': { GET: version },
  };
}
