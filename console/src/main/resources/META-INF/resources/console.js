// fmnist console: one server-sent event stream feeds every panel; actions go through the console's
// /api proxies. No framework, no network beyond this origin. Everything from the server is shown
// with textContent (never innerHTML), images only as data:image/png URLs of server-made PNGs.
'use strict';

const TOKEN_KEY = 'fmnist-admin-token';
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';
let labels = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
let lastTraining = null;
// Each followed model has its own curves, snapshots, served model and quality events ("curves.fmnist-cnn"); the
// "models" event names the models this console follows (fmnist.console.models), and the page listens to theirs.
const PER_MODEL = ['curves', 'snapshots', 'model', 'quality'];
let models = [];
let families = [];
let selected = null;
const store = { curves: {}, snapshots: {}, model: {}, quality: {} };
// several models: actions name the one shown (?model=, "model" of a run); one: the services' default route
const several = () => models.length > 1 && selected !== null;
function withModel(path) { return several() ? path + (path.includes('?') ? '&' : '?') + 'model=' + encodeURIComponent(selected) : path; }

// ---------- helpers ----------
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}
function svg(tag, attrs = {}) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}
const num = (v, d = 4) => (v === null || v === undefined || Number.isNaN(v)) ? '–' : Number(v).toFixed(d);
const pct = (v) => (v === null || v === undefined) ? '–' : (100 * v).toFixed(2) + '%';
const when = (t) => t ? new Date(t).toLocaleString() : '–';
function png(b64) { return 'data:image/png;base64,' + b64; }
function setMsg(id, text, error) { const m = $(id); m.textContent = text; m.classList.toggle('err', !!error); }
function fill(tbody, rows) { tbody.replaceChildren(...rows); }
function row(cells, attrs) {
  const tr = el('tr', attrs || {});
  cells.forEach((c, i) => tr.append(i === 0 ? el('th', { scope: 'row', text: String(c) }) : el('td', {}, c instanceof Node ? c : String(c))));
  return tr;
}

// ---------- admin token (kept in sessionStorage: this tab only) ----------
function token() { return sessionStorage.getItem(TOKEN_KEY) || ''; }
function showTokenState() { $('token-state').textContent = token() ? 'token set for this tab' : 'no token'; }
$('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const t = $('token').value.trim();
  if (t) sessionStorage.setItem(TOKEN_KEY, t); else sessionStorage.removeItem(TOKEN_KEY);
  $('token').value = '';
  showTokenState();
});
$('token-forget').addEventListener('click', () => { sessionStorage.removeItem(TOKEN_KEY); showTokenState(); });
showTokenState();

async function call(method, path, body, contentType) {
  const headers = {};
  if (token()) headers.Authorization = 'Bearer ' + token();
  if (body !== undefined) headers['Content-Type'] = contentType || 'application/json';
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined :
    (contentType ? body : JSON.stringify(body)) });
  let data = null;
  try { data = await r.json(); } catch (_) { /* not JSON */ }
  if (!r.ok) {
    const why = data && data.error ? data.error : 'HTTP ' + r.status;
    throw new Error(r.status === 401 || r.status === 403 ? why + ' (set the admin token at the top)' : why);
  }
  return data;
}

// ---------- training ----------
function renderTraining(t) {
  lastTraining = t;
  if (!t.reachable) {
    $('t-state').textContent = 'trainer unreachable';
    $('t-detail').textContent = t.url || '';
    return;
  }
  $('t-state').textContent = t.state || '–';
  $('t-epoch').textContent = (t.epoch ?? '–') + (t.plannedEpochs ? ' / ' + t.plannedEpochs : '');
  $('t-step').textContent = t.step ?? '–';
  $('t-rate').textContent = t.samplesPerSecond ? Math.round(t.samplesPerSecond).toLocaleString() : '–';
  $('t-version').textContent = t.modelVersion ? 'v' + t.modelVersion : '–';
  $('t-detail').textContent = t.detail || '';
  if (!$('train-epochs').value && t.epoch !== undefined) $('train-epochs').placeholder = String((t.epoch || 0) + 1);
}

