/*
 * Network Settings › Uplinks: how each uplink's health is checked (its
 * interval, timeout, thresholds and hysteresis), its probe targets, and the
 * state the checks give now; the failover to WWAN, its settings and what it
 * does now.
 */
import type { PageDef } from '../page';
import { sectionForm } from '../section';
import { collectionTable } from '../table';
import { failoverCard, uplinkHealthCard } from './inforce';

export const uplinksPage: PageDef = {
  path: '/uplinks',
  title: 'Uplinks',
  group: 'Network Settings',
  render(ctx) {
    ctx.root.append(
      uplinkHealthCard(),
      sectionForm('uplinks'),
      collectionTable('uplinks.targets', {
        noun: 'target',
        heading: 'Probe targets',
        columns: ['uplink', 'kind', 'address', 'name'],
      }),
      failoverCard(),
      sectionForm('failover'));
  },
};
