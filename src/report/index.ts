/** Report writers: latest.json, Locust-style CSV, HTML, JUnit, the final table and the live console line. */
export { writeLatestJson, latestJsonText, SEED_KEYS } from './latest-json.js';
export { writeCsv, STATS_COLUMNS, STATS_HISTORY_COLUMNS, FAILURES_COLUMNS } from './locust-csv.js';
export { writeHtml } from './html-page.js';
export { writeJunit } from './junit.js';
export { formatFinalTable } from './final-table.js';
export { LiveConsole, formatLiveLine, type LiveSample } from './live-console.js';
