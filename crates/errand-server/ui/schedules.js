// The schedules page: each recurring task in words, when it runs next, how its last run
// went, and the buttons a person needs (run now, pause or resume, remove). Making one stays
// a sentence in a task ("do this every Monday") or `errand schedule add`, shown as such.
export function schedulesView(main, { h, api, fill, errText, when }) {
  const body = h('div', { 'data-testid': 'schedules-list' }, h('p.muted', null, 'Loading…'));
  main.append(h('section.card', { 'data-testid': 'schedules' }, h('h1', null, 'Schedules'),
    h('p.muted', null, 'Recurring tasks. They run while Errand runs in the background (',
      h('code', null, 'errand daemon install'), '), with no window open. Add one by asking a task ("do this every Monday at 9") or in a terminal: ',
      h('code', null, 'errand schedule add "OUTCOME" --folder DIR --every "weekday 08:00"'), '.'),
    body));

  const lastRun = (s) => {
    if (!s.last_task) return h('span.muted', null, 'Not run yet');
    const state = s.last_task_state || 'unknown';
    const words = { done: 'Done', failed: 'Failed', waiting: 'Needs you', running: 'Running', paused: 'Paused', cancelled: 'Cancelled' }[state] || state;
    return [h('span', { class: `badge s-${state}`, 'data-testid': 'last-state' }, words), ' ', when(s.last_run), ' · ',
      h('a', { href: `#/task/${encodeURIComponent(s.last_task)}` }, 'open that task')];
  };

  const load = async () => {
    const r = await api('/api/schedules');
    if (!r.ok) { fill(body, h('p.error', null, errText(r))); return; }
    const rows = r.data.schedules || [];
    if (!rows.length) { fill(body, h('p.muted', null, 'No schedules yet.')); return; }
    fill(body, h('ul.schedules', null, rows.map((s) => {
      const status = h('span.small', { role: 'status' });
      const act = (label, testid, path, done, ask) => {
        const b = h('button.small', { 'data-testid': testid, onclick: async () => {
          if (ask && !window.confirm(ask)) return;
          b.disabled = true;
          const x = await api(`/api/schedules/${encodeURIComponent(s.id)}/${path}`, 'POST', {});
          if (!x.ok) { fill(status, errText(x)); b.disabled = false; return; }
          if (done) done(x.data); else load();
        } }, label);
        return b;
      };
      const run = act('Run now', 'schedule-run', 'run', (d) => { location.hash = `#/task/${encodeURIComponent(d.task)}`; });
      const toggle = s.paused ? act('Resume', 'schedule-resume', 'resume') : act('Pause', 'schedule-pause', 'pause');
      const remove = act('Remove', 'schedule-remove', 'remove', null,
        `Remove the schedule "${s.outcome}"? It will not run again; the tasks it already ran stay.`);
      remove.classList.add('danger');
      const folders = (s.folders || []).map((f) => f.path).join(', ');
      return h('li', { 'data-testid': 'schedule', 'data-id': s.id },
        h('div.line', null, h('strong', null, s.outcome), ' ',
          s.paused ? h('span.badge', { 'data-testid': 'paused' }, 'Paused') : ''),
        h('p.small', { 'data-testid': 'schedule-when' }, s.when,
          s.paused ? '' : s.next_run ? ` · next ${when(s.next_run)}` : ''),
        h('p.small.muted', null, 'In ', h('span.path', null, folders), s.mode ? ` · ${s.mode} mode` : '',
          s.project ? ` · project ${s.project}` : '', ' · after downtime: ', s.missed === 'skip' ? 'wait for the next time' : 'one catch-up run'),
        h('p.small', null, 'Last run: ', lastRun(s)),
        h('div.actions', null, run, toggle, remove, status));
    })));
  };
  load();
  return {};
}
