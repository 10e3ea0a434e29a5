/**
 * The embedded target: with no --host, the reference server runs in its own worker thread (so
 * its CPU does not distort the generator's timings) with its default key, and stops at the end.
 */
import { startReferenceServerInWorker, type FaultOptions } from '../server/index.js';
import type { ClickHousePlan, EmbeddedServerOptions } from './plan.js';

export interface EmbeddedTarget {
  url: string;
  key: string;
  stop(): Promise<void>;
}

/** With `clickhouse`, the server flushes its batches into that ClickHouse instead of memory. */
export async function startEmbeddedTarget(o: EmbeddedServerOptions, seed: number, clickhouse?: ClickHousePlan): Promise<EmbeddedTarget> {
  const faults: FaultOptions = { seed };
  if (o.latency) faults.latency = o.latency;
  else if (o.latencyMs) faults.latency = { kind: 'fixed', ms: o.latencyMs };
  if (o.errorRate) faults.errorRate = o.errorRate;
  if (o.capacityRps) faults.capacityRps = o.capacityRps;
  if (o.stall) faults.stall = { durationMs: o.stall.durationS * 1000, atMs: o.stall.atS * 1000 };
  const server = await startReferenceServerInWorker({
    port: o.port ?? 0,
    host: '127.0.0.1',
    faults,
    clickhouse: clickhouse && { url: clickhouse.url, username: clickhouse.username, password: clickhouse.password, database: clickhouse.database },
  });
  return { url: server.url, key: server.key, stop: () => Promise.resolve(server.stop()) };
}
