// Errand's browser workspace: a hash-routed page over the HTTP API of docs/api.md.
// Everything that comes from a task (outcomes, names, messages, file contents) enters the
// page as text or as an attribute value, never as HTML: see `h` below.

import { connectorsView } from '/connectors.js';
import { schedulesView } from '/schedules.js';

// ---------- small helpers ----------

const PROPS = new Set(['value', 'checked', 'disabled', 'hidden', 'open', 'selected', 'type']);

/** h('tag.class1.class2', {attr: value, onclick: fn}, ...children): strings become text nodes. */
function h(tag, attrs, ...kids) {
  const [name, ...cls] = tag.split('.');
  const el = document.createElement(name);
  if (cls.length) el.className = cls.join(' ');
  if (name === 'button') el.type = 'button'; // not 'submit' unless asked
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (PROPS.has(k)) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  put(el, kids);
  return el;
}
function put(el, kids) {
  for (const k of [kids].flat(9)) if (k != null && k !== false) el.append(k instanceof Node ? k : String(k));
  return el;
}
const $ = (sel, root = document) => root.querySelector(sel);
const fill = (el, ...kids) => { el.replaceChildren(); return put(el, kids); };
const num = (n) => Number(n || 0).toLocaleString('en-US');
const plural = (n, one, many = one + 's') => `${num(n)} ${n === 1 ? one : many}`;
const base = (p) => { const s = String(p ?? '').replace(/\/+$/, ''); return s.split('/').pop() || s; };
const dirOf = (p) => { const s = String(p ?? ''); const i = s.lastIndexOf('/'); return i > 0 ? s.slice(0, i) : ''; };
const where = (p) => (!p || p === '.' ? 'the folder' : String(p));
const firstLine = (s) => { const t = String(s ?? '').trim().split('\n')[0]; return t.length > 220 ? t.slice(0, 220) + '…' : t; };
const ENDED = new Set(['done', 'failed', 'cancelled']);
function parseObj(s) { try { const v = JSON.parse(s); return v && typeof v === 'object' ? v : null; } catch { return null; } }
function size(n) {
  if (n == null) return '';
  if (n < 1024) return plural(n, 'byte');
  const u = ['KB', 'MB', 'GB']; let v = n / 1024, i = 0;
  while (v >= 1024 && i < 2) { v /= 1024; i++; }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${u[i]}`;
}
function when(ms) {
  if (!ms) return '';
  const d = new Date(ms), now = new Date();
  const t = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return d.toDateString() === now.toDateString() ? t : `${d.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${t}`;
}
function debounce(fn, ms) { let t = 0; const f = (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); }; f.cancel = () => clearTimeout(t); return f; }

// ---------- talking to the server ----------

function showAuth() {
  const b = $('#banner');
  fill(b, 'Not signed in. Open the link errand serve printed (it carries the token).');
  b.hidden = false;
}

/** fetch JSON; never throws. Returns {status, ok, data}. */
async function api(path, method = 'GET', body) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
  let res;
  try { res = await fetch(path, init); } catch {
    return { status: 0, ok: false, data: { error: 'Cannot reach Errand. Is errand serve still running?' } };
  }
  let data = {};
  try { data = (await res.json()) || {}; } catch { /* not JSON */ }
  if (res.status === 401) showAuth();
  return { status: res.status, ok: res.ok, data };
}
const errText = (r) => (r.data && typeof r.data.error === 'string' ? r.data.error : `Something went wrong (${r.status || 'no answer'}).`);
const taskPath = (id, rest = '') => `/api/tasks/${encodeURIComponent(id)}${rest}`;

// ---------- words ----------

const STATE_WORDS = { created: 'New', running: 'Working', waiting: 'Needs you', paused: 'Paused', done: 'Done', failed: 'Failed', cancelled: 'Cancelled', queued: 'Queued' };
const badge = (state, testid) => h('span', { class: `badge s-${state}`, 'data-state': state, 'data-testid': testid }, STATE_WORDS[state] || state);
const MODES = {
  ask: ['Ask me first', 'You approve the plan, then each change, delete and command.'],
  auto: ['Just do it', 'Works on its own; still asks before deleting or replacing files it did not make.'],
  plan: ['Only plan', 'Looks and proposes a plan. Changes nothing.'],
};

function movesOf(input) {
  const m = Array.isArray(input.moves) ? input.moves.slice() : [];
  if (input.from != null && input.to != null) m.push({ from: input.from, to: input.to });
  return m;
}
/** Where most moves go: "Images/2024", or a shared start "Images/…". */
function destination(moves) {
  const dirs = moves.map((m) => dirOf(m.to));
  const counts = new Map();
  for (const d of dirs) counts.set(d, (counts.get(d) || 0) + 1);
  let best = '', n = 0;
  for (const [d, c] of counts) if (c > n) { best = d; n = c; }
  if (best && n * 2 > dirs.length) return best;
  const parts = dirs.map((d) => d.split('/'));
  const common = [];
  for (let i = 0; parts.length && parts.every((p) => p[i] && p[i] === parts[0][i]); i++) common.push(parts[0][i]);
  return common.length ? `${common.join('/')}/…` : '';
}
const code = (t) => h('code', null, t);
const pair = (k, v) => h('div', null, h('dt', null, k), h('dd', null, v));

/** Phrases for one tool call: {doing, done, ask} (each a list of strings and nodes). */
function callWords(name, input, out) {
  input = input && typeof input === 'object' ? input : {};
  const p = input.path, n = base(p);
  const same = (doing, done, ask) => ({ doing: [doing], done: [done], ask: [ask] });
  switch (name) {
    case 'list_files': {
      const c = out && typeof out.count === 'number' ? ` (${plural(out.count, 'item')})` : '';
      return same(`Looking through ${where(p)}`, `Looked through ${where(p)}${c}`, `look through ${where(p)}`);
    }
    case 'read_file': return same(`Reading ${n}`, `Read ${n}`, `read ${n}`);
    case 'search_files': return same(`Searching for “${input.query}”`, `Searched for “${input.query}”`, `search for “${input.query}”`);
    case 'file_info': { const k = p ? n : plural((input.paths || []).length, 'file'); return same(`Checking ${k}`, `Checked ${k}`, `check ${k}`); }
    case 'write_file': return same(`Writing ${n}`, `Wrote ${n}`, `write ${p}`);
    case 'edit_file': return same(`Editing ${n}`, `Edited ${n}`, `edit ${p}`);
    case 'make_dir': return same(`Making the folder ${p}`, `Made the folder ${p}`, `make the folder ${p}`);
    case 'create_spreadsheet': case 'create_document': case 'create_pdf': case 'create_presentation':
      return same(`Making ${n}`, `Made ${n}`, `make ${p}`);
    case 'create_chart': return same(`Drawing ${n}`, `Drew the chart ${n}`, `draw the chart ${p}`);
    case 'copy_path': return same(`Copying ${input.from}`, `Copied ${input.from} to ${input.to}`, `copy ${input.from} to ${input.to}`);
    case 'move_path': {
      const moves = movesOf(input);
      const moved = out && typeof out.moved === 'number' ? out.moved : moves.length;
      const failed = out && Array.isArray(out.failed) && out.failed.length ? `; ${plural(out.failed.length, 'item')} could not be moved` : '';
      if (moves.length === 1) {
        const m = moves[0];
        return same(`Moving ${base(m.from)}`, `Moved ${m.from} to ${m.to}${failed}`, `move ${m.from} to ${m.to}`);
      }
      const d = destination(moves), into = d ? ` into ${d}` : '';
      return same(`Moving ${plural(moves.length, 'file')}${into}`, `Moved ${plural(moved, 'file')}${into}${failed}`, `move ${plural(moves.length, 'file')}${into}`);
    }
    case 'trash_path': {
      const all = [p, ...(input.paths || [])].filter((x) => x != null);
      const k = all.length === 1 ? all[0] : plural(all.length, 'file');
      return same(`Moving ${k} to the task's trash`, `Moved ${k} to the task's trash`, `move ${k} to the trash`);
    }
    case 'run_command': {
      const c = String(input.command ?? '');
      return { doing: ['Running ', code(c)], done: ['Ran ', code(c)], ask: ['run ', code(c)] };
    }
    case 'update_plan': return same('Updating the plan', 'Updated the plan', 'follow this plan');
    case 'finish': return same('Wrapping up', 'Wrapped up', 'finish');
    case 'ask_user': return same('Asking you', 'Asked you a question', 'ask you');
    case 'delegate': { const k = plural((input.agents || []).length, 'helper'); return same(`Handing work to ${k}`, `Handed work to ${k}`, `hand work to ${k}`); }
    case 'tasks_list': return same('Checking the work list', 'Checked the work list', 'check the work list');
    case 'task_claim': return same('Taking an item from the work list', 'Took an item from the work list', 'take an item from the work list');
    case 'task_update': return same('Updating the work list', 'Updated the work list', 'update the work list');
    default: {
      const m = /^mcp__(.+?)__(.+)$/.exec(name || '');
      const what = m ? `${m[2].replace(/_/g, ' ')} (${m[1]})` : String(name || 'a tool').replace(/_/g, ' ');
      return same(`Using ${what}`, `Used ${what}`, `use ${what}`);
    }
  }
}

const ACTIVITY = {
  list_files: 'looking through files', read_file: 'reading a file', search_files: 'searching', write_file: 'writing a file',
  edit_file: 'editing a file', move_path: 'moving files', copy_path: 'copying files', trash_path: 'moving files to the trash',
  run_command: 'running a command', create_spreadsheet: 'making a spreadsheet', create_document: 'making a document',
  create_pdf: 'making a PDF', create_presentation: 'making a presentation', create_chart: 'drawing a chart', finish: 'wrapping up',
};

// ---------- the task list (always in the side bar) ----------

const list = {
  q: '', offset: 0, limit: 25, total: 0, current: null, seq: 0,
  async load() {
    const my = ++this.seq;
    const qs = new URLSearchParams({ offset: this.offset, limit: this.limit });
    if (this.q) qs.set('q', this.q);
    const r = await api(`/api/tasks?${qs}`);
    if (my !== this.seq) return;
    if (!r.ok) { fill($('#list-status'), r.status === 401 ? 'Not signed in.' : errText(r)); return; }
    const tasks = r.data.tasks || [];
    this.total = r.data.total ?? tasks.length;
    fill($('#rows'), tasks.map((t) => this.row(t)));
    fill($('#list-status'), tasks.length ? '' : this.q ? 'No task matches.' : 'No tasks yet. Start one with “New task”.');
    $('#newer').disabled = this.offset === 0;
    $('#older').disabled = this.offset + this.limit >= this.total;
    fill($('#range'), tasks.length ? `${this.offset + 1}–${this.offset + tasks.length} of ${num(this.total)}` : '');
    this.mark();
  },
  row(t) {
    return h('li', null, h('a', {
      class: 'row', href: `#/task/${encodeURIComponent(t.id)}`, 'data-testid': 'task-row', 'data-id': t.id, 'data-state': t.state,
    }, h('span.row-outcome', null, t.outcome), h('span.row-meta', null, badge(t.state, 'row-state'), h('span.muted.small', null, when(t.updated_at || t.created_at)))));
  },
  mark() {
    for (const a of document.querySelectorAll('#rows a.row')) {
      if (a.dataset.id === this.current) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
  },
  update(t) {
    const a = [...document.querySelectorAll('#rows a.row')].find((x) => x.dataset.id === t.id);
    if (a) a.replaceWith(this.row(t).firstChild);
    this.mark();
    this.reload();
  },
  start() {
    this.reload = debounce(() => this.load(), 250);
    $('#search').addEventListener('submit', (e) => e.preventDefault());
    const search = debounce(() => { this.q = $('#q').value.trim(); this.offset = 0; this.load(); }, 250);
    $('#q').addEventListener('input', search);
    $('#newer').addEventListener('click', () => { this.offset = Math.max(0, this.offset - this.limit); this.load(); });
    $('#older').addEventListener('click', () => { this.offset += this.limit; this.load(); });
    this.load();
    this.listen();
  },
  listen() {
    if (document.hidden) return;
    const es = this.es = new EventSource('/api/stream');
    es.onmessage = (e) => {
      const m = parseObj(e.data);
      if (m && m.type === 'task' && m.task) this.update(m.task);
    };
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED && this.es === es) { api('/api/tasks?limit=1'); setTimeout(() => this.es === es && this.listen(), 3000); }
    };
  },
};

