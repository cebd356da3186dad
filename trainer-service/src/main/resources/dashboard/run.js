'use strict';
// One run (run.html?id=N): its record, loss and throughput curves with events marked, evaluation figures per
// checkpoint, sample sheets, checkpoints, bundles and spec; while it trains, WatchRun's server-sent events add each
// step as it arrives. Cancel, resume, export and promote call the API's POST calls.
(() => {
  const runId = Dash.param('id');
  const $ = id => document.getElementById(id);
  const state = {run: null, metrics: null, events: [], checkpoints: [], bundles: []};
  const charts = {};
  let live = null;
  let history = false; // the history is loaded: live messages apply at once
  const buffered = [];
  let lastEpoch = null;
  let drawPending = false;

  const textEncoder = () => Dash.kind(state.run) === 'text-encoder';
  /** The recorded losses: the text encoder records its matching loss as both D and G (docs/operations.md). */
  const losses = () => textEncoder() ? [{key: 'generatorLoss', label: 'matching'}]
    : [{key: 'discriminatorLoss', label: 'D'}, {key: 'generatorLoss', label: 'G'}, {key: 'kl', label: 'KL'}];
  const lastStep = () => state.metrics.step.length ? state.metrics.step[state.metrics.step.length - 1] : 0;
  const events = () => state.events;

  function summary(status, percentage, step, totalSteps) {
    $('status').className = `badge ${status}`;
    $('status').textContent = status.toLowerCase();
    $('bar').style.width = `${percentage.toFixed(1)}%`;
    $('progress').textContent = `${percentage.toFixed(1)}% (step ${step} of ${totalSteps})`;
    $('cancel').disabled = Dash.isFinal(status);
    $('resume').disabled = !['INTERRUPTED', 'FAILED', 'CANCELLED'].includes(status);
  }

  function showRun() {
    const run = state.run;
    document.title = `StackGAN trainer: run ${run.id}`;
    $('title').textContent = `run ${run.id}: ${run.name}`;
    $('kind').textContent = Dash.kind(run);
    $('preset').textContent = `preset ${Dash.preset(run)}`;
    summary(Dash.status(run), 100 * run.progress, run.step, run.totalSteps);
    $('started').textContent = Dash.time(run.startTime);
    $('finished').textContent = Dash.time(run.finishTime);
    $('run-error').textContent = run.error ? `error: ${run.error}` : '';
    $('spec').textContent = JSON.stringify(run.spec, null, 2);
  }

  function lossData() {
    const m = state.metrics;
    const weight = Number($('smoothing').value);
    const data = [m.step];
    for (const loss of losses()) {
      data.push(m[loss.key], Dash.smooth(m[loss.key], weight));
    }
    return data;
  }

  function drawCurves(rebuild) {
    const raw = $('raw').checked;
    if (rebuild || !charts.losses) {
      const series = [];
      losses().forEach((loss, i) => {
        series.push({label: loss.label, color: Dash.COLORS[i], alpha: 0.35, width: 1, show: raw});
        series.push({label: `${loss.label} smoothed`, color: Dash.COLORS[i], width: 2});
      });
      charts.losses = Dash.chart($('chart-losses'), {series, data: lossData(), log: $('log').checked, events});
      charts.rate = Dash.chart($('chart-rate'), {
        series: [{label: 'images/s', color: Dash.COLORS[0]}],
        data: [state.metrics.step, state.metrics.imagesPerSecond], events,
      });
    } else {
      charts.losses.update(lossData());
      charts.rate.update([state.metrics.step, state.metrics.imagesPerSecond]);
    }
  }

  /** Redraws the curves at most once a frame, however fast steps arrive. */
  function scheduleCurves() {
    if (!drawPending) {
      drawPending = true;
      requestAnimationFrame(() => {
        drawPending = false;
        drawCurves(false);
      });
    }
  }

  function drawEvaluation() {
    const cps = state.checkpoints.filter(c => Object.keys(c.evaluation || {}).length);
    const steps = cps.map(c => Number(c.step));
    const figure = key => cps.map(c => c.evaluation[key] ?? null);
    const fidelity = [];
    const fidelityData = [steps];
    Dash.fidelityAttributes(cps).forEach((a, i) => {
      fidelity.push({label: a, color: Dash.COLORS[i], width: 2, points: true},
        {label: `${a} real`, color: Dash.COLORS[i], dash: [6, 4], width: 1});
      fidelityData.push(figure(`fidelity_${a}`), figure(`fidelity_${a}_real`));
    });
    const threshold = state.run.spec.collapseThreshold ?? Dash.DEFAULT_COLLAPSE_THRESHOLD;
    charts.fidelity = Dash.chart($('chart-fidelity'), {series: fidelity, data: fidelityData, events});
    charts.rprecision = Dash.chart($('chart-rprecision'), {
      series: [{label: 'R-precision', color: Dash.COLORS[0], width: 2, points: true}],
      data: [steps, figure('r_precision')], events,
    });
    charts.diversity = Dash.chart($('chart-diversity'), {
      series: [{label: 'diversity', color: Dash.COLORS[0], width: 2, points: true},
        {label: 'collapse threshold', color: Dash.COLORS[1], dash: [6, 4], width: 1}],
      data: [steps, figure('diversity'), steps.map(() => threshold)], events,
    });
    charts.frechet = Dash.chart($('chart-frechet'), {
      series: [{label: 'Frechet distance', color: Dash.COLORS[0], width: 2, points: true},
        {label: 'cropped', color: Dash.COLORS[2], dash: [6, 4], width: 1, points: true}],
      data: [steps, figure('frechet_distance'), figure('frechet_distance_cropped')], events,
    });
  }

  function showEvents() {
    $('events').replaceChildren(...state.events.map(e => Dash.el('li', {},
      Dash.el('span', {className: 'badge', style: `background:${Dash.EVENT_COLORS[Dash.eventType(e)] || '#333'}`},
        Dash.eventType(e).toLowerCase()),
      ` step ${e.step}, ${Dash.time(e.createTime)}: ${e.message}`)));
    if (!state.events.length) {
      $('events').append(Dash.el('li', {className: 'muted'}, 'none'));
    }
  }

  function figuresText(c) {
    const e = c.evaluation || {};
    const parts = [];
    if (e.r_precision != null) parts.push(`R-prec ${Dash.fixed(e.r_precision, 3)}`);
    const attributes = Dash.fidelityAttributes([c]);
    if (attributes.length) parts.push(`fidelity ${Dash.fixed(Dash.meanFidelity(c, attributes), 3)}`);
    if (e.diversity != null) parts.push(`diversity ${Dash.fixed(e.diversity, 3)}`);
    if (e.frechet_distance != null) parts.push(`FD ${Dash.fixed(e.frechet_distance, 1)}`);
    return parts.join(' · ') || '—';
  }

  function showCheckpoints() {
    const stage2 = Dash.kind(state.run) === 'stage2';
    $('checkpoints').querySelector('tbody').replaceChildren(...state.checkpoints.map(c => {
      const action = Dash.el('td', {});
      if (stage2) {
        const button = Dash.el('button', {className: 'export'}, 'export bundle');
        button.addEventListener('click', () => act(`/api/bundles?checkpoint_ids=${c.id}`,
          bundle => `exported bundle ${bundle.bundleId}`));
        action.append(button);
      }
      return Dash.el('tr', {},
        Dash.el('td', {className: 'num'}, c.id), Dash.el('td', {className: 'num'}, c.epoch),
        Dash.el('td', {className: 'num'}, c.step), Dash.el('td', {className: 'num'}, Dash.bytes(c.sizeBytes)),
        Dash.el('td', {className: 'mono', title: c.sha256}, c.sha256.substring(0, 16) + '…'),
        Dash.el('td', {className: 'num'}, Dash.time(c.createTime)), Dash.el('td', {}, figuresText(c)), action);
    }));
    // GAN stages draw a sheet with each evaluation (not at step 0 or at a cancel)
    const sheets = state.checkpoints.filter(c => Object.keys(c.evaluation || {}).length);
    $('samples').replaceChildren(...sheets.map(c => Dash.el('figure', {},
      Dash.el('img', {src: `/api/checkpoints/${c.id}/samples.png`, alt: `samples of checkpoint ${c.id}`}),
      Dash.el('figcaption', {}, `checkpoint ${c.id} · epoch ${c.epoch} · step ${c.step}`))));
    if (!sheets.length) {
      $('samples').append(Dash.el('span', {className: 'muted'}, textEncoder()
        ? 'text-encoder runs draw no samples' : 'no evaluated checkpoint yet'));
    }
  }

  function showBundles() {
    const ids = new Set(state.checkpoints.map(c => c.id));
    const mine = state.bundles.filter(b => b.checkpointIds.some(id => ids.has(id)));
    $('bundles').querySelector('tbody').replaceChildren(...mine.map(b => {
      const promote = Dash.el('button', {className: 'promote'}, 'promote');
      promote.addEventListener('click', () => act(`/api/bundles/${encodeURIComponent(b.bundleId)}/promote`,
        bundle => `promoted ${bundle.bundleId}: the model services pick it up on their next poll`));
      return Dash.el('tr', {}, Dash.el('td', {}, b.bundleId), Dash.el('td', {}, b.checkpointIds.join(', ')),
        Dash.el('td', {className: 'mono', title: b.sha256}, b.sha256.substring(0, 16) + '…'),
        Dash.el('td', {}, Dash.time(b.createTime)), Dash.el('td', {}, Dash.time(b.promoteTime)),
        Dash.el('td', {}, promote));
    }));
  }

  /** The management call the trainer refused for want of its token: sent again once the user gives one. */
  let refused = null;

  /** A management call (POST); its answer is reported, then the page reloads what it shows. */
  async function act(path, report) {
    try {
      const answer = await Dash.api(path, {method: 'POST'});
      $('live').textContent = report(answer);
      Dash.showError('');
      $('access').hidden = true;
    } catch (e) {
      Dash.showError(e.message);
      if (e.httpStatus === 401 || e.httpStatus === 403) {
        refused = () => act(path, report);
        $('access').hidden = false;
        $('access-note').textContent = e.httpStatus === 401
          ? 'this trainer needs its management token for cancel, resume, export and promote'
          : 'the trainer refused this token';
        $('token').focus();
      }
    }
    await load();
    if (!Dash.isFinal(Dash.status(state.run))) {
      startWatch();
    }
  }

  async function refreshCheckpoints() {
    state.checkpoints = (await Dash.api(`/api/runs/${runId}/checkpoints`)).checkpoints;
    showCheckpoints();
    drawEvaluation();
  }

  /** Everything the page shows, read afresh. */
  async function load() {
    const [run, metrics, events, checkpoints, bundles] = await Promise.all([
      Dash.api(`/api/runs/${runId}`), Dash.api(`/api/runs/${runId}/metrics`),
      Dash.api(`/api/runs/${runId}/events`), Dash.api(`/api/runs/${runId}/checkpoints`),
      Dash.api('/api/bundles')]);
    Object.assign(state, {run, metrics, events: events.events, checkpoints: checkpoints.checkpoints,
      bundles: bundles.bundles});
    showRun();
    showEvents();
    showCheckpoints();
    showBundles();
    drawCurves(true);
    drawEvaluation();
  }

  /** One message of WatchRun: the summary, and a new step's point or an event. */
  function apply(p) {
    const status = Dash.word(p.status, 'RUN_STATUS_');
    summary(status, p.percentage, p.step, p.totalSteps);
    $('rate').textContent = p.imagesPerSecond ? `${p.imagesPerSecond.toFixed(1)} images/s` : '';
    $('eta').textContent = p.etaSeconds >= 0 ? Dash.duration(p.etaSeconds) : '—';
    const m = state.metrics;
    if (p.event) {
      state.events.push(p.event);
      if (Dash.eventType(p.event) === 'RESUMED') { // steps after its checkpoint are trained again
        const keep = m.step.filter(s => s <= Number(p.event.step)).length;
        for (const column of Object.values(m)) {
          if (Array.isArray(column)) {
            column.length = keep;
          }
        }
      }
      showEvents();
      drawCurves(true);
    } else if (status === 'RUNNING' && Number(p.step) > lastStep()) {
      m.step.push(Number(p.step));
      m.epoch.push(p.epoch);
      m.discriminatorLoss.push(p.discriminatorLoss);
      m.generatorLoss.push(p.generatorLoss);
      m.kl.push(p.kl);
      m.generatorLr.push(p.generatorLr);
      m.discriminatorLr.push(p.discriminatorLr);
      m.imagesPerSecond.push(p.imagesPerSecond);
      scheduleCurves();
      $('live').textContent = `live: step ${p.step}`;
    }
    if (lastEpoch !== null && p.epoch !== lastEpoch) { // a new epoch may have written a checkpoint
      refreshCheckpoints().catch(e => Dash.showError(e.message));
    }
    lastEpoch = p.epoch;
  }

  function startWatch() {
    if (live) {
      return;
    }
    live = Dash.watch(runId, p => history ? apply(p) : buffered.push(p), () => {
      live = null;
      $('live').textContent = '';
      load().catch(e => Dash.showError(e.message)); // the final record: every step, checkpoint and event
    });
  }

  for (const id of ['raw', 'log']) {
    $(id).addEventListener('change', () => drawCurves(true));
  }
  $('smoothing').addEventListener('input', () => {
    $('smoothing-value').textContent = Number($('smoothing').value).toFixed(2);
    drawCurves(false);
  });
  $('cancel').addEventListener('click', () => act(`/api/runs/${runId}/cancel`, () => 'cancel requested'));
  $('resume').addEventListener('click', () => act(`/api/runs/${runId}/resume`, () => 'queued again'));
  function useToken() {
    Dash.useToken($('token').value.trim());
    $('token').value = '';
    const retry = refused;
    refused = null;
    if (retry) {
      retry();
    }
  }
  $('use-token').addEventListener('click', useToken);
  $('token').addEventListener('keydown', event => {
    if (event.key === 'Enter') {
      useToken();
    }
  });
  window.addEventListener('resize', () => Object.values(charts).forEach(c => c.resize()));

  (async () => {
    try {
      const run = await Dash.api(`/api/runs/${runId}`);
      if (!Dash.isFinal(Dash.status(run))) {
        startWatch(); // first, so no step falls between the history and the stream
      }
      await load();
      history = true;
      buffered.splice(0).forEach(apply);
    } catch (e) {
      Dash.showError(e.message);
    }
  })();
})();
