/*
 * Firewall › General, Aliases, Port Forwarding, Traffic Rules, NAT Rules.
 * Tables generated from the schema's collections; the fields that take an
 * alias name offer the aliases there are, automated aliases pick countries
 * from a list that shows what each country's lists hold, and traffic rules
 * are put in order by dragging them.
 */
import { configUrl, get, post } from '../api';
import { offerClients } from '../clients';
import { h, fill, type Child } from '../dom';
import type { SchemaForm } from '../form';
import { time } from '../format';
import type { PageDef } from '../page';
import { sectionForm } from '../section';
import { labelOf, loadSchema, nodeAt, type SchemaNode } from '../schema';
import { picker, suggestNames, type PickOption } from '../suggest';
import { cellText, collectionTable, reloadTable, type Entry } from '../table';
import { banner, busy, emptyRow, table, type Tone } from '../ui';

// ---- shared -----------------------------------------------------------------

interface Named {
  name?: string;
}

/** The names of the staged IP and port aliases. */
export async function aliasNames(): Promise<{ ip: string[]; port: string[] }> {
  const names = (l: unknown) => (Array.isArray(l) ? (l as Named[]).map((a) => a.name).filter((n): n is string => !!n) : []);
  const [ip, port] = await Promise.all([
    get<Named[]>(configUrl('firewall.ip_aliases')).catch(() => []),
    get<Named[]>(configUrl('firewall.port_aliases')).catch(() => []),
  ]);
  return { ip: names(ip), port: names(port) };
}

/** Offers alias names on the entry form's fields: ip for addresses, port for ports. */
function offerAliases(form: SchemaForm, base: string, ipFields: string[], portFields: string[] = []): void {
  void aliasNames().then((a) => {
    for (const k of ipFields) {
      const f = form.fields.get(`${base}.${k}`);
      if (f) suggestNames(f, a.ip, 'IP aliases');
    }
    for (const k of portFields) {
      const f = form.fields.get(`${base}.${k}`);
      if (f) suggestNames(f, a.port, 'Port aliases');
    }
  });
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : d);
const tag = (text: string, cls = 'tag') => h('span', { class: cls }, text);

/** Addresses of a rule side: "any" when none. */
const addrs = (v: unknown) => (list(v).length ? list(v).join(', ') : 'any');

// ---- country lists ------------------------------------------------------------

export interface ListInfo {
  updated: number;
  entries: number;
}

export interface Country {
  code: string;
  name: string;
  v4: ListInfo | null;
  v6: ListInfo | null;
}

/** What a country's list of one family holds, in words. */
export function listState(l: ListInfo | null | undefined): string {
  if (!l) return 'never fetched — empty';
  return `${l.entries.toLocaleString('en')} entr${l.entries === 1 ? 'y' : 'ies'}, updated ${time(l.updated)}`;
}

export function countryDetail(c: Country): string {
  return `IPv4: ${listState(c.v4)} · IPv6: ${listState(c.v6)}`;
}

let countryCache: Promise<Country[]> | null = null;

export function loadCountries(fresh = false): Promise<Country[]> {
  if (!countryCache || fresh) {
    countryCache = get<{ countries?: Country[] }>('/firewall/countries').then((r) => (Array.isArray(r?.countries) ? r.countries : []));
    countryCache.catch(() => (countryCache = null));
  }
  return countryCache;
}

export interface UpdateResult {
  updated?: { country: string; family: number; entries: number }[];
  failed?: { country: string; family: number; error: string }[];
  running?: boolean;
  applied?: boolean;
  apply_error?: string;
}

