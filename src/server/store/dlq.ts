/**
 * The dead-letter queue on disk (docs/protocol/ingest.md §3.4): one sub-folder per table plus
 * `.metadata/`, one JSON file per failed batch written as `<name>.tmp` then renamed.
 * Statistics are computed from the folder exactly as `/health/dlq` does (§3.5).
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TABLES, type Row, type TableName } from './rows.js';

export interface DlqStats {
  batches_pending: number;
  records_pending: number;
  disk_usage_mb: number;
}

export interface DlqBatchFile {
  table_name: TableName;
  timestamp: string;
  record_count: number;
  records: Row[];
}

export interface DlqBatchRef {
  table: TableName;
  file: string;
}

/** `<UTC yyyy-mm-ddTHH-MM-SS.mmm>_<uuidv4>.json` (§3.4). */
export function batchFileName(now: Date): string {
  const iso = now.toISOString(); // 2026-01-03T12:34:56.789Z
  return `${iso.slice(0, 10)}T${iso.slice(11, 13)}-${iso.slice(14, 16)}-${iso.slice(17, 23)}_${randomUUID()}.json`;
}

export class DeadLetterQueue {
  constructor(
    readonly path: string,
    readonly enabled: boolean,
    /** DLQ_MAX_DISK_MB (§3.4), default 10,240. */
    private readonly maxDiskMb = 10240,
  ) {}

  async init(): Promise<void> {
    if (!this.enabled) return;
    await mkdir(join(this.path, '.metadata'), { recursive: true });
    for (const t of TABLES) await mkdir(join(this.path, t), { recursive: true });
  }

  /** Writes one failed batch. Returns false when the batch could not be kept (disabled, quota, I/O). */
  async write(table: TableName, rows: readonly Row[]): Promise<boolean> {
    if (!this.enabled) return false;
    try {
      // Soft quota pre-check: current bytes + 1 KiB per record (§3.4).
      const used = await this.totalBytes();
      if (used + 1024 * rows.length > this.maxDiskMb * 1024 * 1024) return false;
      const dir = join(this.path, table);
      await mkdir(dir, { recursive: true });
      const now = new Date();
      const name = batchFileName(now);
      const content: DlqBatchFile = { table_name: table, timestamp: now.toISOString(), record_count: rows.length, records: rows as Row[] };
      const target = join(dir, name);
      // serde_json writes NaN/Infinity as null; JSON.stringify does the same (§3.4, inferred).
      await writeFile(`${target}.tmp`, JSON.stringify(content));
      await rename(`${target}.tmp`, target);
      return true;
    } catch {
      return false;
    }
  }

  /** Pending batches of one table, oldest first (names sort by time). */
  async list(table: TableName): Promise<DlqBatchRef[]> {
    if (!this.enabled) return [];
    const names = await readdir(join(this.path, table)).catch(() => [] as string[]);
    return names
      .filter((n) => n.endsWith('.json'))
      .sort()
      .map((n) => ({ table, file: join(this.path, table, n) }));
  }

  async read(ref: DlqBatchRef): Promise<DlqBatchFile> {
    return JSON.parse(await readFile(ref.file, 'utf8')) as DlqBatchFile;
  }

  async remove(ref: DlqBatchRef): Promise<void> {
    await rm(ref.file, { force: true });
  }

  /** `/health/dlq` (§3.5): *.json files across the table folders; records ≈ Σ floor(bytes/1024). */
  async stats(): Promise<DlqStats> {
    if (!this.enabled) return { batches_pending: 0, records_pending: 0, disk_usage_mb: 0 };
    let batches = 0;
    let records = 0;
    for (const t of TABLES) {
      for (const ref of await this.list(t)) {
        const st = await stat(ref.file).catch(() => null);
        if (!st) continue;
        batches++;
        records += Math.floor(st.size / 1024);
      }
    }
    const bytes = await this.totalBytes();
    return { batches_pending: batches, records_pending: records, disk_usage_mb: Math.floor(bytes / 2 ** 20) };
  }

  /** The same figures, read synchronously (for the stats accessor). */
  statsSync(): DlqStats {
    if (!this.enabled) return { batches_pending: 0, records_pending: 0, disk_usage_mb: 0 };
    let batches = 0;
    let records = 0;
    for (const t of TABLES) {
      let names: string[] = [];
      try {
        names = readdirSync(join(this.path, t));
      } catch {
        continue;
      }
      for (const n of names) {
        if (!n.endsWith('.json')) continue;
        try {
          records += Math.floor(statSync(join(this.path, t, n)).size / 1024);
          batches++;
        } catch {
          // removed meanwhile
        }
      }
    }
    return { batches_pending: batches, records_pending: records, disk_usage_mb: Math.floor(totalBytesSync(this.path) / 2 ** 20) };
  }

  /** Total bytes of every file under the DLQ path. */
  async totalBytes(dir = this.path): Promise<number> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    let total = 0;
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) total += await this.totalBytes(p);
      else if (e.isFile()) total += (await stat(p).catch(() => ({ size: 0 }))).size;
    }
    return total;
  }
}

function totalBytesSync(dir: string): number {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += totalBytesSync(p);
    else if (e.isFile()) {
      try {
        total += statSync(p).size;
      } catch {
        // removed meanwhile
      }
    }
  }
  return total;
}
