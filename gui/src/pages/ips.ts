/*
 * Services › Intrusion Prevention: General (the schema's form, the services
 * as checkboxes, and a live line: which logs are read, failures seen, bans
 * now) and "Blocked & Allowed Lists": the blocked list read page by page
 * from the router (there can be 100,000 bans), searched and filtered, read
 * again every few seconds while it is shown; per ban Allow (the allowed
 * list gains it, staged, and the ban is lifted now) and Delete (the ban is
 * lifted; the address may be banned again); a ban by hand; then the allowed
 * list, the schema's collection.
 *
 * What a ban carries came from outside: the reason and above all the log
 * line are an attacker's text. They go into the page as text nodes only.
 */
import { ApiError, configUrl, errorText, get, post } from '../api';
import { h, fill } from '../dom';
import type { SchemaForm } from '../form';
import { duration, time } from '../format';
import type { PageCtx, PageDef } from '../page';
import { refreshChanges } from '../pill';
import { labelOf } from '../schema';
import { schemaTabs } from '../schematabs';
import { picker } from '../suggest';
import { reloadTable } from '../table';
import { banner, busy, emptyRow, table } from '../ui';

export const IPS_POLL_MS = 5000;
export const IPS_PAGE = 100;

export interface IpsBan {
  key: string;
  address: string;
  service: string;
  reason?: string;
  line?: string;
  banned?: number;
  expires?: number;
  left?: number;
}

export interface IpsBlocked {
  total: number;
  bans: IpsBan[];
}

export interface IpsSource {
  log?: string;
  open?: boolean;
  bytes?: number;
}

export interface IpsDetail {
  services?: string[];
  bans?: number;
  failures?: number;
  banned?: number;
  tracked?: number;
  sources?: Record<string, IpsSource>;
  reader?: { running?: boolean; pid?: number };
}

/** The services' words (manual: banned by hand). */
export const SERVICE_LABELS: Record<string, string> = {
  ssh: 'SSH',
  asterisk: 'Asterisk',
  gui: 'Difos GUI',
  manual: 'Manual',
};

export const TIP = 'Some softphone providers\' servers (e.g. Acrobits push servers) are good candidates: a ban of theirs breaks remote extensions.';

/** The time a ban has left, short: "59m 12s", "2d 3h 0m"; "ending" at zero. */
export function timeLeft(secs: number | undefined): string {
  if (secs === undefined || !Number.isFinite(secs)) return '—';
  if (secs <= 0) return 'ending';
  return duration(secs);
}

export interface Paging {
  /** Shown: "1–100 of 2,345". */
  range: string;
  /** "2,345 banned". */
  count: string;
  prev: number | null;
  next: number | null;
}

const num = (n: number) => n.toLocaleString('en-US');

/** Where a page of limit bans from offset stands among total; prev/next: their offsets (null: none). */
export function paging(total: number, offset: number, limit = IPS_PAGE): Paging {
  const t = Math.max(0, Math.floor(total) || 0);
  const o = Math.min(Math.max(0, Math.floor(offset) || 0), t ? Math.floor((t - 1) / limit) * limit : 0);
  const last = Math.min(o + limit, t);
  return {
    range: t ? `${num(o + 1)}–${num(last)} of ${num(t)}` : '',
    count: `${num(t)} banned`,
    prev: o > 0 ? Math.max(0, o - limit) : null,
    next: last < t ? o + limit : null,
  };
}

/** The offset to read again after the list changed under it (the last page emptied). */
export function clampOffset(total: number, offset: number, limit = IPS_PAGE): number {
  if (offset <= 0 || total <= 0) return 0;
  return offset >= total ? Math.floor((total - 1) / limit) * limit : offset;
}

/** The query of GET /ips/blocked. */
export function blockedQuery(q: { offset: number; limit?: number; search?: string; service?: string }): string {
  const p = new URLSearchParams({ offset: String(q.offset), limit: String(q.limit ?? IPS_PAGE) });
  const s = q.search?.trim();
  if (s) p.set('search', s);
  if (q.service) p.set('service', q.service);
  return '/ips/blocked?' + p.toString();
}

/** What the allowed list gains for a ban: the address (IPv4), the banned prefix (IPv6: the whole of it was banned). */
export function allowedFor(b: IpsBan): string {
  return b.key.includes(':') ? b.key : b.address;
}

