/**
 * What a job costs the ingest, read from a trace: per run its rows per table (a metrics line of k
 * keys is k rows of mlop_metrics, a console line one row of mlop_logs, a data line one row of
 * mlop_data, a presigned file one row of mlop_files), its requests and request bytes, and the
 * same per second of the job's logging life: from the run's create request to the last line the
 * job logged (the profile's runLengthS; the drain after finish() is left out of the span because
 * it ends on the SDK's next 1 s tick, noise of up to a second). `mlop-sim profile --figures` prints them;
 * the replay test and the preset measurements compare them.
 */
import { splitRuns } from './profile-extract.js';
import { parseLooseJson } from './profile-extract.js';
import { pathOf, type Trace, type TraceExchange } from './trace-format.js';

export interface RunFigures {
  project: string;
  run: string;
  /** Seconds from the run's create to the last line the job logged. */
  durationS: number;
  requests: number;
  /** Request body bytes through the recorder (API, ingest, presign; storage PUTs only if their URLs point at it). */
  bytes: number;
  /** Bytes of the files the run presigned (what goes to object storage, wherever the PUT goes). */
  fileBytes: number;
  rows: { mlop_metrics: number; mlop_logs: number; mlop_data: number; mlop_files: number };
  requestsPerS: number;
  bytesPerS: number;
  rowsPerS: number;
}

function lines(ex: TraceExchange): Record<string, unknown>[] {
  if (!ex.body) return [];
  return ex.body.split('\n').filter((l) => l.trim()).map(parseLooseJson).filter((v): v is Record<string, unknown> => !!v && typeof v === 'object');
}

export function runFigures(trace: Trace): RunFigures[] {
  const t0 = Date.parse(trace.header.startedAt);
  return splitRuns(trace).map((r) => {
    let lastLine = -Infinity;
    const seen = (l: Record<string, unknown>) => {
      const t = Number(l.time);
      if (Number.isFinite(t) && t > lastLine) lastLine = t;
    };
    const rows = { mlop_metrics: 0, mlop_logs: 0, mlop_data: 0, mlop_files: 0 };
    let bytes = 0;
    let fileBytes = 0;
    for (const ex of r.exchanges) {
      bytes += ex.bodyBytes;
      const path = pathOf(ex.route);
      if (path === '/ingest/metrics') {
        for (const l of lines(ex)) {
          const keys = Object.keys((l.data as object) ?? {});
          rows.mlop_metrics += keys.length;
          if (!keys.every((k) => k.startsWith('sys/'))) seen(l);
        }
      } else if (path === '/ingest/logs') {
        for (const l of lines(ex)) {
          rows.mlop_logs++;
          const m = String(l.message ?? '');
          if (!m.startsWith('pluto: ') && !m.includes('[pluto-sync]')) seen(l);
        }
      } else if (path === '/ingest/data') {
        for (const l of lines(ex)) {
          rows.mlop_data++;
          seen(l);
        }
      } else if (path === '/files') {
        const files = (lines(ex)[0]?.files as Record<string, unknown>[]) ?? [];
        rows.mlop_files += files.length;
        for (const f of files) fileBytes += Number(f.fileSize ?? 0);
        files.forEach(seen);
      }
    }
    const lifeMs = Number.isFinite(lastLine) ? lastLine - (t0 + r.startT) : r.endT - r.startT;
    const durationS = Math.max(0.001, lifeMs / 1000);
    const total = rows.mlop_metrics + rows.mlop_logs + rows.mlop_data + rows.mlop_files;
    const per = (x: number) => Math.round((x / durationS) * 1000) / 1000;
    return {
      project: r.project, run: r.name, durationS: Math.round(durationS * 1000) / 1000, requests: r.exchanges.length, bytes, fileBytes, rows,
      requestsPerS: per(r.exchanges.length), bytesPerS: per(bytes), rowsPerS: per(total),
    };
  });
}
