/*
 * Network Settings › WiFi: Clients, 2.4 GHz and 5 GHz (the manual's three
 * pages, as tabs). The radios' forms come from the schema; the country is
 * a select of the codes the router accepts (00-World is never among them)
 * named in the browser's words, and WPA-PSK carries a warning while
 * chosen. The clients tab reads the connected clients every 3 s while
 * open: band, name (the blue pencil gives a MAC a name, a setting to
 * apply), signal, rates; the red button kicks a client off for some
 * minutes.
 */
import { configUrl, get, post, put } from '../api';
import { openDialog } from '../dialog';
import { h } from '../dom';
import type { SchemaForm } from '../form';
import { buildForm } from '../form';
import { duration, time } from '../format';
import type { PageCtx, PageDef } from '../page';
import { refreshChanges } from '../pill';
import { loadSchema } from '../schema';
import { schemaTabs } from '../schematabs';
import { chooser, type ChoiceOption } from '../suggest';
import type { Entry } from '../table';
import { banner, busy, emptyRow, table } from '../ui';

export const WIFI_POLL_MS = 3000;

export interface WifiClient {
  band: string;
  mac: string;
  name?: string;
  signal?: number;
  rx_rate?: number;
  tx_rate?: number;
  connected_time?: number;
}

export interface WifiKick {
  mac: string;
  until: number;
  name?: string;
}

export interface WifiRadio {
  state: string;
  device?: string;
  stations?: number;
}

export interface WifiClients {
  clients?: WifiClient[];
  kicks?: WifiKick[];
  radios?: Record<string, WifiRadio>;
}

const BANDS: Record<string, string> = { '2g': '2.4 GHz', '5g': '5 GHz' };

/** The countries as choices: "DE — Germany" (the name in the browser's words when it knows it). */
export function countryChoices(codes: string[], lang = 'en'): ChoiceOption[] {
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames([lang], { type: 'region' });
  } catch {
    names = null;
  }
  return codes
    .filter((c) => c !== '00')
    .map((c) => {
      const n = names?.of(c);
      return { value: c, label: n && n !== c ? `${c} — ${n}` : c };
    });
}

/** A radio's form: the country as a select, a warning while WPA-PSK is chosen. */
export function enhanceRadio(form: SchemaForm, section: string, countries: string[]): void {
  const cc = form.fields.get(section + '.country');
  if (cc) chooser(cc, countryChoices(countries), { empty: '— the country the router is in —' });
  const enc = form.fields.get(section + '.encryption');
  if (!enc) return;
  const warn = h('p', { class: 'field-warning', 'data-test': 'insecure-warning', role: 'note' },
    'WPA-PSK is insecure: its TKIP encryption is broken. Choose it only for devices that know nothing newer; prefer WPA3-PSK, or WPA2-PSK.');
  const sync = () => {
    warn.hidden = enc.input.value !== 'psk';
  };
  enc.error.before(warn);
  enc.input.addEventListener('change', sync);
  enc.input.addEventListener('input', sync);
  sync();
}

/** What a radio's state says for people. */
export function radioText(r: WifiRadio | undefined): string {
  switch (r?.state) {
    case 'running': return `On (${r.device})`;
    case 'disabled': return 'Off';
    case 'no radio device': return `No radio device ${r.device ?? ''}: this router has no such radio`;
    case 'not running': return 'Not running';
    case 'starting': return 'Starting';
    default: return r?.state || '—';
  }
}

const rate = (v: number | undefined) => (v === undefined ? '—' : `${v} Mbit/s`);

/** The dialog that gives a MAC a name: a setting staged (a new one, or the entry's). */
async function editName(mac: string, names: Entry[], done: () => void): Promise<void> {
  const schema = await loadSchema();
  const entry = names.find((e) => String(e.mac).toLowerCase() === mac.toLowerCase());
  const form = buildForm(schema, 'wifi.clients', { mac, name: entry?.name ?? '' }, { idPrefix: 'wn', skip: ['mac'] });
  const msg = banner('dialog-banner');
  const save = h('button', { type: 'submit', class: 'primary', 'data-test': 'save' }, 'Save');
  const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => dlg.close() }, 'Cancel');
  const f = h('form', { novalidate: true, class: 'form', 'data-test': 'entry-form' },
    h('p', { class: 'muted' }, `The name shown for ${mac}.`), msg.el, form.el, h('div', { class: 'form-actions' }, save, cancel));
  const dlg = openDialog({ title: 'Name this client', body: f, test: 'client-name-dialog' });
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    msg.set(null);
    if (!form.validate()) {
      msg.set('error', 'Some fields need attention.');
      return;
    }
    void busy(save, async () => {
      const value = { ...form.value(), mac };
      try {
        if (entry) await put(configUrl(`wifi.clients[${entry.id}]`), value);
        else await post(configUrl('wifi.clients'), value);
      } catch (err) {
        const rest = form.showErrors(err);
        msg.set('error', rest.length ? rest.map((r) => r.message).join('\n') : 'Some fields need attention.');
        return;
      }
      dlg.close();
      await refreshChanges();
      done();
    });
  });
}

