/*
 * PBX › Extensions: the SIP accounts with their registrations, live (the
 * status is read every 3 s while the page is open), and the settings a
 * softphone needs for each. PBX › Settings: the "pbx" section's tabs
 * (Network, Security, Extras), with a warning on the Network tab while a
 * SIP port differs from the one the PBX runs with, and on the Security tab
 * while the manager's port or password does (either change restarts it).
 */
import { configUrl, get } from '../api';
import qrcode from 'qrcode-generator';
import { openDialog } from '../dialog';
import { h, fill } from '../dom';
import type { PageCtx, PageDef } from '../page';
import { labelOf, loadSchema, nodeAt } from '../schema';
import { schemaTabs } from '../schematabs';
import { collectionTable, type Entry } from '../table';
import { banner } from '../ui';
import { picker } from '../suggest';

/** One registered phone of an extension, as the status lists it. */
export interface Contact {
  uri?: string;
  status?: string;
  user_agent?: string;
  via?: string;
  rtt_ms?: number;
  expires?: number;
}

export type Contacts = Record<string, Contact[] | undefined>;

export interface Registration {
  state: 'registered' | 'unreachable' | 'unregistered' | 'disabled';
  text: string;
}

/** The manual's advice on SIP passwords, shown under the field. */
export const PASSWORD_ADVICE =
  'Passwords should be 12-15 characters with a mix of upper/lower case letters, numbers, and special characters. ' +
  "Avoid common phrases, don't reuse passwords, and change them regularly.";

/** Statuses of a contact that is no longer there, or that does not answer its checks. */
const GONE = new Set(['Removed']);
const SILENT = new Set(['Unavailable', 'Unreachable']);

/** Where a contact registered from: its Via address, else the host of its URI. */
export function contactAddress(c: Contact): string {
  if (c.via && !/^:|:$/.test(c.via)) return c.via;
  const uri = (c.uri || '').replace(/^<|>$/g, '');
  const rest = uri.replace(/^sips?:/, '');
  const host = rest.slice(rest.indexOf('@') + 1).split(/[;>?]/)[0];
  return host || uri || 'unknown address';
}

/** What the table says of an extension: Disabled, Not registered, or where it is registered. */
export function registrationState(e: { number?: unknown; enabled?: unknown }, contacts: Contacts | null | undefined): Registration {
  if (e.enabled === false) return { state: 'disabled', text: 'Disabled' };
  const list = (contacts?.[String(e.number ?? '')] || []).filter((c) => c && !GONE.has(c.status || ''));
  if (!list.length) return { state: 'unregistered', text: 'Not registered' };
  const where = list.map((c) => contactAddress(c) + (c.user_agent ? ` (${c.user_agent})` : '')).join('; ');
  if (list.every((c) => SILENT.has(c.status || ''))) return { state: 'unreachable', text: `Registered, not answering: ${where}` };
  return { state: 'registered', text: `Registered: ${where}` };
}

/** The SIP transports: the field, its name, the port it has by default. */
export const SIP_PORTS: [string, string, number][] = [
  ['udp_port', 'UDP', 6067],
  ['tcp_port', 'TCP', 6068],
  ['tls_port', 'TLS', 6069],
];

export interface PortChange {
  key: string;
  transport: string;
  from: number;
  to: number;
}

/** A port as a number: a field's text or a document's value; '' or nothing: the default. */
function portOf(v: unknown, def: number): number | null {
  if (v === undefined || v === null || v === '') return def;
  const n = typeof v === 'number' ? v : /^\s*\d+\s*$/.test(String(v)) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : null;
}

/**
 * The SIP ports that differ from the running ones: what a form holds now
 * (typed, or staged) against the settings the PBX runs with. A value that
 * is not a port yet (being typed) counts as no change.
 */
