/**
 * Assembles and starts the reference server: keys, storage (in memory, or a real ClickHouse with
 * `clickhouse`), pipeline, DLQ, faults, routes, sockets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyStore } from './auth.js';
import { RunRegistry } from './backend/runs.js';
import type { ServerContext } from './context.js';
import { assertSafeBinding, defaultKeyFor, isLoopbackHost } from './control-auth.js';
import { FaultInjector } from './faults.js';
import { listenError, parsePort, ServerStartError } from './listen.js';
import { DEFAULT_LIMITS, Http1Connection } from './http/connection.js';
import type { ReferenceServer, ReferenceServerOptions, ServerStats } from './options.js';
import { RequestCounter, createDispatch } from './router.js';
import { DeadLetterQueue } from './store/dlq.js';
import { IngestPipeline } from './store/pipeline.js';
import type { InsertMode } from './store/ports.js';
import { TABLES, type MetricRow, type Row, type TableName } from './store/rows.js';
import { ClickHouseRowStore } from './store/clickhouse/clickhouse-store.js';
import { MemoryRowStore } from './store/memory/row-storage.js';
import type { RowStore } from './store/ports.js';

const DEFAULTS = {
  queueCapacity: 1000, // docs/protocol/ingest.md §3.1
  flushIntervalMs: 5000, // §3.1
  flushRetryDelaysMs: [2000, 4000], // §3.2
  batchSize: 500_000, // §3.1
  rowCap: 2_000_000,
  maxLineBytes: 1024 * 1024,
  replayIntervalMs: 60_000, // §3.4 DLQ_REPLAY_INTERVAL_SECS
  maxBatchesPerTick: 10, // §3.4
};

function positiveInt(v: number | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer`);
  return v;
}

export async function startReferenceServer(opts: ReferenceServerOptions = {}): Promise<ReferenceServer> {
  const log = opts.log ?? (() => {});
  const started = Date.now();
  const keys = new KeyStore();
  const host = opts.host ?? '127.0.0.1';
  const controlAuth = !isLoopbackHost(host);
  const defaultKey = defaultKeyFor(host, opts.defaultKey);
  assertSafeBinding(host, defaultKey, opts.keys ?? []);
  if (defaultKey !== false) keys.add(defaultKey);
  for (const k of opts.keys ?? []) keys.add(k);

  const rowCap = positiveInt(opts.rowCap, DEFAULTS.rowCap, 'rowCap');
  const memory = opts.clickhouse ? undefined : new MemoryRowStore(rowCap);
  // A ClickHouse that cannot be used ends the start with one sentence (ClickHouseUnavailableError).
  const storage: RowStore = memory ?? (await ClickHouseRowStore.open(opts.clickhouse!));
  const faults = new FaultInjector(opts.faults);
  const ownDlqDir = opts.dlq?.path === undefined && opts.dlq?.enabled !== false;
  const dlqPath = opts.dlq?.path ?? (ownDlqDir ? mkdtempSync(join(tmpdir(), 'mlop-sim-dlq-')) : join(tmpdir(), 'mlop-sim-dlq-disabled'));
  const dlq = new DeadLetterQueue(dlqPath, opts.dlq?.enabled !== false, opts.dlq?.maxDiskMb);
  await dlq.init();

  let pipeline: IngestPipeline;
  /** Rows the dropRate / duplicateRate faults removed or wrote twice, so tests can check an audit exactly. */
  const faultCounts = { rowsDropped: 0, rowsDuplicated: 0 };
  /** The ClickHouse stand-in behind the flush faults (stalled / failing flusher). */
  const insert = async (table: TableName, rows: readonly Row[], mode: InsertMode = 'flush'): Promise<void> => {
    const stall = faults.flushStallMs;
    if (stall > 0) await pipeline.sleep(stall);
    if (faults.flushFailing) throw new Error('ClickHouse unavailable (injected)');
    const kept = faults.keptRows(rows);
    faultCounts.rowsDropped += rows.length - kept.length;
    await storage.insert(table, kept, mode);
    if (kept.length > 0 && faults.writeTwice()) {
      await storage.insert(table, kept, mode);
      faultCounts.rowsDuplicated += kept.length;
    }
  };
  const retryDelays = opts.flushRetryDelaysMs ?? DEFAULTS.flushRetryDelaysMs;
  if (!retryDelays.every((d) => Number.isFinite(d) && d >= 0)) throw new Error('flushRetryDelaysMs must hold non-negative numbers');
  pipeline = new IngestPipeline(
    {
      queueCapacity: Math.max(1, positiveInt(opts.queueCapacity, DEFAULTS.queueCapacity, 'queueCapacity')),
      flushIntervalMs: Math.max(1, positiveInt(opts.flushIntervalMs, DEFAULTS.flushIntervalMs, 'flushIntervalMs')),
      flushRetryDelaysMs: retryDelays,
      batchSize: DEFAULTS.batchSize,
    },
    insert,
    dlq,
    log,
  );

  let batchesReplayed = 0;
  let replayChain: Promise<number> = Promise.resolve(0);
  /** Replays up to `perTable` batches of each table; a batch that fails stays on disk. */
  const replay = (perTable: number): Promise<number> => {
    replayChain = replayChain.then(async () => {
      let replayed = 0;
      for (const table of TABLES) {
        const refs = (await dlq.list(table)).slice(0, perTable);
        for (const ref of refs) {
          try {
            const batch = await dlq.read(ref);
            if (!replayable(table, batch.records)) continue;
            await insert(table, batch.records, 'replay');
            await dlq.remove(ref);
            replayed++;
          } catch {
            // stays for the next tick
          }
        }
      }
      batchesReplayed += replayed;
      if (replayed > 0) log(`replayed ${replayed} DLQ batch(es)`);
      return replayed;
    });
    return replayChain;
  };

  const runs = new RunRegistry();
  const objects = { sizes: new Map<string, number>(), bytes: 0 };
  const counter = new RequestCounter();
  let url = '';

  const stats = (): ServerStats => ({
    server: 'mlop-sim-reference',
    requests: counter.snapshot(),
    rowsStored: storage.rowsStored(),
    store: storage instanceof ClickHouseRowStore ? storage.displayUrl : 'memory',
    rowsQueued: pipeline.queued(),
    rowCap,
    bodiesDropped: storage.bodiesDropped,
    ...pipeline.counters,
    batchesReplayed,
    dlq: dlq.statsSync(),
    objects: { count: objects.sizes.size, bytes: objects.bytes },
    apiRuns: runs.list().length,
    faults: faults.current,
    faultRowsDropped: faultCounts.rowsDropped,
    faultRowsDuplicated: faultCounts.rowsDuplicated,
    capacityQueue: faults.capacity.stats(),
    uptimeMs: Date.now() - started,
  });

  const ctx: ServerContext = {
    keys, controlAuth, runs, storage, pipeline, faults, dlq, objects,
    maxLineBytes: Math.max(1, positiveInt(opts.maxLineBytes, DEFAULTS.maxLineBytes, 'maxLineBytes')),
    baseUrl: () => opts.publicUrl ?? url,
    log,
    replayDlq: () => replay(Number.MAX_SAFE_INTEGER),
    stats,
  };

  const dispatch = createDispatch(ctx, counter);
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    new Http1Connection(
      socket,
      dispatch,
      DEFAULT_LIMITS,
      (err) => log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
      counter.onReply,
    );
  });

  let listenPort = 0;
  await new Promise<void>((resolve, reject) => {
    listenPort = parsePort(opts.port ?? 0);
    server.once('error', reject);
    server.listen(listenPort, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    pipeline.stop();
    void storage.close();
    if (ownDlqDir) rmSync(dlqPath, { recursive: true, force: true });
    throw err instanceof ServerStartError ? err : listenError(err, host, listenPort);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  url = `http://${urlHost}:${port}`;
  const bound = typeof address === 'object' && address ? address.address : host;
  const listening = `http://${bound.includes(':') ? `[${bound}]` : bound}:${port}`;

  pipeline.start();
  const dlqEnabled = opts.dlq?.enabled !== false;
  const replayTimer = dlqEnabled
    ? setInterval(() => void replay(opts.dlq?.maxBatchesPerTick ?? DEFAULTS.maxBatchesPerTick), opts.dlq?.replayIntervalMs ?? DEFAULTS.replayIntervalMs)
    : null;
  replayTimer?.unref();
  // DLQ_REPLAY_ON_STARTUP (§3.4): batches left by an earlier process under a given path.
  if (dlqEnabled && !ownDlqDir) void replay(Number.MAX_SAFE_INTEGER);
  log(`reference server listening on ${listening}${listening !== url ? ` (from this machine: ${url})` : ''}`);

  let stopping: Promise<void> | null = null;
  return {
    url,
    listening,
    controlAuth,
    port,
    key: defaultKey === false ? '' : defaultKey,
    stats,
    setFaults: (f) => faults.set(f),
    flush: () => pipeline.flushAll(),
    runs: (project) => memoryOnly(memory, 'runs').runCounts(project),
    rows: (runId, table, project) => memoryOnly(memory, 'rows').rows(runId, table, project),
    countRuns: (project) => storage.countRuns(project),
    readRows: (runId, table, project) => storage.readRows(runId, table, project),
    cancelRun: (runId) => {
      const run = runs.getAny(runId);
      if (!run) throw new Error(`No run ${runId} on this server.`);
      run.status = 'CANCELLED';
    },
    replayDlq: () => replay(Number.MAX_SAFE_INTEGER),
    stop: () => {
      stopping ??= (async () => {
        if (replayTimer) clearInterval(replayTimer);
        pipeline.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const s of sockets) s.destroy();
        await closed;
        await replayChain.catch(() => 0);
        await storage.close();
        if (ownDlqDir) rmSync(dlqPath, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

function memoryOnly(memory: MemoryRowStore | undefined, name: string): MemoryRowStore {
  if (!memory) throw new Error(`${name}() reads the in-memory store; with a ClickHouse store use ${name === 'runs' ? 'countRuns' : 'readRows'}().`);
  return memory;
}

/** A metrics batch whose NaN values came back as null cannot be reloaded (§3.4, inferred). */
function replayable(table: TableName, rows: Row[]): boolean {
  if (table !== 'mlop_metrics') return true;
  return rows.every((r) => typeof (r as MetricRow).value === 'number');
}
