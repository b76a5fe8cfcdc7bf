/*
 * Dashboards › Router: the WAN card (the lab's DHCP lease, its gateway and
 * DNS, the check of both), every feature and engine with its badge, a
 * traffic chart per interface, the LAN clients list (the browser's PC, and
 * a count equal to the rows), what is in force on the WAN page (what DHCP
 * obtained) and the DNS page (the upstreams in use), the interfaces with addresses and MACs (br-lan
 * 192.168.1.1/24), and live updates over the events WebSocket: the root's
 * data-updated changes every few seconds without a reload and without
 * another GET /dashboard; a DHCP lease taken meanwhile (by the test, after
 * "READY lease") shows up by itself.
 *
 * --password PW [--lease-mac MAC --lease-host NAME]
 */
import { check, eq, log, login, scenario, sleep, t, until, waitText } from './lib.mjs';

await scenario('dashboard', async ({ page, a }) => {
  check(a.password, '--password is required');
  let dashboardGets = 0;
  let navigations = 0;
  const frames = [];
  page.on('request', (r) => {
    if (r.method() === 'GET' && new URL(r.url()).pathname === '/api/v1/dashboard') dashboardGets++;
  });
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) navigations++;
  });
  page.on('websocket', (ws) => {
    log(`websocket ${ws.url()}`);
    ws.on('close', () => log('websocket closed'));
    ws.on('socketerror', (e) => log(`websocket error ${e}`));
    ws.on('framereceived', (f) => frames.push(typeof f.payload === 'string' ? f.payload : f.payload.toString()));
  });

  await login(page, a.base, a.password);
  const dash = t(page, 'dashboard');
  await dash.waitFor();
  eq(await t(page, 'page-title').textContent(), 'Router', 'the page title');

  log('interfaces');
  const brlan = t(page, 'iface-br-lan');
  await brlan.waitFor();
  const cells = await brlan.locator('td').allTextContents();
  log(`br-lan: ${cells.join(' | ')}`);
  check(cells.some((c) => c.includes('192.168.1.1/24')), `br-lan shows no 192.168.1.1/24: ${cells.join(' | ')}`);
  check(cells.some((c) => /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(c.trim())), `br-lan shows no MAC: ${cells.join(' | ')}`);
  check(cells.some((c) => c.trim() === 'LAN'), `br-lan is not tagged LAN: ${cells.join(' | ')}`);
  const wan = t(page, 'iface-wan0');
  await wan.waitFor();
  check(/198\.51\.100\.\d+\/24/.test((await wan.textContent()) ?? ''), `wan0 shows no WAN address: ${await wan.textContent()}`);
  check(((await t(page, 'hostname').textContent()) ?? '').trim() !== '—', 'no hostname on the dashboard');
  check(/\d+% of/.test((await t(page, 'memory').textContent()) ?? ''), `memory: ${await t(page, 'memory').textContent()}`);

  log('WAN card');
  await until(async () => ((await t(page, 'internet').textContent()) ?? '') === 'Degraded', 'the internet check (the lab\'s upstream has no internet: DNS refused)', 40000, 500);
  check(/^198\.51\.100\.\d+\/24$/.test(((await t(page, 'wan-address').textContent()) ?? '').trim()), `WAN address: ${await t(page, 'wan-address').textContent()}`);
  eq(((await t(page, 'wan-gateway').textContent()) ?? '').trim(), '198.51.100.1', 'the WAN gateway');
  eq(((await t(page, 'wan-dns').textContent()) ?? '').trim(), '198.51.100.1', 'the WAN DNS servers');
  check(/^1h 0m, \d+m \d+s left$/.test(((await t(page, 'wan-lease').textContent()) ?? '').trim()), `the DHCP lease: ${await t(page, 'wan-lease').textContent()}`);
  check(((await t(page, 'wan-check').textContent()) ?? '').includes('gateway 198.51.100.1: answers'), `the check: ${await t(page, 'wan-check').textContent()}`);

  log('services');
  for (const f of ['lan', 'wan', 'dhcp', 'firewall']) {
    eq(((await page.locator(`[data-test="feature-${f}"] > .feature-head [data-test=badge]`).textContent()) ?? '').trim(), 'ok', `the badge of ${f}`);
  }
  eq(((await page.locator('[data-test="engine-dnsmasq"] [data-test=badge]').textContent()) ?? '').trim(), 'ok', 'the badge of dnsmasq');

  log('traffic');
  const chart = page.locator('[data-test="chart-br-lan"] svg');
  await until(async () => (await chart.locator('polyline').count()) === 2, 'the traffic chart of br-lan with two lines', 15000, 250);

  log('clients');
  const rows = page.locator('[data-test=client]');
  await until(async () => (await rows.count()) >= 1, 'a LAN client', 10000, 250);
  const pc = page.locator('[data-test=client]', { hasText: '192.168.1.10' });
  eq(await pc.count(), 1, 'the browser\'s PC in the clients list');
  check(((await pc.textContent()) ?? '').includes('Fixed address'), `the browser's PC: ${await pc.textContent()}`);
  eq(Number(await t(page, 'lan-clients').textContent()), await rows.count(), 'the LAN clients count and the list');

  log('live updates');
  await waitText(t(page, 'live'), /^Live$/, 'the live indicator');
  await page.evaluate(() => {
    window.__sameDocument = true;
  });
  const navBefore = navigations;
  const getsBefore = dashboardGets;
  const stamps = [];
  let last = Number(await dash.getAttribute('data-updated'));
  check(last > 0, 'data-updated is not set');
  for (let i = 0; i < 2; i++) {
    last = await until(async () => {
      const v = Number(await dash.getAttribute('data-updated'));
      return v > last ? v : null;
    }, `data-updated to change (update ${i + 1}, last ${last})`, 6000, 100);
    stamps.push(last);
  }
  log(`data-updated: ${stamps.join(', ')}`);
  check(await page.evaluate(() => window.__sameDocument === true), 'the page was reloaded');
  eq(navigations, navBefore, 'navigations during the live updates');
  eq(dashboardGets, getsBefore, 'GET /api/v1/dashboard during the live updates (they must come over the WebSocket)');
  check(frames.some((f) => f.includes('"topic":"dashboard"') || f.includes('"topic": "dashboard"')), `no dashboard frame on the WebSocket (${frames.length} frames)`);

  if (a['lease-mac']) {
    const mac = a['lease-mac'].toLowerCase();
    const countBefore = (await t(page, 'lease-count').textContent()) ?? '';
    const clientsBefore = Number(await t(page, 'lan-clients').textContent());
    console.log('READY lease');
    const row = page.locator('[data-test="lease"]', { hasText: mac });
    await until(async () => (await row.count()) === 1, `the lease of ${mac} on the dashboard`, 20000, 250);
    const text = await row.textContent();
    log(`lease row: ${text}`);
    check(/192\.168\.1\.\d+/.test(text ?? ''), `the lease row shows no address: ${text}`);
    if (a['lease-host']) check((text ?? '').includes(a['lease-host']), `the lease row shows no hostname ${a['lease-host']}: ${text}`);
    const countAfter = (await t(page, 'lease-count').textContent()) ?? '';
    check(countAfter !== countBefore && /^\d+ active$/.test(countAfter), `lease count: ${countBefore} → ${countAfter}`);
    await until(async () => Number(await t(page, 'lan-clients').textContent()) === clientsBefore + 1, `LAN clients ${clientsBefore} → ${clientsBefore + 1}`);
    const client = page.locator('[data-test=client]', { hasText: mac });
    await until(async () => (await client.count()) === 1, `${mac} in the clients list`);
    check(((await client.textContent()) ?? '').includes('DHCP lease'), `the new client: ${await client.textContent()}`);
    eq(Number(await t(page, 'lan-clients').textContent()), await page.locator('[data-test=client]').count(), 'the LAN clients count and the list, after the lease');
    check(await page.evaluate(() => window.__sameDocument === true), 'the page was reloaded');
    eq(dashboardGets, getsBefore, 'GET /api/v1/dashboard while the lease came');
  }

  log('what is in force: the WAN page and the DNS page');
  await page.evaluate(() => { location.hash = '#/wan'; });
  const obtained = t(page, 'wan-obtained');
  await waitText(obtained.locator('[data-test=wan-address]'), /^198\.51\.100\.\d+\/24$/, 'the address DHCP obtained on the WAN page');
  eq(((await obtained.locator('[data-test=wan-gateway]').textContent()) ?? '').trim(), '198.51.100.1', 'the gateway on the WAN page');
  check(/^1h 0m, \d+m \d+s left$/.test(((await obtained.locator('[data-test=wan-lease]').textContent()) ?? '').trim()), 'the lease on the WAN page');
  await page.evaluate(() => { location.hash = '#/dns'; });
  await waitText(t(page, 'upstream-servers'), /^198\.51\.100\.1$/, 'the upstreams in use on the DNS page');
  eq(((await t(page, 'upstream-source').textContent()) ?? '').trim(), 'provided by the WAN', 'where the upstreams come from');
  await sleep(10);
});
