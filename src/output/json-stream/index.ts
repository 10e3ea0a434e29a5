/**
 * `--out json=FILE` (k6's JSON output as the model): one JSON object per line — a `Metric` line
 * the first time a metric appears, then one `Point` line per metric point per second while the
 * run goes, and at the end one `Threshold` line per gate, one `Baseline` line per baseline check
 * and one `Audit` line. `-` streams to stdout. Lines are written as they come, so `tail -f` works.
 */
import type { SimulationResult } from '../../metrics/result.js';
import type { Output } from '../output.js';
import { openLineSink, type LineSink } from '../stream/line-sink.js';
import { metricPoints, type MetricPoint } from '../stream/second-snapshot.js';

export function jsonStreamOutput(target: string): Output {
  let sink: LineSink | undefined;
  const declared = new Set<string>();
  const line = (o: unknown): void => sink?.write(JSON.stringify(o) + '\n');
  const point = (p: MetricPoint): void => {
    if (!declared.has(p.metric)) {
      declared.add(p.metric);
      line({ type: 'Metric', metric: p.metric, data: { name: p.metric, type: p.kind, contains: p.metric.endsWith('_ms') ? 'time' : 'default' } });
    }
    line({ type: 'Point', metric: p.metric, data: { time: new Date(p.timeMs).toISOString(), value: p.value, tags: p.tags } });
  };
  return {
    name: 'json',
    async prepare() {
      sink = await openLineSink(target, '--out json');
    },
    second(s) {
      for (const p of metricPoints(s)) point(p);
    },
    async stop(result: SimulationResult) {
      const time = result.endedAt;
      for (const v of result.thresholds) line({ type: 'Threshold', data: { time, ...v } });
      for (const c of result.baseline?.checks ?? []) line({ type: 'Baseline', data: { time, file: result.baseline?.file, ...c } });
      if (result.audit) line({ type: 'Audit', data: { time, pass: result.audit.pass, storageChecked: result.audit.storageChecked, ...result.audit.totals } });
      line({ type: 'Result', data: { time, pass: result.pass, exitCode: result.exitCode, reasons: result.reasons } });
      await sink?.close();
      return sink?.file ? [sink.file] : [];
    },
  };
}
