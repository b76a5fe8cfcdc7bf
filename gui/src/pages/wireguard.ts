/*
 * VPN › WireGuard: the Server tab (the router as an endpoint with its
 * peers) and the Clients tab (the router as a client of other servers).
 *
 * Server: the form with Auto Fill (a random unused port and private
 * ranges); the server's public key and state; the peers' table with
 * Generate Client IPs in its form and, per peer, the configuration to
 * hand over (text, .conf file, QR code), made on the router; the peers'
 * live state (endpoint, latest handshake, traffic) read every few seconds.
 */
import { configUrl, get, post } from '../api';
import { refreshPage } from '../apply';
import { openDialog } from '../dialog';
import { h, fill } from '../dom';
import type { SchemaForm } from '../form';
import { buildForm } from '../form';
import { refreshChanges } from '../pill';
import { loadSchema } from '../schema';
import { bytes, time } from '../format';
import type { PageCtx, PageDef } from '../page';
import { schemaTabs } from '../schematabs';
import type { Entry } from '../table';
import { banner, busy, copyButton, emptyRow, table } from '../ui';

export const WG_POLL_MS = 3000;

export interface WgPeerLive {
  id?: number;
  name?: string;
  enabled?: boolean;
  public_key?: string;
  endpoint?: string | null;
  latest_handshake?: number;
  rx_bytes?: number;
  tx_bytes?: number;
  rx_total?: number;
  tx_total?: number;
}

export interface WgServerStatus {
  enabled?: boolean;
  state?: string;
  public_key?: string;
  listen_port?: number;
  error?: string;
  peers?: WgPeerLive[];
}

export interface PeerConfig {
  name: string;
  filename: string;
  text: string;
  svg: string;
}

/** A handshake's age in words: a peer is connected when it is under 3 minutes. */
export function handshakeText(unix: number | undefined, now = Date.now() / 1000): string {
  if (!unix) return 'Never';
  const age = Math.max(0, Math.round(now - unix));
  if (age < 60) return `${age} s ago`;
  if (age < 3600) return `${Math.floor(age / 60)} min ago`;
  return time(unix);
}

export function peerConnected(p: WgPeerLive, now = Date.now() / 1000): boolean {
  return !!p.latest_handshake && now - p.latest_handshake < 180;
}

/** The value a form field gets from a helper's answer (and the form hears about it). */
function put(form: SchemaForm, path: string, v: unknown): void {
  const f = form.fields.get(path);
  if (!f || v === undefined || v === null) return;
  f.input.value = String(v);
  f.input.dispatchEvent(new Event('input', { bubbles: true }));
}

/** Auto Fill next to the server's Save. */
function autoFill(form: SchemaForm, msg: ReturnType<typeof banner>): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'secondary', 'data-test': 'wg-autofill' }, 'Auto Fill');
  b.addEventListener('click', () => void busy(b, async () => {
    try {
      const r = await get<{ listen_port: number; address: string; address6: string }>('/wireguard/server/autofill');
      put(form, 'wg_server.listen_port', r.listen_port);
      put(form, 'wg_server.address', r.address);
      put(form, 'wg_server.address6', r.address6);
      msg.set('ok', 'Filled with an unused port and ranges: save to keep them.');
    } catch (e) {
      msg.error(e);
    }
  }));
  return b;
}

/** Generate Client IPs in a peer's form. */
function generateIps(form: SchemaForm, entry: Entry | undefined): void {
  const f = form.fields.get('wg_server.peers.address');
  if (!f) return;
  const b = h('button', { type: 'button', class: 'small secondary', 'data-test': 'wg-generate-ips' }, 'Generate Client IPs');
  const note = h('span', { class: 'field-error', role: 'alert' });
  b.addEventListener('click', () => void busy(b, async () => {
    note.textContent = '';
    try {
      const q = entry?.id !== undefined ? `?id=${entry.id}` : '';
      const r = await get<{ address: string; address6?: string }>('/wireguard/server/next-address' + q);
      put(form, 'wg_server.peers.address', r.address);
      put(form, 'wg_server.peers.address6', r.address6);
    } catch (e) {
      note.textContent = e instanceof Error ? e.message : String(e);
    }
  }));
  f.wrap.append(b, note);
}

