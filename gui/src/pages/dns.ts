/* Network Settings › DNS & DHCP: General, Active & Static Leases, Hostnames. */
import { get } from '../api';
import { h } from '../dom';
import type { PageDef } from '../page';
import { schemaTabs } from '../schematabs';
import { banner, table } from '../ui';
import { LEASE_HEAD, leaseRows, type Lease } from './dashboard';
import { upstreamsCard } from './inforce';

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
    ctx.root.append(upstreamsCard());
    schemaTabs(ctx, ['dns', 'dhcp'], {
      tables: {
        'dhcp.static_leases': { noun: 'static lease', columns: ['name', 'hostname', 'mac', 'ip', 'lease_time'] },
        'dhcp.hostnames': { noun: 'hostname', columns: ['name', 'ip'] },
      },
      after: { leases: activeLeases },
    });
  },
};
