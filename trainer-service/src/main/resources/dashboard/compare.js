'use strict';
// Two or more runs side by side (compare.html?runs=3,4): every curve and evaluation figure of each run on shared
// axes, one line per run in the same colour everywhere, and the spec fields in which the runs differ.
(() => {
  const $ = id => document.getElementById(id);
  const ids = (Dash.param('runs') || '').split(',').filter(s => s);
  const CURVES = ['discriminatorLoss', 'generatorLoss', 'kl', 'imagesPerSecond'];
  const EVALUATION = ['r_precision', 'diversity', 'frechet_distance'];
  let runs = [];

  /** One chart of one figure: each run's [x, y] joined on a shared x axis (uPlot.join; gaps are null). */
  function overlay(id, tables, log) {
    const joined = uPlot.join(tables.map(t => [t.x, t.y]));
    return Dash.chart($(id), {
      series: tables.map(t => ({label: t.label, color: t.color, width: 2, points: t.points})),
      data: joined.map(column => Array.from(column)), log,
      events: () => [],
    });
  }

  function draw() {
    const weight = Number($('smoothing').value);
    const log = $('log').checked;
    for (const key of CURVES) {
      const smoothed = key !== 'imagesPerSecond';
      overlay(`chart-${key}`, runs.map(r => ({
        label: r.label, color: r.color, x: r.metrics.step,
        y: smoothed ? Dash.smooth(r.metrics[key], weight) : r.metrics[key],
      })), log && smoothed);
    }
    const evaluated = r => r.checkpoints.filter(c => Object.keys(c.evaluation || {}).length);
    for (const key of EVALUATION) {
      overlay(`chart-${key}`, runs.map(r => ({
        label: r.label, color: r.color, points: true, x: evaluated(r).map(c => Number(c.step)),
        y: evaluated(r).map(c => c.evaluation[key] ?? null),
      })), false);
    }
    overlay('chart-fidelity', runs.map(r => {
      const attributes = Dash.fidelityAttributes(r.checkpoints);
      return {label: r.label, color: r.color, points: true, x: evaluated(r).map(c => Number(c.step)),
        y: evaluated(r).map(c => Dash.meanFidelity(c, attributes))};
    }), false);
  }

  /**
   * The spec fields (flattened, overrides.x) whose values are not the same in every run. An enum's UNSPECIFIED and an
   * empty string are what an unset field prints as (proto3 JSON with defaults), so they count as unset.
   */
  function differences() {
    const unset = v => v === '' || (typeof v === 'string' && v.endsWith('_UNSPECIFIED'));
    const flat = (object, prefix) => Object.entries(object || {}).filter(([, v]) => !unset(v)).flatMap(([k, v]) =>
      v && typeof v === 'object' && !Array.isArray(v) ? flat(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v]]);
    const specs = runs.map(r => new Map(flat(r.run.spec, '')));
    const keys = new Set(specs.flatMap(s => [...s.keys()]));
    const differ = [...keys].filter(k => new Set(specs.map(s => JSON.stringify(s.get(k)))).size > 1).sort();
    return specs.map(s => differ.map(k => `${k}: ${s.has(k) ? JSON.stringify(s.get(k)) : '(unset)'}`).join(', '));
  }

  function table() {
    const diffs = differences();
    $('runs').querySelector('tbody').replaceChildren(...runs.map((r, i) => Dash.el('tr', {},
      Dash.el('td', {}, Dash.el('span', {className: 'badge', style: `background:${r.color}`}, ' ')),
      Dash.el('td', {}, Dash.el('a', {href: `run.html?id=${r.run.id}`}, r.label)),
      Dash.el('td', {}, Dash.kind(r.run)), Dash.el('td', {}, Dash.preset(r.run)),
      Dash.el('td', {}, Dash.status(r.run).toLowerCase()),
      Dash.el('td', {className: 'num'}, `${r.run.step} of ${r.run.totalSteps}`),
      Dash.el('td', {}, Dash.bestText(Dash.best(r.checkpoints))),
      Dash.el('td', {className: 'mono'}, diffs[i] || '—'))));
  }

  (async () => {
    try {
      if (ids.length < 2) {
        throw new Error('name two or more runs: compare.html?runs=3,4');
      }
      runs = await Promise.all(ids.map(async (id, i) => {
        const [run, metrics, checkpoints] = await Promise.all([Dash.api(`/api/runs/${encodeURIComponent(id)}`),
          Dash.api(`/api/runs/${encodeURIComponent(id)}/metrics`),
          Dash.api(`/api/runs/${encodeURIComponent(id)}/checkpoints`)]);
        return {run, metrics, checkpoints: checkpoints.checkpoints, label: `${run.id} ${run.name}`,
          color: Dash.COLORS[i % Dash.COLORS.length]};
      }));
      $('title').textContent = `compare runs ${ids.join(', ')}`;
      table();
      draw();
    } catch (e) {
      Dash.showError(e.message);
    }
  })();
  $('smoothing').addEventListener('input', () => {
    $('smoothing-value').textContent = Number($('smoothing').value).toFixed(2);
    draw();
  });
  $('log').addEventListener('change', draw);
})();
