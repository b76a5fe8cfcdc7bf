/* Every page, in menu order. */
import type { PageDef } from './page';
import { bandwidthPage } from './pages/bandwidth';
import { blockListPage } from './pages/blocklist';
import { callRoutingPage } from './pages/callrouting';
import { cdrPage } from './pages/cdr';
import { confirmPage } from './pages/confirm';
import { dashboardPage } from './pages/dashboard';
import { dnsPage } from './pages/dns';
import { aliasesPage, firewallPage, forwardsPage, natPage, rulesPage } from './pages/firewall';
import { historyPage } from './pages/history';
import { interfacesPage } from './pages/interfaces';
import { ipsPage } from './pages/ips';
import { ipsecPage } from './pages/ipsec';
import { loginPage } from './pages/login';
import { lanPage, wanPage } from './pages/network';
import { overviewPage } from './pages/overview';
import { extensionsPage, pbxSettingsPage } from './pages/pbx';
import { routesPage } from './pages/routing';
import { setupPage } from './pages/setup';
import { systemPage } from './pages/system';
import { trunksPage } from './pages/trunks';
import { uplinksPage } from './pages/uplinks';
import { utilitiesPage } from './pages/utilities';
import { telephonyPage } from './pages/telephony';
import { wifiPage } from './pages/wifi';
import { wireguardPage } from './pages/wireguard';
import { wwanPage } from './pages/wwan';

export const PAGES: PageDef[] = [
  dashboardPage,
  telephonyPage,
  overviewPage,
  lanPage,
  wifiPage,
  wanPage,
  wwanPage,
  uplinksPage,
  interfacesPage,
  routesPage,
  dnsPage,
  firewallPage,
  aliasesPage,
  forwardsPage,
  rulesPage,
  natPage,
  bandwidthPage,
  ipsPage,
  wireguardPage,
  ipsecPage,
  utilitiesPage,
  systemPage,
  historyPage,
  extensionsPage,
  trunksPage,
  callRoutingPage,
  cdrPage,
  blockListPage,
  pbxSettingsPage,
  loginPage,
  setupPage,
  confirmPage,
];