function renderCurves(c) {
  const pts = c.points || [];
  const s = $('curves');
  [...s.querySelectorAll(':scope > g')].forEach((g) => g.remove());
  s.dataset.points = String(pts.length);
  const W = 640, H = 300, L = 48, R = 16, T = 12, B = 36;
  const maxEpoch = Math.max(pts.length ? pts[pts.length - 1].epoch : 1, 2);
  const minEpoch = pts.length ? Math.min(pts[0].epoch, 1) : 1;
  const maxY = Math.max(1, ...pts.map((p) => p.trainLoss || 0));
  const x = (e) => L + (W - L - R) * (e - minEpoch) / Math.max(1, maxEpoch - minEpoch);
  const y = (v) => T + (H - T - B) * (1 - v / maxY);
  const g = svg('g');
  for (let i = 0; i <= 5; i++) {
    const v = maxY * i / 5;
    g.append(svg('line', { class: 'grid-line', x1: L, x2: W - R, y1: y(v), y2: y(v) }));
    const t = svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }); t.textContent = v.toFixed(1); g.append(t);
  }
  const step = Math.max(1, Math.ceil((maxEpoch - minEpoch) / 10));
  for (let e = minEpoch; e <= maxEpoch; e += step) {
    const t = svg('text', { x: x(e), y: H - B + 16, 'text-anchor': 'middle' }); t.textContent = String(e); g.append(t);
  }
  const xl = svg('text', { x: (L + W - R) / 2, y: H - 4, 'text-anchor': 'middle' }); xl.textContent = 'epoch'; g.append(xl);
  g.append(svg('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }));
  g.append(svg('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
  for (const [field, cls] of [['trainLoss', 'loss'], ['trainAccuracy', 'tacc'], ['testAccuracy', 'vacc']]) {
    const series = pts.filter((p) => p[field] !== null && p[field] !== undefined);
    if (series.length > 1) {
      g.append(svg('polyline', { class: cls, points: series.map((p) => `${x(p.epoch)},${y(p[field])}`).join(' ') }));
    }
    for (const p of series) {
      const dot = svg('circle', { class: cls + ' point', cx: x(p.epoch), cy: y(p[field]), r: 3.5, 'data-epoch': p.epoch });
      const tip = svg('title'); tip.textContent = `epoch ${p.epoch} ${field} ${num(p[field])}`; dot.append(tip);
      g.append(dot);
    }
  }
  s.append(g);
  fill($('epochs'), pts.slice().reverse().map((p) => row([p.epoch, num(p.trainLoss), num(p.trainAccuracy), num(p.testAccuracy), 'v' + p.modelVersion])));
}

$('train-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const body = {};
  const epochs = $('train-epochs').value || $('train-epochs').placeholder;
  if (epochs) body.epochs = Number(epochs);
  if ($('train-lr').value) body.learningRate = Number($('train-lr').value);
  if ($('train-fresh').checked) body.resume = false;
  if (several()) body.model = families[models.indexOf(selected)];
  setMsg('train-msg', 'starting…');
  try {
    const r = await call('POST', 'api/training', body);
    setMsg('train-msg', 'run started: ' + (r && r.detail ? r.detail : r && r.state));
  } catch (err) { setMsg('train-msg', 'could not start: ' + err.message, true); }
});
$('train-stop').addEventListener('click', async () => {
  setMsg('train-msg', 'stopping…');
  try {
    const r = await call('DELETE', 'api/training');
    setMsg('train-msg', 'stopped: ' + (r && r.state));
  } catch (err) { setMsg('train-msg', 'could not stop: ' + err.message, true); }
});

// ---------- model ----------
function renderModel(m) {
  $('served-name').textContent = m.name || '';
  const v = $('served-version');
  const facts = $('model-facts');
  if (!m.reachable || !m.model) {
    v.textContent = m.reachable ? 'no model served' : 'inference unreachable';
    v.dataset.version = '';
    facts.replaceChildren(el('div', {}, el('dt', { text: 'why' }), el('dd', { text: m.error || m.url || '' })));
  } else {
    const x = m.model;
    v.textContent = 'v' + x.version;
    v.dataset.version = String(x.version);
    $('served-pinned').hidden = !x.pinned;
    const hp = x.hyperparameters || {};
    const lineage = (x.lineage || []).map((l) => `${l.topic}[${l.partition}]@${l.offset}`).join(', ');
    const items = [['model', x.modelName], ['epoch', x.epoch], ['step', x.step], ['test acc', num(x.testAccuracy)],
      ['train loss', num(x.trainLoss)], ['train acc', num(x.trainAccuracy)], ['trained at', when(x.createdAt)],
      ['swapped in at', when(x.loadedAt)], ['learning rate', hp.learningRate], ['batch size', hp.batchSize],
      ['seed', hp.seed], ['lineage (next offsets)', lineage || '–']];
    facts.replaceChildren(...items.map(([k, val]) => el('div', {}, el('dt', { text: k }), el('dd', { text: String(val ?? '–') }))));
  }
  const swaps = m.swaps || [];
  $('swaps').replaceChildren(...swaps.map((s) => el('li', { text: `v${s.version} serving from ${when(s.seenAt)} (loaded ${when(s.loadedAt)})` })));
}

function renderReplicas(r) {
  fill($('replicas'), (r.replicas || []).map((x) => row([x.url,
    x.version ? 'v' + x.version + (x.pinned ? ' (pinned)' : '') : (x.reachable ? (x.error || 'no model') : 'unreachable'),
    when(x.loadedAt)])));
  $('replica-note').textContent = 'replicas from: ' + r.discovery;
}

function renderSnapshots(s) {
  fill($('snapshots'), (s.versions || []).slice(0, 15).map((x) => row(['v' + x.version, x.epoch, x.step, num(x.testAccuracy), when(x.createdAt)])));
}

// Promotion (inference's gated policy) adds per version "state", "reason" and "shadow", and "policy" and
// "autoRollback" at the top; an inference without it sends none of them and the table stays as it was.
const VERSION_COLUMNS = ['version', 'epoch', 'test acc', 'state'];
function promotionCell(x) {
  const td = el('td', { class: 'promotion' });
  if (x.state) td.append(el('span', { class: x.state, text: x.state }));
  if (x.reason) td.append(el('span', { class: 'figures', text: x.reason }));
  return td;
}
function shadowCell(s) {
  const td = el('td', { class: 'promotion' });
  if (!s) { td.textContent = '–'; return td; }
  const parts = [s.role, `${(s.requests ?? 0).toLocaleString()} requests`];
  if (s.agreement !== null && s.agreement !== undefined) parts.push(`agrees ${pct(s.agreement)}`);
  if (s.labelled) parts.push(`labelled ${s.labelled.toLocaleString()}: accuracy ${num(s.accuracy)} (live ${num(s.liveAccuracy)})`);
  td.append(el('span', { text: parts.filter(Boolean).join(' · ') }));
  const classes = s.classes || [];
  const most = Math.max(1, ...classes);
  if (classes.length) {
    const mix = el('span', { class: 'mix', role: 'img',
      'aria-label': 'answers per class: ' + classes.map((n, i) => `${labels[i] || i} ${n}`).join(', ') });
    classes.forEach((n, i) => {
      const bar = el('span', { title: `${labels[i] || i}: ${n}` });
      bar.style.height = (100 * n / most).toFixed(0) + '%';
      mix.append(bar);
    });
    td.append(' ', mix);
  }
  return td;
}

// announce: false after a pin/unpin/rollback, whose own message must stay (the table still refreshes)
async function loadVersions(announce = true) {
  try {
    const v = await call('GET', withModel('api/model/versions'));
    const list = v.versions || [];
    const promotion = list.some((x) => x.state);
    const shadow = list.some((x) => x.shadow);
    const columns = [...VERSION_COLUMNS, ...(promotion ? ['promotion'] : []), ...(shadow ? ['shadow scoring'] : [])];
    $('versions-head').replaceChildren(el('tr', {}, ...columns.map((c) => el('th', { scope: 'col', text: c })),
      el('th', { scope: 'col' }, el('span', { class: 'sr', text: 'action' }))));
    const policy = $('promotion-policy');
    policy.hidden = v.policy === undefined && v.autoRollback === undefined;
    policy.textContent = [v.policy !== undefined ? 'promotion policy: ' + v.policy : '',
      v.autoRollback !== undefined ? 'automatic rollback: ' + (v.autoRollback ? 'on' : 'off') : ''].filter(Boolean).join(' · ');
    fill($('versions'), list.map((x) => {
      const b = el('button', { type: 'button', class: 'pin', 'data-version': String(x.version), 'aria-label': 'Pin version ' + x.version, text: 'Pin' });
      b.addEventListener('click', () => pin(x.version));
      const state = [x.live ? 'live' : '', x.pinned ? 'pinned' : ''].filter(Boolean).join(', ');
      const tr = row(['v' + x.version, x.epoch, num(x.testAccuracy), state || '–']);
      if (x.state) tr.dataset.state = x.state;
      if (promotion) tr.append(promotionCell(x));
      if (shadow) tr.append(shadowCell(x.shadow));
      tr.append(el('td', {}, b));
      return tr;
    }));
    if (announce) setMsg('model-msg', `${v.versions.length} versions retained; live v${v.live}${v.pinned ? ', pinned v' + v.pinned : ''}`);
  } catch (err) { setMsg('model-msg', 'versions: ' + err.message, true); }
}
async function pin(version) {
  // every inference replica follows the decision (fmnist.model-control); pending: this replica applies it shortly
  try { const v = await call('POST', withModel('api/model/pin'), { version });
    setMsg('model-msg', 'pinned v' + version + (v && v.pending ? ' (every replica applies it shortly)' : ' on every replica')); loadVersions(false); }
  catch (err) { setMsg('model-msg', 'pin: ' + err.message, true); }
}
$('versions-load').addEventListener('click', () => loadVersions(true));
$('unpin').addEventListener('click', async () => {
  try { await call('DELETE', withModel('api/model/pin')); setMsg('model-msg', 'unpinned: the newest version serves on every replica'); loadVersions(false); }
  catch (err) { setMsg('model-msg', 'unpin: ' + err.message, true); }
});
$('rollback').addEventListener('click', async () => {
  try { const v = await call('POST', withModel('api/model/rollback')); setMsg('model-msg', 'rolled back to v' + v.live); loadVersions(false); }
  catch (err) { setMsg('model-msg', 'rollback: ' + err.message, true); }
});

// ---------- quality ----------
function renderQuality(q) {
  $('quality-name').textContent = q.name || '';
  const table = $('confusion');
  if (q.state !== 'ready') {
    $('q-summary').textContent = (q.modelVersion ? `v${q.modelVersion}: ` : '') + (q.reason || 'waiting');
    return;
  }
  const x = q.quality;
  const check = q.snapshotTestAccuracy !== null && q.snapshotTestAccuracy !== undefined
    ? ` (the trainer measured ${num(q.snapshotTestAccuracy)})` : '';
  $('q-summary').textContent = `v${x.modelVersion}: ${x.correct.toLocaleString()} of ${x.total.toLocaleString()} test images right, accuracy ${num(x.accuracy)}${check}`;
  $('q-summary').dataset.version = String(x.modelVersion);
  confusionTable(table, x.confusion);
  table.dataset.version = String(x.modelVersion);
  fill($('pr'), labels.map((l, k) => row([l, num(x.precision[k], 3), num(x.recall[k], 3)])));
  $('gallery').replaceChildren(...x.mistakes.map((m) => el('li', {},
    el('img', { src: png(m.png), alt: `test image ${m.index}: a ${m.trueLabel} taken for a ${m.predictedLabel}`, width: '56', height: '56' }),
    el('div', { text: `true: ${m.trueLabel}` }),
    el('div', { class: 'wrong', text: `model: ${m.predictedLabel} ${pct(m.probability)}` }),
    el('div', { class: 'muted', text: `#${m.index}` }))));
}

// rows true class, columns predicted class; the diagonal green, mistakes redder the more there are
function confusionTable(table, confusion) {
  let total = 0;
  let max = 1;
  confusion.forEach((r, i) => r.forEach((n, j) => { total += n; if (i !== j) max = Math.max(max, n); }));
  const head = el('tr', {}, el('th', { scope: 'col', text: 'true \\ predicted' }),
    ...labels.map((l) => el('th', { scope: 'col', class: 'rot', text: l })));
  const body = confusion.map((r, i) => {
    const tr = el('tr', {}, el('th', { scope: 'row', text: labels[i] }));
    r.forEach((n, j) => {
      const td = el('td', { text: String(n), class: i === j ? 'diag' : '' });
      const share = i === j ? 0 : n / max;
      if (i === j) td.style.background = 'rgba(21,128,61,.18)';
      else if (n > 0) td.style.background = `rgba(185,28,28,${(0.08 + 0.6 * share).toFixed(3)})`;
      td.title = `${labels[i]} predicted as ${labels[j]}: ${n}`;
      tr.append(td);
    });
    return tr;
  });
  table.replaceChildren(el('thead', {}, head), el('tbody', {}, ...body));
  table.dataset.total = String(total);
}

function renderOnline(o) {
  if (!o.reachable) { $('online').textContent = 'inference metrics unreachable'; return; }
  const per = (o.versions || []).filter((v) => v.labelled > 0).map((v) => `v${v.version}: ${v.correct}/${v.labelled}`).join(', ');
  $('online').textContent = (o.accuracy === null || o.accuracy === undefined ? 'no labelled requests yet for the live version'
    : 'live version: ' + num(o.accuracy)) + (per ? ' · ' + per : '');
}

// ---------- models: which one the panels show, and their comparison ----------
function renderModels(m) {
  models = m.models || [];
  families = m.families || [];
  // the server sends "models" before any event of a model (EventHub keeps the order values were first published)
  for (const name of models) {
    for (const kind of PER_MODEL) listen(kind + '.' + name, (data) => perModel(kind, name, data));
  }
  if (!models.includes(selected)) selected = models[0] || null;
  const select = $('model-select');
  select.replaceChildren(...models.map((n) => el('option', { value: n, text: n })));
  select.value = selected || '';
  $('model-list').textContent = models.length > 1 ? `${models.length} models followed; actions (classify, versions, pin, runs) apply to the one shown` : '';
  $('models').hidden = models.length < 2;
  $('compare').hidden = models.length < 2;
  $('train-model').textContent = several() ? 'run of ' + selected + ':' : '';
  showSelected();
  renderCompareCurves();
}

// the panels of one model: what the stream last said about it, or an empty panel until it says something
function showSelected() {
  $('confusion').replaceChildren();
  $('confusion').dataset.total = '0';
  $('confusion').dataset.version = '';
  fill($('pr'), []);
  $('gallery').replaceChildren();
  fill($('versions'), []);
  setMsg('model-msg', '');
  if (selected === null) return;
  renderCurves(store.curves[selected] || { points: [] });
  renderSnapshots(store.snapshots[selected] || { versions: [] });
  renderModel(store.model[selected] || { reachable: true, name: selected, swaps: [] });
  renderQuality(store.quality[selected] || { state: 'waiting', name: selected, reason: 'nothing seen yet' });
}
$('model-select').addEventListener('change', () => {
  selected = $('model-select').value;
  $('train-model').textContent = several() ? 'run of ' + selected + ':' : '';
  showSelected();
});

function perModel(kind, name, data) {
  store[kind][name] = data;
  if (name === selected) ({ curves: renderCurves, snapshots: renderSnapshots, model: renderModel, quality: renderQuality })[kind](data);
  if (kind === 'curves') renderCompareCurves();
}

// every followed model's test accuracy per epoch on one chart (0 to 1)
function renderCompareCurves() {
  const s = $('compare-curves');
  [...s.querySelectorAll(':scope > g')].forEach((g) => g.remove());
  const series = models.map((n, i) => ({ name: n, cls: 'm' + i,
    pts: ((store.curves[n] || {}).points || []).filter((p) => p.testAccuracy !== null && p.testAccuracy !== undefined) }));
  s.dataset.models = String(series.filter((x) => x.pts.length > 0).length);
  const all = series.flatMap((x) => x.pts);
  const W = 640, H = 300, L = 48, R = 16, T = 12, B = 36;
  const maxEpoch = Math.max(2, ...all.map((p) => p.epoch));
  const minEpoch = Math.min(1, ...all.map((p) => p.epoch));
  const x = (e) => L + (W - L - R) * (e - minEpoch) / Math.max(1, maxEpoch - minEpoch);
  const y = (v) => T + (H - T - B) * (1 - v);
  const g = svg('g');
  for (let i = 0; i <= 5; i++) {
    const v = i / 5;
    g.append(svg('line', { class: 'grid-line', x1: L, x2: W - R, y1: y(v), y2: y(v) }));
    const t = svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }); t.textContent = v.toFixed(1); g.append(t);
  }
  const step = Math.max(1, Math.ceil((maxEpoch - minEpoch) / 10));
  for (let e = minEpoch; e <= maxEpoch; e += step) {
    const t = svg('text', { x: x(e), y: H - B + 16, 'text-anchor': 'middle' }); t.textContent = String(e); g.append(t);
  }
  const xl = svg('text', { x: (L + W - R) / 2, y: H - 4, 'text-anchor': 'middle' }); xl.textContent = 'epoch (test accuracy)'; g.append(xl);
  g.append(svg('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }));
  g.append(svg('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
  for (const sr of series) {
    if (sr.pts.length > 1) {
      g.append(svg('polyline', { class: 'model ' + sr.cls, 'data-model': sr.name,
        points: sr.pts.map((p) => `${x(p.epoch)},${y(p.testAccuracy)}`).join(' ') }));
    }
    for (const p of sr.pts) {
      const dot = svg('circle', { class: sr.cls + ' point', cx: x(p.epoch), cy: y(p.testAccuracy), r: 3.5, 'data-model': sr.name, 'data-epoch': p.epoch });
      const tip = svg('title'); tip.textContent = `${sr.name} epoch ${p.epoch} test accuracy ${num(p.testAccuracy)}`; dot.append(tip);
      g.append(dot);
    }
  }
  s.append(g);
  $('compare-legend').replaceChildren(...series.map((sr) => {
    const last = sr.pts[sr.pts.length - 1];
    return el('span', { class: 'key ' + sr.cls, text: sr.name + (last ? ` ${num(last.testAccuracy)} (epoch ${last.epoch})` : '') });
  }));
}

function renderComparison(c) {
  const scored = c.models || [];
  $('compare-confusion').replaceChildren(...scored.map((m) => {
    const table = el('table', { class: 'confusion compact', 'data-model': m.model, 'data-version': String(m.modelVersion),
      'aria-label': `Confusion matrix of ${m.model} v${m.modelVersion}, rows true class, columns predicted class` });
    confusionTable(table, m.confusion);
    return el('figure', {}, el('figcaption', { text: `${m.model} v${m.modelVersion}: accuracy ${num(m.accuracy)}` }), table);
  }));
  const summary = $('disagree-summary');
  if (c.state !== 'ready') {
    $('compare-summary').textContent = c.reason || 'waiting';
    summary.textContent = '–';
    summary.dataset.disagree = '';
    fill($('disagree-pairs'), []);
    $('disagree-examples').replaceChildren();
    return;
  }
  const d = c.disagreement;
  $('compare-summary').textContent = scored.map((m) => `${m.model} v${m.modelVersion} ${num(m.accuracy)}`).join(' · ')
    + (c.missing && c.missing.length ? ` (not yet scored: ${c.missing.join(', ')})` : '');
  summary.textContent = `${d.disagree.toLocaleString()} of ${d.total.toLocaleString()} test images (${pct(d.total ? d.disagree / d.total : 0)}) `
    + `do not get the same answer from ${d.models.join(', ')}`;
  summary.dataset.disagree = String(d.disagree);
  fill($('disagree-pairs'), d.pairs.map((p) => row([`${p.first} / ${p.second}`, p.differ.toLocaleString(),
    `${p.onlyFirst.toLocaleString()} (${p.first})`, `${p.onlySecond.toLocaleString()} (${p.second})`])));
  $('disagree-examples').replaceChildren(...d.examples.map((e) => el('li', {},
    el('img', { src: png(e.png), alt: `test image ${e.index}, a ${e.trueLabel || 'unlabelled image'}, answered differently`, width: '56', height: '56' }),
    el('div', { text: `true: ${e.trueLabel || 'unlabelled'}` }),
    ...Object.entries(e.predicted).map(([n, l]) => el('div', { class: 'answers' + (l === e.trueLabel ? '' : ' wrong'), text: `${n.replace('fmnist-', '')}: ${l}` })),
    el('div', { class: 'muted', text: `#${e.index}` }))));
}

// ---------- data ----------
function renderIngest(i) {
  const line = $('ingest-line');
  const bar = $('ingest-progress');
  if (!i.reachable) { line.textContent = 'ingest unreachable'; return; }
  const p = i.publication;
  if (!p) { line.textContent = i.error ? 'ingest: ' + i.error : 'nothing published since ingest started'; return; }
  const done = (p.publishedImages || 0) + (p.skippedImages || 0);
  const total = p.totalImages || 0;
  line.textContent = `publication ${String(p.state).toLowerCase()}: ${done.toLocaleString()} / ${total.toLocaleString()} images`
    + (p.skippedImages ? ` (${p.skippedImages.toLocaleString()} already on the topics)` : '')
    + (p.imagesPerSecond ? `, ${Math.round(p.imagesPerSecond).toLocaleString()} images/s` : '')
    + (p.error ? ' – ' + p.error : '');
  bar.max = Math.max(total, 1);
  bar.value = done;
}

function renderData(d) {
  if (d.labels) labels = d.labels;
  const splits = d.splits || {};
  const names = Object.keys(splits);
  const head = el('tr', {}, el('th', { scope: 'col', text: 'split' }), el('th', { scope: 'col', text: 'images' }),
    ...labels.map((l) => el('th', { scope: 'col', text: l })), el('th', { scope: 'col', text: 'unlabelled' }));
  const rows = names.map((n) => {
    const s = splits[n];
    return row([n, s.images.toLocaleString(), ...s.perClass.map((c) => c.toLocaleString()), s.unlabelled], { 'data-split': n });
  });
  $('splits').replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
  const user = splits.user || { images: 0 };
  $('uploads-count').textContent = `(${user.images.toLocaleString()} on fmnist.train)`;
  $('uploads').replaceChildren(...(d.uploads || []).map((u) => el('li', {},
    el('img', { src: png(u.png), alt: 'upload labelled ' + (u.labelName || 'unknown'), width: '56', height: '56' }),
    el('div', { text: u.labelName || 'unlabelled' }), el('div', { class: 'muted', text: when(u.at) }))));
}

function renderDeadLetters(d) {
  $('dlq-total').textContent = `(${d.total})`;
  fill($('dlq'), (d.groups || []).map((g) => {
    const tr = row([g.count, g.service, g.sourceTopic, '']);
    tr.lastChild.className = 'reason';
    tr.lastChild.textContent = g.reason;
    return tr;
  }));
}

// ---------- alerts (fmnist.alerts): the banner while one is active, and the list ----------
const KIND_NAMES = { promoted: 'promoted', refused: 'refused', 'rolled-back': 'rolled back', drift: 'drift' };
function versionsText(v) {
  return Object.entries(v || {}).map(([role, n]) => `${role} v${n}`).join(', ') || '–';
}
function figuresText(f) {
  return Object.entries(f || {}).map(([k, n]) => `${k} ${Number.isInteger(n) ? n : Number(n).toPrecision(4)}`).join(', ');
}
function bannerLine(a) {
  const what = a.kind === 'drift' ? `${a.model} (${versionsText(a.versions)}) on ${a.source}: ${a.reason}`
    : a.kind === 'refused' ? `${a.model}: ${a.count > 1 ? a.count + ' candidates refused, the newest ' : 'candidate '}`
      + `${versionsText(a.versions)}: ${a.reason}`
      : `${a.model}: ${versionsText(a.versions)}: ${a.reason}`;
  const figures = figuresText(a.figures);
  return el('p', { class: a.kind, 'data-kind': a.kind, 'data-model': a.model },
    el('span', { class: 'kind', text: KIND_NAMES[a.kind] || a.kind }), what + (figures ? ` (${figures})` : '')
      + ` · ${when(a.time)}`);
}
function renderAlerts(a) {
  const active = a.active || [];
  const banner = $('alert-banner');
  banner.replaceChildren(...active.map(bannerLine));
  banner.dataset.kinds = [...new Set(active.map((x) => x.kind))].join(' ');
  banner.hidden = active.length === 0;
  const list = a.alerts || [];
  $('alerts-count').textContent = `(${list.length} shown of ${(a.received || 0).toLocaleString()} read`
    + (a.undecodable ? `, ${a.undecodable} refused: unreadable, unsigned or forged` : '') + ')';
  fill($('alerts-list'), list.map((x) => {
    const reason = el('td', { class: 'reason' }, x.reason);
    const figures = figuresText(x.figures);
    if (figures) reason.append(el('span', { class: 'figures', text: figures }));
    const kind = x.kind === 'drift' && (x.figures || {}).cleared === 1 ? 'drift over' : KIND_NAMES[x.kind] || x.kind;
    const tr = row([when(x.time), kind, x.model, versionsText(x.versions)], { class: x.kind, 'data-kind': x.kind });
    tr.append(reason, el('td', { text: x.source }));
    return tr;
  }));
}

// ---------- try it: the pad, the file, the result ----------
const pad = $('pad');
const ctx = pad.getContext('2d');
function clearPad() { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, pad.width, pad.height); }
clearPad();
let drawing = false;
function at(e) {
  const r = pad.getBoundingClientRect();
  return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
}
pad.addEventListener('pointerdown', (e) => {
  drawing = true; pad.setPointerCapture(e.pointerId);
  const [x, y] = at(e);
  ctx.strokeStyle = '#fff'; ctx.fillStyle = '#fff'; ctx.lineWidth = 22; ctx.lineCap = 'round'; ctx.lineJoin = 'round';
  ctx.beginPath(); ctx.moveTo(x, y); ctx.arc(x, y, 0.5, 0, 2 * Math.PI); ctx.stroke();
  ctx.beginPath(); ctx.moveTo(x, y);
});
pad.addEventListener('pointermove', (e) => {
  if (!drawing) return;
  const [x, y] = at(e);
  ctx.lineTo(x, y); ctx.stroke();
});
['pointerup', 'pointercancel', 'pointerleave'].forEach((t) => pad.addEventListener(t, () => { drawing = false; }));
$('pad-clear').addEventListener('click', clearPad);
$('pad-classify').addEventListener('click', () => pad.toBlob((blob) => classify(blob, 'image/png', false), 'image/png'));

const fileInput = $('file');
fileInput.addEventListener('change', () => { if (fileInput.files[0]) classifyFile(fileInput.files[0]); });
const drop = $('drop');
drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault(); drop.classList.remove('over');
  if (e.dataTransfer.files[0]) classifyFile(e.dataTransfer.files[0]);
});
function classifyFile(f) {
  const type = f.type === 'image/jpeg' ? 'image/jpeg' : f.type === 'image/png' ? 'image/png' : '';
  if (!type) { setMsg('try-msg', `${f.name}: not a PNG or JPEG`, true); return; }
  classify(f, type, $('invert').checked);
}

async function classify(blob, type, invert) {
  setMsg('try-msg', 'classifying…');
  const q = new URLSearchParams();
  if (invert) q.set('invert', 'true');
  if ($('true-label').value !== '') q.set('label', $('true-label').value);
  if (several()) q.set('model', selected);
  try {
    const r = await call('POST', 'api/classify' + (q.toString() ? '?' + q : ''), blob, type);
    showResult(r);
    setMsg('try-msg', '');
  } catch (err) { setMsg('try-msg', 'could not classify: ' + err.message, true); }
}

function showResult(r) {
  const p = r.prediction;
  const names = r.labels || labels;
  $('result').hidden = false;
  $('seen').src = png(r.seen);
  const pred = $('predicted');
  pred.textContent = `${p.label} ${pct(p.probabilities[p.classIndex])} · ${p.modelName ? p.modelName + ' ' : ''}v${p.modelVersion}`;
  pred.dataset.version = String(p.modelVersion);
  pred.dataset.label = p.label;
  const order = p.probabilities.map((v, i) => [v, i]).sort((a, b) => b[0] - a[0]);
  $('bars').replaceChildren(...order.map(([v, i]) => {
    const bar = el('span'); bar.style.width = (100 * v).toFixed(1) + '%';
    return el('li', { class: i === p.classIndex ? 'best' : '' }, el('span', { text: names[i] }),
      el('span', { class: 'bar', role: 'img', 'aria-label': `${names[i]} ${pct(v)}` }, bar), el('span', { class: 'p', text: pct(v) }));
  }));
}

// ---------- the stream ----------
const renderers = {
  training: renderTraining, replicas: renderReplicas, online: renderOnline, ingest: renderIngest, data: renderData,
  deadLetters: renderDeadLetters, models: renderModels, comparison: renderComparison, alerts: renderAlerts,
};
let stream = null;
const listening = new Set();
// one listener per event name, kept across the EventSource's own reconnections
function listen(name, render) {
  if (listening.has(name)) return;
  listening.add(name);
  stream.addEventListener(name, (e) => {
    try { render(JSON.parse(e.data)); } catch (err) { console.error(name, err); }
  });
}
function connect() {
  stream = new EventSource('api/events');
  const conn = $('conn');
  stream.onopen = () => { conn.textContent = 'live'; conn.className = 'conn ok'; };
  stream.onerror = () => { conn.textContent = 'reconnecting…'; conn.className = 'conn down'; };
  for (const [name, render] of Object.entries(renderers)) listen(name, render);
}
$('true-label').append(...labels.map((l, i) => el('option', { value: String(i), text: l })));
connect();
