/**
 * One connection to a real ClickHouse through the official client (@clickhouse/client, imported
 * lazily so a run without ClickHouse never loads it): the dialect of the server it found, typed
 * queries whose values travel as query parameters, and failures as one sentence. The password
 * never appears in a message.
 */
import { displayUrl } from '../display-url.js';
import type { ClickHouseClient } from '@clickhouse/client';
import { SimTargetError } from '../errors.js';
import { bindParams, loadDialect, type Dialect, type QueryParams } from './dialect.js';

export interface ClickHouseConnectionOptions {
  /** http(s)://host:port of the ClickHouse HTTP interface. */
  url: string;
  /** Default `default`. */
  username?: string;
  password?: string;
  /** Default `default`. */
  database?: string;
  /**
   * A @clickhouse/client Connection to use instead of HTTP (e.g. chdb's in-process engine,
   * `createChdbConnection`). Tests use it to check the schema against a current ClickHouse.
   */
  connection?: unknown;
  /** Per request (default 30 s). */
  requestTimeoutMs?: number;
}

/** ClickHouse could not be used: unreachable, credentials rejected, database missing. One sentence; exit 3. */
export class ClickHouseUnavailableError extends SimTargetError {
  override name = 'ClickHouseUnavailableError';
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A database name is an identifier, never a value: it must match [A-Za-z_][A-Za-z0-9_]*. */
export function checkIdentifier(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) throw new ClickHouseUnavailableError(`${what} "${name}" is not a plain ClickHouse identifier ([A-Za-z_][A-Za-z0-9_]*).`);
  return name;
}

export class ClickHouseSession {
  private constructor(
    readonly client: ClickHouseClient,
    readonly dialect: Dialect,
    readonly database: string,
    readonly displayUrl: string,
    private readonly secret: string,
  ) {}

  /**
   * Connects, checks the credentials with `SELECT version()` and learns the dialect. With
   * `createDatabase`, the database is created when missing (the reference server's DDL);
   * otherwise a missing database is an error.
   */
  static async open(opts: ClickHouseConnectionOptions, createDatabase = false): Promise<ClickHouseSession> {
    const database = checkIdentifier(opts.database ?? 'default', 'ClickHouse database');
    const shownUrl = opts.connection ? 'in-process ClickHouse (chdb)' : displayUrl(opts.url);
    const secret = opts.password ?? '';
    let createClient: typeof import('@clickhouse/client').createClient;
    try {
      ({ createClient } = await import('@clickhouse/client'));
    } catch {
      throw new ClickHouseUnavailableError('the ClickHouse client @clickhouse/client is not installed (npm install @clickhouse/client).');
    }
    const base = {
      request_timeout: opts.requestTimeoutMs ?? 30_000,
      username: opts.username ?? 'default',
      password: secret,
      application: 'mlop-sim',
      log: { level: 127 as const }, // OFF: failures surface as errors here, not as console lines
      ...(opts.connection ? { connection: opts.connection } : { url: opts.url }),
    } as Parameters<typeof createClient>[0];
    if (!opts.connection) {
      try {
        new URL(opts.url);
      } catch {
        throw new ClickHouseUnavailableError(`the ClickHouse URL "${shownUrl}" is not a URL.`);
      }
    }
    const probe = createClient(base);
    let dialect: Dialect;
    try {
      const rs = await probe.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
      dialect = await loadDialect(((await rs.json()) as Array<{ v: string }>)[0]?.v ?? '0');
      // The database is an identifier (checked above), so it is written into DDL, never a value.
      if (createDatabase && database !== 'default') await probe.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
      else if (database !== 'default') {
        const bound = bindParams('SELECT count() AS n FROM system.databases WHERE name = {db:String}', { db: database }, dialect);
        const rs2 = await probe.query({ query: bound.query, query_params: bound.params, format: 'JSONEachRow' });
        if (Number(((await rs2.json()) as Array<{ n: string | number }>)[0]?.n ?? 0) === 0) {
          throw new ClickHouseUnavailableError(`ClickHouse at ${shownUrl} has no database "${database}".`);
        }
      }
    } catch (err) {
      if (!opts.connection) await probe.close().catch(() => undefined);
      throw err instanceof ClickHouseUnavailableError ? err : new ClickHouseUnavailableError(describeFailure(err, shownUrl, opts.username ?? 'default', secret));
    }
    // An injected connection belongs to both clients: closing the probe would close it.
    if (!opts.connection) await probe.close().catch(() => undefined);
    const client = createClient({ ...base, database });
    return new ClickHouseSession(client, dialect, database, shownUrl, secret);
  }

  /** `<database>.<table>`: queries name the database (an injected connection may ignore the client's default). */
  table(name: string): string {
    return `${this.database}.${checkIdentifier(name, 'ClickHouse table')}`;
  }

  /** Rows of a SELECT; `{name:Type}` placeholders take their values from `params`. */
  async rows<T>(sql: string, params: QueryParams = {}): Promise<T[]> {
    try {
      const bound = bindParams(sql, params, this.dialect);
      const rs = await this.client.query({ query: bound.query, query_params: bound.params, format: 'JSONEachRow' });
      return (await rs.json()) as T[];
    } catch (err) {
      throw this.failure(err);
    }
  }

  async command(sql: string): Promise<void> {
    try {
      await this.client.command({ query: sql });
    } catch (err) {
      throw this.failure(err);
    }
  }

  /** JSONEachRow insert; `settings` e.g. the ingest's async-insert pair. */
  async insert(table: string, values: readonly object[], settings: Record<string, 0 | 1> = {}): Promise<void> {
    try {
      await this.client.insert({ table, values: values as object[], format: 'JSONEachRow', clickhouse_settings: settings });
    } catch (err) {
      throw this.failure(err);
    }
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }

  private failure(err: unknown): Error {
    return new ClickHouseUnavailableError(describeFailure(err, this.displayUrl, '', this.secret));
  }
}

/** One sentence for a failed request: unreachable, credentials, or the server's message. */
export function describeFailure(err: unknown, displayUrl: string, user: string, secret: string): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e?.code ?? e?.cause?.code;
  const scrub = (text: string): string => (secret ? text.split(secret).join('***') : text);
  const netCodes = ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE'];
  if (typeof code === 'string' && netCodes.includes(code)) return `cannot reach ClickHouse at ${displayUrl} (${code}).`;
  const message = scrub(String(e?.message ?? err)).split('\n')[0].replace(/\s*\(version [^)]*\)/, '').replace(/, e\.what\(\) = .*$/, '');
  // 516 AUTHENTICATION_FAILED (current), 192 UNKNOWN_USER / 193 WRONG_PASSWORD (older servers).
  if (code === '516' || code === '192' || code === '193' || /Authentication failed|Wrong password|Unknown user/i.test(message)) {
    return `ClickHouse at ${displayUrl} rejected the credentials${user ? ` of user "${user}"` : ''} (wrong user or password).`;
  }
  if (/timeout/i.test(message)) return `ClickHouse at ${displayUrl} did not answer in time (${message.replace(/\.$/, '')}).`;
  if (/ECONNREFUSED|socket hang up|other side closed/i.test(message)) return `cannot reach ClickHouse at ${displayUrl} (${message.replace(/\.$/, '')}).`;
  return `ClickHouse at ${displayUrl} answered an error (${message.replace(/\.$/, '').slice(0, 300)}).`;
}
