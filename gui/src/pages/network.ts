/* Network Settings › LAN, WAN: forms generated from the schema. */
import type { PageDef } from '../page';
import { sectionForm } from '../section';

export const lanPage: PageDef = {
  path: '/lan',
  title: 'LAN',
  group: 'Network Settings',
  render(ctx) {
    ctx.root.append(sectionForm('lan', {
      order: ['ipv4', 'device', 'interfaces', 'dhcp', 'ipv4.address', 'ipv4.prefix', 'dhcp.enabled', 'dhcp.start', 'dhcp.size', 'dhcp.lease_time', 'dhcp.authoritative'],
    }));
  },
};

const STATIC_ONLY: [string, unknown[]] = ['ipv4.proto', ['static']];

export const wanPage: PageDef = {
  path: '/wan',
  title: 'WAN',
  group: 'Network Settings',
  render(ctx) {
    ctx.root.append(sectionForm('wan', {
      order: ['interface', 'ipv4', 'ipv4.proto', 'ipv4.address', 'ipv4.prefix', 'ipv4.gateway', 'ipv4.dns'],
      when: { 'ipv4.address': STATIC_ONLY, 'ipv4.prefix': STATIC_ONLY, 'ipv4.gateway': STATIC_ONLY, 'ipv4.dns': STATIC_ONLY },
    }));
  },
};
