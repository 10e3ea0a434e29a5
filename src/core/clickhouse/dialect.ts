/**
 * What the ClickHouse at the other end can do, from its version, and how query values reach
 * it. The pluto schema (docs/protocol/ingest.md §4.1, docs/protocol/clickhouse.md) needs DateTime64,
 * CODECs and LowCardinality (all present from 20.1); the ingest's async inserts need 21.11.
 * Debian's packaged server (18.16) has none of them, so the reference server's DDL degrades on
 * it (docs/protocol/clickhouse.md, "Our DDL").
 *
 * Values always travel as typed `{name:Type}` parameters. Servers from 20.1 bind them
 * themselves; on older servers the client's own parameter formatter (the function
 * @clickhouse/client uses to serialise query_params) writes them into the query text, escaped.
 */

export interface Dialect {
  version: string;
  /** DateTime64(3), CODEC(...), LowCardinality without a setting, server-side query parameters (≥ 20.1). */
  modern: boolean;
  /** `async_insert` / `wait_for_async_insert` settings (≥ 21.11). */
  asyncInsert: boolean;
  /** Formats one parameter value as a SQL literal (only used when !modern). */
  formatValue(value: unknown): string;
}

export type QueryParams = Record<string, unknown>;

export function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = version.split('.').map((x) => Number.parseInt(x, 10));
  if (!Number.isFinite(a)) return false;
  return a > major || (a === major && (Number.isFinite(b) ? b : 0) >= minor);
}

type Formatter = (opts: { value: unknown; wrapStringInQuotes?: boolean; printNullAsKeyword?: boolean }) => string;
let formatter: Formatter | undefined;

/** The client's parameter formatter (an internal module of @clickhouse/client; the package has no exports map). */
async function clientFormatter(): Promise<Formatter> {
  if (!formatter) {
    const mod = (await import('@clickhouse/client/dist/common/data_formatter/format_query_params.js')) as unknown as {
      formatQueryParams?: Formatter;
      default?: { formatQueryParams?: Formatter };
    };
    const f = mod.formatQueryParams ?? mod.default?.formatQueryParams;
    if (!f) throw new Error('@clickhouse/client no longer exposes formatQueryParams');
    formatter = f;
  }
  return formatter;
}

export async function loadDialect(version: string): Promise<Dialect> {
  const modern = versionAtLeast(version, 20, 1);
  const format = modern ? undefined : await clientFormatter();
  return {
    version,
    modern,
    asyncInsert: versionAtLeast(version, 21, 11),
    formatValue: (value) => {
      if (!format) throw new Error('server-side parameters are available; nothing to format');
      return format({ value, wrapStringInQuotes: true, printNullAsKeyword: true });
    },
  };
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*):([^{}]+)\}/g;

/** The query and parameters to send: unchanged on a modern server, values written in by the client's formatter otherwise. */
export function bindParams(sql: string, params: QueryParams, dialect: Dialect): { query: string; params?: QueryParams } {
  const defined = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
  if (dialect.modern) return { query: sql, params: defined };
  const query = sql.replace(PLACEHOLDER, (_m, name: string, type: string) => {
    if (!(name in defined)) throw new Error(`query parameter ${name} has no value`);
    const value = defined[name];
    if (/^U?Int\d+$/.test(type.trim()) && !(typeof value === 'number' && Number.isInteger(value)) && typeof value !== 'bigint') {
      throw new Error(`query parameter ${name} must be an integer`);
    }
    return dialect.formatValue(value);
  });
  return { query };
}
