/* Network Settings › DNS & DHCP: General, Active & Static Leases, Hostnames. */
import { get } from '../api';
import { h } from '../dom';
import type { PageDef } from '../page';
import { setQuery } from '../router';
import { sectionForm } from '../section';
import { collectionTable } from '../table';
import { tabs } from '../tabs';
import { banner, table } from '../ui';
import { LEASE_HEAD, leaseRows, type Lease } from './dashboard';

function activeLeases(): HTMLElement {
  const msg = banner();
  const body = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  get<{ active?: Lease[] }>('/leases').then(
    (r) => body.replaceChildren(table(LEASE_HEAD, leaseRows(r?.active || []), 'active-leases')),
    (e) => {
      body.replaceChildren();
      msg.error(e);
    });
  return h('section', { class: 'card', 'data-test': 'active-leases-card' }, h('h2', null, 'Active leases'), msg.el, body);
}

export const dnsPage: PageDef = {
  path: '/dns',
  title: 'DNS & DHCP',
  group: 'Network Settings',
  render(ctx) {
    ctx.root.append(tabs([
      { id: 'general', title: 'General', render: (p) => p.append(sectionForm('dns', { order: ['domain', 'upstreams', 'cache_size', 'rebind_protection', 'hijack'] })) },
      {
        id: 'leases',
        title: 'Active & Static Leases',
        render: (p) => p.append(
          collectionTable('dhcp.static_leases', {
            noun: 'static lease',
            columns: ['name', 'hostname', 'mac', 'ip', 'lease_time'],
            form: { order: ['name', 'mac', 'ip', 'hostname', 'lease_time', 'duid', 'ipv6_suffix'] },
          }),
          activeLeases()),
      },
      { id: 'hostnames', title: 'Hostnames', render: (p) => p.append(collectionTable('dhcp.hostnames', { noun: 'hostname', columns: ['name', 'ip'], form: { order: ['name', 'ip'] } })) },
    ], ctx.query.get('tab') || 'general', (id) => setQuery({ tab: id })));
  },
};
