/*
 * Dashboards › Router, the Quick actions menu (top right): "Restart
 * dnsmasq" restarts it (the banner names the new process, whose pid the
 * test compares with the one before); "Reboot…" asks first, and Cancel
 * sends nothing (the reboot itself is never clicked here).
 *
 * --password PW. Prints "RESULT {json}" with the pid the banner named.
 */
import { check, eq, log, login, scenario, t, waitText } from './lib.mjs';

await scenario('quick_actions', async ({ page, a }) => {
  check(a.password, '--password is required');
  const posts = [];
  page.on('request', (r) => {
    if (r.method() === 'POST') posts.push(new URL(r.url()).pathname);
  });
  await login(page, a.base, a.password);
  await t(page, 'dashboard').waitFor();

  log('restart dnsmasq from the menu');
  const menu = t(page, 'quick-actions');
  await menu.locator('summary').click();
  const restart = t(page, 'restart-dnsmasq');
  await restart.waitFor();
  eq(((await restart.textContent()) ?? '').trim(), 'Restart dnsmasq (DNS & DHCP)', 'the menu item');
  await restart.click();
  const said = await waitText(page.locator('[data-test=dashboard] [data-test=banner]'), /^dnsmasq restarted \(process \d+\)\.$/, 'the banner after the restart');
  const pid = Number(/process (\d+)/.exec(said)[1]);
  check(!(await menu.evaluate((m) => m.open)), 'the menu closes after the action');
  eq(posts.filter((p) => p === '/api/v1/engine/restart').length, 1, 'one POST /engine/restart');

  log('reboot asks first');
  await menu.locator('summary').click();
  await t(page, 'reboot').click();
  const dlg = t(page, 'reboot-dialog');
  await dlg.waitFor();
  check(((await dlg.textContent()) ?? '').includes('couple of minutes'), `the dialog: ${await dlg.textContent()}`);
  await t(page, 'reboot-cancel').click();
  await dlg.waitFor({ state: 'detached' });
  check(!posts.includes('/api/v1/system/reboot'), 'Cancel sent a reboot');
  console.log('RESULT ' + JSON.stringify({ pid }));
});
