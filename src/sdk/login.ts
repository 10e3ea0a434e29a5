import { SdkAuthError, SdkConnectionError, SdkRequestError } from './errors.js';
import { singlePolicy, sendWithRetry, serverReason } from './sync/retry.js';
import { resolveSettings, type ResolvedSettings, type Settings } from './settings.js';
import { defaultDispatcher, targetOf } from './sync/transport.js';
import { loginHeaders } from './sync/wire-headers.js';

/** login() timeout: httpx default, 5 s (docs/protocol/sdk.md §2). */
const LOGIN_TIMEOUT_MS = 5_000;

/**
 * POST {api}/api/slug with only Authorization (§2): one attempt. A rejected key is an
 * SdkAuthError (never a prompt); unreachable → SdkConnectionError; other statuses →
 * SdkRequestError.
 */
export async function loginResolved(s: ResolvedSettings): Promise<{ slug: string }> {
  if (!s._auth) {
    throw new SdkAuthError('No API key given: set settings._auth or the PLUTO_API_KEY environment variable.');
  }
  if (!/^[\x21-\x7e]+$/.test(s._auth)) {
    throw new SdkAuthError('The API key contains characters that cannot be sent in an HTTP header.');
  }
  const dispatcher = s.dispatcher ?? defaultDispatcher();
  const out = await sendWithRetry(dispatcher, s.observer, { ...singlePolicy(LOGIN_TIMEOUT_MS), refSleep: true }, {
    method: 'POST',
    target: targetOf('POST', s.endpoints.login),
    headers: loginHeaders(s._auth),
    body: null,
  });
  if (!out.ok) {
    if (out.status === 401) throw new SdkAuthError('The server rejected the API key (expired, revoked or unknown).');
    if (out.status === null) throw new SdkConnectionError(`Cannot reach ${s.url_api} to log in (${out.failure ?? 'network error'}).`);
    throw new SdkRequestError(`Login failed with HTTP ${out.status}: ${serverReason(out.body)}.`, out.status);
  }
  let slug: unknown;
  try {
    slug = (JSON.parse(out.body) as { organization?: { slug?: unknown } }).organization?.slug;
  } catch {
    slug = undefined;
  }
  if (typeof slug !== 'string') throw new SdkRequestError('Login answered without an organization slug.', out.status);
  return { slug };
}

export function login(settings?: Settings): Promise<{ slug: string }> {
  return loginResolved(resolveSettings(settings));
}