// ---------- new task ----------

function newTaskView(main) {
  const chosen = new Map();
  const err = h('p.error', { role: 'alert', 'data-testid': 'form-error' });
  const outcome = h('textarea', { id: 'outcome', rows: 3, required: true, 'data-testid': 'outcome', placeholder: 'e.g. Organize my downloads by type and date' });
  // `/` starts a command (a plugin's, a skill, a built-in recipe): suggest them as one types.
  const suggest = h('ul.suggest', { 'data-testid': 'command-suggestions', 'aria-label': 'Commands', hidden: true });
  let commands = null;
  async function suggestCommands() {
    const m = /^\/(\S*)$/.exec(outcome.value);
    if (!m) { suggest.hidden = true; return; }
    if (!commands) { const r = await api('/api/commands'); commands = r.ok ? (r.data.commands || []) : []; }
    const q = m[1].toLowerCase();
    const short = (c) => c.name.split(':').pop().toLowerCase();
    const hits = commands.filter((c) => c.name.toLowerCase().includes(q))
      .sort((a, b) => (short(b).startsWith(q) - short(a).startsWith(q)) || a.name.localeCompare(b.name)).slice(0, 8);
    fill(suggest, hits.map((c) => h('li', null, h('button.suggestion', {
      type: 'button', 'data-testid': 'command-suggestion',
      onclick: () => { outcome.value = `/${c.name} `; suggest.hidden = true; outcome.focus(); },
    }, h('span.cmd', null, `/${c.name}`), c.argument_hint ? h('span.muted', null, ` ${c.argument_hint}`) : '',
    h('span.muted.small.about', null, c.description)))));
    suggest.hidden = !hits.length;
  }
  outcome.addEventListener('input', suggestCommands);
  const chosenList = h('ul.chosen', { 'data-testid': 'chosen-folders' });
  const browser = h('div.browser', { 'data-testid': 'folder-browser' });
  const pasted = h('input', { id: 'folder-path', type: 'text', placeholder: '/home/me/Documents', autocomplete: 'off', 'data-testid': 'folder-path' });
  const pasteErr = h('p.error.small', { role: 'alert' });
  const mode = h('select', { id: 'mode', 'data-testid': 'mode' }, Object.entries(MODES).map(([k, [t]]) => h('option', { value: k }, t)));
  const modeHelp = h('p.muted.small', { id: 'mode-help' });
  const models = h('datalist', { id: 'models' });
  const model = h('input', { id: 'model', list: 'models', autocomplete: 'off', 'data-testid': 'model', placeholder: 'offline' });
  const budget = h('input', { id: 'budget', type: 'number', min: 1000, step: 1000, inputmode: 'numeric', placeholder: 'no limit', 'data-testid': 'budget' });
  const submit = h('button.primary', { type: 'submit', 'data-testid': 'start' }, 'Start task');
  // A project brings its folders, and its instructions and memory (read when the task starts).
  const project = h('select', { id: 'project', 'data-testid': 'project' }, h('option', { value: '' }, 'None'));
  const projectField = h('div.field.narrow', { hidden: true }, h('label', { for: 'project' }, 'Project'), project,
    h('p.muted.small', null, 'Its folders are added; its instructions and memory are read.'));
  let projects = [];
  project.addEventListener('change', () => {
    const p = projects.find((x) => x.name === project.value);
    for (const f of (p ? p.folders : [])) if (!chosen.has(f.path)) chosen.set(f.path, { path: f.path, writable: f.writable });
    drawChosen();
  });
  const showMode = () => fill(modeHelp, MODES[mode.value][1]);
  mode.addEventListener('change', showMode); showMode();
  mode.setAttribute('aria-describedby', 'mode-help');

  function drawChosen() {
    fill(chosenList, [...chosen.values()].map((f) => {
      const box = h('input', { type: 'checkbox', checked: f.writable, 'data-testid': 'folder-writable', onchange: () => { f.writable = box.checked; } });
      return h('li', { 'data-testid': 'chosen-folder', 'data-path': f.path },
        h('span.path', null, f.path),
        h('label.check', null, box, ' can change files'),
        h('button.link', { 'aria-label': `Remove ${f.path}`, onclick: () => { chosen.delete(f.path); drawChosen(); } }, 'Remove'));
    }));
    if (!chosen.size) put(chosenList, h('li.muted.small', null, 'No folder chosen yet.'));
  }
  const choose = (path) => { if (!chosen.has(path)) chosen.set(path, { path, writable: true }); drawChosen(); };

  let roots = [];
  async function browse(path) {
    const r = await api(path ? `/api/folders?path=${encodeURIComponent(path)}` : '/api/folders');
    if (!r.ok) { fill(browser, h('p.error.small', null, errText(r))); return; }
    if (!path) {
      roots = r.data.roots || [];
      fill(browser, h('p.muted.small', null, 'Folders you can give a task:'), h('ul.folders', null, roots.map((p) => folderItem(p, p))));
      return;
    }
    const up = r.data.parent && !roots.includes(path)
      ? h('button.small', { onclick: () => browse(r.data.parent) }, '↑ Up')
      : h('button.small', { onclick: () => browse(null) }, '↑ All folders');
    const subs = r.data.folders || [];
    fill(browser,
      h('div.crumb', null, up, h('span.path', { 'data-testid': 'browse-path' }, r.data.path),
        h('button.small.primary', { 'data-testid': 'choose-current', onclick: () => choose(r.data.path) }, 'Choose this folder')),
      subs.length ? h('ul.folders', null, subs.map((f) => folderItem(f.name, f.path))) : h('p.muted.small', null, 'No folders inside.'),
      r.data.more ? h('p.muted.small', null, 'Not every folder is shown: paste a path below to pick another.') : '');
  }
  const folderItem = (name, path) => h('li', { 'data-testid': 'folder-item' },
    h('button.folder', { 'aria-label': `Open ${name}`, onclick: () => browse(path) }, name, h('span.muted', { 'aria-hidden': 'true' }, ' ›')),
    h('button.small', { 'aria-label': `Choose ${name}`, 'data-testid': 'choose-folder', onclick: () => choose(path) }, 'Choose'));

  async function addPasted() {
    const p = pasted.value.trim();
    fill(pasteErr);
    if (!p) return;
    const r = await api(`/api/folders?path=${encodeURIComponent(p)}`);
    if (!r.ok) { fill(pasteErr, errText(r)); return; }
    choose(r.data.path || p); pasted.value = '';
  }
  pasted.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); addPasted(); } });

  const form = h('form.card.form', { 'data-testid': 'new-task', novalidate: true },
    h('h1', null, 'New task'),
    h('div.field', null, h('label', { for: 'outcome' }, 'What should be done?'), outcome, suggest,
      h('p.muted.small', null, 'Type / for commands and skills.')),
    projectField,
    h('fieldset.field', null, h('legend', null, 'Folders it may use'), chosenList, browser,
      h('label.small', { for: 'folder-path' }, 'Or paste a folder path'),
      h('div.inline', null, pasted, h('button', { 'data-testid': 'folder-add', onclick: addPasted }, 'Add')), pasteErr),
    h('div.two', null,
      h('div.field', null, h('label', { for: 'mode' }, 'How it works'), mode, modeHelp),
      h('div.field', null, h('label', { for: 'model' }, 'Model'), model, models,
        h('p.muted.small', null, '“offline” uses built-in recipes: no account needed.'))),
    h('div.field.narrow', null, h('label', { for: 'budget' }, 'Token budget (optional)'), budget),
    h('div.actions', null, submit), err);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    fill(err);
    const body = { outcome: outcome.value.trim(), folders: [...chosen.values()], mode: mode.value };
    if (!body.outcome) { fill(err, 'Describe what should be done.'); outcome.focus(); return; }
    if (!body.folders.length) { fill(err, 'Choose at least one folder.'); return; }
    if (model.value.trim()) body.model = model.value.trim();
    if (project.value) body.project = project.value;
    if (budget.value.trim()) {
      const b = Number(budget.value);
      if (!Number.isInteger(b) || b <= 0) { fill(err, 'The token budget is a whole number, like 200000.'); return; }
      body.max_tokens_total = b;
    }
    submit.disabled = true;
    const r = await api('/api/tasks', 'POST', body);
    submit.disabled = false;
    if (!r.ok || !r.data.id) { fill(err, errText(r)); return; }
    list.load();
    location.hash = `#/task/${encodeURIComponent(r.data.id)}`;
  });

  main.append(form);
  drawChosen();
  browse(null);
  api('/api/projects').then((r) => {
    projects = (r.ok && r.data.projects) || [];
    projectField.hidden = !projects.length;
    for (const p of projects) project.append(h('option', { value: p.name }, p.name));
  });
  api('/api/models').then((r) => {
    const ms = r.data.models || [];
    fill(models, ms.map((m) => h('option', { value: m.name }, `${m.spec && m.spec !== m.name ? m.spec + ' — ' : ''}${m.status || ''}`)));
    const d = ms.find((m) => m.default);
    if (d && !model.value) model.value = d.name;
  });
  return {};
}

