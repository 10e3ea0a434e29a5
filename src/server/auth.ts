/**
 * API keys as the `api_key` table holds them, and the two ways of checking a bearer token:
 * the ingest's (docs/protocol/ingest.md §1.2, docs/protocol/backend.md §2) and the backend's `withApiKey`
 * (docs/protocol/backend.md §5.1). No cache: each request hashes its key, as the real ingest does (docs/protocol/backend.md §2.1).
 */
import * as crypto from 'node:crypto';
import { IngestError } from './errors.js';
import { isVisibleAscii } from './http/header-list.js';

/** The seed README's key (seed load-test README, "Export the API key"). */
export const DEFAULT_API_KEY = 'mlps_loadtest_deterministic_key_for_ci_load_tests_12345678';
export const DEFAULT_ORGANIZATION_ID = 'org-loadtest';
export const DEFAULT_ORGANIZATION_SLUG = 'loadtest-org';

export interface ApiKeySpec {
  key: string;
  organizationId?: string;
  organizationSlug?: string;
  /** Epoch ms; the key is expired once this lies in the past. */
  expiresAt?: number;
  /** Epoch ms; any value marks the key revoked. */
  revokedAt?: number;
}

export interface Organization {
  id: string;
  slug: string;
}

interface KeyRecord {
  organization: Organization;
  expiresAt?: number;
  revokedAt?: number;
}

export type AuthResult = { ok: true; organization: Organization } | { ok: false; error: IngestError };

/** How the key is stored: `mlpi_` keys verbatim, every other key as SHA-256 hex (docs/protocol/backend.md §2). */
export function storedForm(token: string): string {
  return token.startsWith('mlpi_') ? token : sha256Hex(token);
}

/** One-shot `crypto.hash` where Node has it (20.12+), else createHash. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string) => string }).hash;
function sha256Hex(s: string): string {
  return oneShot ? oneShot('sha256', s) : crypto.createHash('sha256').update(s).digest('hex');
}

/** `[A-Za-z0-9._-]+` */
function isTokenCharset(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 95 || c === 45;
    if (!ok) return false;
  }
  return s.length > 0;
}

export class KeyStore {
  private readonly byStored = new Map<string, KeyRecord>();
  private readonly organizations = new Map<string, Organization>();

  add(spec: string | ApiKeySpec): void {
    const s = typeof spec === 'string' ? { key: spec } : spec;
    const id = s.organizationId ?? (s.organizationSlug ? `org-${s.organizationSlug}` : DEFAULT_ORGANIZATION_ID);
    const slug = s.organizationSlug ?? (id === DEFAULT_ORGANIZATION_ID ? DEFAULT_ORGANIZATION_SLUG : id);
    let organization = this.organizations.get(id);
    if (!organization) {
      organization = { id, slug };
      this.organizations.set(id, organization);
    }
    this.byStored.set(storedForm(s.key), { organization, expiresAt: s.expiresAt, revokedAt: s.revokedAt });
  }

  get size(): number {
    return this.byStored.size;
  }

  private lookup(token: string, notFound: string): AuthResult {
    const record = this.byStored.get(storedForm(token));
    if (!record) return fail('INVALID_TOKEN', notFound);
    if (record.expiresAt !== undefined && record.expiresAt < Date.now()) return fail('INVALID_TOKEN', 'API key has expired');
    if (record.revokedAt !== undefined) return fail('INVALID_TOKEN', 'API key has been revoked');
    return { ok: true, organization: record.organization };
  }

  /** The ingest's `extract_bearer_token` order, then the lookup (docs/protocol/ingest.md §1.2). */
  checkIngest(authorization: string | undefined): AuthResult {
    if (authorization === undefined) return fail('MISSING_TOKEN', 'Missing Authorization header');
    if (!isVisibleAscii(authorization)) {
      return fail('INVALID_TOKEN_FORMAT', 'Authorization header contains invalid characters');
    }
    if (!authorization.startsWith('Bearer ')) {
      return fail('INVALID_BEARER_FORMAT', "Authorization header must start with 'Bearer '");
    }
    const token = authorization.slice(7).trim();
    if (token.length === 0) return fail('INVALID_TOKEN', 'Bearer token cannot be empty');
    if (!isTokenCharset(token)) return fail('INVALID_TOKEN_FORMAT', 'Bearer token contains invalid characters');
    return this.lookup(token, 'Invalid API key');
  }

  /**
   * The backend's `withApiKey` (docs/protocol/backend.md §5.1): the token is the text after the first
   * space; the scheme word is not checked. Returns the 401 body on failure.
   */
  checkBackend(authorization: string | undefined): { ok: true; organization: Organization } | { ok: false; body: object } {
    const space = authorization === undefined ? -1 : authorization.indexOf(' ');
    const token = space < 0 ? '' : authorization!.slice(space + 1).trim();
    if (token.length === 0) return { ok: false, body: { error: 'Unauthorized' } };
    if (!token.startsWith('mlps_') && !token.startsWith('mlpi_')) {
      return { ok: false, body: { error: 'Unauthorized', message: 'Invalid API key' } };
    }
    const result = this.lookup(token, 'Key not found');
    if (!result.ok) return { ok: false, body: { error: 'Unauthorized', message: result.error.message } };
    return result;
  }
}

function fail(code: 'MISSING_TOKEN' | 'INVALID_TOKEN' | 'INVALID_TOKEN_FORMAT' | 'INVALID_BEARER_FORMAT', message: string): AuthResult {
  return { ok: false, error: new IngestError(code, message) };
}