/** 32 random bytes in base64: a preshared key made in the browser (it is the peer's secret too). */
export function randomKey(): string {
  const b = new Uint8Array(32);
  crypto.getRandomValues(b);
  return btoa(String.fromCharCode(...b));
}

/** A Generate button next to a key field. */
function keyButton(form: SchemaForm, path: string): void {
  const f = form.fields.get(path);
  if (!f) return;
  f.wrap.append(h('button', {
    type: 'button', class: 'small secondary', 'data-test': 'wg-generate-psk',
    onclick: () => put(form, path, randomKey()),
  }, 'Generate'));
}

export interface ImportedClient {
  notes?: string[];
  [key: string]: unknown;
}

/**
 * Import Config: the wg-quick text pasted, read by the router (refusals
 * name the line), then the client's form filled with what it held; the
 * name is left to fill, as the manual says.
 */
function importDialog(done: () => void): void {
  const text = h('textarea', { id: 'wgi-text', rows: 14, class: 'mono', 'data-test': 'wg-import-text', spellcheck: false,
    placeholder: '[Interface]\nAddress = …\nPrivateKey = …\n\n[Peer]\nPublicKey = …\nAllowedIPs = …\nEndpoint = …' });
  const msg = banner('dialog-banner');
  const go = h('button', { type: 'submit', class: 'primary', 'data-test': 'wg-import' }, 'Import');
  const body = h('div');
  const f = h('form', { novalidate: true, class: 'form' },
    h('p', { class: 'muted' }, 'Paste the configuration your provider or the server\'s admin gave you.'),
    msg.el, h('label', { for: 'wgi-text' }, 'Configuration'), text, h('div', { class: 'form-actions' }, go));
  body.append(f);
  const dlg = openDialog({ title: 'Import Config', body, test: 'wg-import-dialog' });
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    msg.set(null);
    void busy(go, async () => {
      let values: ImportedClient;
      try {
        values = await post<ImportedClient>('/wg_clients/import', { text: text.value });
      } catch (err) {
        msg.error(err);
        return;
      }
      const { notes, ...fields } = values;
      const schema = await loadSchema();
      const form = buildForm(schema, 'wg_clients.clients', fields, { idPrefix: 'wgi' });
      const save = h('button', { type: 'submit', class: 'primary', 'data-test': 'save' }, 'Add');
      const fmsg = banner('dialog-banner');
      const entry = h('form', { novalidate: true, class: 'form', 'data-test': 'entry-form' },
        h('p', { class: 'muted' }, 'Filled from the file: give the client a name (it becomes interface wgc_<name>) and choose its firewall rules.'),
        ...(notes || []).map((n) => h('p', { class: 'field-warning', 'data-test': 'wg-import-note' }, n)),
        fmsg.el, form.el, h('div', { class: 'form-actions' }, save));
      body.replaceChildren(entry);
      form.fields.get('wg_clients.clients.name')?.input.focus();
      entry.addEventListener('submit', (ev) => {
        ev.preventDefault();
        fmsg.set(null);
        if (!form.validate()) {
          fmsg.set('error', 'Some fields need attention.');
          return;
        }
        void busy(save, async () => {
          try {
            await post(configUrl('wg_clients.clients'), { ...fields, ...form.value() });
          } catch (err) {
            const rest = form.showErrors(err);
            fmsg.set('error', rest.length ? rest.map((r) => r.message).join('\n') : 'Some fields need attention.');
            return;
          }
          dlg.close();
          await refreshChanges();
          done();
        });
      });
    });
  });
}

