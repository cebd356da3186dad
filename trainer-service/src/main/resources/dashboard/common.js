'use strict';
// What the dashboard's three pages share: calls of the JSON API (/api, docs/dashboard.md), the words of its enums,
// formatting, smoothing, and charts (uPlot, served by the trainer from its webjar) with events marked on them.
const Dash = (() => {
  const FINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
  // RunSpec.resolve's default (trainer-service run/RunSpec) for a spec that leaves collapseThreshold unset
  const DEFAULT_COLLAPSE_THRESHOLD = 0.1;
  const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf',
    '#bcbd22', '#7f7f7f'];
  const EVENT_COLORS = {
    RESUMED: '#2ca02c', DIVERGENCE_ROLLED_BACK: '#d62728', LR_HALVED: '#ff7f0e', COLLAPSE_SUSPECTED: '#9467bd',
    CANCELLED: '#7f7f7f', INTERRUPTED: '#8c564b', METRICS_MISSING: '#bcbd22',
  };

  // A trainer with a management token refuses the POST calls without it (401) or with another (403). The run page
  // then asks for the token and keeps it in sessionStorage: it lasts as long as the tab, never in localStorage.
  const TOKEN_KEY = 'stackgan.management-token';

  /**
   * A call of the JSON API, with the management token when the page has one; a refusal throws an Error with the
   * API's code, status, field and message, and the HTTP status as {@code httpStatus}.
   */
  async function api(path, options = {}) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const response = await fetch(path, token
      ? {...options, headers: {...options.headers, Authorization: 'Bearer ' + token}} : options);
    const text = await response.text();
    let body = null;
    try {
      body = JSON.parse(text);
    } catch (e) {
      // not JSON: reported below by status
    }
    if (!response.ok) {
      const e = body && body.error;
      const error = new Error(e ? `${e.code} (${e.status})${e.field ? ', field ' + e.field : ''}: ${e.message}`
        : `HTTP ${response.status} from ${path}`);
      error.httpStatus = response.status;
      throw error;
    }
    return body;
  }

  /** Keeps the management token the user typed for this tab's later calls. */
  const useToken = token => sessionStorage.setItem(TOKEN_KEY, token);

  /** An enum constant's word: RUN_STATUS_RUNNING with prefix RUN_STATUS_ is RUNNING. */
  const word = (value, prefix) => (value || '').startsWith(prefix) ? value.substring(prefix.length) : value || '';
  const status = run => word(run.status, 'RUN_STATUS_');
  const kind = run => word(run.kind, 'RUN_KIND_').toLowerCase().replace(/_/g, '-');
  const preset = run => word(run.spec && run.spec.preset, 'PRESET_').toLowerCase();
  const eventType = event => word(event.type, 'RUN_EVENT_TYPE_');
  const isFinal = s => FINAL.includes(s);

  const pad = n => String(n).padStart(2, '0');
  /** A proto3 JSON timestamp as local "YYYY-MM-DD HH:MM:SS"; absent is a dash. */
  function time(ts) {
    if (!ts) {
      return '—';
    }
    const d = new Date(ts);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:`
      + `${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }
  function duration(seconds) {
    if (seconds == null || seconds < 0 || !isFinite(seconds)) {
      return '—';
    }
    const s = Math.round(seconds);
    return `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
  }
  function bytes(n) {
    const units = ['B', 'KB', 'MB', 'GB'];
    let v = Number(n);
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
  }
  const fixed = (v, digits) => v == null || !isFinite(v) ? '—' : Number(v).toFixed(digits);

  /** A DOM element: el('td', {className: 'x'}, 'text', child, ...); strings become text, never HTML. */
  function el(tag, props, ...children) {
    const node = Object.assign(document.createElement(tag), props || {});
    for (const child of children) {
      if (child != null) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
    return node;
  }

  /** The page's query parameter {@code name}, or null. */
  const param = name => new URLSearchParams(location.search).get(name);

  /** Shows an API error in the page's #error element (empty message hides it). */
  function showError(message) {
    const box = document.getElementById('error');
    box.textContent = message || '';
    box.hidden = !message;
  }

  /** TensorBoard's smoothing: an exponential moving average with its start-up bias removed; nulls stay null. */
  function smooth(values, weight) {
    let last = 0;
    let count = 0;
    return values.map(v => {
      if (v == null || !isFinite(v)) {
        return null;
      }
      last = last * weight + (1 - weight) * v;
      count++;
      return last / (1 - Math.pow(weight, count));
    });
  }

  /** The figures of a checkpoint's evaluation: the attributes of fidelity_<a> (not _real or _chance). */
  function fidelityAttributes(checkpoints) {
    const attributes = new Set();
    for (const c of checkpoints) {
      for (const key of Object.keys(c.evaluation || {})) {
        const m = key.match(/^fidelity_(.+?)(_real|_chance)?$/);
        if (m && !m[2]) {
          attributes.add(m[1]);
        }
      }
    }
    return [...attributes].sort();
  }
  /** Mean caption fidelity over the attributes of one checkpoint, or null without any. */
  function meanFidelity(checkpoint, attributes) {
    const values = attributes.map(a => (checkpoint.evaluation || {})['fidelity_' + a]).filter(v => v != null);
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  }
  /** A run's best figures over its checkpoints: highest R-precision and fidelity, lowest Frechet distance. */
  function best(checkpoints) {
    const attributes = fidelityAttributes(checkpoints);
    const pick = (values, better) => values.filter(v => v != null).reduce((a, b) => a == null || better(b, a)
      ? b : a, null);
    const figure = key => checkpoints.map(c => (c.evaluation || {})[key]);
    return {
      rPrecision: pick(figure('r_precision'), (a, b) => a > b),
      fidelity: pick(checkpoints.map(c => meanFidelity(c, attributes)), (a, b) => a > b),
      frechet: pick(figure('frechet_distance'), (a, b) => a < b),
      diversity: figure('diversity').filter(v => v != null).pop() ?? null,
    };
  }
  function bestText(b) {
    const parts = [];
    if (b.rPrecision != null) parts.push(`R-prec ${fixed(b.rPrecision, 3)}`);
    if (b.fidelity != null) parts.push(`fidelity ${fixed(b.fidelity, 3)}`);
    if (b.frechet != null) parts.push(`FD ${fixed(b.frechet, 1)}`);
    if (b.diversity != null) parts.push(`diversity ${fixed(b.diversity, 3)}`);
    return parts.join(' · ') || '—';
  }

  /** Draws each event as a dashed vertical line at its step, with its type's initial, on every chart given it. */
  function eventMarks(getEvents) {
    return {
      hooks: {
        draw: [u => {
          const ctx = u.ctx;
          const ratio = window.devicePixelRatio || 1;
          ctx.save();
          ctx.font = `${11 * ratio}px sans-serif`;
          ctx.setLineDash([4 * ratio, 3 * ratio]);
          for (const e of getEvents()) {
            const x = Math.round(u.valToPos(Number(e.step), 'x', true));
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) {
              continue;
            }
            const color = EVENT_COLORS[eventType(e)] || '#333';
            ctx.strokeStyle = color;
            ctx.fillStyle = color;
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.fillText(eventType(e).charAt(0), x + 3 * ratio, u.bbox.top + 12 * ratio);
          }
          ctx.restore();
        }],
      },
    };
  }

  /**
   * A line chart in {@code container}: series [{label, color, width, dash, alpha, show}], data [x, y1, y2, ...].
   * The container's data-points attribute holds the number of x values and data-series the points each series
   * draws (its non-null values; on a log scale the positive ones) by label, for tests and for people reading the
   * page's source.
   */
  function chart(container, {series, data, log = false, xLabel = 'step', events = () => []}) {
    container.replaceChildren();
    const options = {
      width: Math.max(300, container.clientWidth || 600),
      height: 240,
      scales: {x: {time: false}, y: log ? {distr: 3} : {}},
      // small figures (a KL of 1e-4) keep their digits instead of rounding to 0
      axes: [{label: xLabel}, {size: 60, values: (u, splits) => splits.map(v => v == null ? '' : v !== 0
        && (Math.abs(v) < 1e-2 || Math.abs(v) >= 1e5) ? v.toExponential(1) : String(+v.toPrecision(4)))}],
      legend: {live: true},
      cursor: {drag: {x: true, y: false}},
      series: [{label: xLabel}].concat(series.map(s => ({
        label: s.label,
        stroke: s.alpha ? s.color + Math.round(s.alpha * 255).toString(16).padStart(2, '0') : s.color,
        width: s.width || 1.5,
        dash: s.dash,
        show: s.show !== false,
        spanGaps: true,
        points: {show: s.points === true},
      }))),
      plugins: [eventMarks(events)],
    };
    const view = data => log ? [data[0]].concat(data.slice(1).map(ys => ys.map(y => y != null && y > 0 ? y : null)))
      : data;
    const draw = data => {
      const shown = view(data);
      container.dataset.points = String(shown[0].length);
      const counts = {};
      series.forEach((s, i) => counts[s.label] = shown[i + 1].filter(v => v != null).length);
      container.dataset.series = JSON.stringify(counts);
      return shown;
    };
    const plot = new uPlot(options, draw(data), container);
    return {
      plot,
      update(data) {
        plot.setData(draw(data));
      },
      show(index, visible) {
        plot.setSeries(index + 1, {show: visible});
      },
      resize() {
        plot.setSize({width: Math.max(300, container.clientWidth), height: 240});
      },
    };
  }

  /** Server-sent progress of one run (GET /api/runs/{id}/watch): onProgress(RunProgress), onEnd(). */
  function watch(runId, onProgress, onEnd) {
    const source = new EventSource(`/api/runs/${runId}/watch`);
    source.addEventListener('progress', m => onProgress(JSON.parse(m.data)));
    source.addEventListener('end', () => {
      source.close();
      onEnd();
    });
    source.addEventListener('error', m => {
      if (m.data) {
        const e = JSON.parse(m.data).error;
        showError(`${e.code} (${e.status}): ${e.message}`);
      }
      if (source.readyState === EventSource.CLOSED) {
        onEnd();
      }
    });
    return source;
  }

  return {
    api, useToken, word, status, kind, preset, eventType, isFinal, time, duration, bytes, fixed, el, param, showError,
    smooth,
    fidelityAttributes, meanFidelity, best, bestText, chart, watch, COLORS, EVENT_COLORS, DEFAULT_COLLAPSE_THRESHOLD,
  };
})();
