/**
 * `--web`: the run, live in a browser (Locust's web UI, k6's web dashboard). An Output that
 * serves the report page of the result so far — the same renderer as --html (html-page.ts) fed
 * the live result — updated once a second over server-sent events; its controls act through the
 * RunControl port the session hands it (attach), never on the executor. At the end the page is
 * the final report, byte for byte the page --html writes, and it stays up until --autoquit
 * seconds have passed or Ctrl+C. Loaded only with --web (registry.ts imports it lazily).
 */
import { SimUsageError } from '../../core/errors.js';
import type { SimulationResult } from '../../metrics/result.js';
import type { ChartPoint } from '../../metrics/result.js';
import { embeddedJson, htmlPage, reportMain } from '../html/page.js';
import { latestJsonText } from '../latest-json/latest.js';
import { exceptionsCsv, failuresCsv, statsCsv, statsHistoryCsv } from '../locust/csv.js';
import type { ControlAnswer, LiveRun, Output, RecentResult, RunControl } from '../output.js';
import { DOWNLOADS, liveParts } from './live-script.js';
import { isLoopback, WebServer, type WebBind } from './server.js';

/** `--web` and its flags, as the plan keeps them. */
export interface WebPlan {
  host: string;
  port: number;
  /** `USER:PASS` as given. */
  auth?: string;
  /** Seconds to keep serving after the run; undefined: until Ctrl+C (Locust's default). */
  autoquitS?: number;
}

export const WEB_DEFAULT_HOST = '127.0.0.1';
export const WEB_DEFAULT_PORT = 8089;
/** The update rhythm of the page (the issue's floor: at least one a second). */
const UPDATE_MS = 1000;
/**
 * Updates go out this long after each wall-clock second ends: the statistics have just closed
 * that second (StatsEntry.settle), so the update's reads fold only the last milliseconds' samples
 * and the update holds the event loop about 1.1 ms instead of 1.7 (bench/lib/live-update-probe.ts;
 * bench/RESULTS.md "The update's reads made cheaper"). The CPU is the same: the recording then folds the second.
 */
const AFTER_SECOND_MS = 30;
/** Seconds of history an update carries: the last complete ones and the current one. */
const RECENT_S = 3;

/** Checks the flags (exit 2, one sentence): port, a non-loopback bind only with auth, the auth's form. */
export function webBind(plan: WebPlan): WebBind {
  if (!Number.isInteger(plan.port) || plan.port < 0 || plan.port > 65535) throw new SimUsageError(`--web-port must be a port number from 0 to 65535, got ${plan.port}.`);
  let auth: WebBind['auth'];
  if (plan.auth !== undefined) {
    const colon = plan.auth.indexOf(':');
    if (colon <= 0 || colon === plan.auth.length - 1) throw new SimUsageError('--web-auth must be USER:PASS, both non-empty.');
    auth = { user: plan.auth.slice(0, colon), pass: plan.auth.slice(colon + 1) };
  }
  if (!isLoopback(plan.host) && !auth) {
    throw new SimUsageError(`--web-host ${plan.host} would serve the live page and its Stop button beyond this machine: add --web-auth USER:PASS, or leave --web-host at 127.0.0.1.`);
  }
  if (plan.autoquitS !== undefined && !(plan.autoquitS >= 0)) throw new SimUsageError(`--autoquit must be a number of seconds of at least 0, got ${plan.autoquitS}.`);
  return { host: plan.host, port: plan.port, auth };
}

