/**
 * `--out csv=FILE` (k6's CSV output as the model): one row per metric point per second while the
 * run goes — metric_name, timestamp (epoch seconds), metric_value, then the point's tags
 * (entry, method, name, quantile) — RFC 4180, CRLF. `-` streams to stdout.
 */
import type { Output } from '../output.js';
import { csvField } from '../csv-format.js';
import { openLineSink, type LineSink } from '../stream/line-sink.js';
import { metricPoints } from '../stream/second-snapshot.js';

export const SAMPLE_CSV_COLUMNS = ['metric_name', 'timestamp', 'metric_value', 'entry', 'method', 'name', 'quantile'] as const;

export function csvStreamOutput(target: string): Output {
  let sink: LineSink | undefined;
  return {
    name: 'csv stream',
    async prepare() {
      sink = await openLineSink(target, '--out csv');
      sink.write(SAMPLE_CSV_COLUMNS.join(',') + '\r\n');
    },
    second(s) {
      let text = '';
      for (const p of metricPoints(s)) {
        const t = p.tags;
        text += [p.metric, p.timeMs / 1000, p.value, t.entry ?? '', t.method ?? '', t.name ?? '', t.quantile ?? ''].map(csvField).join(',') + '\r\n';
      }
      sink?.write(text);
    },
    async stop() {
      await sink?.close();
      return sink?.file ? [sink.file] : [];
    },
  };
}
