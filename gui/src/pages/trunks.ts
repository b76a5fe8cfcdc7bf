/*
 * PBX › Trunks: the SIP lines to providers and gateways, with their
 * registration and whether they answer, live (the status is read every 3 s
 * while the page is open). The form shows the username and password only
 * with gateway authentication on (the schema's condition), and picks the
 * default action among the extensions.
 */
import { configUrl, get } from '../api';
import { h } from '../dom';
import type { PageCtx, PageDef } from '../page';
import type { SchemaForm } from '../form';
import { labelOf } from '../schema';
import { chooser, picker, type ChoiceOption } from '../suggest';
import { collectionTable, type Entry } from '../table';
import { POLL_MS, type Contacts } from './pbx';

/** A trunk's registration as the status lists it (by trunk name). */
export interface TrunkRegistration {
  status?: string;
  server?: string;
  next_attempt?: number;
}

export type Registrations = Record<string, TrunkRegistration | undefined>;

export interface TrunkState {
  state: string;
  text: string;
}

/** What the Registration column says of a trunk. */
export function trunkRegistration(t: Record<string, unknown>, regs: Registrations | null | undefined): TrunkState {
  if (t.enabled === false) return { state: 'disabled', text: 'Disabled' };
  if (t.authentication !== true) return { state: 'none', text: 'No registration (no gateway authentication)' };
  const status = regs?.[String(t.name ?? '')]?.status;
  if (status === 'Registered') return { state: 'registered', text: 'Registered' };
  if (status === 'Rejected') return { state: 'rejected', text: 'Rejected: the provider refuses the username or password' };
  if (!status || status === 'Unregistered') return { state: 'unregistered', text: 'Unregistered' };
  return { state: 'unregistered', text: status };
}

/** What the Reachable column says of a trunk: its PJSIP contact's state ("trunk-<name>"). */
export function trunkReachability(t: Record<string, unknown>, contacts: Contacts | null | undefined): TrunkState {
  if (t.enabled === false) return { state: 'disabled', text: 'Disabled' };
  if (t.qualify === false) return { state: 'unchecked', text: 'Not checked' };
  const c = contacts?.['trunk-' + String(t.name ?? '')]?.[0];
  const status = c?.status || '';
  if (status === 'Reachable') return { state: 'reachable', text: c?.rtt_ms !== undefined ? `Reachable (${Math.round(c.rtt_ms * 10) / 10} ms)` : 'Reachable' };
  if (status === 'Unreachable' || status === 'Unavailable') return { state: 'unreachable', text: 'Not answering' };
  if (status === 'NonQualified') return { state: 'unchecked', text: 'Not checked' };
  return { state: 'unknown', text: 'Not known yet' };
}

/** The extensions as choices: "1001 — Desk". */
export function extensionChoices(exts: Entry[] | null | undefined): ChoiceOption[] {
  return (Array.isArray(exts) ? exts : [])
    .filter((e) => e.number !== undefined)
    .sort((a, b) => String(a.number).localeCompare(String(b.number), undefined, { numeric: true }))
    .map((e) => ({ value: String(e.number), label: e.name ? `${e.number} — ${e.name}` : String(e.number) }));
}

/** An extension's number with its name, when there is such an extension. */
export function extensionLabel(number: unknown, exts: Entry[] | null | undefined): string {
  const e = (Array.isArray(exts) ? exts : []).find((x) => String(x.number) === String(number));
  return e?.name ? `${number} (${e.name})` : String(number);
}

interface PbxLive {
  features?: Record<string, { detail?: { contacts?: Contacts; registrations?: Registrations } } | undefined>;
}

type Painter = (el: HTMLElement, live: { contacts: Contacts; registrations: Registrations }) => void;

