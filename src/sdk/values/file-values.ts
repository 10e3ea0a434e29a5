import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeWav } from './wav.js';

/**
 * Files logged with `run.log` (pluto 0.0.28 `pluto/file.py`; docs/protocol/sdk.md §5.6):
 * each is registered under its class name upper-cased (`logName/add` logType FILE, TEXT, IMAGE,
 * AUDIO, VIDEO, ARTIFACT) and uploaded by the sync loop: one entry in `POST /files`, then a PUT
 * of its bytes to the presigned URL.
 */

/** Python's `mimetypes.guess_type` for the extensions the SDK uploads; else octet-stream. */
const MIME: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', bmp: 'image/bmp',
  svg: 'image/svg+xml', webp: 'image/webp', tif: 'image/tiff', tiff: 'image/tiff',
  wav: 'audio/x-wav', mp3: 'audio/mpeg', ogg: 'audio/ogg', flac: 'audio/flac',
  mp4: 'video/mp4', webm: 'video/webm', avi: 'video/x-msvideo',
  txt: 'text/plain', csv: 'text/csv', html: 'text/html', htm: 'text/html', json: 'application/json',
  md: 'text/markdown', py: 'text/x-python', pdf: 'application/pdf', zip: 'application/zip',
  tar: 'application/x-tar', gz: 'application/gzip',
};

/** MIME type of an extension given with or without its dot. */
export function mimeOf(ext: string): string {
  return MIME[ext.replace(/^\./, '').toLowerCase()] ?? 'application/octet-stream';
}

/** File names keep [A-Za-z0-9_.-]; anything else becomes '-' (file.py INVALID_CHAR). */
export function sanitizeFileName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '-');
}

/** The 64-hex staging id of media values (`f'{uuid4()}{uuid4()}'` without dashes). */
function stagingId(): string {
  return (randomUUID() + randomUUID()).replace(/-/g, '');
}

/** `caption.{uuid4}` or `{uuid4}`: the name of every media value (file.py). */
function mediaName(caption: string | undefined): string {
  return caption ? `${caption}.${randomUUID()}` : randomUUID();
}

export type FileSource = Uint8Array | string;

/**
 * A file: a path (read when uploaded) or bytes. Python's `File(path, name=None)` names the upload
 * after the sha256 of the content unless a name is given; so does this port.
 */
export class File {
  /** logName/add type: the class name upper-cased. */
  readonly logType: string = 'FILE';
  /** Sent as `caption` in the presign entry when not null (media values only). */
  readonly caption: string | null = null;
  /** Sent as `annotations` when not null (an Image with boxes or masks). */
  annotations: string | null = null;
  /** Files uploaded right after this one under the same name and step (an Image's masks). */
  readonly annotationFiles: File[] = [];
  /** `fileType` override: 'mask' for a segmentation mask; otherwise the extension. */
  uploadFileType: string | null = null;
  /** Extension with its dot, or '' (the staged file's `os.path.splitext`). */
  protected ext: string;
  /** Upload name without extension; null until `load()` hashes the content. */
  protected name: string | null;
  protected readonly source: FileSource;

  constructor(source: FileSource, opts: { name?: string; ext?: string } = {}) {
    this.source = source;
    const given = opts.ext !== undefined ? (opts.ext && !opts.ext.startsWith('.') ? `.${opts.ext}` : opts.ext) : undefined;
    this.ext = given ?? (typeof source === 'string' ? path.extname(source) : '');
    this.name = opts.name ? sanitizeFileName(opts.name) : null;
  }

  /** `{name}{ext}`, the key of the presigned URL (`load()` first when no name was given). */
  get fileName(): string {
    if (this.name === null) throw new Error('File.fileName needs load() first (the name is the sha256 of the content).');
    return `${this.name}${this.ext}`;
  }

  /** Presign `fileType`: 'mask', or the extension without its dot. */
  get fileType(): string {
    return this.uploadFileType ?? this.ext.slice(1);
  }

