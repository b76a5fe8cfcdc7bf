/*
 * The LAN's known clients (the DHCP server's active leases): offered on
 * MAC and LAN-address fields, and turned into a static lease in one click
 * ("Make static", staged like any edit).
 */
import { configUrl, get, post } from './api';
import { refreshPage } from './apply';
import { openDialog } from './dialog';
import { h } from './dom';
import type { Field } from './field';
import { buildForm, type SchemaForm } from './form';
import { refreshChanges } from './pill';
import { loadSchema } from './schema';
import { banner, busy } from './ui';

export interface Client {
  mac?: string;
  ip?: string;
  hostname?: string;
  expires?: number;
}

/** The active leases (GET /leases); with fixed, the static ones too (once per MAC). */
export async function loadClients(fixed = false): Promise<Client[]> {
  const r = await get<{ active?: Client[]; static?: Client[] }>('/leases');
  const active = Array.isArray(r?.active) ? r.active : [];
  if (!fixed || !Array.isArray(r?.static)) return active;
  const seen = new Set(active.map((c) => c.mac));
  return [...active, ...r.static.filter((c) => !seen.has(c.mac))];
}

/** "laptop (192.168.1.20, aa:bb:…)" */
export function clientLabel(c: Client): string {
  return [c.hostname, c.ip, c.mac].filter(Boolean).join(' · ');
}

function offer(f: Field, clients: Client[], value: (c: Client) => string | undefined, fill: (c: Client) => void): void {
  const input = f.input as HTMLInputElement;
  const known = clients.filter((c) => value(c));
  if (!known.length || input.tagName !== 'INPUT') return;
  const row = h('div', { class: 'suggest', 'data-test': 'clients-' + f.path },
    h('span', { class: 'muted' }, 'Known clients:'),
    known.map((c) => h('button', {
      type: 'button',
      class: 'chip',
      'data-test': 'client',
      'data-value': value(c),
      'aria-label': `Use ${clientLabel(c)}`,
      onclick: () => fill(c),
    }, clientLabel(c))));
  f.error.before(row);
}

const set = (f: Field | undefined, v: string | undefined, onlyEmpty = false) => {
  if (!f || !v || (onlyEmpty && f.input.value.trim())) return;
  f.input.value = v;
  f.input.dispatchEvent(new Event('input', { bubbles: true }));
};

/**
 * Offers the known clients on a form's MAC and/or address field (paths);
 * picking one fills that field, and the other ones of the same client
 * that are still empty. fixed: the static leases are offered too (not
 * where a static lease is being made).
 */
export function offerClients(form: SchemaForm, paths: { mac?: string; ip?: string; name?: string }, fixed = true): void {
  void loadClients(fixed).then((clients) => {
    const mac = paths.mac ? form.fields.get(paths.mac) : undefined;
    const ip = paths.ip ? form.fields.get(paths.ip) : undefined;
    const name = paths.name ? form.fields.get(paths.name) : undefined;
    const fillAll = (first: Field | undefined, c: Client) => {
      set(mac, c.mac, first !== mac);
      set(ip, c.ip, first !== ip);
      set(name, c.hostname, true);
      first?.input.focus();
    };
    if (mac) offer(mac, clients, (c) => c.mac, (c) => fillAll(mac, c));
    if (ip) offer(ip, clients, (c) => c.ip, (c) => fillAll(ip, c));
  }, () => {});
}

/** The static lease form prefilled from an active lease; Add stages it. */
export async function makeStatic(c: Client): Promise<void> {
  const schema = await loadSchema();
  const form = buildForm(schema, 'dhcp.static_leases', { mac: c.mac, ip: c.ip, name: c.hostname, hostname: c.hostname }, { idPrefix: 'mk' });
  const msg = banner('dialog-banner');
  const save = h('button', { type: 'submit', class: 'primary', 'data-test': 'save' }, 'Add');
  const cancel = h('button', { type: 'button', class: 'secondary', onclick: () => dlg.close() }, 'Cancel');
  const f = h('form', { novalidate: true, class: 'form', 'data-test': 'entry-form' }, msg.el, form.el, h('div', { class: 'form-actions' }, save, cancel));
  const dlg = openDialog({ title: 'Make the lease static', body: f, test: 'make-static-dialog' });
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    msg.set(null);
    if (!form.validate()) {
      msg.set('error', 'Some fields need attention.');
      return;
    }
    void busy(save, async () => {
      try {
        await post(configUrl('dhcp.static_leases'), form.value());
      } catch (err) {
        const rest = form.showErrors(err);
        msg.set('error', rest.length ? rest.map((r) => r.message).join('\n') : 'Some fields need attention.');
        return;
      }
      dlg.close();
      await refreshChanges();
      refreshPage();
    });
  });
}
