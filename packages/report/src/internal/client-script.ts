/**
 * The browser side of the report: reads the embedded JSON and draws the charts with
 * Lightweight Charts (`window.LightweightCharts`, inlined before this script). Plain ES2017,
 * no modules, no network. Sets `<body data-ready="1">` once the charts have been laid out
 * (the screenshot test waits for it), or `data-ready="error"` after showing an error.
 *
 * Kept as a string (String.raw: backslashes stay as written) so the emitted HTML is the
 * same bytes whether the package runs from `src` (vitest) or `dist` (tsc).
 */
export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var C = {
    strategy: '#2563eb', bench: '#94a3b8', dd: '#dc2626', up: '#16a34a', down: '#dc2626',
    text: '#334155', grid: '#f1f5f9', border: '#e2e8f0'
  };

  function group(s) {
    var neg = s.charAt(0) === '-';
    if (neg) s = s.slice(1);
    var dot = s.indexOf('.');
    var i = dot < 0 ? s : s.slice(0, dot);
    var f = dot < 0 ? '' : s.slice(dot);
    return (neg ? '-' : '') + i.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + f;
  }
  function fixed(x, d) {
    var s = x.toFixed(d);
    if (/^-0(\.0+)?$/.test(s)) s = s.slice(1);
    return group(s);
  }
  function money(x) { return x === 0 ? '0' : fixed(x, Math.abs(x) >= 1000 ? 0 : 2); }
  function pct1(x) { return fixed(x * 100, 1) + '%'; }
  function priceFmt(x) { return x === 0 ? '0' : fixed(x, Math.abs(x) >= 1 ? 2 : 6); }

  function showError(where, err) {
    var box = document.getElementById(where);
    var msg = (err && err.stack) ? String(err.stack) : String(err);
    if (box) {
      var p = document.createElement('div');
      p.className = 'chart-error';
      p.textContent = 'Chart failed: ' + msg;
      box.appendChild(p);
    }
    console.error('[strata report] ' + where + ': ' + msg);
    document.body.setAttribute('data-ready', 'error');
  }

  var MAX_LABELLED_MARKERS = 24;
  var LC = window.LightweightCharts;
  var payload = JSON.parse(document.getElementById('strata-report-data').textContent);
  var model = payload.model;
  var intraday = !!payload.intraday;

  function create(el, extra) {
    var opts = {
      autoSize: true,
      layout: {
        background: { type: 'solid', color: '#ffffff' },
        textColor: C.text,
        fontSize: 11,
        fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif',
        attributionLogo: true
      },
      grid: { vertLines: { color: C.grid }, horzLines: { color: C.grid } },
      rightPriceScale: { borderColor: C.border },
      timeScale: { borderColor: C.border, timeVisible: intraday, secondsVisible: false, minBarSpacing: 0.001, rightOffset: 2 },
      crosshair: { mode: LC.CrosshairMode.Normal },
      localization: { dateFormat: 'yyyy-MM-dd' }
    };
    if (extra) {
      for (var k in extra) {
        if (Object.prototype.hasOwnProperty.call(extra, k)) opts[k] = extra[k];
      }
    }
    var chart = LC.createChart(el, opts);
    charts.push(chart);
    return chart;
  }

  function legendValue(id, text) {
    var el = document.getElementById(id);
    if (el) el.textContent = text;
  }

  var charts = [];
  var equityChart = null;
  var ddChart = null;

  // Equity: strategy vs benchmark, optional log scale.
  try {
    var eqEl = document.getElementById('chart-equity');
    if (eqEl) {
      equityChart = create(eqEl, {});
      var eqFormat = { type: 'custom', formatter: money, minMove: 0.01 };
      var bench = null;
      if (model.benchmark) {
        bench = equityChart.addSeries(LC.LineSeries, {
          color: C.bench, lineWidth: 1, priceFormat: eqFormat, title: '', lastValueVisible: true,
          priceLineVisible: false, crosshairMarkerRadius: 3
        });
        bench.setData(model.benchmark.equity);
      }
      var strat = equityChart.addSeries(LC.LineSeries, {
        color: C.strategy, lineWidth: 2, priceFormat: eqFormat, title: '', priceLineVisible: false,
        crosshairMarkerRadius: 4
      });
      strat.setData(model.equity);
      equityChart.timeScale().fitContent();

      var toggle = document.getElementById('log-scale');
      var applyMode = function () {
        equityChart.priceScale('right').applyOptions({
          mode: toggle && toggle.checked ? LC.PriceScaleMode.Logarithmic : LC.PriceScaleMode.Normal
        });
      };
      if (toggle) {
        toggle.checked = !!payload.logScale;
        toggle.addEventListener('change', applyMode);
      }
      applyMode();

      equityChart.subscribeCrosshairMove(function (param) {
        var s = param && param.seriesData ? param.seriesData.get(strat) : null;
        var b = param && param.seriesData && bench ? param.seriesData.get(bench) : null;
        legendValue('legend-strategy-value', s ? money(s.value) : '');
        legendValue('legend-benchmark-value', b ? money(b.value) : '');
      });
    }
  } catch (e) { showError('chart-equity', e); }

  // Drawdown: strategy (filled below 0) vs benchmark (line).
  try {
    var ddEl = document.getElementById('chart-drawdown');
    if (ddEl) {
      ddChart = create(ddEl, {});
      var ddFormat = { type: 'custom', formatter: pct1, minMove: 0.0001 };
      if (model.benchmark) {
        var bdd = ddChart.addSeries(LC.LineSeries, {
          color: C.bench, lineWidth: 1, priceFormat: ddFormat, priceLineVisible: false, lastValueVisible: false,
          crosshairMarkerRadius: 3
        });
        bdd.setData(model.benchmark.drawdown);
      }
      var sdd = ddChart.addSeries(LC.BaselineSeries, {
        baseValue: { type: 'price', price: 0 },
        topLineColor: 'rgba(0,0,0,0)', topFillColor1: 'rgba(0,0,0,0)', topFillColor2: 'rgba(0,0,0,0)',
        bottomLineColor: C.dd, bottomFillColor1: 'rgba(220,38,38,0.06)', bottomFillColor2: 'rgba(220,38,38,0.32)',
        lineWidth: 1, priceFormat: ddFormat, priceLineVisible: false, crosshairMarkerRadius: 3
      });
      sdd.setData(model.drawdown);
      ddChart.priceScale('right').applyOptions({ scaleMargins: { top: 0.08, bottom: 0.04 } });
      ddChart.timeScale().fitContent();
    }
  } catch (e) { showError('chart-drawdown', e); }

  // Keep the equity and drawdown charts on the same visible range.
  if (equityChart && ddChart) {
    var syncing = false;
    var link = function (from, to) {
      from.timeScale().subscribeVisibleLogicalRangeChange(function (range) {
        if (syncing || !range) return;
        syncing = true;
        to.timeScale().setVisibleLogicalRange(range);
        syncing = false;
      });
    };
    link(equityChart, ddChart);
    link(ddChart, equityChart);
  }

  // Price of one symbol with trade markers.
  try {
    var pEl = document.getElementById('chart-price');
    if (pEl && model.price) {
      var pChart = create(pEl, {});
      var pFormat = { type: 'custom', formatter: priceFmt, minMove: 0.000001 };
      var series;
      if (model.price.kind === 'candles') {
        series = pChart.addSeries(LC.CandlestickSeries, {
          upColor: C.up, downColor: C.down, borderVisible: false, wickUpColor: C.up, wickDownColor: C.down,
          priceFormat: pFormat, priceLineVisible: false
        });
        series.setData(model.price.candles);
      } else {
        series = pChart.addSeries(LC.LineSeries, { color: '#0f172a', lineWidth: 1, priceFormat: pFormat, priceLineVisible: false });
        series.setData(model.price.line);
      }
      var marks = model.price.markers;
      var withText = marks.length <= MAX_LABELLED_MARKERS;
      LC.createSeriesMarkers(series, marks.map(function (m) {
        var buy = m.side === 'buy';
        var out = {
          time: m.time,
          position: buy ? 'belowBar' : 'aboveBar',
          shape: buy ? 'arrowUp' : 'arrowDown',
          color: buy ? C.up : C.down,
          size: 1
        };
        if (withText && m.text) out.text = m.text;
        return out;
      }));
      pChart.timeScale().fitContent();
    }
  } catch (e) { showError('chart-price', e); }

  // autoSize learns the container size asynchronously: fit again once laid out.
  window.requestAnimationFrame(function () {
    for (var i = 0; i < charts.length; i++) charts[i].timeScale().fitContent();
    window.requestAnimationFrame(function () {
      if (document.body.getAttribute('data-ready') !== 'error') document.body.setAttribute('data-ready', '1');
    });
  });
})();
`;