/** The dialog that makes a peer's configuration: what it may reach, its DNS, where it finds the router. */
function configDialog(peer: Entry, lan: string | undefined): void {
  const allAll = h('input', { type: 'checkbox', id: 'wgc-all', 'data-test': 'wg-allow-all', checked: true });
  const allLan = h('input', { type: 'checkbox', id: 'wgc-lan', 'data-test': 'wg-allow-lan' });
  const ips = h('textarea', { id: 'wgc-ips', rows: 2, 'data-test': 'wg-allowed-ips' }, '0.0.0.0/0, ::/0');
  const dns = h('input', { type: 'text', id: 'wgc-dns', 'data-test': 'wg-dns', placeholder: 'the router (recommended)' });
  const endpoint = h('select', { id: 'wgc-endpoint', 'data-test': 'wg-endpoint' },
    h('option', { value: 'wan4' }, 'WAN IPv4 address'),
    h('option', { value: 'wan6' }, 'WAN IPv6 address'),
    h('option', { value: 'name' }, 'A name (Dynamic DNS)'));
  const name = h('input', { type: 'text', id: 'wgc-name', 'data-test': 'wg-endpoint-name', placeholder: 'vpn.example.com' });
  const nameRow = h('div', { class: 'field', hidden: true }, h('label', { for: 'wgc-name' }, 'Endpoint name'), name);
  const sync = () => {
    if (allAll.checked) ips.value = '0.0.0.0/0, ::/0';
    else if (allLan.checked) ips.value = lan || '';
    ips.readOnly = allAll.checked || allLan.checked;
    nameRow.hidden = endpoint.value !== 'name';
  };
  allAll.addEventListener('change', () => { if (allAll.checked) allLan.checked = false; sync(); });
  allLan.addEventListener('change', () => { if (allLan.checked) allAll.checked = false; sync(); });
  endpoint.addEventListener('change', sync);
  const msg = banner('dialog-banner');
  const out = h('div', { 'data-test': 'wg-config-out' });
  const go = h('button', { type: 'submit', class: 'primary', 'data-test': 'wg-generate' }, 'Generate');
  const f = h('form', { novalidate: true, class: 'form' },
    h('p', { class: 'muted' }, `The configuration of ${peer.name} for its WireGuard app. It carries this peer's private key: hand it over privately.`),
    msg.el,
    h('div', { class: 'field' }, h('label', { for: 'wgc-all' }, allAll, ' Allow All (every destination through the router)')),
    h('div', { class: 'field' }, h('label', { for: 'wgc-lan' }, allLan, ' Allow LAN (only the LAN through the router)')),
    h('div', { class: 'field' }, h('label', { for: 'wgc-ips' }, 'Allowed IPs'), ips),
    h('div', { class: 'field' }, h('label', { for: 'wgc-dns' }, 'DNS servers'), dns),
    h('div', { class: 'field' }, h('label', { for: 'wgc-endpoint' }, 'Endpoint'), endpoint),
    nameRow,
    h('div', { class: 'form-actions' }, go), out);
  const dlg = openDialog({ title: `Configuration of ${peer.name}`, body: f, test: 'wg-config-dialog' });
  sync();
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    msg.set(null);
    const list = (s: string) => s.split(/[\s,]+/).filter(Boolean);
    const params: Record<string, unknown> = {
      id: peer.id,
      allow: allAll.checked ? 'all' : allLan.checked ? 'lan' : 'custom',
      endpoint: endpoint.value === 'name' ? name.value.trim() : endpoint.value,
    };
    if (!allAll.checked && !allLan.checked) params.allowed_ips = list(ips.value);
    if (dns.value.trim()) params.dns = list(dns.value);
    void busy(go, async () => {
      try {
        const c = await post<PeerConfig>('/wireguard/server/peer-config', params);
        showConfig(out, c);
      } catch (err) {
        msg.error(err);
      }
    });
  });
  void dlg;
}

