/**
 * Structured values logged to /ingest/data (docs/protocol/sdk.md §11.2): `data` is the JSON of
 * toDict() = the class's data plus "type" and "v": 1; dataType = class name upper-cased.
 */
export abstract class DataValue {
  abstract readonly dataType: 'HISTOGRAM' | 'TABLE';
  protected abstract body(): Record<string, unknown>;
  toDict(): Record<string, unknown> {
    return { ...this.body(), type: this.constructor.name, v: 1 };
  }
}

/**
 * A histogram of values (uniform bins, default 64), or of precomputed counts and bin edges
 * (`shape: "generic"`).
 */
export class Histogram extends DataValue {
  readonly dataType = 'HISTOGRAM' as const;
  private readonly dict: Record<string, unknown>;

  constructor(data: readonly number[] | { freq: readonly number[]; bins: readonly number[] }, bins = 64) {
    super();
    if (Array.isArray(data)) {
      const values = (data as readonly number[]).filter((x) => Number.isFinite(x));
      const num = Math.max(1, Math.floor(bins));
      let min = values.length ? Math.min(...values) : 0;
      let max = values.length ? Math.max(...values) : 0;
      if (min === max) { min -= 0.5; max += 0.5; }
      const freq = new Array<number>(num).fill(0);
      const width = (max - min) / num;
      for (const x of values) freq[Math.min(num - 1, Math.floor((x - min) / width))]++;
      this.dict = { freq, maxFreq: Math.max(0, ...freq), bins: { min, max, num }, shape: 'uniform' };
    } else {
      const d = data as { freq: readonly number[]; bins: readonly number[] };
      if (d.bins.length !== d.freq.length + 1) throw new TypeError('Histogram bins must have one more edge than freq has counts.');
      this.dict = { freq: [...d.freq], bins: [...d.bins], shape: 'generic' };
    }
  }

  protected body(): Record<string, unknown> {
    return this.dict;
  }
}

function dtypeOf(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  return 'str';
}

/** A table: rows of cells, optional column and row names (§11.2). */
export class Table extends DataValue {
  readonly dataType = 'TABLE' as const;
  private readonly dict: Record<string, unknown>;

  constructor(opts: { data: readonly (readonly unknown[])[]; columns?: readonly string[]; rows?: readonly string[] }) {
    super();
    const table = opts.data.map((r) => [...r]);
    const dict: Record<string, unknown> = { table };
    if (opts.columns) dict.col = opts.columns.map((name, i) => ({ name, dtype: dtypeOf(table[0]?.[i]) }));
    if (opts.rows) dict.row = opts.rows.map((name, i) => ({ name, dtype: dtypeOf(table[i]?.[0]) }));
    this.dict = dict;
  }

  protected body(): Record<string, unknown> {
    return this.dict;
  }
}
