/**
 * Route dispatch for the one port that serves ingest, backend, heartbeat and control routes:
 * unknown path → 404 empty body, wrong method → 405 with `Allow` (axum defaults, docs/protocol/ingest.md §1.1), request
 * counting by "METHOD route status", and the request faults (reset, error status, latency).
 */
import { backendRoutes } from './backend/routes.js';
import type { ServerContext } from './context.js';
import { controlDispatch } from './control.js';
import { controlRefusal } from './control-auth.js';
import { injectedErrorBody } from './faults.js';
import { filesRoute } from './files/routes.js';
import { healthRoutes } from './health.js';
import type { FaultInjector } from './faults.js';
import { RESET, emptyReply, fixedReply, type BodyConsumer, type Dispatch, type Reply, type RequestHead } from './http/types.js';
import { ingestRoute, stepRoute } from './ingest/routes.js';

type Handler = (head: RequestHead) => BodyConsumer;

interface RouteEntry {
  methods: Record<string, Handler>;
  /** "METHOD path" per method, built once. */
  labels: Record<string, string>;
  allow: string;
  /** Part of the ingest service (the default scope of request faults). */
  ingest: boolean;
}

/** Requests by "METHOD route" label, then by status. */
export class RequestCounter {
  private readonly byLabel = new Map<string, Map<number, number>>();
  add(label: string, status: number): void {
    let byStatus = this.byLabel.get(label);
    if (!byStatus) {
      byStatus = new Map();
      this.byLabel.set(label, byStatus);
    }
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }
  /** The connection's reply hook; `head.route` holds the label ('' = not counted). */
  readonly onReply = (head: RequestHead, status: number): void => {
    if (head.route !== '') this.add(head.route, status);
  };
  /** { "METHOD route status": n } */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [label, byStatus] of this.byLabel) for (const [status, n] of byStatus) out[`${label} ${status}`] = n;
    return out;
  }
}

function delayed(inner: BodyConsumer, ms: number): BodyConsumer {
  return {
    data: (chunk) => inner.data(chunk),
    end: () =>
      new Promise<Reply>((resolve, reject) => {
        setTimeout(() => {
          Promise.resolve(inner.end()).then(resolve, reject);
        }, ms);
      }),
  };
}

/** Holds the answer while the server stalls (`stall` fault): checked when the body ends. */
function stalled(inner: BodyConsumer | typeof RESET, faults: FaultInjector): BodyConsumer | typeof RESET {
  if (inner === RESET) return inner;
  return {
    data: (chunk) => inner.data(chunk),
    end: () => {
      const hold = faults.stallHoldMs();
      if (hold <= 0) return inner.end();
      return new Promise<Reply>((resolve, reject) => {
        setTimeout(() => Promise.resolve(inner.end()).then(resolve, reject), hold);
      });
    },
  };
}

/** Holds the answer until the capacity queue completes the request (`capacityRps` fault). */
function queued(inner: BodyConsumer | typeof RESET, faults: FaultInjector): BodyConsumer | typeof RESET {
  if (inner === RESET) return inner;
  return {
    data: (chunk) => inner.data(chunk),
    end: () => {
      const wait = faults.capacity.admit();
      return new Promise<Reply>((resolve, reject) => {
        setTimeout(() => Promise.resolve(inner.end()).then(resolve, reject), wait);
      });
    },
  };
}

export function createDispatch(ctx: ServerContext, counter: RequestCounter): Dispatch {
  const table = new Map<string, RouteEntry>();
  const add = (routes: Record<string, Record<string, Handler>>, ingest: boolean): void => {
    for (const [path, methods] of Object.entries(routes)) {
      const labels = Object.fromEntries(Object.keys(methods).map((m) => [m, `${m} ${path}`]));
      table.set(path, { methods, labels, allow: Object.keys(methods).join(','), ingest });
    }
  };
  add(
    {
      '/ingest/metrics': { POST: ingestRoute(ctx, 'metrics') },
      '/ingest/logs': { POST: ingestRoute(ctx, 'logs') },
      '/ingest/data': { POST: ingestRoute(ctx, 'data') },
      '/files': { POST: filesRoute(ctx) },
      '/step': { POST: stepRoute(ctx) },
    },
    true,
  );
  add(healthRoutes(ctx), false);
  add(backendRoutes(ctx), false);
  const faults = ctx.faults;

  return (head) => {
    const { method, path } = head;
    if (path.startsWith('/_sim/')) {
      // Control routes are not counted, except the object-store stand-in.
      if (path.startsWith('/_sim/storage/')) head.route = `${method} /_sim/storage`;
      const refused = ctx.controlAuth ? controlRefusal(ctx.keys, head) : undefined;
      return refused ? fixedReply(refused) : controlDispatch(ctx, head);
    }
    const entry = table.get(path);
    if (entry === undefined) {
      head.route = `${method} *`;
      return fixedReply(emptyReply(404));
    }
    const handler = entry.methods[method];
    if (handler === undefined) {
      head.route = `${method} ${path}`;
      return fixedReply(emptyReply(405, { allow: entry.allow }));
    }
    head.route = entry.labels[method];
    const isHealth = path.startsWith('/health') || path === '/version' || path === '/api/health';
    const faulted = faultedRoute(head, handler, entry.ingest, isHealth);
    const served = faults.capacity.active && entry.ingest ? queued(faulted, faults) : faulted;
    if (faults.stallConfigured) return stalled(served, faults);
    return served;
  };

  function faultedRoute(head: Parameters<Handler>[0], handler: Handler, ingest: boolean, isHealth: boolean): BodyConsumer | typeof RESET {
    if (!faults.requestFaultsActive || isHealth || !faults.appliesTo(ingest)) return handler(head);
    const fate = faults.chooseRequestFault();
    if (fate.kind === 'reset') {
      counter.add(head.route, 0);
      return RESET;
    }
    const consumer =
      fate.kind === 'error'
        ? fixedReply({ status: fate.status, headers: { 'content-type': 'application/json' }, body: injectedErrorBody(fate.status) })
        : handler(head);
    const latency = faults.sampleLatencyMs();
    return latency > 0 ? delayed(consumer, latency) : consumer;
  }
}
