/*
 * What is in force, beside the settings that ask for it: on the WAN page
 * what DHCP obtained (address, gateway, DNS, lease and time left), on the
 * DNS page the upstream servers dnsmasq uses. Both from GET /status.
 */
import { get } from '../api';
import { h, fill } from '../dom';
import { duration } from '../format';
import { banner } from '../ui';

interface Status {
  features?: Record<string, { detail?: Record<string, unknown> }>;
}

export interface WanLease {
  ip?: string;
  prefix?: number;
  routers?: string[];
  dns?: string[];
  lease?: number;
  since?: number;
}

function card(title: string, test: string, body: (s: Status) => HTMLElement[]): HTMLElement {
  // its own name: the page's form has the banner its tests look for
  const msg = banner(test + '-banner');
  const facts = h('dl', { class: 'facts' }, h('dt', null, 'Loading…'));
  get<Status>('/status').then((s) => fill(facts, body(s || {})), (e) => {
    fill(facts);
    msg.error(e);
  });
  return h('section', { class: 'card', 'data-test': test }, h('h2', null, title), msg.el, facts);
}

export function leaseFacts(l: WanLease | undefined, now = Date.now() / 1000): HTMLElement[] {
  if (!l) return [h('dt', null, 'Lease'), h('dd', { 'data-test': 'wan-lease' }, 'none yet')];
  const left = (l.since || 0) + (l.lease || 0) - now;
  return [
    h('dt', null, 'Address'), h('dd', { 'data-test': 'wan-address' }, `${l.ip}/${l.prefix}`),
    h('dt', null, 'Gateway'), h('dd', { 'data-test': 'wan-gateway' }, (l.routers || []).join(', ') || '—'),
    h('dt', null, 'DNS servers'), h('dd', { 'data-test': 'wan-dns' }, (l.dns || []).join(', ') || '—'),
    h('dt', null, 'Lease'), h('dd', { 'data-test': 'wan-lease' }, `${duration(l.lease ?? NaN)}, ${duration(Math.max(0, left))} left`),
  ];
}

export interface PppoeSession {
  state?: string;
  interface?: string;
  device?: string;
  ip?: string;
  routers?: string[];
  dns?: string[];
  error?: string;
  restarts?: number;
}

/** The PPPoE session: up with its addresses, or why it is not. */
export function pppoeFacts(p: PppoeSession | undefined): HTMLElement[] {
  const row = (label: string, test: string, v: string) => [h('dt', null, label), h('dd', { 'data-test': test }, v)];
  if (!p) return row('Session', 'pppoe-state', 'not started');
  return [
    ...row('Session', 'pppoe-state', `${p.state || '—'} on ${p.interface || '—'} over ${p.device || '—'}`),
    ...(p.error ? row('Why', 'pppoe-error', p.error) : []),
    ...(p.ip ? row('Address', 'wan-address', `${p.ip}/32`) : []),
    ...(p.routers?.length ? row('Peer', 'wan-gateway', p.routers.join(', ')) : []),
    ...(p.dns?.length ? row('DNS servers', 'wan-dns', p.dns.join(', ')) : []),
  ];
}

/** The WAN page: what the DHCP client obtained, or the PPPoE session. */
export function wanLeaseCard(): HTMLElement {
  return card('Obtained from the upstream', 'wan-obtained', (s) => {
    const d = s.features?.wan?.detail || {};
    if (d.proto === 'pppoe') return pppoeFacts(d.pppoe as PppoeSession | undefined);
    if (d.proto !== 'dhcp') return [h('dt', null, 'Protocol'), h('dd', null, 'static: the settings below are in force')];
    return leaseFacts(d.dhcp as WanLease | undefined);
  });
}

/** The DNS page: the upstream servers dnsmasq forwards to now. */
export function upstreamsCard(): HTMLElement {
  return card('Upstream DNS servers in use', 'dns-upstreams', (s) => {
    const u = (s.features?.dhcp?.detail?.upstreams || {}) as { source?: string; servers?: string[] };
    const from = u.source === 'configured' ? 'configured here' : u.source === 'wan' ? 'provided by the WAN' : 'none in force';
    return [
      h('dt', null, 'Servers'), h('dd', { 'data-test': 'upstream-servers' }, (u.servers || []).join(', ') || '—'),
      h('dt', null, 'From'), h('dd', { 'data-test': 'upstream-source' }, from),
    ];
  });
}

export interface UplinkHealth {
  state?: string;
  device?: string;
  loss?: number | null;
  rtt_ms?: number | null;
  rounds?: number;
  last?: { kind?: string; address?: string; name?: string; ok?: boolean; rtt_ms?: number | null; answer?: string }[] | null;
}

/** The Uplinks page: each uplink's state and its targets' last answers. */
export function healthFacts(name: string, x: UplinkHealth | undefined): HTMLElement[] {
  const row = (label: string, test: string, v: string) => [h('dt', null, label), h('dd', { 'data-test': test }, v)];
  if (!x || x.state === 'off') return row(name, 'health-' + name, 'not checked');
  return [
    ...row(name, 'health-' + name, `${x.state} on ${x.device || '—'}: loss ${x.loss ?? '—'} %, ` +
      `${typeof x.rtt_ms === 'number' ? x.rtt_ms + ' ms' : 'no RTT'} (${x.rounds || 0} rounds)`),
    ...(x.last || []).flatMap((t, i) => row(`${t.kind} ${t.address}${t.name ? ' ' + t.name : ''}`, `health-${name}-${i}`,
      t.ok ? `answered in ${t.rtt_ms} ms` : t.answer || 'no answer')),
  ];
}

export function uplinkHealthCard(): HTMLElement {
  return card('Health now', 'uplinks-health', (s) => {
    const d = (s.features?.uplinks?.detail || {}) as Record<string, UplinkHealth>;
    return healthFacts('WAN', d.wan);
  });
}

export interface FailoverState {
  enabled?: boolean;
  active?: string;
  wan?: { link?: boolean; healthy?: boolean; why?: string | null };
  wwan?: { available?: boolean; device?: string | null };
  switches?: number;
  last?: { at?: number; to?: string; reason?: string; forgotten?: number } | null;
}

/** What the failover does now: the uplink in use, why, the last switch. */
export function failoverFacts(f: FailoverState | undefined): HTMLElement[] {
  if (!f) return [h('dt', null, 'Failover'), h('dd', null, '—')];
  const uses = f.active === 'wwan' ? 'WWAN (failed over)' : 'WAN';
  const backup = f.wwan?.available ? `ready on ${f.wwan.device}` : 'no WWAN uplink';
  const last = f.last && f.last.at
    ? `${new Date(f.last.at).toLocaleString()}: to ${String(f.last.to).toUpperCase()} — ${f.last.reason}`
    : 'none yet';
  return [
    h('dt', null, 'Traffic through'), h('dd', { 'data-test': 'failover-active' }, f.enabled === false ? 'WAN (failover off)' : uses),
    h('dt', null, 'WAN'), h('dd', { 'data-test': 'failover-wan' }, f.wan?.why || 'usable'),
    h('dt', null, 'Backup'), h('dd', { 'data-test': 'failover-backup' }, backup),
    h('dt', null, 'Last switch'), h('dd', { 'data-test': 'failover-last' }, last),
  ];
}

export function failoverCard(): HTMLElement {
  return card('Failover now', 'failover-now', (s) => failoverFacts(s.features?.failover?.detail as FailoverState | undefined));
}