/** The answer of "Update lists" as a tone and a sentence or two. */
export function updateSummary(r: UpdateResult, names: Map<string, string>): { tone: Tone; text: string } {
  const up = r.updated || [], bad = r.failed || [];
  const who = (c: string, f: number) => `${names.get(c) || c.toUpperCase()} IPv${f}`;
  if (!up.length && !bad.length) return { tone: 'info', text: 'No country list is in use: there was nothing to update.' };
  const lines: string[] = [];
  if (up.length)
    lines.push(`Updated ${up.length} list${up.length === 1 ? '' : 's'}: ` + up.map((u) => `${who(u.country, u.family)} (${u.entries.toLocaleString('en')})`).join(', ') + '.');
  if (bad.length)
    lines.push(`${bad.length} failed: ` + bad.map((b) => `${who(b.country, b.family)}: ${b.error}`).join('; ') + '.');
  if (up.length) lines.push(r.applied ? 'The firewall uses the new lists.' : `The new lists are not in use yet${r.apply_error ? ': ' + r.apply_error : ''}.`);
  const tone: Tone = bad.length && !up.length ? 'error' : bad.length || !r.applied ? 'info' : 'ok';
  return { tone, text: lines.join('\n') };
}

/** Countries named by the staged automated aliases. */
async function stagedCountries(): Promise<string[]> {
  const al = await get<Entry[]>(configUrl('firewall.ip_aliases')).catch(() => [] as Entry[]);
  const out = new Set<string>();
  for (const a of Array.isArray(al) ? al : []) if (a.type === 'automated') list(a.countries).forEach((c) => out.add(c));
  return [...out].sort();
}

/** The lists the aliases use, their state, and the "Update lists" button. */
function countryListsCard(): { el: HTMLElement; reload: () => void } {
  const msg = banner('lists-banner');
  const body = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  const update = h('button', { type: 'button', class: 'primary small', 'data-test': 'update-lists' }, 'Update lists');
  const reload = async (fresh = false) => {
    let countries: Country[], used: string[];
    try {
      [countries, used] = await Promise.all([loadCountries(fresh), stagedCountries()]);
    } catch (e) {
      msg.error(e);
      return;
    }
    const by = new Map(countries.map((c) => [c.code, c]));
    const rows = used.map((cc) => {
      const c = by.get(cc);
      return h('tr', { 'data-test': 'list-' + cc, class: c && (!c.v4 || !c.v6) ? 'warn' : undefined },
        h('td', { 'data-label': 'Country' }, c ? `${c.name} (${cc})` : cc),
        h('td', { 'data-label': 'IPv4' }, listState(c?.v4)),
        h('td', { 'data-label': 'IPv6' }, listState(c?.v6)));
    });
    fill(body, table(['Country', 'IPv4', 'IPv6'], rows.length ? rows : [emptyRow(3, 'No automated alias names a country.')], 'country-lists'));
  };
  update.addEventListener('click', () =>
    busy(update, async () => {
      msg.set('info', 'Fetching the lists… (at most 90 s)');
      try {
        let r = await post<UpdateResult>('/firewall/update-lists', { countries: await stagedCountries() });
        // the download runs in the router's background: follow it
        while (r.running) {
          await new Promise((ok) => setTimeout(ok, 1000));
          r = await get<UpdateResult>('/firewall/update-lists');
        }
        const names = new Map((await loadCountries(true)).map((c) => [c.code, c.name]));
        const s = updateSummary(r, names);
        msg.set(s.tone, s.text);
      } catch (e) {
        msg.error(e);
      }
      await reload();
    }));
  const el = h('section', { class: 'card', 'data-test': 'country-lists-card' },
    h('div', { class: 'card-head' }, h('h2', null, 'Country lists'), update),
    h('p', { class: 'muted' }, 'Automated aliases hold the address lists of countries. Update lists fetches every list in use again (not only the ones of one alias) and puts them in force; a list never fetched is empty.'),
    msg.el, body);
  void reload();
  return { el, reload: () => void reload() };
}

