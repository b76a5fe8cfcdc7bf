/*
 * Network Settings › Routes: Policy Based, Static IPv4, Static IPv6.
 * Interface fields offer the names that fit; policy routes pick premade
 * domain lists.
 */
import { configUrl, get } from '../api';
import type { SchemaForm } from '../form';
import type { PageDef } from '../page';
import { schemaTabs } from '../schematabs';
import { picker, suggestDevices, suggestNames } from '../suggest';
import type { Entry, TableOptions } from '../table';

export interface DomainList {
  name: string;
  domains?: number;
  description?: string;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const joined = (v: unknown, none = '—') => (list(v).length ? list(v).join(', ') : none);

/** Where a policy route may send traffic: "wan", the devices of custom
 * interfaces in zone wan, and the WireGuard clients' wgc_<name>. */
export function policyUplinks(custom: unknown, wgClients: unknown = []): string[] {
  const out = ['wan'];
  for (const c of Array.isArray(custom) ? (custom as Entry[]) : [])
    if (c.zone === 'wan' && typeof c.device === 'string' && !out.includes(c.device)) out.push(c.device);
  for (const c of Array.isArray(wgClients) ? (wgClients as Entry[]) : [])
    if (typeof c.name === 'string' && c.enabled !== false) out.push('wgc_' + c.name);
  return out;
}

/** What a policy route sends: its destinations, or its domains and lists. */
export function policyMatch(e: Entry): string {
  const parts = [...list(e.destination), ...list(e.domains), ...list(e.domain_lists).map((l) => `list ${l}`)];
  return parts.length ? parts.join(', ') : 'any';
}

function policyForm(form: SchemaForm): void {
  const iface = form.fields.get('routes.policy.interface');
  if (iface)
    void Promise.all([get(configUrl('interfaces.custom')).catch(() => []), get(configUrl('wg_clients.clients')).catch(() => [])])
      .then(([c, w]) => suggestNames(iface, policyUplinks(c, w), 'Uplinks'));
  const lists = form.fields.get('routes.policy.domain_lists');
  if (lists)
    void get<{ lists?: DomainList[] }>('/routes/domain-lists').then((r) => {
      const ls = Array.isArray(r?.lists) ? r.lists : [];
      picker(lists, ls.map((l) => ({
        value: l.name,
        label: l.name,
        detail: [l.description, l.domains !== undefined ? `${l.domains} domains` : ''].filter(Boolean).join(' · '),
      })), { label: 'Premade domain lists' });
    }, () => {});
}

function staticRoutes(path: 'routes.static4' | 'routes.static6', noun: string, intro: string): Partial<TableOptions> {
  return {
    noun,
    intro,
    columns: ['target', 'gateway', 'interface', 'metric', 'table', 'description', 'enabled'],
    enhance: (form) => suggestDevices(form, path + '.interface'),
  };
}

export const routesPage: PageDef = {
  path: '/routes',
  title: 'Routes',
  group: 'Network Settings',
  render(ctx) {
    schemaTabs(ctx, ['routes'], {
      tables: {
        'routes.policy': {
          noun: 'policy route',
          heading: 'Policy routes',
          intro: 'IPv4 only. Traffic from the sources to the destinations or domains leaves through the chosen uplink. A route names destination addresses or domains, never both; a domain includes its subdomains.',
          columns: ['name', 'source', 'match', 'interface', 'description', 'enabled'],
          cells: {
            source: { title: 'Source', render: (e) => joined(e.source, 'any') },
            match: { title: 'Destination / domains', render: (e) => policyMatch(e) },
          },
          enhance: policyForm,
        },
        'routes.static4': staticRoutes('routes.static4', 'IPv4 route', 'Networks reached through a gateway or an interface; the default route stays the WAN\'s.'),
        'routes.static6': staticRoutes('routes.static6', 'IPv6 route', 'Prefixes reached through a gateway or an interface; a link-local gateway needs its interface.'),
      },
    });
  },
};
