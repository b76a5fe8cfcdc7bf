/*
 * Dashboards › Router: is the internet up (the WAN card and its check),
 * is everything running (every feature and engine), traffic per
 * interface, the LAN's clients, DHCP leases, interfaces, the system.
 * One GET at load, then live updates from the events WebSocket; the root
 * carries data-updated="<ms timestamp>" of the last update.
 */
import { get, post } from '../api';
import { chart, rate } from '../chart';
import { openDialog } from '../dialog';
import { h, fill } from '../dom';
import { subscribe } from '../events';
import { bytes, duration, expires, time } from '../format';
import type { PageDef } from '../page';
import { pendingChanges, refreshChanges } from '../pill';
import { banner, busy, emptyRow, table, type Banner } from '../ui';

export interface Lease {
  mac?: string;
  ip?: string;
  hostname?: string;
  expires?: number;
}

export interface Iface {
  name?: string;
  mac?: string;
  state?: string;
  mtu?: number;
  flags?: string[];
  kind?: string;
  role?: string | null;
  title?: string;
  /** What the failover says of an uplink: standby, failed over. */
  uplink_state?: string;
  addresses?: { family?: string; address?: string; prefix?: number }[];
}

export interface Client {
  mac?: string;
  name?: string | null;
  ip?: string | null;
  kind?: 'lease' | 'static' | 'neighbour';
  online?: boolean;
  expires?: number;
}

export interface Check {
  gateway?: { address?: string; ok?: boolean; rtt_ms?: number | null; answer?: string } | null;
  dns?: { server?: string; ok?: boolean; rtt_ms?: number | null; answer?: string } | null;
  at?: number;
}

export interface Wan {
  interface?: string;
  proto?: string;
  state?: string | null;
  address?: string | null;
  gateway?: string | null;
  dns?: string[];
  upstreams?: { source?: string; servers?: string[] } | null;
  lease?: { seconds?: number; obtained?: number; expires?: number; left?: number } | null;
  uptime?: number | null;
  check?: Check | null;
  health?: Health | null;
}

/** The uplink's health as its checks say (Network Settings › Uplinks). */
export interface Health {
  state?: 'up' | 'degraded' | 'down' | 'unknown' | 'off';
  loss?: number | null;
  rtt_ms?: number | null;
  since?: number;
  device?: string;
}

export function healthText(x: Health | null | undefined): string {
  if (!x || !x.state || x.state === 'off') return 'not checked (Uplinks)';
  if (x.state === 'unknown') return 'checking…';
  const rtt = typeof x.rtt_ms === 'number' ? `, ${x.rtt_ms} ms` : '';
  return `${x.state} (loss ${x.loss ?? '—'} %${rtt}) on ${x.device || '—'}${x.since ? ` since ${time(x.since)}` : ''}`;
}

const PROTO: Record<string, string> = { dhcp: 'DHCP', static: 'static', pppoe: 'PPPoE' };

export interface EngineState {
  name?: string;
  pid?: number;
  state?: 'running' | 'stopped' | 'failed';
  restarts?: number;
  message?: string;
}

export interface FeatureState {
  name?: string;
  title?: string;
  state?: string;
  message?: string;
  engines?: EngineState[];
}

export interface Traffic {
  period_ms?: number;
  samples?: number;
  times?: number[];
  interfaces?: Record<string, { rx?: number[]; tx?: number[]; rx_bytes?: number; tx_bytes?: number }>;
}

export interface Dashboard {
  version?: string;
  clients?: Client[];
  wan?: Wan;
  features?: FeatureState[];
  traffic?: Traffic;
  system?: {
    hostname?: string;
    uptime?: number;
    load?: number[];
    memory?: { total?: number; free?: number; buffers?: number };
    daemon_uptime?: number;
    revision?: number;
  };
  interfaces?: Iface[];
  leases?: { active?: Lease[]; static?: unknown[] };
  lan_clients?: number;
  revision?: number;
  pending_changes?: number;
}

export function memoryUse(m: { total?: number; free?: number; buffers?: number } = {}): number | null {
  if (!m.total) return null;
  return Math.round((100 * (m.total - (m.free || 0) - (m.buffers || 0))) / m.total);
}