/** "Afghanistan, Germany" for an automated alias, with the state of their lists. */
function aliasContents(e: Entry, countries: Map<string, Country>): Child {
  if (e.type !== 'automated') return addrs(e.addresses);
  return list(e.countries).map((cc) => {
    const c = countries.get(cc);
    const empty = !c || (!c.v4 && !c.v6);
    return h('div', { class: 'country' + (empty ? ' warn' : '') },
      c ? `${c.name} (${cc})` : cc,
      h('span', { class: 'detail' }, c ? countryDetail(c) : 'unknown country'));
  });
}

// ---- pages ----------------------------------------------------------------

export const firewallPage: PageDef = {
  path: '/firewall',
  title: 'Firewall',
  menu: 'General',
  group: 'Firewall',
  render(ctx) {
    ctx.root.append(sectionForm('firewall', { only: ['wan_ping', 'forward_lan_to_wan'] }));
  },
};

export const aliasesPage: PageDef = {
  path: '/aliases',
  title: 'Aliases',
  group: 'Firewall',
  render(ctx) {
    const lists = countryListsCard();
    const countries = new Map<string, Country>();
    const ipTable = collectionTable('firewall.ip_aliases', {
      noun: 'IP alias',
      heading: 'IP aliases',
      intro: 'Addresses in CIDR notation (all IPv4 or all IPv6), or the lists of countries; rules, forwards and NAT rules name them.',
      columns: ['name', 'type', 'contents', 'description'],
      cells: { contents: { title: 'Addresses / countries', render: (e) => aliasContents(e, countries) } },
      enhance: (form) => {
        const f = form.fields.get('firewall.ip_aliases.countries');
        if (!f) return;
        void loadCountries().then((cs) => {
          const opts: PickOption[] = cs.map((c) => ({ value: c.code, label: c.name, detail: countryDetail(c), warn: !c.v4 && !c.v6 }));
          picker(f, opts, { label: 'Countries', filter: true });
        }, () => {});
      },
      onChange: () => lists.reload(),
    });
    // the table shows country names once they are known
    void loadCountries().then((cs) => {
      cs.forEach((c) => countries.set(c.code, c));
      void reloadTable(ipTable);
    }, () => {});
    ctx.root.append(
      ipTable,
      collectionTable('firewall.port_aliases', {
        noun: 'port alias',
        heading: 'Port aliases',
        intro: 'Ports and ranges under one name, for the destination ports of traffic rules.',
        columns: ['name', 'ports', 'description'],
      }),
      lists.el,
      sectionForm('firewall', { only: ['lists_url_v4', 'lists_url_v6'], heading: 'Where country lists come from', test: 'firewall-lists' }));
  },
};

export const forwardsPage: PageDef = {
  path: '/port-forwarding',
  title: 'Port Forwarding',
  group: 'Firewall',
  render(ctx) {
    ctx.root.append(collectionTable('firewall.port_forwards', {
      noun: 'port forward',
      heading: 'Port forwards',
      intro: 'Traffic to a port of the WAN address goes on to a LAN host. Only the source may name an IP alias.',
      columns: ['description', 'proto', 'src', 'wan_port', 'lan_ip', 'lan_port', 'reflection', 'enabled'],
      cells: {
        src: { title: 'Source', render: (e) => addrs(e.src) },
        lan_port: { title: 'LAN port', render: (e) => str(e.lan_port) || str(e.wan_port) },
      },
      enhance: (form) => {
        offerAliases(form, 'firewall.port_forwards', ['src']);
        offerClients(form, { ip: 'firewall.port_forwards.lan_ip' });
      },
    }));
  },
};


/**
 * Why a rule is worth a second look: it accepts from the WAN (or any zone)
 * into the LAN or the router on every port. Null when it does not.
 */
export function ruleWarning(r: Record<string, unknown>): string | null {
  const from = str(r.src_zone), to = str(r.dest_zone), proto = str(r.proto, 'all');
  if (r.action !== 'accept' || !['wan', 'any'].includes(from) || !['lan', 'router', 'any'].includes(to)) return null;
  if (proto === 'icmp' || list(r.dest_ports).length) return null;
  const where = to === 'router' ? 'the router' : to === 'lan' ? 'the LAN' : 'the LAN and the router';
  const hosts = list(r.dest).length ? ` (to ${list(r.dest).join(', ')})` : '';
  return `Accepts every port from ${from === 'any' ? 'any zone, the WAN too,' : 'the WAN'} to ${where}${hosts}: name destination ports unless that is meant.`;
}

