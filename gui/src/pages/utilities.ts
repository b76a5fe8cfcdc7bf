/* Administration › Utilities: the manual's two tabs, Terminal and Speed Tester. */
import type { PageDef } from '../page';
import { setQuery } from '../router';
import { tabs } from '../tabs';
import { speedTestTab } from './speedtest';
import { terminalTab } from './terminal';

export const UTILITY_TABS = [
  // the Terminal tab comes first, as in the manual
  { id: 'terminal', title: 'Terminal' },
  { id: 'speedtest', title: 'Speed Tester' },
];

export const utilitiesPage: PageDef = {
  path: '/utilities',
  title: 'Utilities',
  group: 'Administration',
  render(ctx) {
    const draw: Record<string, (panel: HTMLElement) => void> = {
      terminal: (panel) => terminalTab(ctx, panel),
      speedtest: (panel) => speedTestTab(ctx, panel),
    };
    ctx.root.append(tabs(UTILITY_TABS.map((t) => ({ ...t, render: draw[t.id] })),
      ctx.query.get('tab') || UTILITY_TABS[0].id, (id) => setQuery({ tab: id })));
  },
};
