/** Outputs (the live console line, latest.json, Locust CSV, HTML, JUnit) and the formatting they share. */
export type { Output, LiveFeed, LiveSample, LiveRun, RecentResult, RunControl, ControlAnswer } from './output.js';
export { outputsFor, parseStreamSpec, STREAM_OUTPUTS, type OutputPlan, type StreamSpec } from './registry.js';
export { metricPoints, METRICS, type SecondSnapshot, type MetricPoint } from './stream/second-snapshot.js';
export type { LiveConsoleOptions } from './console/index.js';
export { writeLatestJson, latestJsonText, SEED_KEYS } from './latest-json/latest.js';
export { writeCsv, STATS_COLUMNS, STATS_HISTORY_COLUMNS, FAILURES_COLUMNS, EXCEPTIONS_COLUMNS } from './locust/csv.js';
export { locustStatsJson } from './locust/json.js';
export { writeHtml } from './html/page.js';
export { writeJunit } from './junit/xml.js';
export { formatFinalTable } from './console/final-table.js';
export { formatShardSummary, type ShardDone } from './console/shard-summary.js';
export { LiveConsole, formatLiveLine } from './console/live-line.js';