/** The dialog that kicks a client off for some minutes. */
function kick(c: WifiClient, done: () => void): void {
  const minutes = h('input', { type: 'number', min: '1', max: '1440', value: '10', id: 'kick-minutes', 'data-test': 'kick-minutes', required: true });
  const msg = banner('dialog-banner');
  const go = h('button', { type: 'submit', class: 'danger', 'data-test': 'kick-confirm' }, 'Kick off');
  const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => dlg.close() }, 'Cancel');
  const f = h('form', { novalidate: true, class: 'form' },
    h('p', null, `${c.name || c.mac} is disconnected and may not connect to either band for this many minutes (kept if the router restarts).`),
    msg.el, h('label', { for: 'kick-minutes' }, 'Minutes'), minutes, h('div', { class: 'form-actions' }, go, cancel));
  const dlg = openDialog({ title: 'Kick off ' + (c.name || c.mac), body: f, test: 'kick-dialog' });
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    const n = Number(minutes.value);
    if (!Number.isInteger(n) || n < 1 || n > 1440) {
      msg.set('error', 'Minutes: a whole number from 1 to 1440.');
      return;
    }
    void busy(go, async () => {
      try {
        await post('/wifi/kick', { mac: c.mac, minutes: n });
      } catch (err) {
        msg.error(err);
        return;
      }
      dlg.close();
      done();
    });
  });
}

/** The clients tab: read now and every WIFI_POLL_MS until the page is left. */
function clientsTab(ctx: Pick<PageCtx, 'onLeave'>, panel: HTMLElement): void {
  const msg = banner();
  const radios = h('p', { class: 'muted', 'data-test': 'wifi-radios' });
  const body = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  const kicked = h('div', { 'data-test': 'wifi-kicks' });
  let names: Entry[] = [];
  let stopped = false;
  let reading = false;
  const draw = (r: WifiClients) => {
    radios.replaceChildren(...Object.keys(BANDS).map((b) => h('span', { class: 'radio', 'data-test': 'radio-' + b, 'data-state': r.radios?.[b]?.state ?? '' },
      `${BANDS[b]}: ${radioText(r.radios?.[b])}. `)));
    const list = r.clients || [];
    const rows = list.map((c) => h('tr', { 'data-test': 'wifi-client', 'data-mac': c.mac },
      h('td', null, BANDS[c.band] || c.band),
      h('td', { 'data-test': 'client-name' }, c.name || '—', ' ',
        h('button', {
          type: 'button', class: 'icon edit', 'data-test': 'edit-name', 'aria-label': `Name ${c.mac}`, title: 'Set a name for this MAC',
          onclick: () => void editName(c.mac, names, () => msg.set('ok', 'Saved: apply the change from the red pill next to the title.')),
        }, '✎')),
      h('td', { class: 'mono' }, c.mac),
      h('td', { 'data-test': 'client-signal' }, c.signal === undefined ? '—' : `${c.signal} dBm`),
      h('td', { 'data-test': 'client-rates' }, `${rate(c.rx_rate)} / ${rate(c.tx_rate)}`),
      h('td', null, c.connected_time === undefined ? '—' : duration(c.connected_time)),
      h('td', { class: 'actions' }, h('button', {
        type: 'button', class: 'small danger', 'data-test': 'kick', 'aria-label': `Kick ${c.name || c.mac} off`,
        onclick: () => kick(c, () => void tick()),
      }, '⛔ Kick'))));
    body.replaceChildren(table(['Band', 'Name', 'MAC', 'Signal', 'Rate in / out', 'Connected', 'Actions'],
      rows.length ? rows : [emptyRow(7, 'No client is connected.')], 'wifi-clients'));
    const ks = r.kicks || [];
    const kickRows = ks.map((k) => h('tr', { 'data-test': 'wifi-kick', 'data-mac': k.mac },
      h('td', null, k.name ? `${k.name} (${k.mac})` : k.mac),
      h('td', null, time(k.until)),
      h('td', { class: 'actions' }, h('button', {
        type: 'button', class: 'small secondary', 'data-test': 'unkick',
        onclick: () => void post('/wifi/unkick', { mac: k.mac }).then(() => tick(), (e) => msg.error(e)),
      }, 'Let back in'))));
    if (ks.length) kicked.replaceChildren(h('h3', null, 'Kicked off'), table(['Client', 'Until', ''], kickRows, 'wifi-kicks-table'));
    else kicked.replaceChildren();
  };
  const tick = async () => {
    if (stopped || reading) return;
    reading = true;
    try {
      const [r, n] = await Promise.all([get<WifiClients>('/wifi/clients'), get<Entry[]>(configUrl('wifi.clients'))]);
      names = Array.isArray(n) ? n : [];
      if (!stopped) draw(r || {});
    } catch (e) {
      msg.error(e);
    } finally {
      reading = false;
    }
  };
  panel.append(h('section', { class: 'card', 'data-test': 'wifi-clients-card' },
    h('h2', null, 'Clients'),
    h('p', { class: 'muted' }, 'Devices connected to the WiFi. Some very old devices do poorly on 5 GHz: the band column shows where each is.'),
    msg.el, radios, body, kicked));
  const timer = setInterval(() => void tick(), WIFI_POLL_MS);
  void tick();
  ctx.onLeave(() => {
    stopped = true;
    clearInterval(timer);
  });
}

export const wifiPage: PageDef = {
  path: '/wifi',
  title: 'WiFi',
  group: 'Network Settings',
  render(ctx) {
    const holder = h('div');
    ctx.root.append(holder);
    get<string[]>('/wifi/countries').then((c) => (Array.isArray(c) ? c : []), () => [] as string[]).then((countries) => {
      schemaTabs({ ...ctx, root: holder }, ['wifi', 'wifi_2g', 'wifi_5g'], {
        draw: { clients: (panel) => clientsTab(ctx, panel) },
        forms: {
          '2g': { enhance: (form) => enhanceRadio(form, 'wifi_2g', countries) },
          '5g': { enhance: (form) => enhanceRadio(form, 'wifi_5g', countries) },
        },
      });
    });
  },
};
