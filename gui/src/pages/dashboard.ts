/*
 * Dashboards › Router: system, LAN clients, DHCP leases, interfaces.
 * One GET at load, then live updates from the events WebSocket; the root
 * carries data-updated="<ms timestamp>" of the last update.
 */
import { get } from '../api';
import { h, fill } from '../dom';
import { subscribe } from '../events';
import { bytes, duration, expires } from '../format';
import type { PageDef } from '../page';
import { pendingChanges, refreshChanges } from '../pill';
import { banner, emptyRow, table } from '../ui';

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
  role?: string | null;
  addresses?: { family?: string; address?: string; prefix?: number }[];
}

export interface Dashboard {
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

export const dashboardPage: PageDef = {
  path: '/dashboard',
  title: 'Router',
  group: 'Dashboards',
  render(ctx) {
    const msg = banner();
    const live = h('span', { class: 'live', 'data-test': 'live' }, 'Connecting…');
    const sys = h('dl', { class: 'facts', 'data-test': 'system' });
    const clients = h('p', { class: 'big', 'data-test': 'lan-clients' }, '—');
    const leaseCount = h('span', { class: 'count', 'data-test': 'lease-count' });
    const leases = h('tbody');
    const ifaces = h('tbody');
    const leaseTable = table(LEASE_HEAD, [], 'leases');
    leaseTable.querySelector('tbody')!.replaceWith(leases);
    const ifaceTable = table(['Name', 'Role', 'State', 'Addresses', 'MAC'], [], 'interfaces');
    ifaceTable.querySelector('tbody')!.replaceWith(ifaces);
    const el = h('div', { class: 'dashboard', 'data-test': 'dashboard' },
      h('div', { class: 'dash-head' }, msg.el, live),
      h('div', { class: 'cards' },
        h('section', { class: 'card' }, h('h2', null, 'System'), sys),
        h('section', { class: 'card' }, h('h2', null, 'LAN clients'), clients, h('p', { class: 'muted' }, 'Devices with an active DHCP lease.')),
        h('section', { class: 'card span2' }, h('div', { class: 'card-head' }, h('h2', null, 'DHCP leases'), leaseCount), leaseTable)),
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