export function leaseRows(active: Lease[] = []): HTMLTableRowElement[] {
  if (!active.length) return [emptyRow(4, 'No active leases.')];
  return active.map((l) => h('tr', { 'data-test': 'lease' },
    h('td', { 'data-label': 'Hostname' }, l.hostname || '—'),
    h('td', { 'data-label': 'IPv4 address' }, l.ip || '—'),
    h('td', { 'data-label': 'MAC address' }, h('code', null, l.mac || '—')),
    h('td', { 'data-label': 'Expires' }, expires(l.expires))));
}

export const LEASE_HEAD = ['Hostname', 'IPv4 address', 'MAC address', 'Expires'];

function ifaceRows(list: Iface[] = []): HTMLTableRowElement[] {
  if (!list.length) return [emptyRow(5, 'No interfaces.')];
  return list.map((i) => h('tr', { 'data-test': 'iface-' + (i.name || '') },
    h('td', { 'data-label': 'Name' }, h('strong', null, i.name || '—')),
    h('td', { 'data-label': 'Role' }, i.role ? h('span', { class: 'tag' }, i.role.toUpperCase()) : '—'),
    h('td', { 'data-label': 'State' }, h('span', { class: 'state state-' + String(i.state || 'unknown').toLowerCase() }, String(i.state || 'unknown').toLowerCase())),
    h('td', { 'data-label': 'Addresses' }, (i.addresses || []).length
      ? (i.addresses || []).map((a) => h('div', null, h('code', null, `${a.address}${a.prefix !== undefined && a.prefix !== null ? '/' + a.prefix : ''}`)))
      : '—'),
    h('td', { 'data-label': 'MAC' }, i.mac ? h('code', null, i.mac) : '—')));
}

/** Is the internet up? Both the gateway and the upstream DNS answered. */
export function internet(c: Check | null | undefined): { text: string; tone: string } {
  if (!c || (!c.gateway && !c.dns)) return { text: 'Not checked yet', tone: 'unknown' };
  if (c.gateway?.ok && c.dns?.ok && (c.dns.answer === 'NOERROR' || c.dns.answer === 'NXDOMAIN')) return { text: 'Up', tone: 'ok' };
  if (c.gateway?.ok || c.dns?.ok) return { text: 'Degraded', tone: 'warn' };
  return { text: 'Down', tone: 'failed' };
}

function checkText(what: string, r: { ok?: boolean; rtt_ms?: number | null; answer?: string } | null | undefined, target?: string): string {
  if (!r) return `${what}: nothing to ask`;
  const took = r.ok && typeof r.rtt_ms === 'number' ? ` in ${r.rtt_ms} ms` : '';
  return `${what} ${target || ''}: ${r.ok ? 'answers' : 'no answer'}${took}${r.answer && r.answer !== 'echo reply' ? ` (${r.answer})` : ''}`;
}

export function wanFacts(w: Wan = {}): HTMLElement[] {
  const row = (label: string, test: string, v: string) => [h('dt', null, label), h('dd', { 'data-test': test }, v)];
  const l = w.lease;
  const c = w.check;
  return [
    ...row('Interface', 'wan-interface', `${w.interface || '—'}${w.proto ? ` (${PROTO[w.proto] || w.proto})` : ''}`),
    ...row('Address', 'wan-address', w.address || '—'),
    ...row('Gateway', 'wan-gateway', w.gateway || '—'),
    ...row('DNS servers', 'wan-dns', (w.dns || []).join(', ') || '—'),
    ...(w.proto === 'dhcp' ? row('DHCP lease', 'wan-lease', l ? `${duration(l.seconds ?? NaN)}, ${duration(l.left ?? NaN)} left` : 'none yet') : []),
    ...row('Link up for', 'wan-uptime', typeof w.uptime === 'number' ? duration(w.uptime) : 'down'),
    ...row('Check', 'wan-check', c && (c.gateway || c.dns)
      ? `${checkText('gateway', c.gateway, c.gateway?.address)} · ${checkText('DNS', c.dns, c.dns?.server)}${c.at ? ` · ${time(c.at)}` : ''}`
      : '—'),
    ...row('Health', 'wan-health', healthText(w.health)),
  ];
}

