import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { File, sanitizeFileName, type FileSource } from './file-values.js';
import { encodePng } from './png.js';
import { pyDumps } from './python-json.js';

/**
 * Image (pluto 0.0.28 `pluto/file.py` `Image`, PR #131 for boxes and masks; docs/protocol/sdk.md
 * "Values"): registered as IMAGE, uploaded as a `.png` (or the path's own extension). Boxes and
 * masks go into one `annotations` JSON string sent with the image's `/files` entry; each mask is
 * a separate PNG uploaded right after the image with `fileType: "mask"`.
 */

/** Pixels as Python's numpy path takes them: row-major, 1, 3 or 4 channels. */
export interface Pixels {
  width: number;
  height: number;
  channels?: 1 | 3 | 4;
  data: ArrayLike<number>;
}

/** One box layer: `box_data` boxes (each defaulted to `domain: "pixel"`) and labels. */
export interface BoxLayer {
  box_data?: unknown[];
  class_labels?: Record<string, string>;
  [k: string]: unknown;
}

/** One mask layer: class ids (H rows of W, or Pixels-shaped) or the path of a mask PNG. */
export interface MaskLayer {
  mask_data?: readonly (readonly number[])[] | { width: number; height: number; data: ArrayLike<number> };
  path?: string;
  class_labels?: Record<string, string>;
}

export interface ImageOptions {
  caption?: string;
  boxes?: Record<string, BoxLayer>;
  masks?: Record<string, MaskLayer>;
  /** A ready annotations JSON (string or object) in wandb's {boxes, masks} shape. */
  annotations?: string | Record<string, unknown>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmpty(v: unknown): boolean {
  return isPlainObject(v) ? Object.keys(v).length > 0 : Boolean(v);
}

/** make_compat_image_numpy: normalise negatives to [0, 1], scale [0, 1] to 0–255, clip, uint8. */
function toBytes(values: ArrayLike<number>): Uint8Array {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    let v = Number(values[i]);
    if (min < 0) v = max > min ? (v - min) / (max - min) : 0;
    if ((min < 0 ? 1 : max) <= 1) v = Math.trunc(v * 255);
    out[i] = Math.max(0, Math.min(255, Math.trunc(v) || 0));
  }
  return out;
}

function pixelsToPng(p: Pixels): Uint8Array {
  const channels = p.channels ?? 3;
  return encodePng(p.width, p.height, channels, toBytes(p.data));
}

/** A mask's class ids → an RGB PNG with the id in the red channel (`astype('uint8')` wraps). */
function maskPng(mask: NonNullable<MaskLayer['mask_data']>): Uint8Array {
  let width: number;
  let height: number;
  let at: (i: number) => number;
  if (Array.isArray(mask)) {
    const rows = mask as readonly (readonly number[])[];
    height = rows.length;
    width = rows[0]?.length ?? 0;
    at = (i) => rows[Math.floor(i / width)][i % width];
  } else {
    const m = mask as { width: number; height: number; data: ArrayLike<number> };
    ({ width, height } = m);
    at = (i) => m.data[i];
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb[i * 3] = ((Math.trunc(Number(at(i))) % 256) + 256) % 256;
  return encodePng(width, height, 3, rgb);
}

export class Image extends File {
  override readonly logType: string = 'IMAGE';
  override readonly caption: string | null;

  constructor(data: FileSource | Pixels, opts: ImageOptions = {}) {
    const source: FileSource = typeof data === 'string' || data instanceof Uint8Array ? data : pixelsToPng(data);
    super(source, { ext: typeof source === 'string' ? path.extname(source) : '.png' });
    this.caption = opts.caption ?? null;
    this.name = sanitizeFileName(opts.caption ? `${opts.caption}.${randomUUID()}` : randomUUID());
    this.annotations = this.buildAnnotations(opts);
  }

  /** `_build_annotations`: a ready string passes verbatim; boxes and masks are merged in. */
  private buildAnnotations({ annotations, boxes, masks }: ImageOptions): string | null {
    if (typeof annotations === 'string' && !nonEmpty(boxes) && !nonEmpty(masks)) return annotations || null;
    let result: Record<string, unknown> = {};
    if (typeof annotations === 'string') {
      try {
        const parsed: unknown = JSON.parse(annotations);
        result = isPlainObject(parsed) ? parsed : {};
      } catch {
        result = {};
      }
    } else if (isPlainObject(annotations)) {
      result = { ...annotations };
    }
    if (boxes && nonEmpty(boxes)) {
      const merged: Record<string, unknown> = { ...(isPlainObject(result.boxes) ? result.boxes : {}) };
      for (const [layer, spec] of Object.entries(boxes)) {
        if (!isPlainObject(spec)) continue;
        const out: Record<string, unknown> = { ...spec };
        if (Array.isArray(spec.box_data)) {
          out.box_data = spec.box_data.map((b) => (isPlainObject(b) ? { domain: 'pixel', ...b } : b));
        }
        merged[layer] = out;
      }
      if (Object.keys(merged).length) result.boxes = merged;
    }
    if (masks && nonEmpty(masks)) {
      const merged: Record<string, unknown> = { ...(isPlainObject(result.masks) ? result.masks : {}) };
      for (const [layer, spec] of Object.entries(masks)) {
        const entry = this.stageMask(spec);
        if (entry) merged[layer] = entry;
      }
      if (Object.keys(merged).length) result.masks = merged;
    }
    return Object.keys(result).length ? pyDumps(result) : null;
  }

  /** One mask layer → a mask Image queued in `annotationFiles` + its `{fileName, class_labels?}`. */
  private stageMask(spec: unknown): Record<string, unknown> | null {
    if (!isPlainObject(spec)) return null;
    const s = spec as MaskLayer;
    let png: FileSource | null = null;
    if (s.path) png = s.path;
    else if (s.mask_data != null) png = maskPng(s.mask_data);
    if (png === null) return null;
    const maskName = `${randomUUID()}.mask`;
    const mask = new Image(png);
    mask.name = maskName; // uploaded as `{uuid}.mask.png` (or the path's extension)
    mask.uploadFileType = 'mask';
    this.annotationFiles.push(mask);
    const entry: Record<string, unknown> = { fileName: `${maskName}.png` };
    if (nonEmpty(s.class_labels)) entry.class_labels = s.class_labels;
    return entry;
  }
}
