/*
 * Network Settings › Interfaces: ports besides the LAN bridge and the WAN,
 * each in a firewall zone. The device field offers the router's devices.
 */
import { h } from '../dom';
import type { PageDef } from '../page';
import { suggestDevices } from '../suggest';
import { collectionTable } from '../table';

export const interfacesPage: PageDef = {
  path: '/interfaces',
  title: 'Interfaces',
  group: 'Network Settings',
  render(ctx) {
    ctx.root.append(
      h('p', { class: 'muted' }, 'Ports besides the LAN bridge and the WAN, each in a firewall zone: lan (trusted) or wan (an extra uplink, usable by policy routes).'),
      collectionTable('interfaces.custom', {
        noun: 'interface',
        heading: 'Custom interfaces',
        columns: ['name', 'device', 'zone', 'ipv4_address', 'ipv4_gateway', 'description', 'enabled'],
        enhance: (form) => suggestDevices(form, 'interfaces.custom.device'),
      }));
  },
};
