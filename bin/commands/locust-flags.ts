/**
 * Locust's flags that cannot mean anything here, each with the sentence that names what replaces
 * it (exit 2), and the seed's locustfiles by file name (`-f locustfile_http.py` → `http`).
 * The flags Locust and mlop-sim share are in RUN_FLAGS (run.ts). See docs/cli.md "Coming from Locust".
 */
import type { Options } from 'yargs';

const NO_WEB_UI = "mlop-sim's live page (--web, --web-host, --web-port, --web-auth, --autoquit) has no such option: it serves plain HTTP on one path with Basic auth and starts the load at once; put a TLS proxy in front for HTTPS";
const NO_MASTER = 'mlop-sim has no master/worker processes: use --workers N to spread users over processes on one machine, or --shard I/N on each machine and mlop-sim merge to combine their results';

/** Refused Locust flag → [its yargs type, the sentence]. */
export const REFUSED_LOCUST_FLAGS: Record<string, [Options['type'], string]> = {
  'web-login': ['boolean', NO_WEB_UI],
  'web-base-path': ['string', NO_WEB_UI],
  'tls-cert': ['string', NO_WEB_UI],
  'tls-key': ['string', NO_WEB_UI],
  'class-picker': ['boolean', NO_WEB_UI],
  'modern-ui': ['boolean', NO_WEB_UI],
  'legacy-ui': ['boolean', NO_WEB_UI],
  master: ['boolean', NO_MASTER],
  worker: ['boolean', NO_MASTER],
  'master-host': ['string', NO_MASTER],
  'master-port': ['string', NO_MASTER],
  'master-bind-host': ['string', NO_MASTER],
  'master-bind-port': ['string', NO_MASTER],
  'expect-workers': ['string', NO_MASTER],
  'expect-workers-max-wait': ['string', NO_MASTER],
  'enable-rebalancing': ['boolean', NO_MASTER],
  processes: ['string', 'mlop-sim has no --processes: use --workers N to spread users over N processes'],
};

/** The first refused flag given, as `--flag: sentence.`; undefined when none. */
export function refusedFlagMessage(a: Record<string, unknown>): string | undefined {
  for (const [flag, [, sentence]] of Object.entries(REFUSED_LOCUST_FLAGS)) {
    const v = a[flag];
    if (v !== undefined && v !== false) return `--${flag} is a Locust flag that means nothing here: ${sentence}.`;
  }
  return undefined;
}

/** The seed's locustfiles (docs/cli.md "Scenarios") → our built-in scenarios. */
const SEED_LOCUSTFILES: Record<string, string> = {
  'locustfile.py': 'sdk',
  'locustfile_http.py': 'http',
  'locustfile_stress.py': 'stress',
};

/** `-f …/locustfile_http.py` → `http`; anything else as given. */
export function scenarioFromLocustfile(value: string): string {
  const base = value.split(/[\\/]/).pop() ?? value;
  return SEED_LOCUSTFILES[base] ?? value;
}

/** Locust's log levels; our progress lines are INFO. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