  /** PUT Content-Type: the stored file_type, i.e. 'mask' for masks, else the MIME type. */
  get contentType(): string {
    return this.uploadFileType ?? mimeOf(this.ext);
  }

  /** MIME type of the file's extension. */
  get mime(): string {
    return mimeOf(this.ext);
  }

  /** The bytes to upload (read from disk for a path); names a nameless file by their sha256. */
  async load(): Promise<Uint8Array> {
    const bytes = typeof this.source === 'string' ? await readFile(this.source) : this.source;
    if (this.name === null) this.name = createHash('sha256').update(bytes).digest('hex');
    return bytes;
  }
}

/** Common constructor of the media values: a caption-derived name and a default extension. */
abstract class MediaFile extends File {
  override readonly caption: string | null;

  constructor(source: FileSource, defaultExt: string, caption: string | undefined) {
    super(source, { ext: typeof source === 'string' ? path.extname(source) : defaultExt });
    this.caption = caption ?? null;
    this.name = sanitizeFileName(mediaName(caption));
  }
}

/** Text: uploaded as a `.txt` file (logType TEXT). A string naming an existing file uploads that file. */
export class Text extends MediaFile {
  override readonly logType: string = 'TEXT';

  constructor(data: unknown, opts: { caption?: string } = {}) {
    const isPath = typeof data === 'string' && data.length > 0 && data.length < 4096 && existsSync(data);
    super(isPath ? (data as string) : new TextEncoder().encode(String(data)), '.txt', opts.caption);
  }
}

/** Audio: a path, encoded bytes (written as `.wav`), or samples in [-1, 1] encoded as 16-bit WAV. */
export class Audio extends MediaFile {
  override readonly logType: string = 'AUDIO';
  readonly rate: number;

  constructor(
    data: string | Uint8Array | ArrayLike<number> | readonly (readonly number[])[],
    opts: { rate?: number; sample_rate?: number; caption?: string } = {},
  ) {
    const rate = Math.trunc(opts.sample_rate ?? opts.rate ?? 48000);
    let source: FileSource;
    if (typeof data === 'string' || data instanceof Uint8Array) source = data;
    else if (Array.isArray(data) && Array.isArray(data[0])) {
      // frames × channels, as soundfile takes a 2-D array
      const frames = data as readonly (readonly number[])[];
      source = encodeWav(frames.flat(), rate, frames[0].length);
    } else source = encodeWav(data as ArrayLike<number>, rate);
    super(source, '.wav', opts.caption);
    this.rate = rate;
  }
}

const VIDEO_FORMATS = ['mp4', 'webm', 'ogg', 'gif'];

/** Video: a path or encoded bytes (`format` mp4 | webm | ogg | gif, else mp4). Frames are not encoded here. */
export class Video extends MediaFile {
  override readonly logType: string = 'VIDEO';

  constructor(data: string | Uint8Array, opts: { rate?: number; fps?: number; caption?: string; format?: string } = {}) {
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      throw new TypeError('Video takes a path or encoded bytes (encoding frames needs moviepy in Python; not ported).');
    }
    const fmt = opts.format && VIDEO_FORMATS.includes(opts.format) ? opts.format : 'mp4';
    super(data, `.${fmt}`, opts.caption);
  }
}

/**
 * Artifact: a path or bytes. Bytes are staged without an extension as `{name}-{id}`, and Python
 * takes the extension from that staged name: with a caption (`caption.{uuid}`) the "extension"
 * is `.{uuid}-{id}`, so fileName and fileType carry it. Ported as it is on the wire.
 */
export class Artifact extends MediaFile {
  override readonly logType: string = 'ARTIFACT';
  readonly metadata: Record<string, unknown>;

  constructor(data: string | Uint8Array, opts: { caption?: string; metadata?: Record<string, unknown> } = {}) {
    super(data, '', opts.caption);
    this.metadata = opts.metadata ?? {};
    if (typeof data !== 'string') {
      const staged = `${this.name}-${stagingId()}`;
      this.ext = path.extname(staged);
    }
  }
}
