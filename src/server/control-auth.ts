/**
 * Who may use the control routes (`/_sim/*`: faults, flush, stored rows, runs, stats). On a
 * loopback address only this machine can reach them, so they stay open, as they always were. Bound
 * off loopback (0.0.0.0, ::, or an address other machines can reach, as in a shared CI network)
 * they answer only a request carrying `Authorization: Bearer <an API key this server accepts>` —
 * the key a simulator run already holds — and the server will not start there with the public
 * default key as its only key. The upload target `/_sim/storage/` stays open: the SDK PUTs to
 * presigned-style URLs without a key, as to MinIO (and only sizes are kept).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { DEFAULT_API_KEY, type ApiKeySpec, type KeyStore } from './auth.js';
import { STORAGE_PREFIX } from './files/object-store.js';
import { jsonReply, type Reply, type RequestHead } from './http/types.js';
import { ServerStartError } from './listen.js';

/** True for `localhost`, 127.0.0.0/8, `::1` and IPv4-mapped 127.x; false for 0.0.0.0, `::` and every other address or name. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (isIPv4(h)) return h.startsWith('127.');
  if (!isIPv6(h)) return false;
  if (h === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(h)) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  return mapped !== null && mapped[1]!.startsWith('127.');
}

/**
 * The default key's fate when the caller did not say: accepted on loopback, not off it (it is
 * public, printed in the seed README and in our docs).
 */
export function defaultKeyFor(host: string, given: string | false | undefined): string | false {
  if (given !== undefined) return given;
  return isLoopbackHost(host) ? DEFAULT_API_KEY : false;
}

/** Refuses to listen off loopback unless the server accepts a key of its own (not the public default). */
export function assertSafeBinding(host: string, defaultKey: string | false, keys: ReadonlyArray<string | ApiKeySpec>): void {
  if (isLoopbackHost(host)) return;
  const own = [defaultKey, ...keys.map((k) => (typeof k === 'string' ? k : k.key))].filter((k) => k !== false && k !== DEFAULT_API_KEY);
  if (own.length > 0) return;
  throw new ServerStartError(
    `Listening on ${host} lets other machines reach the reference server and its control routes, and the default API key is public: give it a key of your own (the keys option).`,
    'public-key',
  );
}

/** The 401 for a control request without an accepted key, or undefined when it may pass. */
export function controlRefusal(keys: KeyStore, head: RequestHead): Reply | undefined {
  if (head.path.startsWith(STORAGE_PREFIX)) return undefined;
  if (keys.checkIngest(head.headers.get('authorization')).ok) return undefined;
  const reply = jsonReply(401, {
    server: 'mlop-sim-reference',
    error: 'this reference server listens off loopback: its control routes (/_sim/*) need Authorization: Bearer <an API key it accepts>',
  });
  reply.headers = { ...reply.headers, 'www-authenticate': 'Bearer realm="mlop-sim control"' };
  return reply;
}