// ---------- the task page ----------

const REFRESH = new Set(['state_changed', 'approval_requested', 'approval_resolved', 'question_asked', 'question_answered',
  'plan_updated', 'finished', 'subagent_started', 'subagent_finished', 'undone', 'model_turn', 'tool_finished', 'user_message']);

function taskView(main, id) {
  let lastSeq = -1, es = null, gone = false, data = null, retry = 1000, delivKey = '', approvalsSeq = 0;
  const calls = new Map();
  const cards = new Map();
  const refetch = debounce(load, 100);

  const el = {
    outcome: h('h1', { 'data-testid': 'outcome' }),
    state: h('span'),
    reason: h('p.reason', { 'data-testid': 'state-reason' }),
    meta: h('dl.meta', null),
    approvals: h('div.stack', { 'data-testid': 'approvals' }),
    question: h('div.stack', null),
    plan: h('ol.plan', { 'data-testid': 'plan' }),
    usage: h('div.usage', { 'data-testid': 'usage' }),
    subs: h('ul.lanes', null),
    results: h('div', { 'data-testid': 'results' }),
    feed: h('ol.feed', { 'data-testid': 'activity', 'aria-live': 'polite' }),
    progress: h('div.progress', { hidden: true }),
    notice: h('p.notice', { role: 'status', 'data-testid': 'notice' }),
  };
  const btn = (label, testid, onclick, cls) => h('button', { 'data-testid': testid, class: cls, onclick }, label);
  const pause = btn('Pause', 'pause', () => post('pause', {}, 'Pausing after the current step.'));
  const cont = btn('Continue', 'continue', () => post('continue', {}, 'Continuing.'));
  const cancel = btn('Cancel task', 'cancel', () => cancelDlg.showModal(), 'danger');
  const undo = btn('Undo changes…', 'undo', openUndo);
  const sayInput = h('input', { id: 'say', type: 'text', autocomplete: 'off', 'data-testid': 'say-input', placeholder: 'e.g. Use euros for the totals' });
  const sayBtn = h('button', { type: 'submit', 'data-testid': 'say-send' }, 'Send');
  const sayForm = h('form.say', null, h('label', { for: 'say' }, 'Tell the task'), h('div.inline', null, sayInput, sayBtn));
  sayForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const message = sayInput.value.trim();
    if (!message) return;
    sayBtn.disabled = true;
    const ok = await post('say', { message }, 'Sent. The task reads it before its next step.');
    sayBtn.disabled = false;
    if (ok) sayInput.value = '';
  });

  const cancelDlg = h('dialog', { 'data-testid': 'cancel-dialog', 'aria-labelledby': 'cancel-h' },
    h('h2', { id: 'cancel-h' }, 'Stop this task?'),
    h('p', null, 'It stops at its next step. What it changed so far stays; you can undo it afterwards.'),
    h('div.actions', null,
      btn('Stop the task', 'cancel-confirm', () => { cancelDlg.close(); post('cancel', {}, 'Stopping.'); }, 'danger'),
      btn('Keep going', 'cancel-keep', () => cancelDlg.close())));
  const undoList = h('ul.changes', { 'data-testid': 'undo-list' });
  const undoGo = btn('Undo', 'undo-confirm', doUndo, 'primary');
  const undoDlg = h('dialog', { 'data-testid': 'undo-dialog', 'aria-labelledby': 'undo-h' },
    h('h2', { id: 'undo-h' }, 'Put things back?'),
    h('p', null, 'These changes will be reversed, newest first. Nothing is deleted: replaced files go to the trash.'),
    undoList, h('div.actions', null, undoGo, btn('Keep', 'undo-keep', () => undoDlg.close())));

  // A finished task saved as a skill: a recipe's at once, a model's draft after review.
  const skillName = h('input', { id: 'skill-name', type: 'text', autocomplete: 'off', 'data-testid': 'skill-name', placeholder: 'monthly-close' });
  const skillDraft = h('textarea', { rows: 12, 'data-testid': 'skill-draft', hidden: true, 'aria-label': 'The skill, as drafted' });
  const skillMsg = h('p.small', { role: 'status', 'data-testid': 'skill-message' });
  const skillGo = btn('Save', 'skill-save', saveSkill, 'primary');
  const saveAsSkill = btn('Save as skill…', 'save-skill', () => {
    skillDraft.hidden = true; fill(skillMsg, ''); skillGo.disabled = false; skillDlg.showModal(); skillName.focus();
  });
  const skillDlg = h('dialog', { 'data-testid': 'skill-dialog', 'aria-labelledby': 'skill-h' },
    h('h2', { id: 'skill-h' }, 'Save this task as a skill'),
    h('p', null, 'Run it again later on another folder as /name.'),
    h('label', { for: 'skill-name' }, 'Name (lowercase words joined by hyphens)'), skillName, skillDraft, skillMsg,
    h('div.actions', null, skillGo, btn('Close', 'skill-close', () => skillDlg.close())));
  async function saveSkill() {
    const name = skillName.value.trim();
    if (!name) { fill(skillMsg, 'Give the skill a name.'); return; }
    const body = skillDraft.hidden ? { name } : { name, text: skillDraft.value };
    skillGo.disabled = true;
    const r = await api(taskPath(id, '/skill'), 'POST', body);
    skillGo.disabled = false;
    if (!r.ok) { fill(skillMsg, errText(r)); return; }
    if (r.data.saved) { fill(skillMsg, `Saved. Run it as /${r.data.name} on any folder.`); skillGo.disabled = true; return; }
    skillDraft.value = r.data.draft; skillDraft.hidden = false;
    fill(skillMsg, 'A model drafted this from the task. Read it, change anything you like, then save.');
  }

  const section = (title, body, testid, extra) => h('section.card', { 'data-testid': testid }, h('h2', null, title), extra, body);
  const subsSection = section('Helpers', el.subs, 'subagents');
  const resultsSection = section('Results', el.results, 'results-section');
  main.append(h('article.task', null,
    h('header.task-head.card', null, el.outcome, h('div.status', null, el.state, el.reason), el.meta,
      h('div.controls', null, pause, cont, cancel, undo, saveAsSkill), el.notice),
    el.approvals, el.question,
    h('div.card', null, sayForm),
    h('div.grid2', null, section('Plan', el.plan, 'plan-section'), section('Usage', el.usage, 'usage-section')),
    subsSection, resultsSection,
    section('Activity', el.feed, 'activity-section', el.progress)),
  cancelDlg, undoDlg, skillDlg);

  function notify(text, bad) { fill(el.notice, text || ''); el.notice.classList.toggle('bad', !!bad); }

  async function post(what, body, okText) {
    const r = await api(taskPath(id, `/${what}`), 'POST', body);
    if (r.ok) notify(okText);
    else if (r.status === 409) notify(what === 'say' ? 'This task has ended; it takes no more messages.' : errText(r), true);
    else notify(errText(r), true);
    refetch();
    return r.ok;
  }

  // ---- the task's state ----
  async function load() {
    const r = await api(taskPath(id));
    if (gone) return;
    if (!r.ok) {
      if (!data) fill(el.outcome, r.status === 404 ? 'No such task' : 'This task could not be loaded');
      notify(errText(r), true);
      if (!r.status) setTimeout(refetch, 3000); // the network is down: try again
      return;
    }
    if (el.notice.classList.contains('bad') && /reach Errand/.test(el.notice.textContent)) notify('');
    data = r.data;
    render();
  }

  function render() {
    const t = data.task || {}, running = !!data.running, ended = ENDED.has(t.state);
    document.title = `${t.outcome || 'Task'} – Errand`;
    fill(el.outcome, t.outcome || '');
    fill(el.state, badge(t.state, 'state'));
    fill(el.reason, t.state_reason || '');
    const folders = (t.grants || []).map((g) => h('li', null, h('span.path', null, g.path), g.writable ? '' : h('span.muted.small', null, ' (read only)')));
    fill(el.meta,
      pair('How', (MODES[t.mode] || [t.mode])[0]),
      pair('Model', t.model),
      pair('Folders', h('ul.plain', null, folders)),
      pair('Started', when(t.created_at)));
    pause.disabled = ended || t.state === 'paused';
    pause.hidden = cont.hidden = cancel.hidden = sayForm.parentNode.hidden = ended;
    cont.disabled = !(t.state === 'paused' || (!running && !ended && t.state !== 'waiting'));
    cancel.disabled = ended;
    sayInput.disabled = sayBtn.disabled = ended;
    const done = (data.changes && data.changes.done) || 0;
    undo.hidden = !(done > 0 && !running);
    saveAsSkill.hidden = t.state !== 'done';
    fill(undo, `Undo ${plural(done, 'change')}…`);

    // approvals
    if ((t.waiting_for || []).length) loadApprovals();
    const waiting = new Set((t.waiting_for || []).map((w) => w.call_id));
    for (const [cid, card] of cards) if (!waiting.has(cid) && !card.dataset.resolved) resolveCard(cid, null);

    drawQuestion(t.question);
    drawPlan(data.plan || t.plan || []);
    drawUsage(t, data.usage || t.usage || {}, data.cost);
    drawSubs(data.subagents || t.subagents || [], new Set((t.waiting_for || []).map((w) => w.agent)));
    const key = JSON.stringify([data.deliverables || t.deliverables || [], t.state, t.summary, data.problems || [], done]);
    if (key !== delivKey) { delivKey = key; drawResults(t); }
  }

  function drawPlan(steps) {
    const mark = { done: '✓', in_progress: '◐', skipped: '–', pending: '○' };
    const word = { done: 'Done', in_progress: 'Doing now', skipped: 'Skipped', pending: 'To do' };
    fill(el.plan, steps.length ? steps.map((s) => h('li', { class: `step ${s.status}`, 'data-status': s.status },
      h('span.mark', { 'aria-hidden': 'true' }, mark[s.status] || '○'), h('span.vh', null, `${word[s.status] || ''}: `), s.title))
      : h('li.muted.small', null, 'No plan yet.'));
  }

  function drawUsage(t, u, cost) {
    if (/^offline/.test(t.model || '')) { fill(el.usage, h('p', null, 'offline: no tokens, no cost')); return; }
    const rows = [['Sent to the model', u.input_tokens], ['Written by the model', u.output_tokens], ['Reused (cache read)', u.cache_read_tokens], ['Cached (cache write)', u.cache_write_tokens]];
    const total = (u.input_tokens || 0) + (u.output_tokens || 0) + (u.cache_read_tokens || 0) + (u.cache_write_tokens || 0);
    const kids = [h('dl.nums', null, rows.map(([k, v]) => pair(k, `${num(v)} tokens`)))];
    if (t.max_tokens_total) {
      kids.push(h('label.small', null, `${num(total)} of ${num(t.max_tokens_total)} tokens budget`,
        h('meter', { min: 0, max: t.max_tokens_total, value: Math.min(total, t.max_tokens_total) })));
    }
    if (cost) {
      const usd = Number(cost.usd || 0);
      kids.push(h('p.cost', { 'data-testid': 'cost' }, cost.known ? `Cost so far: $${usd.toFixed(usd && usd < 0.1 ? 4 : 2)}` : 'Cost: not known for this model'));
      if (cost.note) kids.push(h('p.muted.small', null, cost.note));
    }
    fill(el.usage, kids);
  }

  function drawSubs(subs, asking) {
    subsSection.hidden = !subs.length;
    fill(el.subs, subs.map((s) => {
      const waits = s.state === 'running' && asking.has(s.id);
      const now = waits ? 'waiting for your OK' : s.activity && s.state === 'running' ? ACTIVITY[s.activity] || callWords(s.activity, {}).doing : null;
      return h('li', { class: `lane s-${waits ? 'waiting' : s.state}`, 'data-testid': 'subagent', 'data-agent': s.id, 'data-state': s.state },
        h('div.lane-head', null, h('span.chip', null, s.id), s.role ? h('span.muted.small', null, s.role) : '', badge(waits ? 'waiting' : s.state, 'subagent-state')),
        h('p.goal', null, s.goal),
        h('p.muted.small', null, plural(s.turns || 0, 'turn'), now ? [' · Now: ', now] : ''),
        s.summary ? h('p.summary', null, s.summary) : '',
        (s.files || []).length ? h('p.small', null, 'Files: ', s.files.join(', ')) : '');
    }));
  }

  // ---- approvals ----
  async function loadApprovals() {
    const my = ++approvalsSeq;
    const r = await api(taskPath(id, '/approvals'));
    if (gone || my !== approvalsSeq || !r.ok) return;
    for (const a of r.data.approvals || []) if (!cards.has(a.call_id)) {
      const card = approvalCard(a);
      cards.set(a.call_id, card);
      el.approvals.append(card);
    }
  }

  function approvalCard(a) {
    const call = calls.get(a.call_id);
    const ask = call ? callWords(call.name, call.input).ask : [a.summary];
    const status = h('p.status-line', { role: 'status', 'data-testid': 'approval-status' });
    const answer = async (approve, always) => {
      for (const b of actions.querySelectorAll('button')) b.disabled = true;
      const r = await api(taskPath(id, approve ? '/approve' : '/deny'), 'POST', approve ? { call_id: a.call_id, always } : { call_id: a.call_id });
      if (r.ok) resolveCard(a.call_id, approve, always);
      else if (r.status === 409) { fill(status, 'Already answered elsewhere.'); card.dataset.answeredElsewhere = '1'; resolveCard(a.call_id, null); }
      else { fill(status, errText(r)); for (const b of actions.querySelectorAll('button')) b.disabled = false; }
      refetch();
    };
    const actions = h('div.actions', null,
      btn('Allow once', 'allow-once', () => answer(true, false), 'primary'),
      btn('Allow always for this task', 'allow-always', () => answer(true, true)),
      btn('Deny', 'deny', () => answer(false, false), 'danger'));
    const card = h('section.card.approval', { 'data-testid': 'approval', 'data-call-id': a.call_id, 'aria-label': 'Needs your OK' },
      h('h2', null, a.agent ? h('span.chip', null, a.agent) : '', 'Needs your OK: ', ask),
      ask.join('') === a.summary ? '' : h('p.muted.small', null, a.summary),
      h('div.detail', null, detailView(a.detail)), actions, status);
    return card;
  }

  /** Marks an approval answered: `approved` true/false, or null when not known here. */
  function resolveCard(cid, approved, always) {
    const card = cards.get(cid);
    if (!card) return;
    const status = $('[data-testid=approval-status]', card);
    if (approved != null) card.dataset.resolved = approved ? 'allowed' : 'denied';
    else if (!card.dataset.resolved) card.dataset.resolved = 'answered';
    card.classList.add('resolved');
    $('.actions', card)?.remove();
    $('.detail', card)?.remove();
    const word = approved == null ? 'Answered' : approved ? (always ? 'Allowed for the rest of this task' : 'Allowed') : 'Refused';
    fill(status, card.dataset.answeredElsewhere ? `Already answered elsewhere${approved == null ? '' : ` — ${word.toLowerCase()}`}.` : `${word}.`);
    clearTimeout(card.timer);
    card.timer = setTimeout(() => { card.remove(); cards.delete(cid); }, 15000);
  }

  // ---- question ----
  let qCard = null;
  function drawQuestion(q) {
    if (!q) { if (qCard) { qCard.remove(); qCard = null; } return; }
    if (qCard && qCard.dataset.callId === q.call_id) return;
    const box = h('textarea', { id: 'answer', rows: 2, 'data-testid': 'answer-input' });
    const send = h('button.primary', { type: 'submit', 'data-testid': 'answer-send' }, 'Send answer');
    const status = h('p.status-line', { role: 'status' });
    const form = h('form.card.question', { 'data-testid': 'question', 'data-call-id': q.call_id },
      h('h2', null, 'The task asks you'), h('p.q', null, q.question),
      h('label', { for: 'answer' }, 'Your answer'), box, h('div.actions', null, send), status);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!box.value.trim()) { box.focus(); return; }
      send.disabled = true;
      const r = await api(taskPath(id, '/answer'), 'POST', { answer: box.value.trim() });
      fill(status, r.ok ? 'Sent.' : r.status === 409 ? 'Already answered elsewhere.' : errText(r));
      send.disabled = r.ok;
      refetch();
    });
    qCard?.remove();
    qCard = form;
    el.question.append(form);
  }

  // ---- results and previews ----
  async function drawResults(t) {
    const ds = data.deliverables || t.deliverables || [];
    resultsSection.hidden = !ds.length && !t.summary;
    const kids = [];
    const problems = data.problems || [];
    resultsSection.hidden = resultsSection.hidden && !problems.length;
    if (problems.length) {
      kids.push(h('div.problems', { 'data-testid': 'problems', role: 'alert' },
        h('strong', null, t.state === 'done' ? 'Done with problems — the result check found:' : 'The result check found:'),
        h('ul', null, problems.map((p) => h('li', null, p)))));
    }
    if (t.summary) kids.push(h('p.summary', { 'data-testid': 'summary' }, t.summary));
    if (data.ended_without_finish) kids.push(h('p.muted.small', { 'data-testid': 'no-finish' }, 'The model stopped without calling finish; these are its last words.'));
    if (!ds.length) { fill(el.results, kids); return; }
    const r = await api(taskPath(id, '/deliverables'));
    if (gone) return;
    if (!r.ok) { fill(el.results, kids, h('p.error', null, errText(r))); return; }
    const preview = h('div.preview', { 'data-testid': 'preview', hidden: true });
    const KIND = { xlsx: 'Spreadsheet', docx: 'Word document', pptx: 'Presentation', pdf: 'PDF', image: 'Picture', markdown: 'Text (Markdown)', text: 'Text', folder: 'Folder', other: 'File' };
    const about = (d) => d.exists === false ? ' · not found in the folder'
      : d.kind === 'folder' ? ` · ${num(d.items ?? 0)} ${d.items === 1 ? 'item' : 'items'}` : ` · ${size(d.size)}`;
    const items = (r.data.deliverables || []).map((d) => {
      const base = taskPath(id, `/deliverables/${d.index}`);
      return h('li.deliverable', { 'data-testid': 'deliverable', 'data-index': d.index },
        h('div', null, h('strong.name', null, d.name), h(d.exists === false ? 'span.error.small' : 'span.muted.small', null, ` ${KIND[d.kind] || 'File'}${about(d)}`)),
        h('div.actions', null,
          d.exists === false || d.kind === 'folder' ? '' : h('a.button.small', { href: `${base}/download`, download: d.name, 'data-testid': 'download' }, 'Download'),
          d.exists === false || d.kind === 'other' || d.kind === 'folder' ? '' : h('button.small', { 'data-testid': 'preview-button', 'aria-label': `Preview ${d.name}`, onclick: () => showPreview(preview, d, base) }, 'Preview')));
    });
    fill(el.results, kids, h('ul.deliverables', null, items), preview);
  }

  async function showPreview(box, d, baseUrl) {
    box.hidden = false;
    const close = h('button.small', { 'aria-label': 'Close the preview', onclick: () => { box.hidden = true; box.replaceChildren(); } }, 'Close');
    const head = h('div.preview-head', null, h('h3', null, d.name), close);
    fill(box, head, h('p.muted', null, 'Loading…'));
    const r = await api(`${baseUrl}/preview`);
    if (!r.ok) { fill(box, head, h('p.error', null, errText(r))); return; }
    fill(box, head, previewBody(r.data, d.name));
    box.scrollIntoView({ block: 'nearest' });
  }

  // ---- undo ----
  async function openUndo() {
    const r = await api(taskPath(id, '/changes'));
    if (!r.ok) { notify(errText(r), true); return; }
    const ch = r.data.changes || [];
    const n = r.data.count ?? ch.length;
    fill(undoList, ch.slice(0, 300).map((c) => h('li', { 'data-testid': 'undo-item' }, changeWords(c))), ch.length > 300 ? h('li.muted', null, `… and ${num(ch.length - 300)} more`) : '');
    fill(undoGo, `Undo ${plural(n, 'change')}`);
    undoGo.disabled = !n;
    undoDlg.showModal();
  }
  async function doUndo() {
    undoGo.disabled = true;
    const r = await api(taskPath(id, '/undo'), 'POST', {});
    undoDlg.close();
    if (!r.ok) { notify(errText(r), true); refetch(); return; }
    const restored = r.data.restored ?? 0;
    const refused = r.data.refused || [];
    const kept = r.data.kept_folders || [];
    fill(el.notice, h('span', { 'data-testid': 'undo-result' }, `Put back ${plural(restored, 'change')}.`,
      refused.length ? ` Could not undo ${plural(refused.length, 'change')}: ${refused.join('; ')}.` : '',
      kept.length ? ` Kept ${plural(kept.length, 'folder')} that still hold other files: ${kept.join(', ')}.` : ''));
    el.notice.classList.toggle('bad', refused.length > 0);
    refetch();
  }

  // ---- the event stream ----
  function connect() {
    if (gone || document.hidden) return;
    const url = taskPath(id, '/events') + (lastSeq >= 0 ? `?after=${lastSeq}` : '');
    const src = new EventSource(url);
    es = src;
    src.onopen = () => { retry = 1000; };
    src.onmessage = (e) => { const ev = parseObj(e.data); if (ev) onEvent(ev); };
    src.onerror = () => {
      if (src.readyState !== EventSource.CLOSED || gone) return;
      // The browser gave up on this stream: open a new one after what we have.
      api(taskPath(id));
      setTimeout(() => { if (es === src) { connect(); refetch(); } }, retry);
      retry = Math.min(retry * 2, 15000);
    };
  }

  function onEvent(ev) {
    if (ev.type === 'progress') { drawProgress(ev); return; }
    if (typeof ev.seq !== 'number') return;
    if (ev.seq <= lastSeq) return;
    lastSeq = ev.seq;
    if (ev.type === 'model_turn') for (const c of ev.tool_calls || []) calls.set(c.id, { name: c.name, input: c.input });
    if (ev.type === 'approval_resolved') resolveCard(ev.call_id, !!ev.approved, !!ev.always);
    if (ev.type === 'tool_finished') {
      el.progress.hidden = true;
      for (const li of el.feed.querySelectorAll('li.doing')) if (li.dataset.callId === ev.call_id) { li.hidden = true; li.classList.remove('doing'); }
    }
    const stick = el.feed.scrollHeight - el.feed.scrollTop - el.feed.clientHeight < 40;
    el.feed.append(feedItem(ev));
    if (stick) el.feed.scrollTop = el.feed.scrollHeight;
    if (REFRESH.has(ev.type)) refetch();
  }

  function drawProgress(p) {
    const verb = { move: 'Moving', copy: 'Copying', trash: 'Moving to the trash', write: 'Writing' }[p.label] || 'Working';
    el.progress.hidden = !(p.total > 0) || p.done >= p.total;
    fill(el.progress, h('label.small', null, `${verb}: ${num(p.done)} of ${num(p.total)}`, h('progress', { max: p.total || 1, value: p.done || 0 })));
  }

  function feedItem(ev) {
    const { parts, kind, quiet } = describe(ev);
    const li = h('li', { class: `ev ${kind || ''}`, 'data-seq': ev.seq, 'data-type': ev.type, 'data-agent': ev.agent, hidden: !!quiet },
      h('time', { datetime: new Date(ev.at || Date.now()).toISOString() }, when(ev.at)),
      h('div.what', null, ev.agent ? h('span.chip', null, ev.agent) : '', h('span.text', null, parts)));
    if (ev.type === 'tool_started') { li.classList.add('doing'); li.dataset.callId = ev.call_id; }
    // What the model was shown: the pictures a call passed on, small, each opening whole.
    if (ev.type === 'tool_finished' && (ev.images || []).length) {
      li.append(h('div.pictures', { 'data-testid': 'pictures' }, ev.images.map((p) => {
        const src = taskPath(id, `/images/${encodeURIComponent(p.sha256)}`);
        return h('a', { href: src, target: '_blank', rel: 'noopener' },
          h('img', { src, alt: `Picture shown to the model (${p.width}×${p.height})`, loading: 'lazy', width: Math.min(p.width, 160) }));
      })));
    }
    return li;
  }

  /** One event in words: {parts, kind, quiet}. */
  function describe(ev) {
    const call = calls.get(ev.call_id) || {};
    const words = () => callWords(call.name || ev.tool, call.input, null);
    switch (ev.type) {
      case 'task_created': {
        const fs = (ev.grants || []).map((g) => g.name || g.path).join(', ');
        return { parts: [`Task started: “${ev.outcome}”`, fs ? ` — folders: ${fs}` : '', ev.mode ? ` — ${(MODES[ev.mode] || [ev.mode])[0].toLowerCase()}` : ''], kind: 'milestone' };
      }
      case 'model_turn': {
        const text = String(ev.text || '').trim();
        if (text) return { parts: [h('span.who', null, 'Errand: '), h('span.said', null, text)], kind: 'said' };
        const n = (ev.tool_calls || []).length;
        return { parts: [`Decided on ${plural(n, 'next step')}`], quiet: true };
      }
      case 'approval_requested': return { parts: ['Asks your OK to ', call.name ? words().ask : ev.summary], kind: 'ask' };
      case 'approval_resolved':
        return ev.approved
          ? { parts: [ev.always ? 'Allowed for the rest of this task: ' : 'Allowed: ', call.name ? words().ask : 'the request'], kind: 'ok' }
          : { parts: ['Refused: ', call.name ? words().ask : 'the request'], kind: 'bad' };
      case 'tool_started': return { parts: [words().doing, '…'], kind: 'doing' };
      case 'tool_finished': {
        if (ev.is_error) {
          const out = String(ev.output || '');
          const w = words().ask;
          if (/declined/.test(out)) return { parts: ['Did not ', w, ': you refused it'], kind: 'bad' };
          if (/^refused: /.test(out)) return { parts: ['Not allowed to ', w, `: ${firstLine(out.slice(9))}`], kind: 'bad' };
          return { parts: ['Could not ', w, `: ${firstLine(out)}`], kind: 'bad' };
        }
        if ((call.name || ev.tool) === 'update_plan' || (call.name || ev.tool) === 'finish' || (call.name || ev.tool) === 'ask_user') {
          return { parts: callWords(call.name || ev.tool, call.input, null).done, quiet: true };
        }
        return { parts: callWords(call.name || ev.tool, call.input, parseObj(ev.output)).done, kind: 'done' };
      }
      case 'instructions_read': {
        const s = ev.sources || [];
        return { parts: ['Read these instructions: ', s.map((x) => x.label + (x.clipped ? ' (cut at its size budget)' : '')).join(', ')], kind: 'milestone' };
      }
      case 'plan_updated': {
        const s = ev.steps || [];
        const done = s.filter((x) => x.status === 'done').length;
        return { parts: [done ? `Plan: ${done} of ${plural(s.length, 'step')} done` : `Made a plan with ${plural(s.length, 'step')}`] };
      }
      case 'user_message': return { parts: [h('span.who', null, 'You: '), h('span.said', null, ev.text)], kind: 'you' };
      case 'state_changed': {
        const w = { running: 'Working', waiting: 'Waiting for you', paused: 'Paused', done: 'Finished', failed: 'Stopped: something went wrong', cancelled: 'Cancelled', created: 'Created' }[ev.state] || ev.state;
        return { parts: [w, ev.reason ? ` — ${ev.reason}` : ''], kind: ev.state === 'failed' ? 'bad' : 'state' };
      }
      case 'finished': {
        const d = ev.deliverables || [];
        const said = ev.without_finish ? 'Stopped without calling finish: ' : 'Finished: ';
        return { parts: [`${said}${ev.summary || ''}`, d.length ? ` Results: ${d.join(', ')}` : ''], kind: ev.agent ? 'done' : 'milestone' };
      }
      case 'nudged': return { parts: ['Reminded the model: ', firstLine(ev.text || '')], kind: 'state' };
      case 'checked': {
        const p = ev.problems || [];
        return p.length
          ? { parts: ['Checked the results and found: ', p.join('; ')], kind: 'bad' }
          : { parts: ['Checked the results: every file is there and opens'], kind: 'ok' };
      }
      case 'tools_loaded': return { parts: [`Loaded tools: ${(ev.groups || []).join(', ')}`], quiet: true };
      case 'undone': {
        const r = ev.refused || [];
        return { parts: [`Undid ${plural(ev.restored || 0, 'change')}`, r.length ? `; could not undo: ${r.join('; ')}` : ''], kind: 'milestone' };
      }
      case 'question_asked': return { parts: [h('span.who', null, 'Asks you: '), h('span.said', null, ev.question)], kind: 'ask' };
      case 'question_answered': return { parts: [h('span.who', null, 'You answered: '), h('span.said', null, ev.answer)], kind: 'you' };
      case 'subagent_started': return { parts: [`Helper started: ${ev.goal}`, ev.role ? ` (${ev.role})` : ''] };
      case 'subagent_finished':
        return { parts: [ev.ok ? 'Helper finished' : 'Helper failed', ev.summary ? `: ${firstLine(ev.summary)}` : '', ` (${plural(ev.turns || 0, 'turn')})`], kind: ev.ok ? 'done' : 'bad' };
      case 'compacted': return { parts: ['Condensed its notes to stay within the model’s memory'] };
      default: return { parts: [String(ev.type || 'event').replace(/_/g, ' ')], quiet: true };
    }
  }

  load();
  connect();
  return {
    destroy() { gone = true; es?.close(); refetch.cancel(); for (const c of cards.values()) clearTimeout(c.timer); },
    sleep() { es?.close(); es = null; },
    wake() { if (!es) connect(); refetch(); },
  };
}