/** The configuration as text, a file to download and a QR code for a phone's camera. */
export function showConfig(out: HTMLElement, c: PeerConfig): void {
  const url = URL.createObjectURL(new Blob([c.text], { type: 'text/plain' }));
  const qr = h('img', {
    class: 'qr', 'data-test': 'wg-qr', alt: `QR code of ${c.name}'s configuration`,
    src: 'data:image/svg+xml;base64,' + btoa(c.svg), width: 280, height: 280,
  });
  fill(out,
    h('pre', { class: 'mono', 'data-test': 'wg-config-text' }, c.text),
    h('div', { class: 'form-actions' },
      copyButton(c.text),
      h('a', { href: url, download: c.filename, class: 'button secondary', 'data-test': 'wg-download' }, `Download ${c.filename}`)),
    h('p', { class: 'muted' }, 'Scan it with the WireGuard app of a phone:'), qr);
}

/** Reads the status every WG_POLL_MS until the page is left; draw gets the
 * wg_server or wg_clients feature's detail (a failed read: the next tries again). */
function watchStatus<T>(ctx: Pick<PageCtx, 'onLeave'>, feature: string, draw: (detail: T | undefined) => void): void {
  let stopped = false;
  const tick = async () => {
    try {
      const st = await get<{ features?: Record<string, { detail?: T }> }>('/status');
      if (!stopped) draw(st?.features?.[feature]?.detail);
    } catch {
      // the next tick tries again
    }
  };
  const timer = setInterval(() => void tick(), WG_POLL_MS);
  void tick();
  ctx.onLeave(() => {
    stopped = true;
    clearInterval(timer);
  });
}

/** The peers' live state, read every WG_POLL_MS while the tab is open. */
function liveCard(ctx: Pick<PageCtx, 'onLeave'>): HTMLElement {
  const state = h('p', { 'data-test': 'wg-server-state' }, 'Loading…');
  const body = h('div');
  const draw = (s: WgServerStatus) => {
    state.dataset.state = s.state || '';
    fill(state, !s.enabled ? 'The server is off.'
      : s.state === 'up' ? `Running on port ${s.listen_port}. Public key: ` : `Not running${s.error ? ': ' + s.error : ''}.`,
    s.enabled && s.public_key ? h('code', { 'data-test': 'wg-public-key' }, s.public_key) : '');
    const rows = (s.peers || []).map((p) => h('tr', { 'data-test': 'wg-peer-live', 'data-name': p.name || '', 'data-connected': String(peerConnected(p)) },
      h('td', null, p.name || '—'),
      h('td', { class: 'mono' }, p.endpoint || '—'),
      h('td', { 'data-test': 'wg-handshake' }, handshakeText(p.latest_handshake)),
      h('td', { 'data-test': 'wg-traffic' }, `${bytes(p.rx_bytes ?? 0)} / ${bytes(p.tx_bytes ?? 0)}`),
      h('td', null, `${bytes(p.rx_total ?? 0)} / ${bytes(p.tx_total ?? 0)}`)));
    body.replaceChildren(table(['Peer', 'Endpoint', 'Latest handshake', 'Received / sent', 'In all (kept across restarts)'],
      rows.length ? rows : [emptyRow(5, 'No peer yet.')], 'wg-peers-live'));
  };
  watchStatus<WgServerStatus>(ctx, 'wg_server', (d) => draw(d || {}));
  return h('section', { class: 'card', 'data-test': 'wg-live' }, h('h2', null, 'Server state'), state, body);
}

export interface WgClientLive {
  name?: string;
  device?: string;
  enabled?: boolean;
  state?: string;
  endpoint?: string;
  endpoint_address?: string;
  latest_handshake?: number;
  rx_bytes?: number;
  tx_bytes?: number;
  error?: string;
}

