/*
 * Network Settings › Overview: a card per interface (br-lan, wan0) with its
 * traffic graph and state; hovering its icon shows its IP and MAC; a link
 * taken down on the router (by the test, after "READY down") shows "down"
 * by itself within two seconds, and "up" again after "READY up".
 *
 * --password PW
 */
import { check, log, login, open, scenario, t, until } from './lib.mjs';

await scenario('overview', async ({ page, a }) => {
  check(a.password, '--password is required');
  await login(page, a.base, a.password);
  await open(page, a.base, '#/network');
  const lan = t(page, 'overview-br-lan');
  await lan.waitFor();
  check(((await lan.locator('h2').textContent()) ?? '').includes('br-lan'), 'the LAN card names br-lan');
  check((await lan.locator('svg.chart').count()) === 1, 'the LAN card has no traffic graph');
  check(((await t(page, 'overview-lo').count()) === 0), 'the loopback is shown');

  log('hover: addresses');
  const details = lan.locator('[data-test="details"]');
  check(!(await details.isVisible()), 'the details show before hovering');
  await lan.locator('[data-test="icon"]').hover();
  await details.waitFor({ state: 'visible' });
  const ip = (await details.locator('[data-test="ip"]').textContent()) ?? '';
  const mac = ((await details.locator('[data-test="mac"]').textContent()) ?? '').trim();
  log(`br-lan: ${ip} ${mac}`);
  check(ip.includes('192.168.1.1/24'), `br-lan's IP: ${ip}`);
  check(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac), `br-lan's MAC: ${mac}`);

  const wanState = t(page, 'overview-wan0').locator('[data-test="state"]');
  await until(async () => (await wanState.textContent()) === 'up', 'wan0 up');
  for (const want of ['down', 'up']) {
    console.log(`READY ${want}`);
    const t0 = Date.now();
    await until(async () => (await wanState.textContent()) === want, `wan0 shown ${want}`, 2000, 50);
    log(`wan0 shown ${want} after ${Date.now() - t0} ms`);
  }
});
