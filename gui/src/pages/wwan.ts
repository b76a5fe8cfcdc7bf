/*
 * Network Settings › WWAN: the LTE modem's state (read from GET /status
 * every 3 s while the page is open) above its settings. Without a modem
 * the page says the section applies only to a router that has one.
 */
import { get } from '../api';
import { fill, h } from '../dom';
import type { PageCtx, PageDef } from '../page';
import { sectionForm } from '../section';

const POLL_MS = 3000;

export interface WwanStatus {
  enabled?: boolean;
  modem?: string;
  connection?: string;
  error?: string;
  manufacturer?: string;
  model?: string;
  imei?: string;
  sim?: string;
  operator?: string;
  registration?: string;
  technology?: string;
  signal?: { rssi_dbm?: number; rsrp_dbm?: number; rsrq_db?: number; quality_percent?: number };
  apn?: string;
  uplink?: {
    device?: string;
    ipv4?: { address?: string; prefix?: number; gateway?: string };
    ipv6?: { address?: string; prefix?: number; gateway?: string; delegated_prefix?: string } | null;
    dns?: string[];
    table?: number;
  } | null;
}

interface Status {
  features?: Record<string, { detail?: WwanStatus }>;
}

function signalText(s: WwanStatus['signal']): string {
  if (!s) return '—';
  const parts: string[] = [];
  if (s.quality_percent !== undefined) parts.push(`${s.quality_percent}%`);
  if (s.rssi_dbm !== undefined) parts.push(`RSSI ${s.rssi_dbm} dBm`);
  if (s.rsrp_dbm !== undefined) parts.push(`RSRP ${s.rsrp_dbm} dBm`);
  if (s.rsrq_db !== undefined) parts.push(`RSRQ ${s.rsrq_db} dB`);
  return parts.join(', ') || '—';
}

function row(label: string, test: string, value: string | undefined): HTMLElement[] {
  return [h('dt', null, label), h('dd', { 'data-test': test }, value || '—')];
}

/** The facts shown for a status (exported for the unit test). */
export function wwanFacts(d: WwanStatus): HTMLElement[] {
  if (d.enabled === false) return row('Modem', 'wwan-connection', 'WWAN is disabled');
  if (d.modem !== 'present')
    return [
      ...row('Modem', 'wwan-modem', 'none found'),
      h('dd', { class: 'hint', 'data-test': 'wwan-no-modem' },
        'This section is only applicable if your router has an LTE modem.'),
      ...(d.error ? row('Details', 'wwan-error', d.error) : []),
    ];
  const up = d.uplink;
  return [
    ...row('Modem', 'wwan-modem', [d.manufacturer, d.model].filter(Boolean).join(' ')),
    ...row('IMEI', 'wwan-imei', d.imei),
    ...row('SIM', 'wwan-sim', d.sim),
    ...row('Operator', 'wwan-operator', d.operator),
    ...row('Registration', 'wwan-registration', d.registration),
    ...row('Technology', 'wwan-technology', d.technology),
    ...row('Signal', 'wwan-signal', signalText(d.signal)),
    ...row('Connection', 'wwan-connection', d.connection),
    ...(d.error ? row('Details', 'wwan-error', d.error) : []),
    ...row('APN', 'wwan-apn', d.apn),
    ...row('Address', 'wwan-address', up?.ipv4 ? `${up.ipv4.address}/${up.ipv4.prefix}` : undefined),
    ...row('Gateway', 'wwan-gateway', up?.ipv4?.gateway),
    ...row('IPv6 address', 'wwan-address6', up?.ipv6 ? `${up.ipv6.address}/${up.ipv6.prefix}` : undefined),
    ...(up?.ipv6?.delegated_prefix ? row('Delegated prefix', 'wwan-delegated', up.ipv6.delegated_prefix) : []),
    ...row('DNS servers', 'wwan-dns', (up?.dns || []).join(', ')),
  ];
}

function modemCard(ctx: Pick<PageCtx, 'onLeave'>): HTMLElement {
  const facts = h('dl', { class: 'facts' }, h('dt', null, 'Loading…'));
  let stopped = false;
  let reading = false;
  const tick = async () => {
    if (stopped || reading) return;
    reading = true;
    try {
      const st = await get<Status>('/status');
      if (!stopped) fill(facts, wwanFacts(st?.features?.wwan?.detail || {}));
    } catch {
      // the next tick tries again
    } finally {
      reading = false;
    }
  };
  const timer = setInterval(() => void tick(), POLL_MS);
  void tick();
  ctx.onLeave(() => {
    stopped = true;
    clearInterval(timer);
  });
  return h('section', { class: 'card', 'data-test': 'wwan-modem-card' }, h('h2', null, 'LTE modem'), facts);
}

export const wwanPage: PageDef = {
  path: '/wwan',
  title: 'WWAN',
  group: 'Network Settings',
  render(ctx) {
    ctx.root.append(modemCard(ctx), sectionForm('wwan'));
  },
};
