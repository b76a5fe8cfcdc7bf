/* Every page, in menu order. */
import type { PageDef } from './page';
import { confirmPage } from './pages/confirm';
import { dashboardPage } from './pages/dashboard';
import { dnsPage } from './pages/dns';
import { historyPage } from './pages/history';
import { loginPage } from './pages/login';
import { firewallPage, lanPage, wanPage } from './pages/network';
import { setupPage } from './pages/setup';
import { systemPage } from './pages/system';

export const PAGES: PageDef[] = [
  dashboardPage,
  lanPage,
  wanPage,
  dnsPage,
  firewallPage,
  systemPage,
  historyPage,
  loginPage,
  setupPage,
  confirmPage,
];