// ---------- previews and other pure renderers ----------

function detailView(d) {
  if (!d || typeof d !== 'object') return '';
  switch (d.kind) {
    case 'diff': {
      const lines = d.lines || [];
      return [h('p.small', null, d.new_file ? 'New file: ' : 'Changes to: ', h('span.path', null, d.path)),
        h('div.scroll', null, h('table.diff', { 'data-testid': 'diff' }, h('tbody', null, lines.map((l) => {
          const cls = l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'ctx';
          return h('tr', { class: cls, 'data-op': l.op }, h('td.op', { 'aria-label': cls === 'add' ? 'added' : cls === 'del' ? 'removed' : 'unchanged' }, l.op === '-' ? '−' : l.op), h('td.text', null, l.text));
        }))))];
    }
    case 'moves': {
      const rows = d.rows || [];
      return [h('p.small', null, `${plural(rows.length, 'move')}:`), h('div.scroll', null, h('table.grid', { 'data-testid': 'moves' },
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'From'), h('th', { scope: 'col' }, 'To'))),
        h('tbody', null, rows.map((m) => h('tr', null, h('td', null, m.from), h('td', null, m.to))))))];
    }
    case 'trash': {
      const fs = d.files || [];
      return [h('p.small', null, `${plural(fs.length, 'item')} would go to the task's trash (you can restore them):`),
        h('ul.files', { 'data-testid': 'trash-files' }, fs.map((f) => h('li', null, h('span.path', null, f.path), h('span.muted.small', null, ` ${size(f.size)}`))))];
    }
    case 'command': {
      const net = d.network === 'all' ? 'Full internet access' : Array.isArray(d.network) ? `Only: ${d.network.join(', ')}` : 'No internet';
      return h('dl.meta', { 'data-testid': 'command' },
        pair('Command', h('code', null, d.command)),
        pair('In folder', h('span.path', null, d.cwd)),
        pair('Internet', net));
    }
    case 'plan': return h('ol.plan', { 'data-testid': 'plan-preview' }, (d.steps || []).map((s) => h('li.step', null, s.title)));
    case 'lines': return (d.lines || []).length ? h('pre.lines', null, d.lines.join('\n')) : '';
    case 'fetch': return h('dl.meta', { 'data-testid': 'fetch' },
      pair('Page', h('span.path', null, d.url)),
      pair('Site', [h('strong', null, d.site), ' is not among the sites this task was given. Allowing lets it read this page and show it to the model; anything the page says is treated as data, not as orders.']));
    default: return '';
  }
}