/** The live line of General: the logs read, failures seen, bans now. */
export function liveText(d: IpsDetail | undefined): string {
  if (!d || !d.services?.length) return 'Intrusion prevention is off: select a service and apply.';
  const logs = d.services.map((s) => {
    const src = d.sources?.[s];
    const name = SERVICE_LABELS[s] || s;
    if (!src?.log) return `${name}: no log found`;
    if (src.log === 'journal') return `${name}: the systemd journal`;
    return `${name}: ${src.log}${src.open === false ? ' (not there yet)' : ''}`;
  });
  const f = d.failures ?? 0, b = d.bans ?? 0;
  const reader = d.reader && d.reader.running === false ? ' The log reader is not running.' : '';
  return `Reading ${logs.join('; ')}. ${num(f)} failed login${f === 1 ? '' : 's'} seen, ${num(b)} banned now.${reader}`;
}

/** Calls fn every IPS_POLL_MS while el is in the page (a tab left, the page left: it stops). */
function whileShown(ctx: Pick<PageCtx, 'onLeave'>, el: HTMLElement, fn: () => void): void {
  const timer = setInterval(() => {
    if (!el.isConnected) clearInterval(timer);
    else fn();
  }, IPS_POLL_MS);
  ctx.onLeave(() => clearInterval(timer));
}

/** General's live line, from the status. */
function liveLine(ctx: Pick<PageCtx, 'onLeave'>): HTMLElement {
  const p = h('p', { class: 'muted', 'data-test': 'ips-live', 'aria-live': 'polite' }, 'Loading…');
  const tick = async () => {
    try {
      const st = await get<{ features?: Record<string, { detail?: IpsDetail }> }>('/status');
      p.textContent = liveText(st?.features?.ips?.detail);
    } catch {
      // the next tick tries again
    }
  };
  void tick();
  whileShown(ctx, p, () => void tick());
  return p;
}

/** The services as checkboxes (the list field stays the value). */
function servicesPicker(form: SchemaForm): void {
  const f = form.fields.get('ips.services');
  if (!f) return;
  const items = f.node.items;
  picker(f, (items?.enum || []).map((v) => ({ value: v, label: labelOf(items, v) })), { label: 'Services selected' });
}

/** One ban's row: what came from the router goes in as text. */
function banRow(b: IpsBan, open: Set<string>, act: { allow: (b: IpsBan, btn: HTMLButtonElement) => void; remove: (b: IpsBan, btn: HTMLButtonElement) => void }): HTMLTableRowElement {
  const line = b.line || '';
  let lineCell: HTMLElement;
  if (line) {
    const det = h('details', { 'data-test': 'ips-line', open: open.has(b.key) || undefined },
      h('summary', null, 'Show line'), h('pre', { class: 'mono ips-line' }, line));
    det.addEventListener('toggle', () => {
      if (det.open) open.add(b.key);
      else open.delete(b.key);
    });
    lineCell = det;
  } else {
    lineCell = h('span', { class: 'muted' }, '—');
  }
  const allow: HTMLButtonElement = h('button', {
    type: 'button', class: 'small create', 'data-test': 'ips-allow', 'aria-label': `Allow ${b.key}: allowed list and lift the ban`,
    title: 'Put on the allowed list and lift the ban', onclick: () => act.allow(b, allow),
  }, 'Allow');
  const del: HTMLButtonElement = h('button', {
    type: 'button', class: 'small danger', 'data-test': 'ips-delete', 'aria-label': `Delete the ban of ${b.key}`,
    title: 'Lift the ban (the address may be banned again)', onclick: () => act.remove(b, del),
  }, 'Delete');
  const shown = b.address && b.key !== b.address && b.key !== `${b.address}/32` ? `${b.key} (${b.address})` : b.address || b.key;
  return h('tr', { 'data-test': 'ips-ban', 'data-key': b.key, 'data-service': b.service },
    h('td', { 'data-label': 'Address', class: 'mono', 'data-test': 'ips-address' }, shown),
    h('td', { 'data-label': 'Service', 'data-test': 'ips-service' }, SERVICE_LABELS[b.service] || b.service),
    h('td', { 'data-label': 'Reason', 'data-test': 'ips-reason' }, b.reason || '—'),
    h('td', { 'data-label': 'Banned at' }, time(b.banned)),
    h('td', { 'data-label': 'Time left', 'data-test': 'ips-left' }, timeLeft(b.left)),
    h('td', { 'data-label': 'Log line' }, lineCell),
    h('td', { class: 'actions' }, allow, del));
}