const warnNote = (text: string) => h('p', { class: 'field-warning', 'data-test': 'rule-warning', role: 'note' }, '⚠ ', text);

/** Keeps the warning at the top of the rule form in step with its fields. */
function warnInForm(form: SchemaForm): void {
  const slot = h('div', { 'data-test': 'rule-warning-slot' });
  form.el.prepend(slot);
  const update = () => {
    const w = ruleWarning(form.value());
    fill(slot, w ? warnNote(w) : null);
  };
  form.el.addEventListener('input', update);
  form.el.addEventListener('change', update);
  update();
}

/** The schema, once loaded: the rules' cells show the words of its choices. */
let fwSchema: SchemaNode | undefined;
const ruleWord = (key: string, v: string) => labelOf(fwSchema && nodeAt(fwSchema, `firewall.rules.1.${key}`), v);

/** One side of a rule: its zone, its addresses, its ports. */
function ruleSide(key: string, zone: unknown, a: unknown, ports: unknown): Child {
  const p = list(ports);
  return [tag(ruleWord(key, str(zone, '?')), 'tag zone'), ' ', addrs(a), p.length ? h('span', { class: 'ports' }, ' port ' + p.join(', ')) : null];
}

export const rulesPage: PageDef = {
  path: '/traffic-rules',
  title: 'Traffic Rules',
  group: 'Firewall',
  render(ctx) {
    // before the table asks for it: the cells find it loaded
    void loadSchema().then((s) => (fwSchema = s), () => {});
    ctx.root.append(collectionTable('firewall.rules', {
      noun: 'rule',
      heading: 'Traffic rules',
      intro: 'Evaluated in index order, the first match decides. Drag a rule by its grip (or use the arrows) to put it in another place; the new order is staged like any change.',
      reorder: 'index',
      columns: ['index', 'description', 'family', 'proto', 'source', 'destination', 'action', 'enabled'],
      cells: {
        source: { title: 'Source', render: (e) => ruleSide('src_zone', e.src_zone, e.src, e.src_ports) },
        destination: { title: 'Destination', render: (e) => ruleSide('dest_zone', e.dest_zone, e.dest, e.dest_ports) },
        action: {
          title: 'Action',
          render: (e) => {
            const w = ruleWarning(e);
            return [tag(ruleWord('action', str(e.action, '?')), 'verdict verdict-' + str(e.action, 'none')), w ? warnNote(w) : null];
          },
        },
        enabled: { title: 'Enabled', render: (e) => cellText(e.enabled ?? true) },
      },
      label: (e) => `${e.index ?? e.id}${e.description ? ` (${e.description})` : ''}`,
      enhance: (form) => {
        offerAliases(form, 'firewall.rules', ['src', 'dest'], ['dest_ports']);
        warnInForm(form);
      },
    }));
  },
};

export const natPage: PageDef = {
  path: '/nat-rules',
  title: 'NAT Rules',
  group: 'Firewall',
  render(ctx) {
    ctx.root.append(collectionTable('firewall.nat', {
      noun: 'NAT rule',
      heading: 'NAT rules',
      intro: 'Masquerade (the outgoing interface\'s address) or source NAT to a fixed address, for IPv4 or IPv6.',
      columns: ['description', 'type', 'family', 'src', 'dest', 'out_zone', 'snat_address', 'enabled'],
      cells: {
        src: { title: 'Source', render: (e) => addrs(e.src) },
        dest: { title: 'Destination', render: (e) => addrs(e.dest) },
      },
      enhance: (form) => offerAliases(form, 'firewall.nat', ['src', 'dest']),
    }));
  },
};