function changeWords(c) {
  switch (c.op) {
    case 'move': return ['Move ', h('span.path', null, c.to), ' back to ', h('span.path', null, c.from)];
    case 'write': return c.replaced ? ['Put back the earlier ', h('span.path', null, c.path)] : ['Take away ', h('span.path', null, c.path), ' (the task made it)'];
    case 'trash': return ['Bring back ', h('span.path', null, c.path), ' from the trash'];
    case 'mkdir': return ['Remove the folder ', h('span.path', null, c.path), ' if nothing else is in it'];
    case 'copy': return ['Take away the copy ', h('span.path', null, c.to)];
    default: return [String(c.op || 'change'), ' ', c.path || c.to || ''];
  }
}

const colName = (i) => { let s = ''; for (i++; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + ((i - 1) % 26)) + s; return s; };
const plain = (t) => String(t ?? '').replace(/\*\*(.+?)\*\*/g, '$1');

function previewBody(p, name) {
  switch (p.kind) {
    case 'sheets': {
      const sheets = p.sheets || [];
      const grid = h('div.scroll.sheet', null);
      const tabs = h('div.tabs', { role: 'tablist', 'aria-label': 'Sheets' });
      const show = (i) => {
        for (const [j, b] of [...tabs.children].entries()) { b.setAttribute('aria-selected', String(i === j)); b.tabIndex = i === j ? 0 : -1; }
        const s = sheets[i] || { rows: [] };
        const rows = s.rows || [];
        const width = Math.max(0, ...rows.map((r) => r.length));
        fill(grid, h('table.grid.cells', { 'data-testid': 'sheet-grid', 'data-sheet': s.name },
          h('thead', null, h('tr', null, h('th.corner', null), Array.from({ length: width }, (_, c) => h('th', { scope: 'col' }, colName(c))))),
          h('tbody', null, rows.map((r, ri) => h('tr', null, h('th', { scope: 'row' }, String(ri + 1)), Array.from({ length: width }, (_, c) => h('td', null, r[c] ?? '')))))),
        s.total_rows > rows.length || s.total_cols > width ? h('p.muted.small', null, `Showing ${num(rows.length)} of ${num(s.total_rows)} rows and ${num(width)} of ${num(s.total_cols)} columns.`) : '');
      };
      sheets.forEach((s, i) => tabs.append(h('button', { role: 'tab', 'data-testid': 'sheet-tab', onclick: () => show(i) }, s.name)));
      tabs.addEventListener('keydown', (e) => {
        const bs = [...tabs.children], i = bs.indexOf(document.activeElement);
        if (i < 0 || !['ArrowLeft', 'ArrowRight'].includes(e.key)) return;
        const j = (i + (e.key === 'ArrowRight' ? 1 : bs.length - 1)) % bs.length;
        show(j); bs[j].focus();
      });
      show(0);
      return [tabs, grid];
    }
    case 'outline':
      return h('div.doc', null, (p.items || []).map((it) => it.level > 0 ? h(`h${Math.min(3, it.level) + 3}`, null, plain(it.text)) : h('p', null, plain(it.text))));
    case 'blocks':
      return h('div.doc', null, (p.blocks || []).map((b) => {
        switch (b.type) {
          case 'heading': return h(`h${Math.min(3, Math.max(1, b.level || 1)) + 3}`, null, plain(b.text));
          case 'bullets': case 'numbered': return h(b.type === 'bullets' ? 'ul' : 'ol', null, (b.items || []).map((x) => h('li', null, plain(x))));
          case 'table': return h('div.scroll', null, h('table.grid', null,
            h('thead', null, h('tr', null, (b.header || []).map((c) => h('th', { scope: 'col' }, plain(c))))),
            h('tbody', null, (b.rows || []).map((r) => h('tr', null, r.map((c) => h('td', null, plain(c))))))));
          default: return h('p', null, plain(b.text));
        }
      }));
    case 'text': return h('pre.text', null, p.text ?? '');
    case 'pdf': return h('iframe.pdf', { src: p.url, title: name });
    case 'image': return h('img.image', { src: p.url, alt: name });
    default: return h('p.muted', null, 'No preview for this kind of file. Download it to open it.');
  }
}