/** The blocked list with its search, filter, pages and the ban by hand. */
function blockedCard(ctx: Pick<PageCtx, 'onLeave'>, panel: HTMLElement): HTMLElement {
  const msg = banner('ips-banner');
  const state = { offset: 0, search: '', service: '' };
  const open = new Set<string>();
  let seq = 0;

  const search = h('input', {
    type: 'search', id: 'ips-search', 'data-test': 'ips-search', placeholder: 'Address or prefix',
    autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', maxlength: '64',
  });
  const service = h('select', { id: 'ips-service', 'data-test': 'ips-filter' },
    h('option', { value: '' }, 'All services'),
    Object.entries(SERVICE_LABELS).map(([v, l]) => h('option', { value: v }, l)));
  const count = h('p', { class: 'count', 'data-test': 'ips-count', 'aria-live': 'polite' });
  const prev = h('button', { type: 'button', class: 'small secondary', 'data-test': 'ips-prev', disabled: true }, '‹ Prev');
  const next = h('button', { type: 'button', class: 'small secondary', 'data-test': 'ips-next', disabled: true }, 'Next ›');
  const range = h('span', { class: 'count', 'data-test': 'ips-range' });
  const body = h('div', { 'data-test': 'ips-blocked' }, h('p', { class: 'muted' }, 'Loading…'));

  const load = async () => {
    const mine = ++seq;
    let r: IpsBlocked;
    try {
      r = await get<IpsBlocked>(blockedQuery({ offset: state.offset, search: state.search, service: state.service }));
    } catch (e) {
      if (mine === seq) msg.error(e);
      return;
    }
    if (mine !== seq) return;   // a newer read was asked for
    const total = Number(r?.total) || 0;
    const at = clampOffset(total, state.offset);
    if (at !== state.offset) {
      state.offset = at;
      return load();
    }
    const pg = paging(total, state.offset);
    count.textContent = pg.count;
    range.textContent = pg.range;
    prev.disabled = pg.prev === null;
    next.disabled = pg.next === null;
    const bans = Array.isArray(r?.bans) ? r.bans : [];
    const filtered = !!(state.search || state.service);
    fill(body, table(['Address', 'Service', 'Reason', 'Banned at', 'Time left', 'Log line', 'Actions'],
      bans.length ? bans.map((b) => banRow(b, open, { allow, remove })) : [emptyRow(7, filtered ? 'No ban matches.' : 'No address is banned.')],
      'ips-bans'));
  };

  const allowedCard = () => panel.querySelector<HTMLElement>('[data-test="table-ips.allowed"]');

  const allow = (b: IpsBan, btn: HTMLButtonElement) => void busy(btn, async () => {
    msg.set(null);
    const address = allowedFor(b);
    try {
      await post(configUrl('ips.allowed'), { address, description: 'from the blocked list' });
    } catch (e) {
      msg.set('error', `${address} cannot be put on the allowed list: ${errorText(e)}`);
      return;
    }
    let lifted = true;
    try {
      await post('/ips/unban', { address: b.key });
    } catch (e) {
      lifted = false;
      msg.set('error', `${address} is allowed once you apply, but its ban could not be lifted now: ${errorText(e)}`);
    }
    const n = (await refreshChanges()).length;
    const card = allowedCard();
    if (card) await reloadTable(card);
    if (lifted) msg.set('ok', `${address} is allowed once you apply; its ban is lifted now. ${n} unsaved change${n === 1 ? '' : 's'}: apply from the red pill next to the title.`);
    await load();
  });

  const remove = (b: IpsBan, btn: HTMLButtonElement) => void busy(btn, async () => {
    msg.set(null);
    try {
      await post('/ips/unban', { address: b.key });
    } catch (e) {
      msg.error(e);
      return;
    }
    msg.set('ok', `The ban of ${b.key} is lifted; it may be banned again.`);
    await load();
  });

  let typing: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      state.search = search.value.trim();
      state.offset = 0;
      void load();
    }, 300);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') e.preventDefault();
  });
  service.addEventListener('change', () => {
    state.service = service.value;
    state.offset = 0;
    void load();
  });
  prev.addEventListener('click', () => {
    state.offset = Math.max(0, state.offset - IPS_PAGE);
    void load();
  });
  next.addEventListener('click', () => {
    state.offset += IPS_PAGE;
    void load();
  });

  // a ban by hand
  const addr = h('input', { type: 'text', id: 'ips-ban-address', name: 'address', 'data-test': 'ips-ban-address', placeholder: '203.0.113.9',
    autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', maxlength: '64', 'aria-describedby': 'ips-ban-address-err' });
  const addrErr = h('p', { class: 'field-error', id: 'ips-ban-address-err', 'data-test': 'error-ips-ban-address', 'aria-live': 'polite' });
  const mins = h('input', { type: 'text', id: 'ips-ban-minutes', name: 'minutes', 'data-test': 'ips-ban-minutes', inputmode: 'numeric',
    placeholder: 'the ban time', autocomplete: 'off', 'aria-describedby': 'ips-ban-minutes-err' });
  const minsErr = h('p', { class: 'field-error', id: 'ips-ban-minutes-err', 'data-test': 'error-ips-ban-minutes', 'aria-live': 'polite' });
  const banBtn = h('button', { type: 'submit', class: 'primary', 'data-test': 'ips-ban-submit' }, 'Ban');
  const banForm = h('form', { class: 'form inline', novalidate: true, 'data-test': 'ips-ban-form' },
    h('div', { class: 'field' }, h('label', { for: 'ips-ban-address' }, 'Address'), addr, addrErr),
    h('div', { class: 'field' }, h('label', { for: 'ips-ban-minutes' }, 'Minutes'), mins, minsErr),
    h('div', { class: 'form-actions' }, banBtn));
  const setErr = (input: HTMLInputElement, err: HTMLElement, text: string) => {
    err.textContent = text;
    if (text) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  };
  banForm.addEventListener('submit', (e) => {
    e.preventDefault();
    msg.set(null);
    const a = addr.value.trim();
    const m = mins.value.trim();
    setErr(addr, addrErr, a ? '' : 'Give the address to ban.');
    const minutes = m ? Number(m) : undefined;
    const badMinutes = m !== '' && (!/^\d+$/.test(m) || minutes! < 1 || minutes! > 525600);
    setErr(mins, minsErr, badMinutes ? `minutes: ${m} is not a whole number from 1 to 525600` : '');
    if (!a || badMinutes) {
      (a ? mins : addr).focus();
      return;
    }
    void busy(banBtn, async () => {
      try {
        const r = await post<{ key: string; expires: number }>('/ips/ban', minutes ? { address: a, minutes } : { address: a });
        addr.value = '';
        mins.value = '';
        msg.set('ok', `${r.key} is banned until ${time(r.expires)}.`);
      } catch (err) {
        if (err instanceof ApiError && err.path === 'address') setErr(addr, addrErr, err.message);
        else if (err instanceof ApiError && err.path === 'minutes') setErr(mins, minsErr, err.message);
        else msg.error(err);
        return;
      }
      await load();
    });
  });

  const card = h('section', { class: 'card', 'data-test': 'ips-blocked-card' },
    h('div', { class: 'card-head' }, h('h2', null, 'Blocked list'), count),
    h('p', { class: 'muted' }, 'Addresses banned now, newest first. A banned address reaches neither the router nor anything through it. Allow puts it on the allowed list and lifts its ban; Delete lifts the ban only.'),
    msg.el,
    h('div', { class: 'form inline ips-filters' },
      h('div', { class: 'field' }, h('label', { for: 'ips-search' }, 'Search'), search),
      h('div', { class: 'field' }, h('label', { for: 'ips-service' }, 'Service'), service)),
    body,
    h('div', { class: 'form-actions ips-pages' }, prev, range, next),
    h('h3', null, 'Ban an address'),
    banForm);
  void load();
  whileShown(ctx, card, () => void load());
  return card;
}

export const ipsPage: PageDef = {
  path: '/ips',
  title: 'Intrusion Prevention',
  group: 'Services',
  render(ctx) {
    schemaTabs(ctx, ['ips'], {
      forms: { general: { enhance: servicesPicker } },
      before: {
        general: () => liveLine(ctx),
        lists: (panel) => blockedCard(ctx, panel),
      },
      tables: {
        'ips.allowed': {
          noun: 'allowed address',
          heading: 'Allowed list',
          intro: 'Addresses and networks never banned (the router\'s own addresses and loopback never are either). ' + TIP,
          columns: ['address', 'description'],
          label: (e) => String(e.address ?? e.id),
        },
      },
    });
  },
};
