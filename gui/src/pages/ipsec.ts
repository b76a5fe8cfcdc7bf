/*
 * VPN › IPsec: the peers (a table and its form, made from the schema),
 * each peer's live state (read from GET /status every 3 s while the page
 * is open) and the manual's four quick commands, each showing its answer.
 */
import { get, post } from '../api';
import { fill, h } from '../dom';
import type { PageCtx, PageDef } from '../page';
import { collectionTable, type Entry } from '../table';
import { banner } from '../ui';

const POLL_MS = 3000;

export interface IpsecChild {
  name?: string; state?: string; bytes_in?: number; bytes_out?: number; packets_in?: number;
  packets_out?: number; rekey_in?: number | null; local_ts?: string[]; remote_ts?: string[];
}
export interface IpsecSa {
  state?: string; local_host?: string; remote_host?: string; established_ago?: number | null;
  rekey_in?: number | null; reauth_in?: number | null; children?: IpsecChild[];
}
export interface IpsecPeer {
  name: string; version?: string; state?: string; problem?: string | null; sas?: IpsecSa[];
}
export interface IpsecStatus {
  running?: boolean; esp?: string; version?: string | null; peers?: IpsecPeer[]; error?: string;
}
export interface IfaceRow { name: string; state?: string; addresses?: string[] }
export interface RouteRow { dst?: string; gateway?: string; dev?: string; table?: string }

const STATE_WORDS: Record<string, string> = {
  up: 'Up', connecting: 'Connecting', down: 'Down', disabled: 'Disabled',
};

/** A peer's state in words, with why it is not up. */
export function peerStateText(p: IpsecPeer): string {
  const s = STATE_WORDS[p.state || ''] || p.state || '—';
  return p.problem ? `${s}: ${p.problem}` : s;
}

const secs = (n: number | null | undefined) => (n === null || n === undefined ? '—' : `${n}s`);

/** ipsec.status as lines of text. */
export function statusText(st: IpsecStatus): string {
  const lines = [`charon: ${st.running ? 'running' : 'not running'}${st.version ? ' (strongSwan ' + st.version + ')' : ''}` +
    (st.esp ? `, ESP: ${st.esp}` : '')];
  if (st.error) lines.push(`error: ${st.error}`);
  for (const p of st.peers || []) {
    lines.push(`${p.name} (${p.version || 'ikev2'}): ${peerStateText(p)}`);
    for (const sa of p.sas || []) {
      lines.push(`  IKE ${sa.state || '?'} ${sa.local_host || '?'} <-> ${sa.remote_host || '?'}, established ${secs(sa.established_ago)} ago, rekey in ${secs(sa.rekey_in)}` +
        (sa.reauth_in ? `, reauth in ${secs(sa.reauth_in)}` : ''));
      for (const c of sa.children || [])
        lines.push(`  CHILD ${c.name || '?'} ${c.state || '?'} ${(c.local_ts || []).join(',')} <-> ${(c.remote_ts || []).join(',')}: ` +
          `in ${c.bytes_in ?? 0} bytes / ${c.packets_in ?? 0} packets, out ${c.bytes_out ?? 0} bytes / ${c.packets_out ?? 0} packets, rekey in ${secs(c.rekey_in)}`);
    }
  }
  if (!(st.peers || []).length) lines.push('no peer configured');
  return lines.join('\n');
}

/** ipsec.interfaces as lines of text. */
export function interfacesText(rows: IfaceRow[]): string {
  return rows.map((r) => `${r.name} ${r.state || ''} ${(r.addresses || []).join(' ')}`.replace(/\s+$/, '')).join('\n');
}

/** ipsec.routes as lines of text. */
export function routesText(rows: RouteRow[]): string {
  return rows.map((r) => [r.dst || '?', r.gateway ? `via ${r.gateway}` : '', r.dev ? `dev ${r.dev}` : '', `table ${r.table || '?'}`]
    .filter(Boolean).join(' ')).join('\n');
}

interface Command { id: string; label: string; run: () => Promise<string> }

const COMMANDS: Command[] = [
  { id: 'restart', label: 'Restart IPsec', run: async () => (await post('/ipsec/restart'), 'IPsec restarted: the tunnels are being set up again.') },
  { id: 'status', label: 'Get IPsec Status', run: async () => statusText(await get<IpsecStatus>('/ipsec/status')) },
  { id: 'interfaces', label: 'Get Interfaces', run: async () => interfacesText(await get<IfaceRow[]>('/ipsec/interfaces')) },
  { id: 'routes', label: 'Get Routes', run: async () => routesText(await get<RouteRow[]>('/ipsec/routes')) },
];

function commandsCard(): HTMLElement {
  const out = h('pre', { class: 'output', 'data-test': 'ipsec-output', hidden: true });
  const msg = banner('ipsec-command-banner');
  const buttons = COMMANDS.map((c) => {
    const b = h('button', { type: 'button', 'data-test': 'ipsec-' + c.id }, c.label);
    b.addEventListener('click', async () => {
      msg.set(null);
      b.disabled = true;
      try {
        out.textContent = await c.run();
        out.hidden = false;
      } catch (e) {
        out.hidden = true;
        msg.error(e);
      } finally {
        b.disabled = false;
      }
    });
    return b;
  });
  return h('section', { class: 'card', 'data-test': 'ipsec-commands' }, h('h2', null, 'Quick commands'),
    h('div', { class: 'actions' }, ...buttons), msg.el, out);
}

interface Status { features?: Record<string, { detail?: IpsecStatus }> }

/** The live state of each peer: one row each. */
export function tunnelRows(st: IpsecStatus): HTMLElement[] {
  const peers = st.peers || [];
  if (!peers.length) return [h('p', { class: 'muted' }, 'No peer configured.')];
  return peers.map((p) => h('div', { class: 'tunnel', 'data-test': 'ipsec-peer-' + p.name },
    h('strong', null, p.name), ' ', h('span', { 'data-test': 'ipsec-state-' + p.name, class: 'state-' + (p.state || 'down') }, peerStateText(p))));
}

function tunnelsCard(ctx: Pick<PageCtx, 'onLeave'>): HTMLElement {
  const body = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  let stopped = false;
  let reading = false;
  const tick = async () => {
    if (stopped || reading) return;
    reading = true;
    try {
      const st = await get<Status>('/status');
      if (!stopped) fill(body, tunnelRows(st?.features?.ipsec?.detail || {}));
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
  return h('section', { class: 'card', 'data-test': 'ipsec-tunnels' }, h('h2', null, 'Tunnels'), body);
}

const joined = (v: unknown) => (Array.isArray(v) && v.length ? v.map(String).join(', ') : '—');

export const ipsecPage: PageDef = {
  path: '/ipsec',
  title: 'IPsec',
  group: 'VPN',
  render(ctx) {
    ctx.root.append(
      h('p', { class: 'hint' }, 'IPsec is complicated: WireGuard is simpler and faster where both ends can run it.'),
      commandsCard(),
      tunnelsCard(ctx),
      collectionTable('ipsec.peers', {
        noun: 'peer',
        heading: 'Peers',
        intro: 'Site-to-site tunnels with a pre-shared key. Both ends must agree on the IDs, the networks and at least one proposal of each kind.',
        columns: ['name', 'remote_gateway', 'version', 'local', 'remote', 'enabled'],
        cells: {
          local: { title: 'Local networks', render: (e: Entry) => joined(e.local_networks) },
          remote: { title: 'Remote networks', render: (e: Entry) => joined(e.remote_networks) },
        },
      }));
  },
};