export function portChanges(running: Record<string, unknown> | null | undefined, now: Record<string, unknown>): PortChange[] {
  const out: PortChange[] = [];
  for (const [key, transport, def] of SIP_PORTS) {
    const from = portOf(running?.[key], def);
    const to = portOf(now[key], def);
    if (from !== null && to !== null && from !== to) out.push({ key, transport, from, to });
  }
  return out;
}

export const RESTART_WARNING = 'Changing the ports restarts the PBX: calls in progress end.';

interface PbxStatus {
  features?: Record<string, { detail?: { contacts?: Contacts; wanted?: boolean; engine?: { running?: boolean } } } | undefined>;
}

/** How often the Extensions page reads the registrations. */
export const POLL_MS = 3000;

/** The registration cell of an extension's row (redrawn by paint()). */
function registrationCell(e: Entry, contacts: Contacts): HTMLElement {
  const el = h('span', { 'data-test': 'registration', 'data-number': String(e.number ?? ''), 'data-enabled': String(e.enabled !== false) });
  paintCell(el, contacts);
  return el;
}

function paintCell(el: HTMLElement, contacts: Contacts): void {
  const r = registrationState({ number: el.dataset.number, enabled: el.dataset.enabled !== 'false' }, contacts);
  el.className = 'state reg-' + r.state;
  el.dataset.state = r.state;
  if (el.textContent !== r.text) el.textContent = r.text;
}

/**
 * Reads the registrations now and every POLL_MS until the page is left;
 * redraws the registration cells inside card. Returns the latest contacts.
 */
