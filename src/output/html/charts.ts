/**
 * The browser code of the HTML report, inlined into the page (no CDN, opens offline). It reads
 * the result from <script type="application/json" id="mlop-sim-data"> and draws four canvas
 * line charts: requests/s, latency percentiles (p50/p95/p99) of a chosen entry, failures/s and
 * users, all against seconds since the start of the run.
 *
 * The live page (--web) calls window.mlopSimCharts(entry) again after each update, keeping the
 * entry picked. Plain ES2017 kept as a string (not a bundled function) so no build tool can rewrite it.
 */
export const CHART_SCRIPT = String.raw`
window.mlopSimCharts = function (keep) {
  'use strict';
  var data = JSON.parse(document.getElementById('mlop-sim-data').textContent);
  var history = data.history || {};
  var COLORS = ['#1f5fbf', '#c2410c', '#15803d', '#7c3aed', '#a16207', '#0e7490'];
  var FAIL_COLOR = '#b91c1c';

  function startSecond() {
    var t0 = Infinity;
    Object.keys(history).forEach(function (k) {
      (history[k] || []).forEach(function (p) { if (p.t < t0) t0 = p.t; });
    });
    return t0 === Infinity ? 0 : t0;
  }
  var T0 = startSecond();

  function series(key, field) {
    return (history[key] || []).map(function (p) { return [p.t - T0, p[field]]; });
  }

  function niceStep(range, ticks) {
    var raw = range / ticks;
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var norm = raw / mag;
    return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  }

  function label(v) {
    if (Math.abs(v) >= 1000) return (v / 1000).toFixed(v % 1000 === 0 ? 0 : 1) + 'k';
    return String(Math.round(v * 1000) / 1000);
  }

  function draw(canvas, spec) {
    var dpr = window.devicePixelRatio || 1;
    var w = canvas.clientWidth || 560, h = canvas.clientHeight || 260;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    var ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, w, h);
    var pad = { left: 58, right: 14, top: 34, bottom: 40 };
    var pw = w - pad.left - pad.right, ph = h - pad.top - pad.bottom;
    var xs = [], ys = [];
    spec.lines.forEach(function (l) { l.points.forEach(function (p) { xs.push(p[0]); ys.push(p[1]); }); });
    var xMax = xs.length ? Math.max.apply(null, xs) : 1, xMin = xs.length ? Math.min.apply(null, xs) : 0;
    if (xMax <= xMin) xMax = xMin + 1;
    var yMax = ys.length ? Math.max.apply(null, ys) : 1;
    if (!(yMax > 0)) yMax = 1;
    var yStep = niceStep(yMax, 5);
    yMax = Math.ceil(yMax / yStep) * yStep;
    var xStep = niceStep(xMax - xMin, 8);
    function X(v) { return pad.left + (v - xMin) / (xMax - xMin) * pw; }
    function Y(v) { return pad.top + ph - v / yMax * ph; }

    ctx.font = '12px system-ui, sans-serif';
    ctx.lineWidth = 1;
    ctx.strokeStyle = '#e5e7eb';
    ctx.fillStyle = '#374151';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (var y = 0; y <= yMax + yStep / 2; y += yStep) {
      ctx.beginPath(); ctx.moveTo(pad.left, Y(y)); ctx.lineTo(pad.left + pw, Y(y)); ctx.stroke();
      ctx.fillText(label(y), pad.left - 6, Y(y));
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (var x = Math.ceil(xMin / xStep) * xStep; x <= xMax; x += xStep) {
      ctx.beginPath(); ctx.moveTo(X(x), pad.top); ctx.lineTo(X(x), pad.top + ph); ctx.stroke();
      ctx.fillText(label(x), X(x), pad.top + ph + 5);
    }
    ctx.strokeStyle = '#6b7280';
    ctx.beginPath(); ctx.moveTo(pad.left, pad.top); ctx.lineTo(pad.left, pad.top + ph); ctx.lineTo(pad.left + pw, pad.top + ph); ctx.stroke();
    ctx.fillText('seconds since start', pad.left + pw / 2, pad.top + ph + 22);
    ctx.save();
    ctx.translate(14, pad.top + ph / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(spec.yLabel, 0, 0);
    ctx.restore();

    var legendX = pad.left;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.lineWidth = 2;
    spec.lines.forEach(function (l) {
      ctx.strokeStyle = l.color;
      ctx.beginPath(); ctx.moveTo(legendX, 14); ctx.lineTo(legendX + 18, 14); ctx.stroke();
      ctx.fillStyle = '#111827';
      ctx.fillText(l.name, legendX + 23, 14);
      legendX += 23 + ctx.measureText(l.name).width + 18;
    });
    // Drawn last to first, so the first series (Aggregated, p50) stays on top where lines coincide.
    spec.lines.slice().reverse().forEach(function (l) {
      if (!l.points.length) return;
      ctx.strokeStyle = l.color;
      ctx.beginPath();
      l.points.forEach(function (p, i) { if (i === 0) ctx.moveTo(X(p[0]), Y(p[1])); else ctx.lineTo(X(p[0]), Y(p[1])); });
      ctx.stroke();
      if (l.points.length === 1) { ctx.fillStyle = l.color; ctx.fillRect(X(l.points[0][0]) - 2, Y(l.points[0][1]) - 2, 4, 4); }
    });
    if (!xs.length) {
      ctx.fillStyle = '#6b7280'; ctx.textAlign = 'center';
      ctx.fillText('no samples recorded', pad.left + pw / 2, pad.top + ph / 2);
    }
    canvas.setAttribute('data-drawn', String(spec.lines.length));
  }

  var others = Object.keys(history).filter(function (k) { return k !== 'Aggregated'; });
  var select = document.getElementById('latency-entry');
  var charts = {
    'chart-rps': function () {
      // Aggregated and the judged entries (a full history, --csv-full-history / --json, would crowd it); every entry is in the latency selector.
      var keys = ['Aggregated'].concat(others.filter(function (k) { return (data.judged || []).indexOf(k) >= 0; })).filter(function (k) { return history[k]; });
      return { yLabel: 'per second', lines: keys.map(function (k, i) {
        return { name: k === 'Aggregated' ? 'Aggregated req/s' : k + ' /s', color: COLORS[i % COLORS.length], points: series(k, 'requests') };
      }) };
    },
    'chart-latency': function () {
      var key = select && select.value ? select.value : 'Aggregated';
      return { yLabel: 'ms (' + key + ')', lines: [
        { name: 'p50', color: COLORS[0], points: series(key, 'p50Ms').filter(function (p, i) { return (history[key][i] || {}).requests > 0; }) },
        { name: 'p95', color: COLORS[1], points: series(key, 'p95Ms').filter(function (p, i) { return (history[key][i] || {}).requests > 0; }) },
        { name: 'p99', color: COLORS[3], points: series(key, 'p99Ms').filter(function (p, i) { return (history[key][i] || {}).requests > 0; }) }
      ] };
    },
    'chart-errors': function () {
      return { yLabel: 'failures per second', lines: [{ name: 'Aggregated failures/s', color: FAIL_COLOR, points: series('Aggregated', 'failures') }] };
    },
    'chart-users': function () {
      var lines = [{ name: 'users', color: COLORS[2], points: series('Aggregated', 'users') }];
      var agg = history['Aggregated'] || [];
      // Stages and arrival rates: the load's target (users, or iterations/s) and the drops per second.
      if (agg.some(function (p) { return p.target !== undefined; })) {
        var unit = data.load && /arrival-rate/.test(data.load.executor) ? 'target iterations/s' : 'target';
        lines.push({ name: unit, color: COLORS[4], points: agg.filter(function (p) { return p.target !== undefined; }).map(function (p) { return [p.t - T0, p.target]; }) });
      }
      if (history['ITERATION dropped']) lines.push({ name: 'dropped iterations/s', color: FAIL_COLOR, points: series('ITERATION dropped', 'requests') });
      return { yLabel: 'users · load', lines: lines };
    }
  };

  function drawAll() {
    Object.keys(charts).forEach(function (id) {
      var canvas = document.getElementById(id);
      if (canvas) draw(canvas, charts[id]());
    });
  }
  if (select) {
    Object.keys(history).forEach(function (k) {
      var option = document.createElement('option');
      option.value = k; option.textContent = k;
      select.appendChild(option);
    });
    var judged = (data.judged || []).filter(function (k) { return history[k]; });
    select.value = keep && history[keep] ? keep : judged.length ? judged[0] : 'Aggregated';
    select.addEventListener('change', drawAll);
  }
  window.onresize = drawAll;
  drawAll();
};
window.mlopSimCharts();
`;
