/**
 * The object store stand-in: presigned-looking upload URLs that point back at this server, and
 * `PUT /_sim/storage/mlop/<key>` in place of MinIO, which keeps only each object's size.
 */
import { createHash } from 'node:crypto';
import type { ServerContext } from '../context.js';
import { emptyReply, type BodyConsumer, type RequestHead } from '../http/types.js';

export const STORAGE_PREFIX = '/_sim/storage/mlop/';

/** The upload URL `POST /files` answers for an object key (S3 presign query, signature made up). */
export function objectUrl(ctx: ServerContext, key: string): string {
  const now = new Date();
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const signature = createHash('sha256').update(`${key}\n${amzDate}`).digest('hex');
  const path = key.split('/').map(encodeURIComponent).join('/');
  return (
    `${ctx.baseUrl()}${STORAGE_PREFIX}${path}?X-Amz-Algorithm=AWS4-HMAC-SHA256` +
    `&X-Amz-Credential=mlop-sim%2F${amzDate.slice(0, 8)}%2Fauto%2Fs3%2Faws4_request` +
    `&X-Amz-Date=${amzDate}&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=${signature}`
  );
}

/** `PUT /_sim/storage/mlop/<key>`: the MinIO stand-in; keeps only each object's size. */
export function objectPutRoute(ctx: ServerContext, head: RequestHead): BodyConsumer {
  let size = 0;
  return {
    data(chunk) {
      size += chunk.length;
    },
    end() {
      let key: string;
      try {
        key = decodeURIComponent(head.path.slice(STORAGE_PREFIX.length));
      } catch {
        return emptyReply(400);
      }
      const previous = ctx.objects.sizes.get(key);
      if (previous !== undefined) ctx.objects.bytes -= previous;
      ctx.objects.sizes.set(key, size);
      ctx.objects.bytes += size;
      return emptyReply(200, { etag: `"${createHash('md5').update(`${key}:${size}`).digest('hex')}"` });
    },
  };
}