export function watchRegistrations(ctx: Pick<PageCtx, 'onLeave'>, card: HTMLElement): { contacts: () => Contacts } {
  let contacts: Contacts = {};
  let stopped = false;
  let reading = false;
  const tick = async () => {
    if (stopped || reading) return;
    reading = true;
    try {
      const st = await get<PbxStatus>('/status');
      contacts = st?.features?.pbx?.detail?.contacts || {};
      if (!stopped) for (const el of card.querySelectorAll<HTMLElement>('[data-test="registration"]')) paintCell(el, contacts);
    } catch {
      // the next tick tries again; a lost session goes to the login page by itself
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
  return { contacts: () => contacts };
}

export interface SoftphoneFacts {
  address: string;
  hostname?: string;
  /** The running ports, and the staged ones where they differ. */
  ports: Record<string, unknown>;
  staged?: Record<string, unknown>;
}

/** The rows of the softphone settings of one extension: [label, value, test hook]. */
export function softphoneRows(e: Entry, f: SoftphoneFacts, codecLabel: (c: string) => string = (c) => c): [string, string, string][] {
  const port = (key: string, def: number) => {
    const run = portOf(f.ports[key], def) ?? def;
    const next = f.staged ? portOf(f.staged[key], def) : null;
    return next !== null && next !== run ? `${run} (${next} once the changes are applied)` : String(run);
  };
  const tls = portOf(f.ports.tls_port, 6069) ?? 6069;
  const number = String(e.number ?? '');
  const codecs = Array.isArray(e.codecs) && e.codecs.length ? (e.codecs as string[]) : ['ulaw', 'alaw'];
  const srtp = e.srtp === 'required' ? 'Required (SRTP)' : e.srtp === 'off' ? 'Off (this extension offers no SRTP)' : 'Optional SRTP';
  return [
    ['SIP server / domain', f.address + (f.hostname ? ` (or the router's name: ${f.hostname})` : ''), 'server'],
    ['Transport', 'TLS (recommended), or TCP / UDP', 'transport'],
    ['TLS port', port('tls_port', 6069), 'port-tls'],
    ['TCP port', port('tcp_port', 6068), 'port-tcp'],
    ['UDP port', port('udp_port', 6067), 'port-udp'],
    ['RTP ports (audio)', `${port('rtp_start', 20000)}-${port('rtp_end', 30000)}`, 'rtp'],
    ['Outbound proxy', `${f.address}:${tls}`, 'proxy'],
    ['Username', number, 'username'],
    ['Auth username', number, 'auth-username'],
    ['Password', 'the one set for this extension (not shown)', 'password'],
    ['Display name', String(e.name ?? number), 'display-name'],
    ['Media encryption', srtp, 'srtp'],
    ['Codecs', codecs.map(codecLabel).join(', '), 'codecs'],
    ['NAT traversal', 'ICE (or Auto) when the phone is behind a NAT', 'nat'],
  ];
}

/**
 * The SIP URI a softphone's QR code holds: the account at the router over
 * TLS, never the password (sip:1001@192.168.1.1:6069;transport=tls).
 */
export function softphoneUri(number: unknown, address: string, tlsPort: number): string {
  const host = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
  return `sip:${String(number ?? '')}@${host}:${tlsPort};transport=tls`;
}

/** The QR code of a text, as an image (a GIF data: URL, which the CSP lets in). */
export function qrImage(text: string, alt: string): HTMLImageElement {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  return h('img', { src: qr.createDataURL(4, 4), alt, 'data-test': 'sp-qr', 'data-text': text, width: '180', height: '180' });
}

const running = <T>(path: string) => get<T>(configUrl(path) + '?running=1');

async function softphoneDialog(e: Entry): Promise<void> {
  const msg = banner();
  const body = h('div', { class: 'softphone' }, msg.el, h('p', { class: 'muted' }, 'Loading…'));
  openDialog({ title: `Softphone settings: ${e.name ?? e.number} (${e.number})`, body, test: 'softphone-dialog', wide: true });
  let facts: SoftphoneFacts;
  let codec = (c: string) => c;
  try {
    const [address, hostname, ports, staged, schema] = await Promise.all([
      running<string>('lan.ipv4.address'),
      running<string>('system.hostname').catch(() => undefined),
      running<Record<string, unknown>>('pbx'),
      get<Record<string, unknown>>(configUrl('pbx')).catch(() => undefined),
      loadSchema(),
    ]);
    facts = { address, hostname, ports: ports || {}, staged };
    const codecs = nodeAt(schema, 'extensions.list.0.codecs')?.items;
    codec = (c) => labelOf(codecs, c);
  } catch (err) {
    fill(body, msg.el);
    msg.error(err);
    return;
  }
  const rows = softphoneRows(e, facts, codec);
  const tls = portOf(facts.ports.tls_port, 6069) ?? 6069;
  const uri = softphoneUri(e.number, facts.address, tls);
  fill(body,
    h('p', null, `Enter these in the softphone (Acrobits, Bria, MicroSIP, Blink...). TLS on port ${tls} is the most secure and the least blocked; use TCP or UDP only if the softphone has no TLS.`),
    h('dl', { class: 'facts', 'data-test': 'softphone-facts' },
      rows.map(([label, value, test]) => [h('dt', null, label), h('dd', { 'data-test': 'sp-' + test }, value)])),
    h('div', { class: 'qr' }, qrImage(uri, `QR code of ${uri}`),
      h('p', { class: 'hint', 'data-test': 'sp-qr-text' }, 'A softphone that scans QR codes takes the account from this one: ',
        h('code', null, uri), ' (the extension at the router over TLS). It does not hold the password: type it in the softphone.')),
    h('p', { class: 'hint' }, 'The softphone needs G.711 µ-law and A-law at the very least; Opus, if it has it, sounds better. ' +
      'From outside the LAN, the firewall must let the SIP port and the RTP ports through; TLS with SRTP keeps the calls private.'));
}

export const extensionsPage: PageDef = {
  path: '/pbx/extensions',
  title: 'Extensions',
  group: 'PBX',
  render(ctx) {
    let live: { contacts: () => Contacts } | null = null;
    const card = collectionTable('extensions.list', {
      noun: 'extension',
      heading: 'Extensions',
      addLabel: 'Create New Extension',
      intro: 'The PBX\'s SIP accounts: one per phone or softphone. Trunks, queues and IVRs forward calls to them.',
      columns: ['name', 'number', 'registration', 'recording'],
      cells: {
        registration: { title: 'Registration', render: (e) => registrationCell(e, live?.contacts() || {}) },
        recording: { title: 'Recording', render: (e) => (e.recording === true ? 'On' : 'Off') },
      },
      form: { hints: { password: PASSWORD_ADVICE } },
      label: (e) => `${e.name ?? ''} (${e.number ?? e.id})`,
      rowActions: (e) => h('button', {
        type: 'button',
        class: 'small secondary',
        'data-test': 'softphone',
        'aria-label': `Softphone settings of extension ${e.number}`,
        onclick: () => void softphoneDialog(e),
      }, 'Softphone'),
      enhance: (form, entry) => {
        const f = form.fields.get('extensions.list.codecs');
        if (!f) return;
        const items = f.node.items;
        if (!entry && !f.input.value && Array.isArray(f.node.default)) {
          // a new extension starts with the default codecs checked
          f.input.value = (f.node.default as string[]).join(', ');
          f.input.dispatchEvent(new Event('input', { bubbles: true }));
        }
        picker(f, (items?.enum || []).map((c) => ({ value: c, label: labelOf(items, c) })), { label: 'Codecs, in order of preference' });
      },
    });
    ctx.root.append(card);
    live = watchRegistrations(ctx, card);
  },
};

/**
 * A warning above a tab's form: shown while what detail() finds in the
 * form's fields (typed, or staged and loaded) against the running settings
 * is not empty.
 */
function restartWarning(test: string, keys: string[], text: string, detail: (run: Record<string, unknown>, now: Record<string, unknown>) => string) {
  return (panel: HTMLElement): HTMLElement => {
    const el = h('div', { class: 'banner warn', role: 'status', 'data-test': test, hidden: true });
    let run: Record<string, unknown> | null = null;
    const update = () => {
      if (!run) return;
      const now: Record<string, unknown> = {};
      for (const key of keys) {
        const input = panel.querySelector<HTMLInputElement>(`[name="pbx.${key}"]`);
        if (input) now[key] = input.value;
      }
      const d = Object.keys(now).length ? detail(run, now) : '';
      el.hidden = !d;
      // only a new text is written: the observer below sees this banner's changes too
      if (d && el.dataset.detail !== d) {
        el.dataset.detail = d;
        fill(el, h('strong', null, text), ` ${d}.`);
      }
    };
    panel.addEventListener('input', update);
    panel.addEventListener('change', update);
    // the form arrives (and comes again after Save) after this banner
    new MutationObserver(update).observe(panel, { childList: true, subtree: true });
    running<Record<string, unknown>>('pbx').then((r) => {
      run = r || {};
      update();
    }, () => {});
    return el;
  };
}

export const MANAGER_WARNING = 'Changing the AMI port or password restarts the PBX: calls in progress end.';

/** What of the manager's settings a form changes: its port (against the running one), a new password. */
export function managerChanges(running: Record<string, unknown> | null | undefined, now: Record<string, unknown>): string[] {
  const out: string[] = [];
  const from = portOf(running?.ami_port, 5038), to = portOf(now.ami_port, 5038);
  if (from !== null && to !== null && from !== to) out.push(`AMI port ${from} → ${to}`);
  if (typeof now.ami_password === 'string' && now.ami_password !== '') out.push('a new AMI password');
  return out;
}

const portWarning = restartWarning('port-warning', SIP_PORTS.map(([k]) => k), RESTART_WARNING,
  (run, now) => portChanges(run, now).map((c) => `${c.transport} ${c.from} → ${c.to}`).join(', '));

const managerWarning = restartWarning('manager-warning', ['ami_port', 'ami_password'], MANAGER_WARNING,
  (run, now) => managerChanges(run, now).join(', '));

export const pbxSettingsPage: PageDef = {
  path: '/pbx/settings',
  title: 'PBX Settings',
  menu: 'Settings',
  group: 'PBX',
  render(ctx) {
    schemaTabs(ctx, ['pbx'], { before: { network: portWarning, security: managerWarning } });
  },
};
