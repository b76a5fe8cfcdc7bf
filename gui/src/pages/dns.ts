/* Network Settings › DNS & DHCP: General, Active & Static Leases, Hostnames. */
import { get } from '../api';
import { makeStatic, offerClients } from '../clients';
import { h } from '../dom';
import type { PageDef } from '../page';
import { schemaTabs } from '../schematabs';
import { banner, table } from '../ui';
import { LEASE_HEAD, leaseRows, type Lease } from './dashboard';
import { upstreamsCard } from './inforce';

/** What can be done with an active lease: make it static (unless it is). */
function leaseAction(l: Lease, fixed: Set<string | undefined>): HTMLElement {
  if (fixed.has(l.mac?.toLowerCase())) return h('span', { class: 'tag', 'data-test': 'is-static' }, 'static');
  return h('button', {
    type: 'button',
    class: 'small secondary',
    'data-test': 'make-static',
    'aria-label': `Make the lease of ${l.hostname || l.ip || l.mac} static`,
    onclick: () => void makeStatic(l),
  }, 'Make static');
}

function activeLeases(): HTMLElement {
  const msg = banner();
  const body = h('div', null, h('p', { class: 'muted' }, 'Loading…'));
  get<{ active?: Lease[]; static?: Lease[] }>('/leases').then(
    (r) => {
      const active = r?.active || [];
      const fixed = new Set((r?.static || []).map((l) => l.mac?.toLowerCase()));
      const rows = leaseRows(active);
      // each lease can become a static one: its MAC, address and name prefilled
      if (active.length) rows.forEach((tr, i) => tr.append(h('td', { class: 'actions' }, leaseAction(active[i], fixed))));
      else rows[0].querySelector('td')?.setAttribute('colspan', String(LEASE_HEAD.length + 1));
      body.replaceChildren(table([...LEASE_HEAD, 'Actions'], rows, 'active-leases'));
    },
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
        'dhcp.static_leases': {
          noun: 'static lease',
          columns: ['name', 'hostname', 'mac', 'ip', 'lease_time'],
          enhance: (form) => offerClients(form, { mac: 'dhcp.static_leases.mac', ip: 'dhcp.static_leases.ip', name: 'dhcp.static_leases.hostname' }, false),
        },
        'dhcp.hostnames': { noun: 'hostname', columns: ['name', 'ip'] },
      },
      after: { leases: activeLeases },
    });
  },
};
