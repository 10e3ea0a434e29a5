/**
 * Structured values logged to `/ingest/data` (pluto 0.0.28 `pluto/data.py`; docs/protocol/sdk.md
 * §5.6, §11.2): the line's `data` is the JSON of `toDict()` = the value's fields plus `"type":
 * <class name>` and `"v": 1`; `dataType` and the logName/add logType are the class name upper-cased.
 */
export class Data {
  protected readonly fields: Record<string, unknown>;

  constructor(data: Record<string, unknown> = {}) {
    this.fields = data;
  }

  /** The Python class name (`type` in toDict); subclasses of Data use their own name. */
  get typeName(): string {
    return this.constructor.name;
  }

  /** `dataType` on the wire and logType of the registration: DATA, HISTOGRAM, TABLE, GRAPH. */
  get dataType(): string {
    return this.typeName.toUpperCase();
  }

  toDict(): Record<string, unknown> {
    return { ...this.fields, type: this.typeName, v: 1 };
  }
}

/** @deprecated the base class is `Data`, as in Python. */
export const DataValue = Data;

/** numpy.linspace(start, stop, n + 1): i·step + start, the last edge exactly `stop`. */
function linspace(start: number, stop: number, n: number): number[] {
  const step = (stop - start) / n;
  const out = new Array<number>(n + 1);
  for (let i = 0; i < n; i++) out[i] = i * step + start;
  out[n] = stop;
  return out;
}

/** numpy.histogram with `n` equal bins: the same edges and the same bin of every value. */
function uniformCounts(values: readonly number[], n: number): { freq: number[]; edges: number[] } {
  let first = 0;
  let last = 1;
  if (values.length) {
    first = Infinity;
    last = -Infinity;
    for (const x of values) {
      if (x < first) first = x;
      if (x > last) last = x;
    }
  }
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const edges = linspace(first, last, n);
  const freq = new Array<number>(n).fill(0);
  const denom = last - first;
  for (const x of values) {
    let i = Math.trunc(((x - first) / denom) * n);
    if (i === n) i--;
    if (x < edges[i]) i--;
    else if (i !== n - 1 && x >= edges[i + 1]) i++;
    freq[i]++;
  }
  return { freq, edges };
}

/** numpy.histogram with explicit edges: half-open bins, the last one closed; outside values dropped. */
function edgeCounts(values: readonly number[], edges: readonly number[]): number[] {
  const n = edges.length - 1;
  const freq = new Array<number>(Math.max(0, n)).fill(0);
  for (const x of values) {
    if (n < 1 || x < edges[0] || x > edges[n]) continue;
    let lo = 0;
    let hi = n; // first edge > x, by binary search
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (edges[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    freq[Math.min(n - 1, lo - 1)]++;
  }
  return freq;
}

/**
 * A histogram. `new Histogram(values, bins = 64)` counts like numpy.histogram (bins = a count or
 * the edges); `new Histogram([freq, edges], null)` takes precomputed counts (Python: `bins` not
 * an int and two sequences). Both send `shape: "uniform"` with `bins: {min, max, num}`; counts
 * whose edges do not number one more are sent as `shape: "generic"` with the edges list.
 */
export class Histogram extends Data {
  override get typeName(): string {
    return 'Histogram';
  }

  constructor(
    data: readonly number[] | readonly [readonly number[], readonly number[]] | { freq: readonly number[]; bins: readonly number[] },
    bins: number | readonly number[] | null = 64,
  ) {
    let freq: number[];
    let edges: number[];
    let uniform = true;
    const pre = !Array.isArray(data)
      ? (data as { freq: readonly number[]; bins: readonly number[] })
      : typeof bins !== 'number' && !Array.isArray(bins) && data.length === 2 && Array.isArray(data[0])
        ? { freq: data[0] as readonly number[], bins: data[1] as readonly number[] }
        : null;
    if (pre) {
      freq = [...pre.freq];
      edges = [...pre.bins];
      uniform = freq.length + 1 === edges.length;
    } else {
      const values = data as readonly number[];
      for (const x of values) {
        if (typeof x !== 'number' || !Number.isFinite(x)) throw new RangeError('Histogram values must be finite numbers (numpy rejects NaN and infinity).');
      }
      if (Array.isArray(bins)) {
        edges = [...(bins as readonly number[])];
        freq = edgeCounts(values, edges);
      } else {
        const n = Math.max(1, Math.trunc(Number(bins ?? 64)));
        ({ freq, edges } = uniformCounts(values, n));
      }
    }
    super(uniform
      ? { freq, maxFreq: Math.max(...freq), bins: { min: Math.min(...edges), max: Math.max(...edges), num: edges.length - 1 }, shape: 'uniform' }
      : { freq, bins: edges, shape: 'generic' });
  }
}

/** Python class name of a cell, the `dtype` of a column or row. */
function dtypeOf(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  return Array.isArray(v) ? 'list' : 'dict';
}

/** A table: rows of cells; column names sent when they match the first row, row names the rows. */
export class Table extends Data {
  override get typeName(): string {
    return 'Table';
  }

  constructor(opts: { data?: readonly (readonly unknown[])[]; columns?: readonly unknown[]; rows?: readonly unknown[] } = {}) {
    const table = (opts.data ?? [[null]]).map((r) => [...r]);
    const dict: Record<string, unknown> = { table };
    const col = opts.columns ?? [];
    const row = opts.rows ?? [];
    if (col.length === (table[0]?.length ?? 0)) dict.col = col.map((name, i) => ({ name: String(name), dtype: dtypeOf(table[0][i]) }));
    if (row.length === table.length) dict.row = row.map((name, i) => ({ name: String(name), dtype: dtypeOf(table[i][0]) }));
    super(dict);
  }
}

/**
 * A graph given as plain JSON: `nodes`, `edges`, `successors`, `predecessors` (each defaults to {}).
 * Python's add_node/add_edge build sets and tuple keys that json.dumps cannot encode, so such a
 * graph is dropped by 0.0.28 after its name is registered; only this form reaches the wire.
 */
export class Graph extends Data {
  override get typeName(): string {
    return 'Graph';
  }

  constructor(data: { nodes?: Record<string, unknown>; edges?: Record<string, unknown>; successors?: Record<string, unknown>; predecessors?: Record<string, unknown> } = {}) {
    super({ nodes: data.nodes ?? {}, edges: data.edges ?? {}, successors: data.successors ?? {}, predecessors: data.predecessors ?? {} });
  }
}