const KIND: Record<string, string> = { lease: 'DHCP lease', static: 'Static lease', neighbour: 'Fixed address' };

export function clientRows(list: Client[] = []): HTMLTableRowElement[] {
  if (!list.length) return [emptyRow(6, 'No devices on the LAN.')];
  return list.map((c) => h('tr', { 'data-test': 'client' },
    h('td', { 'data-label': 'Name' }, c.name || '—'),
    h('td', { 'data-label': 'IP address' }, c.ip || '—'),
    h('td', { 'data-label': 'MAC address' }, h('code', null, c.mac || '—')),
    h('td', { 'data-label': 'Kind' }, KIND[c.kind || ''] || '—'),
    h('td', { 'data-label': 'Online' }, h('span', { class: 'state ' + (c.online ? 'state-ok' : 'state-stopped') }, c.online ? 'online' : 'not seen')),
    h('td', { 'data-label': 'Expires' }, c.kind === 'neighbour' ? '—' : expires(c.expires))));
}

function badge(state: string | undefined): HTMLElement {
  const s = state === 'running' ? 'ok' : state || 'unknown';
  return h('span', { class: `state state-${s}`, 'data-test': 'badge' }, s);
}

export function featureRows(list: FeatureState[] = []): HTMLElement[] {
  return list.map((f) => h('li', { class: 'feature', 'data-test': 'feature-' + (f.name || '') },
    h('div', { class: 'feature-head' }, badge(f.state), h('strong', null, f.title || f.name || '—'),
      f.message ? h('span', { class: 'muted', 'data-test': 'message' }, f.message) : null),
    (f.engines || []).length
      ? h('ul', { class: 'engines' }, (f.engines || []).map((e) => h('li', { 'data-test': 'engine-' + (e.name || '') },
        badge(e.state), h('code', null, e.name || '—'),
        e.restarts ? h('span', { class: 'muted' }, ` ${e.restarts} restarts`) : null,
        e.state !== 'running' && e.message ? h('span', { class: 'muted' }, ` ${e.message}`) : null)))
      : null));
}

export function trafficCharts(t: Traffic = {}): HTMLElement[] {
  const entries = Object.entries(t.interfaces || {});
  if (!entries.length) return [h('p', { class: 'muted' }, 'Collecting…')];
  const minutes = Math.round(((t.samples || 100) * (t.period_ms || 3000)) / 60000);
  return entries.map(([name, s]) => {
    const rx = s.rx || [], tx = s.tx || [];
    return h('figure', { class: 'traffic', 'data-test': 'chart-' + name },
      h('figcaption', null, h('strong', null, name),
        h('span', { class: 'rx-label' }, ` ↓ ${rate(rx[rx.length - 1] ?? NaN)}`),
        h('span', { class: 'tx-label' }, ` ↑ ${rate(tx[tx.length - 1] ?? NaN)}`)),
      chart(rx, tx, t.samples || 100, `${name}: received and sent over the last ${minutes} minutes`));
  });
}

/** The web door itself: restarting it from the page would cut the page's own request (difosctl can). */
const WEB_ENGINE = 'difosd-web';

/**
 * The engines the quick actions can restart, by name, with their feature's title: those difosd
 * runs or waits to start again after a failure (a stopped one is off in the configuration).
 */
export function restartable(list: FeatureState[] = []): { engine: string; title: string }[] {
  const out: { engine: string; title: string }[] = [];
  for (const f of list) {
    for (const e of f.engines || []) {
      if (e.name && e.name !== WEB_ENGINE && e.state !== 'stopped') out.push({ engine: e.name, title: f.title || f.name || '' });
    }
  }
  return out;
}

const PBX_ENGINE = 'asterisk';

