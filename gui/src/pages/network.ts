/* Network Settings › LAN, WAN: forms generated from the schema (its order, its conditions). */
import type { PageDef } from '../page';
import { sectionForm } from '../section';
import { wanLeaseCard } from './inforce';

export const lanPage: PageDef = {
  path: '/lan',
  title: 'LAN',
  group: 'Network Settings',
  render(ctx) {
    ctx.root.append(sectionForm('lan'));
  },
};

export const wanPage: PageDef = {
  path: '/wan',
  title: 'WAN',
  group: 'Network Settings',
  render(ctx) {
    ctx.root.append(wanLeaseCard(), sectionForm('wan'));
  },
};