/** The clients' tunnels live: device state, server, latest handshake, traffic. */
function clientsCard(ctx: Pick<PageCtx, 'onLeave'>): HTMLElement {
  const body = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  const draw = (list: WgClientLive[]) => {
    const rows = list.map((c) => h('tr', { 'data-test': 'wg-client-live', 'data-name': c.name || '', 'data-connected': String(peerConnected(c)) },
      h('td', null, c.name || '—'),
      h('td', { class: 'mono' }, c.device || '—'),
      h('td', { 'data-test': 'wg-client-state' }, !c.enabled ? 'Disabled' : c.error ? `${c.state || '—'}: ${c.error}` : c.state || '—'),
      h('td', { class: 'mono' }, c.endpoint_address ? `${c.endpoint} (${c.endpoint_address})` : c.endpoint || '—'),
      h('td', null, handshakeText(c.latest_handshake)),
      h('td', null, `${bytes(c.rx_bytes ?? 0)} / ${bytes(c.tx_bytes ?? 0)}`)));
    body.replaceChildren(table(['Client', 'Device', 'State', 'Server', 'Latest handshake', 'Received / sent'],
      rows.length ? rows : [emptyRow(6, 'No client yet.')], 'wg-clients-live'));
  };
  watchStatus<{ clients?: WgClientLive[] }>(ctx, 'wg_clients', (d) => draw(d?.clients || []));
  return h('section', { class: 'card', 'data-test': 'wg-clients-state' }, h('h2', null, 'Tunnels'), body);
}

export const wireguardPage: PageDef = {
  path: '/wireguard',
  title: 'WireGuard',
  group: 'VPN',
  render(ctx) {
    const msg = banner();
    let lan: string | undefined;
    get<{ ipv4?: { address?: string; prefix?: number } }>('/config/lan').then((l) => {
      const a = l?.ipv4?.address, p = l?.ipv4?.prefix;
      if (a && p) {
        const n = a.split('.').map(Number);
        const m = p >= 32 ? 0xffffffff : ~(0xffffffff >>> p) >>> 0;
        const net = ((((n[0] << 24) | (n[1] << 16) | (n[2] << 8) | n[3]) >>> 0) & m) >>> 0;
        lan = `${net >>> 24}.${(net >>> 16) & 255}.${(net >>> 8) & 255}.${net & 255}/${p}`;
      }
    }, () => undefined);
    ctx.root.append(msg.el);
    schemaTabs(ctx, ['wg_server', 'wg_clients'], {
      forms: {
        server: {
          skip: ['private_key'],
          enhance: (form) => form.el.prepend(h('div', { class: 'form-actions' }, autoFill(form, msg))),
        },
      },
      tables: {
        'wg_clients.clients': {
          noun: 'client',
          addLabel: 'Create New Client',
          intro: 'Tunnels from the router to WireGuard servers: a VPN provider, another office. Each is interface wgc_<name>, which static and policy routes can use.',
          columns: ['name', 'enabled', 'endpoint', 'addresses', 'allowed_ips'],
          label: (e) => String(e.name ?? e.id),
          enhance: (form) => keyButton(form, 'wg_clients.clients.preshared_key'),
        },
        'wg_server.peers': {
          noun: 'peer',
          addLabel: 'Add VPN Client',
          columns: ['name', 'enabled', 'address', 'address6', 'routable_ips'],
          form: { skip: ['private_key'] },
          label: (e) => String(e.name ?? e.id),
          enhance: (form, entry) => {
            generateIps(form, entry);
            keyButton(form, 'wg_server.peers.preshared_key');
          },
          rowActions: (e) => h('button', {
            type: 'button', class: 'small secondary', 'data-test': 'wg-peer-config', 'aria-label': `Configuration of ${e.name}`,
            title: 'Generate the configuration of this peer', onclick: () => configDialog(e, lan),
          }, '✱ Config'),
        },
      },
      after: { server: () => liveCard(ctx), clients: () => clientsCard(ctx) },
      before: {
        clients: () => h('div', { class: 'form-actions' }, h('button', {
          type: 'button', class: 'secondary', 'data-test': 'wg-import-open',
          onclick: () => importDialog(refreshPage),
        }, 'Import Config')),
      },
    });
  },
};
