import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** Python mimetypes for the extensions the SDK uploads (§11.4); fallback octet-stream. */
const MIME: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', bmp: 'image/bmp',
  svg: 'image/svg+xml', webp: 'image/webp', tif: 'image/tiff', tiff: 'image/tiff',
  wav: 'audio/x-wav', mp3: 'audio/mpeg', ogg: 'audio/ogg', flac: 'audio/flac',
  mp4: 'video/mp4', webm: 'video/webm', avi: 'video/x-msvideo',
  txt: 'text/plain', csv: 'text/csv', html: 'text/html', htm: 'text/html', json: 'application/json',
  md: 'text/markdown', py: 'text/x-python', pdf: 'application/pdf', zip: 'application/zip',
  tar: 'application/x-tar', gz: 'application/gzip',
};

export function mimeOf(ext: string): string {
  return MIME[ext.toLowerCase()] ?? 'application/octet-stream';
}

function sanitizeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '-');
}

/**
 * A file to upload: POST /files (presign) then PUT to the returned URL (§11.4, §8.4).
 * From bytes (give `ext`) or a path (read when uploaded).
 */
export class File {
  /** logName/add type (§5.5). */
  readonly logType: string = 'FILE';
  readonly caption: string | null;
  /** Extension without dot; sent as fileType. */
  readonly ext: string;
  /** `{caption}.{uuid}{.ext}` or `{uuid}{.ext}`, sanitised to [A-Za-z0-9_.-] (§11.4). */
  readonly fileName: string;
  private readonly source: Uint8Array | string;

  constructor(source: Uint8Array | string, opts: { caption?: string; ext?: string } = {}) {
    this.source = source;
    this.caption = opts.caption ?? null;
    const fromPath = typeof source === 'string' ? path.extname(source).slice(1) : '';
    this.ext = (opts.ext ?? fromPath ?? '').replace(/^\./, '') || this.defaultExt();
    const base = this.caption ? `${this.caption}.${randomUUID()}` : randomUUID();
    this.fileName = sanitizeName(this.ext ? `${base}.${this.ext}` : base);
  }

  protected defaultExt(): string {
    return 'bin';
  }

  get mime(): string {
    return mimeOf(this.ext);
  }

  /** The content (read from disk for a path). */
  async bytes(): Promise<Uint8Array> {
    return typeof this.source === 'string' ? readFile(this.source) : this.source;
  }
}

/** An image (default extension png, logType IMAGE). */
export class Image extends File {
  override readonly logType: string = 'IMAGE';
  protected override defaultExt(): string {
    return 'png';
  }
}
