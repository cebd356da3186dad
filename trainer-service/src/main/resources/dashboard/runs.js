'use strict';
// The runs list: GET /api/runs filtered by status (?status=running,queued in the page's address too), progress and
// ETA kept live over each unfinished run's server-sent events, best figures from each run's checkpoints.
(() => {
  const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'];
  const body = document.querySelector('#runs tbody');
  const selected = new Set();
  const watches = [];
  let nextPage = '';
  let generation = 0; // a page answered after a newer reload started is dropped

  const chosen = () => (Dash.param('status') || '').split(',').filter(s => s);

  function filters() {
    const box = document.getElementById('filters');
    for (const s of STATUSES) {
      const input = Dash.el('input', {type: 'checkbox', value: s, checked: chosen().includes(s)});
      input.addEventListener('change', () => {
        const on = [...box.querySelectorAll('input:checked')].map(i => i.value);
        history.replaceState(null, '', on.length ? `?status=${on.join(',')}` : location.pathname);
        reload();
      });
      box.append(Dash.el('label', {}, input, ` ${s} `));
    }
  }

  function progressCells(row, percentage, eta) {
    row.querySelector('.progress').replaceChildren(
      Dash.el('span', {className: 'bar'}, Dash.el('span', {style: `width:${percentage.toFixed(1)}%`})),
      ` ${percentage.toFixed(1)}%`);
    row.querySelector('.eta').textContent = eta;
  }

  function add(run) {
    const id = Number(run.id);
    const status = Dash.status(run);
    const pick = Dash.el('input', {type: 'checkbox', checked: selected.has(id)});
    pick.addEventListener('change', () => {
      pick.checked ? selected.add(id) : selected.delete(id);
      document.getElementById('compare').disabled = selected.size < 2;
    });
    const row = Dash.el('tr', {id: `run-${id}`},
      Dash.el('td', {}, pick),
      Dash.el('td', {className: 'num'}, id),
      Dash.el('td', {}, Dash.el('a', {href: `run.html?id=${id}`}, run.name)),
      Dash.el('td', {}, Dash.kind(run)),
      Dash.el('td', {}, Dash.preset(run)),
      Dash.el('td', {}, Dash.el('span', {className: `badge ${status}`}, status.toLowerCase())),
      Dash.el('td', {className: 'progress num'}),
      Dash.el('td', {className: 'eta num'}),
      Dash.el('td', {className: 'num'}, Dash.time(run.startTime)),
      Dash.el('td', {className: 'num'}, Dash.time(run.finishTime)),
      Dash.el('td', {className: 'best'}, '…'));
    body.append(row);
    progressCells(row, 100 * run.progress, Dash.isFinal(status) ? '—' : '…');
    Dash.api(`/api/runs/${id}/checkpoints`).then(r => {
      row.querySelector('.best').textContent = Dash.bestText(Dash.best(r.checkpoints));
    }).catch(e => Dash.showError(e.message));
    if (!Dash.isFinal(status)) {
      watches.push(Dash.watch(id, p => {
        const now = Dash.word(p.status, 'RUN_STATUS_');
        row.querySelector('.badge').className = `badge ${now}`;
        row.querySelector('.badge').textContent = now.toLowerCase();
        progressCells(row, p.percentage, p.etaSeconds >= 0 ? Dash.duration(p.etaSeconds) : '—');
      }, () => {}));
    }
  }

  async function page(token) {
    const asked = generation;
    const query = new URLSearchParams();
    if (chosen().length) {
      query.set('status', chosen().join(','));
    }
    if (token) {
      query.set('page_token', token);
    }
    try {
      const response = await Dash.api(`/api/runs?${query}`);
      if (asked !== generation) {
        return;
      }
      response.runs.forEach(add);
      nextPage = response.nextPageToken;
      document.getElementById('more').hidden = !nextPage;
      body.dataset.loaded = String(body.children.length);
      Dash.showError('');
    } catch (e) {
      Dash.showError(e.message);
    }
  }

  function reload() {
    generation++;
    watches.splice(0).forEach(w => w.close());
    body.replaceChildren();
    page('');
  }

  filters();
  document.getElementById('more').addEventListener('click', () => page(nextPage));
  document.getElementById('compare').addEventListener('click', () => {
    location.href = `compare.html?runs=${[...selected].sort((a, b) => a - b).join(',')}`;
  });
  reload();
})();
