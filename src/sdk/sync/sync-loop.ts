import type { Dispatcher } from 'undici';
import { pyDumps } from '../values/python-json.js';
import { metricLine, ndjson } from '../values/ndjson.js';
import { KIND, KIND_COUNT, type QueuedFile, type QueuedRecord, type RecordQueue } from './record-queue.js';
import { sendWithRetry, singlePolicy, storagePolicy, syncPolicy } from './retry.js';
import type { ResolvedSettings } from '../settings.js';
import { targetOf, type Target } from './transport.js';
import { storageHeaders } from './wire-headers.js';

/** Per-run wire context of the sync loop. */
export interface SyncContext {
  settings: ResolvedSettings;
  dispatcher: Dispatcher;
  queue: RecordQueue;
  ndjsonHeaders: string[];
  jsonHeaders: string[];
  /** From syncTargets(settings), computed once per run. */
  targets: SyncTargets;
}

export interface SyncTargets {
  num: Target;
  data: Target;
  message: Target;
  file: Target;
  updateConfig: Target;
  updateTags: Target;
}

/** Presign timeout (§8.5): 30 s, urgent 5 s. */
const PRESIGN_TIMEOUT_MS = 30_000;
const URGENT_TIMEOUT_MS = 5_000;

/** Targets shared by every run with the same endpoints (bounded). */
const targetCache = new Map<string, SyncTargets>();

export function syncTargets(s: ResolvedSettings): SyncTargets {
  const e = s.endpoints;
  const key = `${e.num} ${e.data} ${e.message} ${e.file} ${e.updateConfig} ${e.updateTags}`;
  let t = targetCache.get(key);
  if (!t) {
    t = {
      num: targetOf('POST', e.num),
      data: targetOf('POST', e.data),
      message: targetOf('POST', e.message),
      file: targetOf('POST', e.file),
      updateConfig: targetOf('POST', e.updateConfig),
      updateTags: targetOf('POST', e.updateTags),
    };
    if (targetCache.size < 1000) targetCache.set(key, t);
  }
  return t;
}

/**
 * One sync cycle (docs/protocol/sdk.md §8.4): take ≤ batch_size records oldest first, group by kind
 * in the order METRIC, CONFIG, TAGS, SYSTEM, DATA, CONSOLE; one POST per group (config and tags:
 * one per record); then ≤ file_batch_size files: one presign POST, one PUT per file.
 * Returns how many records and files were acknowledged.
 */
export async function syncCycle(ctx: SyncContext, urgent: boolean): Promise<number> {
  const s = ctx.settings;
  const t = ctx.targets;
  const batch = ctx.queue.takeRecords(s.sync_process_batch_size);
  const unsettled: QueuedRecord[] = [];
  let synced = 0;
  if (batch.length) {
    const groups: QueuedRecord[][] = Array.from({ length: KIND_COUNT }, () => []);
    for (const r of batch) groups[r.kind].push(r);
    const policy = syncPolicy(s, urgent);
    const send = async (target: Target, headers: string[], body: string, records: QueuedRecord[]): Promise<void> => {
      const out = await sendWithRetry(ctx.dispatcher, s.observer, policy, { method: 'POST', target, headers, body });
      const at = performance.now();
      for (const r of records) {
        if (out.ok) {
          ctx.queue.ack(r, at);
          synced++;
        } else if (!ctx.queue.fail(r, at, out.error, urgent)) {
          unsettled.push(r);
        }
      }
    };
    for (let k = 0; k < KIND_COUNT; k++) {
      const g = groups[k];
      if (!g.length) continue;
      if (k === KIND.METRIC || k === KIND.SYSTEM) {
        await send(t.num, ctx.ndjsonHeaders, ndjson(g.map(metricLine)), g);
      } else if (k === KIND.DATA) {
        await send(t.data, ctx.ndjsonHeaders, ndjson(g.map((r) => r.line!)), g);
      } else if (k === KIND.CONSOLE) {
        await send(t.message, ctx.ndjsonHeaders, ndjson(g.map((r) => r.line!)), g);
      } else {
        const target = k === KIND.CONFIG ? t.updateConfig : t.updateTags;
        for (const r of g) await send(target, ctx.jsonHeaders, r.line!, [r]);
      }
    }
    // Failed records keep their place before anything logged meanwhile (ordered by creation).
    if (unsettled.length) {
      const keep = new Set(unsettled);
      ctx.queue.putBack(batch.filter((r) => keep.has(r)));
    }
  }
  synced += await syncFiles(ctx, t, urgent);
  return synced;
}

async function syncFiles(ctx: SyncContext, t: SyncTargets, urgent: boolean): Promise<number> {
  const s = ctx.settings;
  const files = ctx.queue.takeFiles(s.sync_process_file_batch_size);
  if (!files.length) return 0;
  const unsettled: QueuedFile[] = [];
  let synced = 0;
  const failAll = (list: QueuedFile[], error: string): void => {
    const at = performance.now();
    for (const f of list) if (!ctx.queue.fail(f, at, error, urgent)) unsettled.push(f);
  };
  const contents: Uint8Array[] = [];
  const readable: QueuedFile[] = [];
  for (const f of files) {
    try {
      contents.push(await f.file.load());
      readable.push(f);
    } catch (err) {
      ctx.queue.fail(f, performance.now(), `cannot read file: ${(err as Error).message}`, true);
    }
  }
  if (readable.length) {
    // Presign entry, keys in the order of `_get_presigned_urls` (docs/protocol/sdk.md §11.4).
    const entries = readable.map((f, i) => {
      const e: Record<string, unknown> = {
        fileName: f.file.fileName, fileSize: contents[i].byteLength, fileType: f.file.fileType,
        time: f.time, logName: f.logName, step: f.step, sampleIndex: f.sampleIndex,
      };
      if (f.file.caption !== null) e.caption = f.file.caption;
      if (f.file.annotations !== null) e.annotations = f.file.annotations;
      return e;
    });
    const presign = await sendWithRetry(ctx.dispatcher, s.observer, singlePolicy(urgent ? URGENT_TIMEOUT_MS : PRESIGN_TIMEOUT_MS), {
      method: 'POST', target: t.file, headers: ctx.jsonHeaders, body: pyDumps({ files: entries }),
    });
    if (!presign.ok) {
      failAll(readable, presign.error);
    } else {
      const urls = new Map<string, string>();
      try {
        const parsed = JSON.parse(presign.body) as Record<string, Record<string, string>[]>;
        for (const list of Object.values(parsed)) for (const one of list) for (const [k, v] of Object.entries(one)) urls.set(k, v);
      } catch {
        // handled below as missing URLs
      }
      const policy = storagePolicy(s, urgent);
      for (let i = 0; i < readable.length; i++) {
        const f = readable[i];
        const url = urls.get(f.file.fileName);
        if (!url) {
          failAll([f], 'no presigned URL for the file');
          continue;
        }
        const out = await sendWithRetry(ctx.dispatcher, s.observer, policy, {
          method: 'PUT', target: targetOf('PUT', url, '(storage)'), headers: storageHeaders(f.file.contentType), body: contents[i],
        });
        if (out.ok) {
          ctx.queue.ack(f, performance.now());
          synced++;
        } else {
          failAll([f], out.error);
        }
      }
    }
  }
  ctx.queue.putBackFiles(unsettled);
  return synced;
}