// ---------- trash ----------

function trashView(main) {
  const body = h('div');
  main.append(h('section.card', { 'data-testid': 'trash' }, h('h1', null, 'Trash'),
    h('p.muted', null, 'Files that tasks removed or replaced. Restore puts one back where it was.'), body));
  (async () => {
    const r = await api('/api/trash');
    if (!r.ok) { fill(body, h('p.error', null, errText(r))); return; }
    const items = r.data.items || [];
    if (!items.length) { fill(body, h('p.muted', null, 'The trash is empty.')); return; }
    fill(body, h('ul.trash', null, items.map((it) => {
      const status = h('span.small', { role: 'status' });
      const b = h('button.small', { 'data-testid': 'restore', 'aria-label': `Restore ${it.path}`, onclick: async () => {
        b.disabled = true;
        const x = await api(`/api/trash/${encodeURIComponent(it.id)}/restore`, 'POST', {});
        fill(status, x.ok ? `Restored to ${x.data.restored || it.path}` : errText(x));
        if (!x.ok) b.disabled = false; else li.classList.add('resolved');
      } }, 'Restore');
      const li = h('li', { 'data-testid': 'trash-item' },
        h('div', null, h('span.path', null, it.path), h('p.muted.small', null, [it.reason, size(it.size), when(it.at)].filter(Boolean).join(' · '), ' · ',
          h('a', { href: `#/task/${encodeURIComponent(it.task_id)}` }, 'from this task'))),
        h('div.actions', null, b, status));
      return li;
    })));
  })();
  return {};
}

