/*
 * Network Settings › Overview: recent activity on each interface, with its
 * IP and MAC address on hover (or focus) of its icon and its state: up,
 * down, or what the failover says of an uplink (standby, failed over).
 * Fed by the dashboard's live feed, which the router pushes at once when a
 * link or an address changes.
 */
import { get } from '../api';
import { chart, rate } from '../chart';
import { fill, h } from '../dom';
import { subscribe } from '../events';
import type { PageDef } from '../page';
import { banner } from '../ui';
import type { Dashboard, Iface, Traffic } from './dashboard';

/** The state shown: the owner's word for an uplink, else the kernel's. */
export function ifaceState(i: Iface): 'up' | 'down' | 'standby' | 'failed over' {
  if (i.uplink_state === 'standby' || i.uplink_state === 'failed over') return i.uplink_state;
  const flags = i.flags || [];
  if (i.state === 'UP') return 'up';
  // a bridge or a virtual link says UNKNOWN: up when administratively up with a carrier
  if ((i.state === 'UNKNOWN' || !i.state) && flags.includes('UP') && flags.includes('LOWER_UP')) return 'up';
  return 'down';
}

/** The interfaces worth showing: not the loopback, not the QoS's ifb devices; owned ones first. */
export function overviewInterfaces(list: Iface[] = []): Iface[] {
  const rank: Record<string, number> = { wan: 0, wwan: 1, lan: 2, wifi: 3, vpn: 4, custom: 5 };
  return list
    .filter((i) => i.name && i.name !== 'lo' && i.kind !== 'ifb')
    .sort((a, b) => (rank[a.role || ''] ?? 9) - (rank[b.role || ''] ?? 9) || (a.name! < b.name! ? -1 : 1));
}

const ICONS: Record<string, string> = { wan: '🌐', wwan: '📶', lan: '🖧', wifi: '📡', vpn: '🔒', custom: '🔌' };

function details(i: Iface): HTMLElement {
  const addrs = (i.addresses || []).filter((a) => a.address && !a.address.startsWith('fe80:'));
  return h('dl', { class: 'facts iface-details', role: 'tooltip', 'data-test': 'details' },
    h('dt', null, 'IP'), h('dd', { 'data-test': 'ip' },
      addrs.length ? addrs.map((a) => h('div', null, h('code', null, `${a.address}/${a.prefix}`))) : '—'),
    h('dt', null, 'MAC'), h('dd', { 'data-test': 'mac' }, i.mac ? h('code', null, i.mac) : '—'));
}

function card(i: Iface, t: Traffic): HTMLElement {
  const s = t.interfaces?.[i.name!] || {};
  const rx = s.rx || [], tx = s.tx || [];
  const minutes = Math.round(((t.samples || 100) * (t.period_ms || 3000)) / 60000);
  const state = ifaceState(i);
  const tip = details(i);
  const icon = h('button', { type: 'button', class: 'iface-icon', 'aria-label': `${i.name}: addresses`, 'data-test': 'icon' },
    ICONS[i.role || ''] || '⇄');
  return h('section', { class: 'card iface', 'data-test': 'overview-' + i.name },
    h('div', { class: 'card-head' },
      h('span', { class: 'iface-hover' }, icon, tip),
      h('h2', null, i.title ? `${i.title} (${i.name})` : i.name!),
      h('span', { class: `state state-${state === 'up' || state === 'down' ? state : 'warn'}`, 'data-test': 'state' }, state)),
    h('p', { class: 'muted' },
      h('span', { class: 'rx-label' }, `↓ ${rate(rx[rx.length - 1] ?? NaN)}`),
      h('span', { class: 'tx-label' }, `  ↑ ${rate(tx[tx.length - 1] ?? NaN)}`)),
    chart(rx, tx, t.samples || 100, `${i.name}: received and sent over the last ${minutes} minutes`));
}

export const overviewPage: PageDef = {
  path: '/network',
  title: 'Overview',
  group: 'Network Settings',
  render(ctx) {
    const msg = banner();
    const cards = h('div', { class: 'cards', 'data-test': 'overview' }, h('p', { class: 'muted' }, 'Loading…'));
    ctx.root.append(msg.el, h('p', { class: 'muted' }, 'Recent activity on each interface. Hover over or focus an icon for its addresses.'), cards);
    const update = (d: Dashboard) => {
      if (!d || typeof d !== 'object') return;
      const list = overviewInterfaces(d.interfaces);
      fill(cards, list.length ? list.map((i) => card(i, d.traffic || {})) : [h('p', { class: 'muted' }, 'No interfaces.')]);
      cards.dataset.updated = String(Date.now());
    };
    const read = () => get<Dashboard>('/dashboard').then((d) => { msg.set(null); update(d); }, (e) => msg.error(e));
    void read();
    let wasOpen = false;
    const stop = subscribe('dashboard', (d) => { msg.set(null); update(d as Dashboard); }, (open) => {
      if (!open && wasOpen) void read();
      wasOpen = open;
    });
    ctx.onLeave(stop);
  },
};
