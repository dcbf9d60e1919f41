// The Faultline console's live view: polls data.json twice a second, turns the cumulative counters into rates and
// draws them as SVG lines (faults per second by kind, answers per second by code), and the answer latency's p50 and
// p99 (microseconds, since the core started) as levels; the totals table follows.
// No library: plain DOM and SVG.
(function () {
  'use strict';
  var root = document.getElementById('fl-live');
  if (!root) {
    return;
  }
  var url = root.getAttribute('data-url');
  var PERIOD_MS = 500;
  var KEEP = 240; // two minutes
  var SVG = 'http://www.w3.org/2000/svg';
  var charts = {
    faults: {
      svg: document.getElementById('fl-faults'), legend: document.getElementById('fl-faults-legend'),
      series: [['groups', 'page request groups', '#1f77b4'], ['partials', 'partial page requests', '#17becf'],
               ['unrecoverable', 'unrecoverable', '#d62728'], ['noHandler', 'no handler', '#ff7f0e'],
               ['rejected', 'rejected', '#7f7f7f']]
    },
    answers: {
      svg: document.getElementById('fl-answers'), legend: document.getElementById('fl-answers-legend'),
      series: [['SUCCESS', 'SUCCESS', '#2ca02c'], ['INVALID', 'INVALID', '#9467bd'], ['FAILURE', 'FAILURE', '#d62728']]
    },
    latency: {
      svg: document.getElementById('fl-latency'), legend: document.getElementById('fl-latency-legend'), unit: ' µs',
      level: true, series: [['p50', 'p50', '#1f77b4'], ['p99', 'p99', '#d62728']]
    }
  };
  var NAMES = Object.keys(charts).filter(function (name) { return charts[name].svg; });
  // what a reader (or a test) can inspect: the samples taken, the rates drawn, the last totals
  var live = window.faultlineLive = { samples: 0, rates: { faults: {}, answers: {}, latency: {} },
                                      peak: { faults: {}, answers: {}, latency: {} },
                                      first: null, last: null };
  var previous = null;

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    for (var k in attrs) {
      e.setAttribute(k, attrs[k]);
    }
    parent.appendChild(e);
    return e;
  }

  function draw(name) {
    var chart = charts[name];
    var svg = chart.svg;
    var w = +svg.getAttribute('width'), h = +svg.getAttribute('height');
    var left = 56, bottom = 20, top = 8;
    while (svg.firstChild) {
      svg.removeChild(svg.firstChild);
    }
    var max = 4;
    chart.series.forEach(function (s) {
      (live.rates[name][s[0]] || []).forEach(function (v) { max = Math.max(max, v); });
    });
    max = Math.ceil(max / 4) * 4; // whole numbers on the four grid lines
    el('rect', { x: left, y: top, width: w - left - 4, height: h - top - bottom, fill: '#fafafa', stroke: '#ccc' }, svg);
    for (var i = 0; i <= 4; i++) {
      var y = top + (h - top - bottom) * i / 4;
      el('line', { x1: left, x2: w - 4, y1: y, y2: y, stroke: '#e5e5e5' }, svg);
      el('text', { x: left - 4, y: y + 4, 'text-anchor': 'end', 'font-size': 10, fill: '#555' }, svg)
        .textContent = Math.round(max * (4 - i) / 4) + (chart.unit || '/s');
    }
    el('text', { x: w - 4, y: h - 4, 'text-anchor': 'end', 'font-size': 10, fill: '#555' }, svg).textContent = 'now';
    el('text', { x: left, y: h - 4, 'font-size': 10, fill: '#555' }, svg).textContent =
      '-' + (KEEP * PERIOD_MS / 1000) + ' s';
    chart.series.forEach(function (s) {
      var values = live.rates[name][s[0]] || [];
      if (values.length < 1) {
        return;
      }
      var step = (w - left - 4) / (KEEP - 1);
      var x0 = w - 4 - step * (values.length - 1);
      var points = values.map(function (v, i) {
        return (x0 + step * i).toFixed(1) + ',' + (h - bottom - (h - top - bottom) * v / max).toFixed(1);
      }).join(' ');
      el('polyline', { points: points, fill: 'none', stroke: s[2], 'stroke-width': 2, 'data-series': s[0] }, svg);
    });
    chart.legend.innerHTML = '';
    chart.series.forEach(function (s) {
      var values = live.rates[name][s[0]] || [];
      var now = values.length ? values[values.length - 1] : 0;
      var span = document.createElement('span');
      span.className = 'fl-legend';
      if (chart.level) {
        span.innerHTML = '<i style="background:' + s[2] + '"></i>' + s[1] + ': <b data-key="' + name + '-' + s[0] +
          '">' + now.toFixed(1) + '</b>' + chart.unit + ', highest <b data-key="peak-' + s[0] + '">' +
          (live.peak[name][s[0]] || 0).toFixed(1) + '</b>' + chart.unit;
        chart.legend.appendChild(span);
        return;
      }
      span.innerHTML = '<i style="background:' + s[2] + '"></i>' + s[1] + ': <b data-key="rate-' + s[0] + '">' +
        now.toFixed(0) + '</b>/s, peak <b data-key="peak-' + s[0] + '">' + (live.peak[name][s[0]] || 0).toFixed(0) +
        '</b>/s, total <b data-key="total-' + s[0] + '">' + (live.last ? live.last[name][s[0]] : 0) + '</b>';
      chart.legend.appendChild(span);
    });
  }

  function sample(data) {
    live.samples++;
    if (data.latency) {
      charts.latency.series.forEach(function (s) {
        var values = live.rates.latency[s[0]] = live.rates.latency[s[0]] || [];
        values.push(data.latency[s[0]]);
        if (values.length > KEEP) {
          values.shift();
        }
        live.peak.latency[s[0]] = Math.max(live.peak.latency[s[0]] || 0, data.latency[s[0]]);
      });
    }
    if (previous) {
      var seconds = Math.max((data.nanos - previous.nanos) / 1e9, 0.001);
      ['faults', 'answers'].forEach(function (name) {
        charts[name].series.forEach(function (s) {
          var key = s[0];
          var rate = Math.max(0, (data[name][key] - previous[name][key]) / seconds);
          var values = live.rates[name][key] = live.rates[name][key] || [];
          values.push(rate);
          if (values.length > KEEP) {
            values.shift();
          }
          live.peak[name][key] = Math.max(live.peak[name][key] || 0, rate);
        });
      });
    }
    previous = data;
    live.first = live.first || data;
    live.last = data;
    var totals = document.getElementById('fl-totals');
    if (totals) {
      Object.keys(data.totals).forEach(function (key) {
        var cell = totals.querySelector('[data-key="' + key + '"]');
        if (cell) {
          cell.textContent = data.totals[key];
        }
      });
      var balanced = totals.querySelector('[data-key="balanced"]');
      if (balanced) {
        balanced.textContent = data.balanced ? 'yes' : 'NO';
      }
    }
    var status = document.getElementById('fl-status');
    if (status) {
      status.textContent = data.status;
    }
    var runs = document.querySelector('[data-key="demoRuns"]');
    if (runs) {
      runs.textContent = data.demoRuns;
    }
    NAMES.forEach(draw);
  }

  function poll() {
    fetch(url, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(sample)
      .catch(function () { /* the next poll tries again */ })
      .then(function () { setTimeout(poll, PERIOD_MS); });
  }

  // the live page's buttons post without leaving the page, so the chart keeps its history while the action runs
  Array.prototype.forEach.call(root.querySelectorAll('form.fl-action'), function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      // getAttribute: the form's hidden input named "action" shadows the form.action property
      fetch(form.getAttribute('action'), { method: 'POST', body: new URLSearchParams(new FormData(form)),
                           credentials: 'same-origin', redirect: 'manual' })
        .then(function () { /* the next poll shows the action's status */ });
    });
  });

  NAMES.forEach(draw);
  poll();
}());
