// The connectors page: the person's MCP servers (connected to now, each with its state and
// what it offers), the servers plugins bring, and the installed plugins, which can be turned
// on and off here. Adding a server or a plugin stays a terminal command, shown as such.
export function connectorsView(main, { h, api, fill, errText }) {
  const servers = h('div', { 'data-testid': 'connectors-list' }, h('p.muted', null, 'Connecting to each server…'));
  const plugins = h('div', { 'data-testid': 'plugins-list' }, h('p.muted', null, 'Loading…'));
  main.append(
    h('section.card', { 'data-testid': 'connectors' }, h('h1', null, 'Connectors'),
      h('p.muted', null, 'MCP servers give tasks tools from your other apps. Add one in a terminal: ',
        h('code', null, 'errand mcp add NAME -- COMMAND'), ' or ', h('code', null, 'errand mcp add NAME --url URL'), '.'),
      servers),
    h('section.card', { 'data-testid': 'plugins' }, h('h2', null, 'Plugins'),
      h('p.muted', null, 'Skills, commands, helpers and servers in one bundle. Install one in a terminal: ',
        h('code', null, 'errand plugins install NAME@MARKETPLACE'), '.'),
      plugins));

  const state = (s) => h('span', { class: `badge s-${s === 'connected' ? 'done' : s === 'failed' ? 'failed' : 'paused'}`, 'data-testid': 'connector-state' },
    { connected: 'Connected', failed: 'Not working', disabled: 'Off' }[s] || s);

  (async () => {
    const r = await api('/api/connectors');
    if (!r.ok) { fill(servers, h('p.error', null, errText(r))); return; }
    const rows = r.data.servers || [], extra = r.data.from_plugins || [];
    if (!rows.length && !extra.length) { fill(servers, h('p.muted', null, 'No connectors yet.')); return; }
    fill(servers,
      rows.length ? h('ul.connectors', null, rows.map((s) => h('li', { 'data-testid': 'connector', 'data-name': s.name },
        h('div.line', null, h('strong', null, s.name), ' ', state(s.state), h('span.muted.small', null, ` ${s.transport} · ${s.target}`)),
        s.state === 'connected'
          ? h('p.small', null, `${s.tools} tools, ${s.resources} resources, ${s.prompts} prompts` + (s.protocol_version ? ` · protocol ${s.protocol_version}` : ''))
          : s.error ? h('p.small.error', null, s.error) : ''))) : '',
      extra.length ? h('div', null, h('h3', null, 'From plugins'),
        h('ul.connectors', null, extra.map((s) => h('li', { 'data-testid': 'plugin-connector' },
          h('div.line', null, h('strong', null, s.name), h('span.muted.small', null, ` ${s.transport} · from ${s.plugin}`)),
          s.needs ? h('p.small.muted', null, `Needs ${s.needs}.`) : '')))) : '');
  })();

  async function loadPlugins() {
    const r = await api('/api/plugins');
    if (!r.ok) { fill(plugins, h('p.error', null, errText(r))); return; }
    const rows = r.data.plugins || [];
    if (!rows.length) { fill(plugins, h('p.muted', null, 'No plugins installed.')); return; }
    fill(plugins, h('ul.connectors', null, rows.map((p) => {
      const status = h('span.small', { role: 'status' });
      const toggle = h('button.small', {
        'data-testid': 'plugin-toggle', 'aria-label': `${p.enabled ? 'Turn off' : 'Turn on'} ${p.name}`,
        onclick: async () => {
          toggle.disabled = true;
          const x = await api(`/api/plugins/${encodeURIComponent(p.name)}/${p.enabled ? 'disable' : 'enable'}`, 'POST', {});
          if (!x.ok) { fill(status, errText(x)); toggle.disabled = false; return; }
          loadPlugins();
        },
      }, p.enabled ? 'Turn off' : 'Turn on');
      const counts = [['skill', p.skills], ['command', p.commands], ['helper', p.agents], ['hook', p.hooks], ['server', p.mcp_servers]]
        .map(([w, list]) => `${(list || []).length} ${w}${(list || []).length === 1 ? '' : 's'}`).join(', ');
      return h('li', { 'data-testid': 'plugin', 'data-name': p.name },
        h('div.line', null, h('strong', null, p.name), p.version ? h('span.muted.small', null, ` ${p.version}`) : '', ' ',
          h('span', { class: `badge s-${p.enabled ? 'done' : 'paused'}`, 'data-testid': 'plugin-state' }, p.enabled ? 'On' : 'Off')),
        p.description ? h('p.small', null, p.description) : '',
        h('p.small.muted', null, counts),
        h('div.actions', null, toggle, status));
    })));
  }
  loadPlugins();
  return {};
}
