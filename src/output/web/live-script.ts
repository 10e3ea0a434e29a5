/**
 * What the live page adds to the report page (src/output/html-page.ts renders both): the control
 * bar and the script that applies each server-sent update — the report's <main> as rendered on
 * the server for the result so far, and the chart data — then redraws the charts. At the end the
 * server sends `final` and the page reloads into the final report.
 */
import { escapeHtml } from '../html/tables.js';
import type { LivePageParts } from '../html/page.js';
import type { RunControl } from '../output.js';

/** The files the page offers, by download name (served at /download/NAME). */
export const DOWNLOADS = ['latest.json', 'report.html', 'stats.csv', 'stats_history.csv', 'failures.csv', 'exceptions.csv'] as const;

function control(id: string, label: string, enabled: boolean, why: string | undefined, input?: { id: string; step: string }): string {
  const off = enabled ? '' : ` disabled title="${escapeHtml(why ?? '')}"`;
  const field = input ? `<input id="${input.id}" type="number" min="0" step="${input.step}" aria-label="${escapeHtml(label)}"${off}> ` : '';
  return `<span>${field}<button id="${id}" type="button"${off}>${escapeHtml(label)}</button></span>`;
}

export function liveParts(token: string, run: Pick<RunControl, 'capabilities'> | undefined): LivePageParts {
  const caps = run?.capabilities ?? { users: false, rate: false, reason: 'this run cannot be controlled from here' };
  const usersWhy = caps.users ? undefined : caps.rate ? 'this load is an arrival rate: change the rate' : caps.reason;
  const rateWhy = caps.rate ? undefined : caps.users ? 'this load is a number of users: change the users' : caps.reason;
  const links = DOWNLOADS.map((f) => `<a href="download/${f}" download>${f}</a>`).join(' ');
  const bar = `<div id="live-bar" data-token="${escapeHtml(token)}" data-updates="0">` +
    `<strong>live</strong> <span id="live-status">connecting…</span>` +
    control('live-stop', 'Stop', run !== undefined, 'this run cannot be stopped from here') +
    control('live-set-users', 'Set users', caps.users, usersWhy, { id: 'live-users', step: '1' }) +
    control('live-set-rate', 'Set rate /s', caps.rate, rateWhy, { id: 'live-rate', step: 'any' }) +
    control('live-reset', 'Reset stats', run !== undefined, 'this run cannot be controlled from here') +
    `<span class="answer" id="live-answer" role="status"></span><span>download: ${links}</span></div>`;
  return { bar, script: LIVE_SCRIPT };
}

const LIVE_SCRIPT = String.raw`
(function () {
  'use strict';
  var bar = document.getElementById('live-bar');
  var token = bar.getAttribute('data-token');
  var status = document.getElementById('live-status');
  var answer = document.getElementById('live-answer');
  var updates = 0;
  var history = null;
  /** An update's history is the last seconds only (a full one on connect): merged by second into what the page holds. */
  function merge(part, full) {
    if (full || !history) { history = part; return; }
    Object.keys(part).forEach(function (k) {
      var points = part[k];
      var held = history[k] || [];
      if (points.length) {
        var from = points[0].t, i = held.length;
        while (i > 0 && held[i - 1].t >= from) i--;
        held = held.slice(0, i).concat(points);
      }
      history[k] = held;
    });
  }
  function post(path, body) {
    answer.textContent = '…';
    fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-mlop-sim-token': token }, body: JSON.stringify(body || {}) })
      .then(function (r) { return r.json(); })
      .then(function (a) { answer.textContent = a.applied ? 'applied' : 'not applied: ' + a.reason; })
      .catch(function (e) { answer.textContent = 'failed: ' + e; });
  }
  function on(id, f) { var el = document.getElementById(id); if (el) el.addEventListener('click', f); }
  on('live-stop', function () { post('api/stop'); });
  on('live-reset', function () { post('api/reset-stats'); });
  on('live-set-users', function () { post('api/users', { users: Number(document.getElementById('live-users').value) }); });
  on('live-set-rate', function () { post('api/rate', { rate: Number(document.getElementById('live-rate').value) }); });
  var events = new EventSource('events');
  events.addEventListener('update', function (ev) {
    var u = JSON.parse(ev.data);
    var select = document.getElementById('latency-entry');
    var keep = select ? select.value : '';
    document.querySelector('main').innerHTML = u.main;
    var data = JSON.parse(u.data);
    // An update brings what the charts read; a recent one only the last seconds of history.
    merge(data.history || {}, u.full);
    data.history = history;
    document.getElementById('mlop-sim-data').textContent = JSON.stringify(data).replace(/</g, '\\u003c');
    if (window.mlopSimCharts) window.mlopSimCharts(keep);
    updates++;
    bar.setAttribute('data-updates', String(updates));
    bar.setAttribute('data-elapsed', String(u.elapsedS));
    bar.setAttribute('data-users', String(u.users));
    status.textContent = u.status;
  });
  events.addEventListener('status', function (ev) { status.textContent = JSON.parse(ev.data).status; });
  events.addEventListener('final', function () { events.close(); location.reload(); });
  events.onerror = function () { status.textContent = 'reconnecting…'; };
})();
`;