/** The reboot, once the user said yes in a dialog. */
function confirmReboot(msg: Banner): void {
  const go = h('button', { type: 'button', class: 'danger', 'data-test': 'reboot-confirm' }, 'Reboot now');
  const cancel = h('button', { type: 'button', class: 'secondary', 'data-test': 'reboot-cancel', onclick: () => dlg.close() }, 'Cancel');
  const dlg = openDialog({
    title: 'Reboot the router?',
    body: h('p', null, 'Every service stops and the network goes down while the router starts again. It takes a couple of minutes to be back, depending on the services in use.'),
    actions: [go, cancel],
    test: 'reboot-dialog',
  });
  go.addEventListener('click', () => void busy(go, async () => {
    try {
      await post('/system/reboot');
      dlg.close();
      msg.set('info', 'The router is rebooting: this page comes back once it is up again.');
    } catch (e) {
      dlg.close();
      msg.error(e);
    }
  }));
}

/** The manual's Quick Actions menu, top right: restart an engine, reload the PBX, reboot. */
export function quickActions(msg: Banner): { el: HTMLElement; update(features: FeatureState[] | undefined): void } {
  const list = h('div', { class: 'menu-items', role: 'menu' });
  const el = h('details', { class: 'menu quick-actions', 'data-test': 'quick-actions' },
    h('summary', { class: 'secondary' }, 'Quick actions'), list);
  let shown = '';
  const item = (label: string, test: string, act: (b: HTMLButtonElement) => void) => {
    const b = h('button', { type: 'button', role: 'menuitem', 'data-test': test }, label);
    b.addEventListener('click', () => act(b));
    return b;
  };
  const restart = (engine: string) => (b: HTMLButtonElement) => void busy(b, async () => {
    try {
      const r = await post<{ pid?: number }>('/engine/restart', { engine });
      el.open = false;
      msg.set('ok', `${engine} restarted${r.pid ? ` (process ${r.pid})` : ''}.`);
    } catch (e) {
      msg.error(e);
    }
  });
  const reload = (b: HTMLButtonElement) => void busy(b, async () => {
    try {
      await post('/pbx/reload');
      el.open = false;
      msg.set('ok', 'The PBX reads its configuration again.');
    } catch (e) {
      msg.error(e);
    }
  });
  return {
    el,
    update(features) {
      const engines = restartable(features);
      // rebuilt only when the engines change: a live update never replaces the button under the pointer
      const key = engines.map((e) => e.engine).join(' ');
      if (key === shown && list.childElementCount) return;
      shown = key;
      fill(list,
        ...engines.map((e) => item(`Restart ${e.engine}${e.title ? ` (${e.title})` : ''}`, 'restart-' + e.engine, restart(e.engine))),
        ...(engines.some((e) => e.engine === PBX_ENGINE) ? [item('Reload the PBX', 'pbx-reload', reload)] : []),
        h('hr'),
        item('Reboot…', 'reboot', () => {
          el.open = false;
          confirmReboot(msg);
        }));
    },
  };
}