export function webOutput(plan: WebPlan, ctx: { log?: (line: string) => void }): Output {
  let server: WebServer | undefined;
  let run: LiveRun | undefined;
  let final: SimulationResult | undefined;
  let finalPage: string | undefined;
  let status = 'waiting for the load to start';
  let timer: NodeJS.Timeout | undefined;
  const current = (): SimulationResult | undefined => final ?? run?.result();

  // An update carries the history's last RECENT_S seconds (the page keeps the rest); a page that
  // connects gets everything so far (built at most once a second however many connect).
  let greeted: { at: number; text: string } | undefined;
  const update = (full = false): string => updateEvent(run!, status, full);
  const push = (): void => {
    if (run && !final && status === 'running' && server && server.clientCount > 0) server.broadcast('update', update());
  };
  const routes = {
    page(): string {
      if (finalPage !== undefined) return finalPage;
      if (!run) return WAITING_PAGE;
      const live = run.recent(-Infinity);
      return htmlPage(live.result, { ...liveParts(server!.token, run.control), data: chartData(live) });
    },
    download(name: string): { body: string; type: string } | undefined {
      const result = current();
      if (!result || !(DOWNLOADS as readonly string[]).includes(name)) return undefined;
      switch (name) {
        case 'latest.json': return { body: latestJsonText(result), type: 'application/json' };
        case 'report.html': return { body: finalPage ?? htmlPage(result), type: 'text/html; charset=utf-8' };
        case 'stats.csv': return { body: statsCsv(result), type: 'text/csv' };
        case 'stats_history.csv': return { body: statsHistoryCsv(result), type: 'text/csv' };
        case 'failures.csv': return { body: failuresCsv(result), type: 'text/csv' };
        default: return { body: exceptionsCsv(result), type: 'text/csv' };
      }
    },
    control(action: string, body: Record<string, unknown>): unknown {
      const c = run?.control;
      if (!c || final) return { applied: false, reason: final ? 'the run is over' : 'the load has not started yet' };
      const answer = act(c, action, body);
      // The effect shows before the next regular update: users end their current task first.
      if (answer?.applied) for (const ms of FOLLOW_UP_MS) setTimeout(push, ms).unref();
      return answer;
    },
    greeting(): string {
      if (final) return 'event: final\ndata: {}\n\n';
      if (!run) return `event: status\ndata: ${JSON.stringify({ status })}\n\n`;
      if (!greeted || Date.now() - greeted.at >= UPDATE_MS) {
        const text = `event: update\ndata: ${update(true)}\n\n`;
        // Fresh for a second from when it was built: a burst of connections builds it once.
        greeted = { at: Date.now(), text };
      }
      return greeted.text;
    },
  };

  return {
    name: 'web',
    async prepare() {
      server = new WebServer(webBind(plan), routes);
      await server.listen();
      ctx.log?.(`live page at ${server.url}${plan.auth ? ' (password required)' : ''}`);
    },
    attach(live) {
      run = live;
      status = 'running';
      // One result per second for all clients, built only while someone watches.
      const tick = (): void => {
        timer = setTimeout(() => {
          push();
          tick();
        }, UPDATE_MS - (Date.now() % UPDATE_MS) + AFTER_SECOND_MS);
        timer.unref();
      };
      tick();
    },
    end() {
      if (!run || final || status !== 'running') return;
      status = 'the load has ended: judging (audit, gates)';
      if (server && server.clientCount > 0) server.broadcast('update', update());
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    async stop(result) {
      if (timer) clearTimeout(timer);
      timer = undefined;
      final = result;
      finalPage = htmlPage(result);
      server?.broadcast('final', '{}');
      return [];
    },
    async linger(signal) {
      if (!server) return;
      const quitS = plan.autoquitS;
      if (quitS !== 0) {
        ctx.log?.(`the final report stays at ${server.url} ${quitS === undefined ? 'until Ctrl+C' : `for ${quitS} s (--autoquit)`}`);
        server.hold();
        await new Promise<void>((resolve) => {
          const t = quitS === undefined ? undefined : setTimeout(resolve, quitS * 1000);
          if (signal.aborted) resolve();
          signal.addEventListener('abort', () => {
            if (t) clearTimeout(t);
            resolve();
          }, { once: true });
        });
      }
      await server.close();
    },
  };
}

/**
 * One update event's data: the tables rendered and what the charts read. `full`: the whole
 * history (a page that connects); otherwise the history's last RECENT_S seconds, which the page
 * adds to what it has. Either way the history is the charts' points only: the whole result's
 * history also carries every quantile and Locust's running totals, a digest merge per point, which
 * 300 s into a run at 10,000 requests/s took about 1.1 s of the generator's event loop per
 * connecting page (bench/RESULTS.md "A page opened late"). Exported for
 * bench/lib/live-update-probe.ts, which times it.
 */
export function updateEvent(run: LiveRun, status: string, full: boolean, nowMs = Date.now()): string {
  const live = run.recent(full ? -Infinity : Math.floor(nowMs / 1000) - RECENT_S);
  const users = run.activeUsers();
  const line = status === 'running' ? `running — ${users} users` : status;
  const result = live.result;
  return JSON.stringify({ main: reportMain(result, true), data: chartData(live), full, elapsedS: Math.round(result.durationS * 10) / 10, users, status: line });
}

/** What the page's charts read (html/charts.ts): the entries judged, the load, and the history's chart points. */
function chartData(live: RecentResult): string {
  return embeddedJson({ judged: live.result.judged, load: live.result.load, history: chartPoints(live.history) });
}

/** What the charts draw of a point (html-charts.ts): an update's points carry only these. */
const CHART_FIELDS = ['t', 'spanS', 'users', 'target', 'requests', 'failures', 'p50Ms', 'p95Ms', 'p99Ms'] as const;
/** The figures sent to 6 significant digits; the point's place in time exactly (epoch seconds have 10 digits). */
const EXACT_FIELDS: ReadonlySet<string> = new Set(['t', 'spanS']);

function chartPoints(history: Record<string, ChartPoint[]>): Record<string, Partial<ChartPoint>[]> {
  const out: Record<string, Partial<ChartPoint>[]> = {};
  for (const [name, points] of Object.entries(history)) {
    out[name] = points.map((p) => {
      const q: Record<string, number> = {};
      for (const f of CHART_FIELDS) if (p[f] !== undefined) q[f] = EXACT_FIELDS.has(f) ? p[f]! : Number(p[f]!.toPrecision(6));
      return q as Partial<ChartPoint>;
    });
  }
  return out;
}

/** Extra updates after an applied control action, ms after it. */
const FOLLOW_UP_MS = [250, 600];

function act(c: RunControl, action: string, body: Record<string, unknown>): ControlAnswer | undefined {
  switch (action) {
    case 'stop': return c.stop('web');
    case 'reset-stats': return c.resetStats('web');
    case 'users': return c.setUsers(Number(body.users), 'web');
    case 'rate': return c.setRate(Number(body.rate), 'web');
    default: return undefined;
  }
}

const WAITING_PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="1"><title>mlop-sim — starting</title></head>
<body><p>mlop-sim: the load has not started yet; this page reloads every second.</p></body></html>
`;
