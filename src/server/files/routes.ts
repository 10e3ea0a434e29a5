/**
 * `POST /files` (docs/protocol/ingest.md §1.4): axum's `Json` extractor first (plain-text 415/413/400/
 * 422), then auth and headers with unwrapped 401/400, then one `mlop_files` row per file and a
 * map of upload URLs. The URLs point back at this server, whose `PUT` stands in for MinIO
 * (object-store.ts).
 */
import type { ServerContext } from '../context.js';
import { collectBody, jsonReply, textReply, type BodyConsumer, type Reply, type RequestHead } from '../http/types.js';
import { identifyCaller, parseRunId } from '../ingest/enrichment.js';
import { logGroupOf, type FileRow } from '../store/rows.js';
import { objectUrl } from './object-store.js';

/** axum's DefaultBodyLimit for `Json` (§1.4). */
const JSON_LIMIT = 2 * 1024 * 1024;

interface FileEntry {
  fileName: string;
  logName: string;
  fileSize: number;
  fileType: string;
  step: number;
  time: number;
  caption: string | null;
  sampleIndex: number;
  annotations: string | null;
}

class ShapeError extends Error {}

function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const essence = value.split(';')[0].trim().toLowerCase();
  return essence === 'application/json' || (essence.startsWith('application/') && essence.endsWith('+json'));
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  if (typeof v === 'number') return Number.isInteger(v) ? `integer \`${v}\`` : `floating point \`${v}\``;
  if (typeof v === 'boolean') return `boolean \`${v}\``;
  return Array.isArray(v) ? 'sequence' : 'map';
}

function entryField(o: Record<string, unknown>, at: string, name: string, kind: 'string' | 'u64' | 'u32'): string | number {
  const v = o[name];
  if (v === undefined) throw new ShapeError(`${at}: missing field \`${name}\``);
  if (kind === 'string') {
    if (typeof v !== 'string') throw new ShapeError(`${at}.${name}: invalid type: ${describe(v)}, expected a string`);
    return v;
  }
  const max = kind === 'u32' ? 4294967295 : Number.MAX_SAFE_INTEGER;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new ShapeError(`${at}.${name}: invalid type: ${describe(v)}, expected ${kind}`);
  }
  return v;
}

function optionalString(o: Record<string, unknown>, at: string, name: string): string | null {
  const v = o[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new ShapeError(`${at}.${name}: invalid type: ${describe(v)}, expected a string`);
  return v;
}

/** `{"files":[...]}` → entries; unknown fields are ignored here (no deny_unknown_fields). */
function parseEntries(value: unknown): FileEntry[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ShapeError(`invalid type: ${describe(value)}, expected struct FilesRequest`);
  }
  const files = (value as Record<string, unknown>).files;
  if (files === undefined) throw new ShapeError('missing field `files`');
  if (!Array.isArray(files)) throw new ShapeError(`files: invalid type: ${describe(files)}, expected a sequence`);
  return files.map((f: unknown, i) => {
    const at = `files[${i}]`;
    if (f === null || typeof f !== 'object' || Array.isArray(f)) throw new ShapeError(`${at}: invalid type: ${describe(f)}, expected struct FileInput`);
    const o = f as Record<string, unknown>;
    let fileType: string;
    const ft = o.fileType;
    if (ft !== null && typeof ft === 'object' && !Array.isArray(ft) && typeof (ft as Record<string, unknown>).custom === 'string') {
      fileType = (ft as Record<string, string>).custom;
    } else {
      fileType = entryField(o, at, 'fileType', 'string') as string;
    }
    return {
      fileName: entryField(o, at, 'fileName', 'string') as string,
      logName: entryField(o, at, 'logName', 'string') as string,
      fileSize: entryField(o, at, 'fileSize', 'u64') as number,
      fileType,
      step: entryField(o, at, 'step', 'u64') as number,
      time: entryField(o, at, 'time', 'u64') as number,
      caption: optionalString(o, at, 'caption'),
      sampleIndex: o.sampleIndex === undefined || o.sampleIndex === null ? 0 : (entryField(o, at, 'sampleIndex', 'u32') as number),
      annotations: optionalString(o, at, 'annotations'),
    };
  });
}

/** serde_json-like position text for a JSON.parse failure. */
function syntaxText(body: string, err: unknown): string {
  if (body.trim().length === 0) return 'EOF while parsing a value at line 1 column 0';
  const m = err instanceof Error ? /position (\d+)/.exec(err.message) : null;
  const pos = m ? Number(m[1]) : 0;
  const before = body.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `expected value at line ${line} column ${column}`;
}

export function filesRoute(ctx: ServerContext): (head: RequestHead) => BodyConsumer {
  return (head) =>
    collectBody(JSON_LIMIT, async (buf, overflow): Promise<Reply> => {
      if (!isJsonContentType(head.headers.get('content-type'))) return textReply(415, 'Expected request with `Content-Type: application/json`');
      if (overflow) return textReply(413, 'Failed to buffer the request body: length limit exceeded');
      const text = buf.toString('utf8');
      let entries: FileEntry[];
      try {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (err) {
          return textReply(400, `Failed to parse the request body as JSON: ${syntaxText(text, err)}`);
        }
        entries = parseEntries(value);
      } catch (err) {
        if (err instanceof ShapeError) return textReply(422, `Failed to deserialize the JSON body into the target type: ${err.message}`);
        throw err;
      }
      const caller = identifyCaller(ctx.keys, head.headers);
      if (!caller.ok) return jsonReply(caller.error.status, caller.error.body());
      const { tenantId, enrichment } = caller;
      const runId = parseRunId(enrichment.runIdText);
      // The real handler panics here and drops the connection; a 400 is a documented divergence.
      if (runId === null) return jsonReply(400, { code: 'INVALID_HEADER_FORMAT', message: 'Invalid header value: X-Run-Id must be a number' });
      const out: Record<string, Array<Record<string, string>>> = {};
      for (const e of entries) {
        const row: FileRow = {
          tenantId, projectName: enrichment.projectName, runId, time: e.time, step: e.step, logGroup: logGroupOf(e.logName),
          logName: e.logName, fileName: e.fileName, fileType: e.fileType, fileSize: e.fileSize, caption: e.caption,
          sampleIndex: e.sampleIndex, annotations: e.annotations,
        };
        await ctx.pipeline.push('mlop_files', row);
        const key = `${tenantId}/${enrichment.projectName}/${runId}/${e.logName}/${e.fileName}`;
        (out[e.logName] ??= []).push({ [e.fileName]: objectUrl(ctx, key) });
      }
      return jsonReply(200, out);
    });
}
