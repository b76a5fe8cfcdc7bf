/*
 * Moving the router's LAN address from the GUI: LAN page, new address and a
 * pool start in the new subnet, Save (pill 2), Apply → the page goes to
 * https://NEW/#/confirm?token=… by itself and confirms there; then log in
 * at the new address and see the new values.
 *
 * --password PW --address NEW_LAN_ADDRESS --start NEW_POOL_START
 * Prints "RESULT {json}" with the URLs the page went through.
 */
import { check, CheckError, eq, field, log, login, nav, pillCount, scenario, section, t, until, waitText } from './lib.mjs';

await scenario('lan_move', async ({ page, a }) => {
  for (const k of ['password', 'address', 'start']) check(a[k], `--${k} is required`);
  const urls = [];
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) urls.push(f.url());
  });

  await login(page, a.base, a.password);
  await nav(page, 'lan', 'LAN');
  await section(page, 'lan');
  const oldAddress = await field(page, 'lan.ipv4.address').inputValue();
  const oldStart = await field(page, 'lan.dhcp.start').inputValue();
  check(oldAddress !== a.address, `the LAN address is already ${a.address}`);
  check(new URL(a.base).hostname === oldAddress, `the page is not at the LAN address ${oldAddress}`);

  await field(page, 'lan.ipv4.address').fill(a.address);
  await field(page, 'lan.dhcp.start').fill(a.start);
  await t(page, 'save').click();
  await waitText(t(page, 'banner'), /^Saved\. 2 unsaved changes/, 'the "Saved" banner');
  await until(async () => (await pillCount(page)) === '2', 'the pill to show 2');

  log('apply');
  await t(page, 'pill').click();
  const dlg = t(page, 'changes-dialog');
  await dlg.waitFor();
  const paths = async () => (await dlg.locator('[data-test="change"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')))).sort().join(',');
  await until(async () => (await paths()) === 'lan.dhcp.start,lan.ipv4.address', 'the two changes in the dialog');
  const row = dlg.locator('[data-test="change"][data-path="lan.ipv4.address"]');
  eq((await row.locator('.old').textContent())?.trim(), oldAddress, 'old address in the dialog');
  eq((await row.locator('.new').textContent())?.trim(), a.address, 'new address in the dialog');
  await t(page, 'apply').click();
  // the page tells where it goes, then goes there
  await waitText(dlg.locator('[data-test="apply-status"]'), new RegExp(`answer at ${a.address.replace(/\./g, '\\.')}`), 'the note that the page follows the router');

  log('follow');
  const confirmRe = new RegExp(`^https://${a.address.replace(/\./g, '\\.')}/#/confirm\\?token=[0-9a-f]{64}$`);
  await until(() => urls.some((u) => confirmRe.test(u)), `the page to go to https://${a.address}/#/confirm?token=…`, 20000, 100)
    .catch((e) => {
      throw new Error(`${e.message}; went through: ${urls.join(' ')}`);
    });
  const status = t(page, 'confirm-status');
  await status.waitFor({ timeout: 20000 });
  const st = await until(async () => {
    const s = await status.getAttribute('data-state');
    if (s === 'error') throw new CheckError(`the confirmation failed: ${await status.textContent()}`);
    return s;
  }, 'the confirm page to finish', 40000, 200);
  eq(st, 'confirmed', 'the confirm page state');
  const text = await status.textContent();
  check(/^Confirmed/.test(text ?? ''), `confirm status: ${text}`);
  log(`confirm page: ${text}`);
  eq(new URL(page.url()).hostname, a.address, 'the host the page is on');

  log('log in at the new address');
  const base = `https://${a.address}`;
  await t(page, 'login-form').waitFor();
  await t(page, 'login-form').locator('input[name="password"]').fill(a.password);
  await t(page, 'login').click();
  await t(page, 'logout').waitFor();
  await t(page, 'dashboard').waitFor();
  await until(async () => ((await t(page, 'iface-br-lan').textContent()) ?? '').includes(`${a.address}/24`), `br-lan with ${a.address}/24 on the dashboard`);
  await nav(page, 'lan', 'LAN');
  await section(page, 'lan');
  eq(await field(page, 'lan.ipv4.address').inputValue(), a.address, 'the LAN address at the new address');
  eq(await field(page, 'lan.dhcp.start').inputValue(), a.start, 'the pool start at the new address');
  eq(await pillCount(page), null, 'the pill at the new address');
  check(await page.locator('[data-test="pending-confirm"]').count() === 0, 'a revision still waits for confirmation');
  check(page.url().startsWith(base + '/'), `the page left the new address: ${page.url()}`);
  console.log('RESULT ' + JSON.stringify({ oldAddress, oldStart, urls }));
}, { limitMs: 120000 });