/** A live cell: painted now from what was read last, and again on each read. */
function liveCell(test: string, e: Entry, paint: (e: Entry, live: { contacts: Contacts; registrations: Registrations }) => TrunkState, last: () => { contacts: Contacts; registrations: Registrations }): HTMLElement {
  const el = h('span', { 'data-test': test, 'data-name': String(e.name ?? '') });
  painters.set(el, (cell, live) => {
    const s = paint(e, live);
    cell.className = 'state trunk-' + s.state;
    cell.dataset.state = s.state;
    if (cell.textContent !== s.text) cell.textContent = s.text;
  });
  painters.get(el)!(el, last());
  return el;
}

const painters = new WeakMap<HTMLElement, Painter>();

/** Reads the PBX's live state now and every POLL_MS until the page is left; repaints the live cells in card. */
function watchTrunks(ctx: Pick<PageCtx, 'onLeave'>, card: HTMLElement, live: { contacts: Contacts; registrations: Registrations }): void {
  let stopped = false;
  let reading = false;
  const tick = async () => {
    if (stopped || reading) return;
    reading = true;
    try {
      const st = await get<PbxLive>('/status');
      const d = st?.features?.pbx?.detail;
      live.contacts = d?.contacts || {};
      live.registrations = d?.registrations || {};
      if (!stopped)
        for (const el of card.querySelectorAll<HTMLElement>('[data-test="trunk-registration"], [data-test="trunk-reachability"]')) painters.get(el)?.(el, live);
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
}

/** The codecs as checkboxes, in words; a new trunk starts with the default ones checked. */
function codecPicker(form: SchemaForm, entry: Entry | undefined): void {
  const f = form.fields.get('trunks.list.codecs');
  if (!f) return;
  const items = f.node.items;
  if (!entry && !f.input.value && Array.isArray(f.node.default)) {
    f.input.value = (f.node.default as string[]).join(', ');
    f.input.dispatchEvent(new Event('input', { bubbles: true }));
  }
  picker(f, (items?.enum || []).map((c) => ({ value: c, label: labelOf(items, c) })), { label: 'Codecs, in order of preference' });
}

export const trunksPage: PageDef = {
  path: '/pbx/trunks',
  title: 'Trunks',
  group: 'PBX',
  render(ctx) {
    const live = { contacts: {} as Contacts, registrations: {} as Registrations };
    let exts: Entry[] = [];
    const holder = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
    ctx.root.append(holder);
    get<Entry[]>(configUrl('extensions.list')).then((list) => {
      exts = Array.isArray(list) ? list : [];
    }, () => {
      // without the extensions the select offers none; the table still loads
    }).finally(() => {
      const card = collectionTable('trunks.list', {
        noun: 'trunk',
        heading: 'Trunks',
        addLabel: 'Create New Trunk',
        intro: 'SIP lines to providers and gateways. A number dialled after a trunk\'s dial-out prefix goes out on it; its incoming calls take the inbound routes, else its default action.',
        columns: ['name', 'address', 'transport', 'dialout_prefix', 'default_destination', 'registration', 'reachability'],
        cells: {
          address: { title: 'Host:port', render: (e) => `${e.host ?? ''}:${e.port ?? 5060}` },
          dialout_prefix: { title: 'Dial-out prefix', render: (e) => (e.dialout_prefix ? String(e.dialout_prefix) : '—') },
          default_destination: {
            title: 'Default action',
            render: (e) => (e.default_destination ? extensionLabel(e.default_destination, exts) : 'Refused'),
          },
          registration: { title: 'Registration', render: (e) => liveCell('trunk-registration', e, (t, l) => trunkRegistration(t, l.registrations), () => live) },
          reachability: { title: 'Reachable', render: (e) => liveCell('trunk-reachability', e, (t, l) => trunkReachability(t, l.contacts), () => live) },
        },
        label: (e) => String(e.name ?? e.id),
        enhance: (form, entry) => {
          const f = form.fields.get('trunks.list.default_destination');
          if (f) chooser(f, extensionChoices(exts), { empty: 'Refuse the call', missing: (v) => `${v} (no such extension)` });
          codecPicker(form, entry);
        },
      });
      holder.replaceChildren(card);
      watchTrunks(ctx, card, live);
    });
  },
};