// ---------- routing ----------

let view = null;
function route() {
  view?.destroy?.();
  view = null;
  const main = $('#main');
  main.replaceChildren();
  const hash = location.hash || '#/';
  const m = /^#\/task\/([^/?#]+)$/.exec(hash);
  const pages = { '#/new': 'new', '#/trash': 'trash', '#/connectors': 'connectors', '#/schedules': 'schedules' };
  const name = m ? 'task' : pages[hash] || 'home';
  document.body.dataset.route = name;
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  list.current = m ? decodeURIComponent(m[1]) : null;
  list.mark();
  if (name !== 'task') document.title = 'Errand';
  if (m) view = taskView(main, list.current);
  else if (name === 'trash') view = trashView(main);
  else if (name === 'connectors') view = connectorsView(main, { h, api, fill, errText });
  else if (name === 'schedules') view = schedulesView(main, { h, api, fill, errText, when });
  else view = newTaskView(main);
  if (name !== 'home') main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

window.addEventListener('hashchange', route);
window.addEventListener('online', () => { list.load(); view?.wake?.(); });
// A browser keeps 6 connections per server; hidden tabs give back their streams.
document.addEventListener('visibilitychange', () => {
  if (document.hidden) { list.es?.close(); list.es = null; view?.sleep?.(); } else {
    if (!list.es) { list.listen(); list.load(); }
    view?.wake?.();
  }
});
list.start();
route();