export const dashboardPage: PageDef = {
  path: '/dashboard',
  title: 'Router',
  group: 'Dashboards',
  render(ctx) {
    const msg = banner();
    const live = h('span', { class: 'live', 'data-test': 'live' }, 'Connecting…');
    const actions = quickActions(msg);
    const sys = h('dl', { class: 'facts', 'data-test': 'system' });
    const clients = h('p', { class: 'big', 'data-test': 'lan-clients' }, '—');
    const version = h('span', { class: 'muted', 'data-test': 'version' });
    const wanState = h('span', { class: 'state', 'data-test': 'internet' }, '…');
    const wan = h('dl', { class: 'facts', 'data-test': 'wan-facts' });
    const features = h('ul', { class: 'features', 'data-test': 'features' });
    const charts = h('div', { class: 'charts', 'data-test': 'traffic' });
    const clientList = h('tbody');
    const clientTable = table(['Name', 'IP address', 'MAC address', 'Kind', 'Online', 'Expires'], [], 'clients');
    clientTable.querySelector('tbody')!.replaceWith(clientList);
    const leaseCount = h('span', { class: 'count', 'data-test': 'lease-count' });
    const leases = h('tbody');
    const ifaces = h('tbody');
    const leaseTable = table(LEASE_HEAD, [], 'leases');
    leaseTable.querySelector('tbody')!.replaceWith(leases);
    const ifaceTable = table(['Name', 'Role', 'State', 'Addresses', 'MAC'], [], 'interfaces');
    ifaceTable.querySelector('tbody')!.replaceWith(ifaces);
    const el = h('div', { class: 'dashboard', 'data-test': 'dashboard' },
      h('div', { class: 'dash-head' }, msg.el, version, live, actions.el),
      h('div', { class: 'cards' },
        h('section', { class: 'card span2', 'data-test': 'wan' }, h('div', { class: 'card-head' }, h('h2', null, 'Internet'), wanState), wan),
        h('section', { class: 'card' }, h('h2', null, 'LAN clients'), clients, h('p', { class: 'muted' }, 'Devices on the LAN: a DHCP lease or seen lately, listed below.')),
        h('section', { class: 'card' }, h('h2', null, 'System'), sys),
        h('section', { class: 'card span2' }, h('h2', null, 'Services'), features),
        h('section', { class: 'card span2' }, h('h2', null, 'Traffic'), charts)),
      h('section', { class: 'card' }, h('h2', null, 'Clients'), clientTable),
      h('section', { class: 'card' }, h('div', { class: 'card-head' }, h('h2', null, 'DHCP leases'), leaseCount), leaseTable),
      h('section', { class: 'card' }, h('h2', null, 'Interfaces'), ifaceTable));
    ctx.root.append(el);

    const update = (d: Dashboard) => {
      if (!d || typeof d !== 'object') return;
      const s = d.system || {};
      const mem = memoryUse(s.memory);
      const load = (s.load || []).map((x) => Number(x).toFixed(2)).join(' · ');
      fill(sys,
        h('dt', null, 'Hostname'), h('dd', { 'data-test': 'hostname' }, s.hostname || '—'),
        h('dt', null, 'Uptime'), h('dd', { 'data-test': 'uptime' }, s.uptime !== undefined ? duration(s.uptime) : '—'),
        h('dt', null, 'Load (1 · 5 · 15 min)'), h('dd', { 'data-test': 'load' }, load || '—'),
        h('dt', null, 'Memory used'), h('dd', { 'data-test': 'memory' },
          mem === null ? '—' : [h('meter', { min: '0', max: '100', low: '70', high: '90', optimum: '0', value: String(mem), 'aria-label': 'Memory used' }), ` ${mem}% of ${bytes(s.memory!.total!)}`]),
        h('dt', null, 'Revision'), h('dd', { 'data-test': 'revision' }, String(d.revision ?? s.revision ?? '—')));
      clients.textContent = String(d.lan_clients ?? '—');
      version.textContent = d.version ? `difos ${d.version}` : '';
      const net = internet(d.wan?.check);
      wanState.textContent = net.text;
      wanState.className = `state state-${net.tone}`;
      fill(wan, wanFacts(d.wan));
      fill(features, featureRows(d.features));
      actions.update(d.features);
      fill(charts, trafficCharts(d.traffic));
      fill(clientList, clientRows(d.clients));
      const active = d.leases?.active || [];
      leaseCount.textContent = `${active.length} active`;
      fill(leases, leaseRows(active));
      fill(ifaces, ifaceRows(d.interfaces));
      el.dataset.updated = String(Date.now());
      if (typeof d.pending_changes === 'number' && d.pending_changes !== pendingChanges().length) void refreshChanges();
    };

    // one read at once, and again whenever the live feed drops (a 401 there leads to the login page)
    const read = () => get<Dashboard>('/dashboard').then((d) => {
      msg.set(null);
      update(d);
    }, (e) => msg.error(e));
    void read();
    let wasOpen = false;
    const stop = subscribe('dashboard', (d) => {
      msg.set(null);
      update(d as Dashboard);
    }, (open) => {
      live.textContent = open ? 'Live' : 'Reconnecting…';
      live.classList.toggle('on', open);
      if (!open && wasOpen) void read();
      wasOpen = open;
    });
    ctx.onLeave(stop);
  },
};
